"""The registry replicates to every region that runs workloads, so images pull locally when the other is down.

A stack runs workloads when it has an AKS cluster, an origin (Front Door) or an endpoint (Traffic Manager) in
its region; a cluster counts in its own location.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.facts import of_type, peer_outputs, region_name, stack_region
from drpolicy.framework import MANDATORY, Rule, StackRule
from drpolicy.services import AFD_ORIGIN, MANAGED_CLUSTER, REGISTRY, REGISTRY_REPLICATION, TM_ENDPOINT


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    own = stack_region(args.resources)
    clusters = of_type(args.resources, MANAGED_CLUSTER)
    regions = {region_name(c.props.get("location")) for c in clusters}
    if own is not None and of_type(args.resources, AFD_ORIGIN, TM_ENDPOINT):
        regions.add(own)
    registries = of_type(args.resources, REGISTRY)
    has_registry = bool(registries) or bool(peer_outputs(args.resources).get("registry_name"))
    if not regions or not has_registry:
        return
    local = {region_name(r.props.get("location")) for r in of_type(args.resources, REGISTRY, REGISTRY_REPLICATION)}
    for region in sorted(regions - local):
        cluster = next((c for c in clusters if region_name(c.props.get("location")) == region), None)
        what = f"cluster {cluster.name}" if cluster is not None else "this stack"
        yield (
            f"{what} runs workloads in {region} but the registry has no replica there",
            cluster.urn if cluster else None,
        )


RULE = StackRule(
    Rule(
        id="acr-workload-regions",
        title="The registry replicates to every region that runs workloads",
        service="acr",
        objective="rto",
        severity=Severity.MEDIUM,
        level=MANDATORY,
        needs_peer=True,
        fix=(
            "Replicate the registry into every region that runs workloads: keep azure-dr:registry.enabled true in each "
            "stack with azure-dr:routing."
        ),
        config=("registry.enabled", "registry", "routing"),
        equivalents="Checkov CKV_AZURE_165 (title only: checks that replications exist); PSRule Azure.ACR.GeoReplica",
    ),
    check,
)
