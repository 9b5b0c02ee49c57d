"""AKS clusters have local accounts off: no static admin credential that outlives a person or a pipeline.

``disableLocalAccounts`` unset means local accounts are on (the admin kubeconfig works for anyone who can call
``listClusterAdminCredential``).
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import MANAGED_CLUSTER


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("disableLocalAccounts") is not True:
        yield "disableLocalAccounts is not true; turn local accounts off and sign in with Entra ID"


RULE = ResourceRule(
    Rule(
        id="aks-local-accounts",
        title="AKS clusters have local accounts disabled",
        service="aks",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="Azure Policy 'Azure Kubernetes Service Clusters should have local authentication methods "
        "disabled'; PSRule Azure.AKS.LocalAccounts",
    ),
    (MANAGED_CLUSTER,),
    check,
)
