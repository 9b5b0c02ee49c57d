"""Container registries have no admin user: its shared password cannot be scoped, audited or rotated safely."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REGISTRY


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("adminUserEnabled") is True:
        yield "adminUserEnabled is true; set it to false and pull with managed identities (AcrPull)"


RULE = ResourceRule(
    Rule(
        id="acr-admin-user",
        title="Container registries disable the admin user",
        service="acr",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set adminUserEnabled to false on the registry and pull with managed identities granted AcrPull.",
        config=("registry",),
        equivalents=(
            "Checkov CKV_AZURE_137; Azure Policy Container registries should have local admin account disabled; "
            "PSRule Azure.ACR.AdminUser"
        ),
    ),
    (REGISTRY,),
    check,
)
