"""AKS clusters authenticate with Entra ID and authorise with Azure RBAC.

Managed Entra integration (``aadProfile.managed``) with ``enableAzureRBAC``, and Kubernetes RBAC on: access is
granted by role assignments that are audited like every other Azure permission, in both regions alike.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import MANAGED_CLUSTER


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if dig(props, "aadProfile.managed") is not True:
        yield "aadProfile.managed is not true; use managed Entra ID integration"
    if dig(props, "aadProfile.enableAzureRBAC") is not True:
        yield "aadProfile.enableAzureRBAC is not true; authorise with Azure RBAC role assignments"
    if props.get("enableRBAC") is False:
        yield "enableRBAC is false; Kubernetes RBAC must stay on"


RULE = ResourceRule(
    Rule(
        id="aks-entra-rbac",
        title="AKS clusters use Entra ID with Azure RBAC",
        service="aks",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="Checkov CKV_AZURE_5 (RBAC only); PSRule Azure.AKS.ManagedAAD, Azure.AKS.AzureRBAC",
    ),
    (MANAGED_CLUSTER,),
    check,
)
