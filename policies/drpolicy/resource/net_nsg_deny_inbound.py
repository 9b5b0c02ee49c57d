"""Network security groups deny inbound traffic by default: only what a rule allows gets in. Azure's own
default rules let in everything from the virtual network and its peers, so the deny is an explicit last rule;
and no rule opens every port to the internet."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import NSG

ANYWHERE = frozenset({"*", "internet", "0.0.0.0/0", "any"})


def _inbound(rule: Mapping[str, Any]) -> bool:
    return str(rule.get("direction", "")).lower() == "inbound"


def _any(value: Any) -> bool:
    return str(value or "").lower() in ANYWHERE


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    rules = [r for r in props.get("securityRules") or [] if isinstance(r, Mapping) and _inbound(r)]
    deny_all = any(
        str(r.get("access", "")).lower() == "deny"
        and _any(r.get("sourceAddressPrefix"))
        and str(r.get("destinationPortRange")) == "*"
        and str(r.get("protocol")) == "*"
        for r in rules
    )
    if not deny_all:
        yield "no inbound rule denies all traffic; add a last rule (priority 4096) denying * from * on every port"
    for r in rules:
        allows = str(r.get("access", "")).lower() == "allow"
        if allows and _any(r.get("sourceAddressPrefix")) and str(r.get("destinationPortRange")) == "*":
            yield f"rule {r.get('name')} allows every port from {r.get('sourceAddressPrefix')}"


RULE = ResourceRule(
    Rule(
        id="net-nsg-deny-inbound",
        title="Network security groups deny inbound traffic by default",
        service="network",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="End the inbound rules with a deny of everything (azure-dr:network's groups do) and allow sources "
        "and ports explicitly.",
        config=("network",),
        equivalents="Checkov CKV_AZURE_9/10 (RDP/SSH from the internet); Azure Policy management ports closed",
    ),
    (NSG,),
    check,
)
