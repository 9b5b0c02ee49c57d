"""PostgreSQL primaries keep geo-redundant backups (a read replica cannot have them, and is exempt)."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import created_as_replica, replicating
from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import PG_SERVER


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if created_as_replica(props) or replicating(props):
        return  # create-only: a server created as a replica never has it (the posture says so after promotion)
    if dig(props, "backup.geoRedundantBackup") != "Enabled":
        yield "backup.geoRedundantBackup must be Enabled on a primary server (it is chosen at creation)"


RULE = ResourceRule(
    Rule(
        id="pg-geo-backup",
        title="PostgreSQL primary servers keep geo-redundant backups",
        service="postgresql",
        objective="rpo",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Set azure-dr:postgres.geo_redundant_backup to Enabled, or remove it (Enabled is a primary's default). It "
            "is fixed at creation: an existing server needs a new one (azure-dr:postgres.generation)."
        ),
        config=("postgres.geo_redundant_backup", "postgres"),
        equivalents="Checkov CKV_AZURE_136; Azure Policy (audit); PSRule Azure.PostgreSQL.GeoRedundantBackup",
    ),
    (PG_SERVER,),
    check,
)
