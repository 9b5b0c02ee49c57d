"""Recovery points cannot be deleted before they expire: immutability on the Backup vault.

``Unlocked`` already blocks early deletion and can still be turned off; ``Locked`` is permanent (Learn, "Immutable
vault for Azure Backup"), so it is required only when ``require_locked`` says so.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold, dig
from drpolicy.services import BACKUP_VAULT

PATH = "properties.securitySettings.immutabilitySettings.state"


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    state = dig(props, PATH)
    allowed = ("Locked",) if settings["require_locked"] else ("Unlocked", "Locked")
    if state not in allowed:
        yield f"{PATH} is {state or 'unset (Disabled)'}; set it to {' or '.join(allowed)}"


RULE = ResourceRule(
    Rule(
        id="backup-vault-immutability",
        title="Backup vaults are immutable",
        service="backup",
        objective="recoverability",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="Azure Policy 'Immutability must be enabled for backup vaults' (audit)",
        thresholds=(Threshold("require_locked", False, "require the irreversible Locked state"),),
    ),
    (BACKUP_VAULT,),
    check,
)
