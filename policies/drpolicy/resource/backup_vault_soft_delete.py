"""Deleted backup data stays recoverable: soft delete on the Backup vault, kept at least ``min_days``.

Azure's default is On for 14 days; Off would let a compromised identity delete every recovery point at once.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import number
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold, dig
from drpolicy.services import BACKUP_VAULT

PATH = "properties.securitySettings.softDeleteSettings"


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    state = dig(props, f"{PATH}.state")
    if state not in ("On", "AlwaysOn"):
        yield f"{PATH}.state is {state or 'unset'}; set it to On (or AlwaysOn, which cannot be undone)"
        return
    days = number(dig(props, f"{PATH}.retentionDurationInDays"), 14)
    if days < settings["min_days"]:
        yield f"{PATH}.retentionDurationInDays is {days:g}; set it to at least {settings['min_days']}"


RULE = ResourceRule(
    Rule(
        id="backup-vault-soft-delete",
        title="Backup vaults soft-delete backup data",
        service="backup",
        objective="recoverability",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="Azure Policy 'Soft delete should be enabled for Backup Vaults' (audit)",
        thresholds=(Threshold("min_days", 14, "minimum soft-delete retention in days (Azure allows 14-180)", 14),),
    ),
    (BACKUP_VAULT,),
    check,
)
