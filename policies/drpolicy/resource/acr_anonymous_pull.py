"""Container registries never serve images to unauthenticated clients."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REGISTRY


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("anonymousPullEnabled") is True:
        yield "anonymousPullEnabled is true; set it to false"


RULE = ResourceRule(
    Rule(
        id="acr-anonymous-pull",
        title="Container registries disable anonymous pull",
        service="acr",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set anonymousPullEnabled to false on the registry; clients pull with an Entra identity.",
        config=("registry",),
        equivalents=(
            "Checkov CKV_AZURE_138; Azure Policy Container registries should have anonymous authentication "
            "disabled; PSRule Azure.ACR.AnonymousAccess"
        ),
    ),
    (REGISTRY,),
    check,
)
