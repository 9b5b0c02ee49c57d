"""Traffic Manager profiles route by priority to a monitored endpoint, so failover to the DR region is automatic.

Priority routing sends everything to the primary while it is healthy; the endpoint monitor (protocol, and a path
for HTTP/HTTPS) is what decides it is not.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import TM_PROFILE


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    method = props.get("trafficRoutingMethod")
    if method != "Priority":
        yield f"trafficRoutingMethod is {method or 'unset'}; set it to Priority for active-passive failover"
    monitor = props.get("monitorConfig")
    if not isinstance(monitor, Mapping) or not monitor.get("protocol"):
        yield "monitorConfig.protocol is unset; set monitorConfig with protocol HTTPS, port and path"
        return
    if monitor["protocol"] != "TCP" and not monitor.get("path"):
        yield "monitorConfig.path is unset; point it at the endpoints' health path"


RULE = ResourceRule(
    Rule(
        id="tm-monitor",
        title="Traffic Manager profiles use priority routing with endpoint monitoring",
        service="trafficmanager",
        objective="failover",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Use trafficRoutingMethod Priority with monitorConfig (protocol HTTPS, port, path); azure-dr:routing.probe "
            "sets path and protocol."
        ),
        config=("routing.probe", "routing"),
        equivalents="none (PSRule Azure.TrafficManager.Endpoints only counts endpoints)",
    ),
    (TM_PROFILE,),
    check,
)
