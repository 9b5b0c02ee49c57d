"""The global routing has probed origins in both regions.

The owner stack holds the origin group (with its probe) and its own origin; the other stack's origin joins that
group. Each stack checks its half: the owner that the group is probed and has this region's origin, the other
stack that its origin joins the group the owner exports.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.facts import of_type, peer_outputs
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import AFD_ORIGIN, AFD_ORIGIN_GROUP, TM_ENDPOINT, TM_PROFILE


def _front_door(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    groups, origins = of_type(args.resources, AFD_ORIGIN_GROUP), of_type(args.resources, AFD_ORIGIN)
    for group in groups:
        if not dig(group.props, "healthProbeSettings.probePath"):
            yield f"origin group {group.name} has no health probe: failover would never trigger", group.urn
        name = group.props.get("originGroupName") or group.props.get("name")
        if not any(o.props.get("originGroupName") == name for o in origins):
            yield f"origin group {group.name} has no origin in this stack's region", group.urn
    if origins and not groups:
        peer = peer_outputs(args.resources)
        for origin in origins:
            if not peer.get("origin_group_id") or origin.props.get("originGroupName") != peer.get("origin_group_name"):
                yield (
                    f"origin {origin.name} does not join the peer's probed origin group "
                    f"({peer.get('origin_group_name') or 'none exported'})",
                    origin.urn,
                )


def _traffic_manager(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    profiles, endpoints = of_type(args.resources, TM_PROFILE), of_type(args.resources, TM_ENDPOINT)
    for profile in profiles:
        if not dig(profile.props, "monitorConfig.protocol"):
            yield f"profile {profile.name} does not monitor its endpoints", profile.urn
        if not endpoints:
            yield f"profile {profile.name} has no endpoint in this stack's region", profile.urn
    if endpoints and not profiles:
        peer = peer_outputs(args.resources).get("traffic_manager_profile_name")
        for endpoint in endpoints:
            if not peer or endpoint.props.get("profileName") != peer:
                yield (
                    f"endpoint {endpoint.name} does not join the peer's profile ({peer or 'none exported'})",
                    endpoint.urn,
                )


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    yield from _front_door(args)
    yield from _traffic_manager(args)


RULE = StackRule(
    Rule(
        id="dr-routing-regions",
        title="Global routing has probed origins in both regions",
        service="routing",
        objective="rto",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix=(
            "Keep azure-dr:routing with a probe in both stacks: the global owner (azure-dr:owns_global) holds the "
            "probed origin group; the other stack's origin joins it."
        ),
        config=("routing.probe", "routing", "owns_global"),
        equivalents="none (PSRule Azure.TrafficManager.Endpoints counts endpoints only)",
    ),
    check,
)
