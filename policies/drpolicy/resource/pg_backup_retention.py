"""PostgreSQL backups are kept at least as long as the recovery objectives say.

No other rule set checks the retention days: Azure's default of 7 days is shorter than most objectives.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import created_as_replica, number, replicating
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold, dig
from drpolicy.services import PG_SERVER


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    if (created_as_replica(props) and "backup" not in props) or replicating(props):
        return  # a replica has no backups of its own until promoted; its source's retention applies
    days = number(dig(props, "backup.backupRetentionDays"), 7)  # Azure's default when unset
    if days < settings["min_days"]:
        yield (
            f"backup.backupRetentionDays is {days:g}; set it to at least {settings['min_days']} days "
            "(Azure allows up to 35)"
        )


RULE = ResourceRule(
    Rule(
        id="pg-backup-retention",
        title="PostgreSQL backup retention meets the objective",
        service="postgresql",
        objective="retention",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Raise azure-dr:postgres.backup_retention_days, or azure-dr:objectives.backup_retention_days it defaults "
            "to, to at least min_days (Azure allows 7-35)."
        ),
        config=("postgres.backup_retention_days", "objectives.backup_retention_days", "postgres"),
        equivalents="none",
        thresholds=(Threshold("min_days", 30, "minimum backup retention in days (objectives)", 7),),
    ),
    (PG_SERVER,),
    check,
)
