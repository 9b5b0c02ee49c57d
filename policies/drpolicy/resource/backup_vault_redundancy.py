"""Backup vaults keep their recovery points in the paired region and can restore there.

A locally or zone-redundant vault loses the long-term backups with the region, and cross-region restore (restore
in the paired region while the primary region is down) needs geo-redundant storage. Vault storage redundancy
cannot be changed once items are protected (Learn, "Create and manage Backup vaults"), so it is checked before
the first ``pulumi up``.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import BACKUP_VAULT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    settings = dig(props, "properties.storageSettings") or []
    kinds = {str(s.get("type")) for s in settings if isinstance(s, Mapping)}
    if kinds != {"GeoRedundant"}:
        shown = ", ".join(sorted(kinds)) or "unset"
        yield f"properties.storageSettings type is {shown}; set it to GeoRedundant (fixed once items are protected)"
    crr = dig(props, "properties.featureSettings.crossRegionRestoreSettings.state")
    if crr != "Enabled":
        yield (
            f"properties.featureSettings.crossRegionRestoreSettings.state is {crr or 'unset (Disabled)'}; "
            "set it to Enabled to restore in the paired region"
        )


RULE = ResourceRule(
    Rule(
        id="backup-vault-redundancy",
        title="Backup vaults are geo-redundant with cross-region restore",
        service="backup",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="Azure Policy 'Azure Backup vaults should use geo-redundant storage' family (audit); no Checkov",
    ),
    (BACKUP_VAULT,),
    check,
)
