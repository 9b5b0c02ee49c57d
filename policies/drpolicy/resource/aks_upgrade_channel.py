"""AKS clusters are upgraded automatically: a Kubernetes upgrade channel and a node OS channel.

Two regions patched by hand drift apart, and the standby is the one nobody remembers; the channel ``none`` (or
no channel) and the node OS channels ``None`` / ``Unmanaged`` leave a cluster unpatched.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import MANAGED_CLUSTER


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    channel = dig(props, "autoUpgradeProfile.upgradeChannel")
    if channel in (None, "", "none"):
        yield f"autoUpgradeProfile.upgradeChannel is {channel or 'unset'}; set patch, stable, rapid or node-image"
    node_os = dig(props, "autoUpgradeProfile.nodeOSUpgradeChannel")
    if node_os in (None, "", "None", "Unmanaged"):
        yield f"autoUpgradeProfile.nodeOSUpgradeChannel is {node_os or 'unset'}; set NodeImage or SecurityPatch"


RULE = ResourceRule(
    Rule(
        id="aks-upgrade-channel",
        title="AKS clusters have an automatic upgrade channel",
        service="aks",
        objective="security",
        severity=Severity.MEDIUM,
        level=MANDATORY,
        equivalents="PSRule Azure.AKS.AutoUpgrade, Azure.AKS.NodeAutoUpgrade",
    ),
    (MANAGED_CLUSTER,),
    check,
)
