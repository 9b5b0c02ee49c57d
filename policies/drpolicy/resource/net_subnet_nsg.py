"""Every subnet has a network security group: without one, traffic inside the network is filtered by nothing
(Learn, "Network security groups"; Azure Policy "Subnets should be associated with a Network Security Group")."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import SUBNET, VIRTUAL_NETWORK


def _has_nsg(subnet: Mapping[str, Any]) -> bool:
    return bool(subnet.get("networkSecurityGroup"))


def check(type_: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if type_ == SUBNET:
        if not _has_nsg(props):
            yield f"subnet {props.get('subnetName') or props.get('name') or ''} has no networkSecurityGroup"
        return
    for subnet in props.get("subnets") or []:  # subnets declared inline in the network
        if isinstance(subnet, Mapping) and not _has_nsg(subnet):
            yield f"inline subnet {subnet.get('name', '')} has no networkSecurityGroup"


RULE = ResourceRule(
    Rule(
        id="net-subnet-nsg",
        title="Every subnet has a network security group",
        service="network",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Declare the subnet with networkSecurityGroup (azure-dr:network builds one per subnet).",
        config=("network",),
        equivalents=("Azure Policy Subnets should be associated with a Network Security Group; Checkov CKV2_AZURE_31"),
    ),
    (SUBNET, VIRTUAL_NETWORK),
    check,
)
