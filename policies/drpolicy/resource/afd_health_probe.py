"""Front Door origin groups probe their origins, so traffic leaves a failed region within minutes.

Without a health probe Front Door keeps sending requests to a dead origin: failover never happens.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import number
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold
from drpolicy.services import AFD_ORIGIN_GROUP


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    probe = props.get("healthProbeSettings")
    if not isinstance(probe, Mapping):
        yield "healthProbeSettings is unset; add probePath, probeProtocol (Https) and probeIntervalInSeconds"
        return
    if not probe.get("probePath"):
        yield "healthProbeSettings.probePath is unset; point it at the origins' health endpoint"
    protocol = probe.get("probeProtocol")
    if protocol in (None, "", "NotSet"):
        yield f"healthProbeSettings.probeProtocol is {protocol or 'unset'}; set it to Https"
    interval = number(probe.get("probeIntervalInSeconds"), 0)
    maximum = settings["max_interval_seconds"]
    if interval <= 0:
        yield f"healthProbeSettings.probeIntervalInSeconds is unset; set it to at most {maximum} seconds"
    elif interval > maximum:
        yield f"healthProbeSettings.probeIntervalInSeconds is {interval:g}; set it to at most {maximum} seconds"


RULE = ResourceRule(
    Rule(
        id="afd-health-probe",
        title="Front Door origin groups have health probes",
        service="frontdoor",
        objective="failover",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Set azure-dr:routing.probe: a path, protocol Https and interval_seconds no longer than "
            "max_interval_seconds."
        ),
        config=("routing.probe.interval_seconds", "routing.probe", "routing"),
        equivalents="none for Standard/Premium (PSRule Azure.FrontDoor.Probe and ProbePath cover classic only)",
        thresholds=(
            Threshold("max_interval_seconds", 120, "longest health-probe interval in seconds (detection time)", 1),
        ),
    ),
    (AFD_ORIGIN_GROUP,),
    check,
)
