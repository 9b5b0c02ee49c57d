"""Cosmos DB backups are frequent enough for the RPO: continuous backup, or periodic backups at least every RPO.

Without ``backupPolicy`` Azure takes a periodic backup every 240 minutes, which misses a 15-minute RPO by far.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import number
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold, dig
from drpolicy.services import COSMOS_ACCOUNT

AZURE_DEFAULT_INTERVAL_MINUTES = 240


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    kind = dig(props, "backupPolicy.type") or "Periodic"
    if kind == "Continuous":
        return
    interval = number(
        dig(props, "backupPolicy.periodicModeProperties.backupIntervalInMinutes"), AZURE_DEFAULT_INTERVAL_MINUTES
    )
    if interval > settings["rpo_minutes"]:
        yield (
            f"backupPolicy is Periodic every {interval:g} minutes, longer than the {settings['rpo_minutes']}-minute "
            "RPO; set backupPolicy.type to Continuous (point-in-time restore) or lower "
            "backupPolicy.periodicModeProperties.backupIntervalInMinutes"
        )


RULE = ResourceRule(
    Rule(
        id="cosmos-backup",
        title="Cosmos DB backups meet the RPO",
        service="cosmosdb",
        objective="rpo",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Keep continuous backup (azure-dr:cosmos.backup_tier); a periodic backup must run at least every "
            "rpo_minutes."
        ),
        config=("cosmos.backup_tier", "cosmos"),
        equivalents="PSRule Azure.Cosmos.ContinuousBackup (Continuous only, no RPO)",
        thresholds=(Threshold("rpo_minutes", 15, "recovery point objective in minutes (objectives)", 1),),
    ),
    (COSMOS_ACCOUNT,),
    check,
)
