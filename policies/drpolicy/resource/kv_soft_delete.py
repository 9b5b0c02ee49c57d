"""Deleted Key Vault secrets, keys and certificates stay recoverable for as long as the objectives ask.

Soft delete can no longer be turned off in Azure, but an explicit false is still a mistake in the program,
and the retention (7-90 days, 90 when unset) is fixed at creation.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import number
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold, dig
from drpolicy.services import KEY_VAULT


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    if dig(props, "properties.enableSoftDelete") is False:
        yield "properties.enableSoftDelete is false; set it to true (or leave it unset)"
    days = number(dig(props, "properties.softDeleteRetentionInDays"), 90)  # Azure's default
    if days < settings["min_days"]:
        yield (
            f"properties.softDeleteRetentionInDays is {days:g}; set it to at least {settings['min_days']} "
            "(it can only be chosen at creation)"
        )


RULE = ResourceRule(
    Rule(
        id="kv-soft-delete",
        title="Key Vaults keep soft-deleted objects for the objective",
        service="keyvault",
        objective="recoverability",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Raise azure-dr:keyvault.soft_delete_retention_days to at least min_days (fixed when the vault is created)."
        ),
        config=("keyvault.soft_delete_retention_days", "keyvault"),
        equivalents=(
            "Checkov CKV_AZURE_111, CKV_AZURE_42 (no retention days); Azure Policy Key vaults should have soft "
            "delete enabled; PSRule Azure.KeyVault.SoftDelete"
        ),
        thresholds=(Threshold("min_days", 90, "minimum soft-delete retention in days (objectives)", 7),),
    ),
    (KEY_VAULT,),
    check,
)
