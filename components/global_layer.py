"""The global layer's home: a resource group of its own, outside every regional group (DESIGN §3).

The shared objects (Front Door or Traffic Manager, the Cosmos account, the registry) and every stack's share of
them (origins, registry replications) live here, so a forced promotion writes nothing into the failed region's
group. The component is a top-level resource with names that carry no region: when the primary is lost for
good, ``pulumi state move`` hands it to the survivor with the same URNs, and the survivor declares it with the
same inputs (nothing deleted, nothing recreated).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import resources

from .facts.recovery import SCOPE_TAG
from .interfaces import RemovalPolicy, fixed_output, removal_refusal, stateful
from .rules import refuse


@dataclass(frozen=True)
class GlobalLayerArgs:
    resource_group_name: str
    """``rg-<workload>-<environment>-global``: the same for every owner."""
    location: str
    """Where the group's metadata lives; choose a region the primary's loss does not take down."""
    tags: Mapping[str, str] = field(default_factory=dict)
    removal_policy: RemovalPolicy = "retain"
    """``retain`` (default): protected and kept in Azure when the stack lets go of it; ``destroy``: neither, for a
    throw-away stack."""

    def __post_init__(self) -> None:
        refuse("GlobalLayerArgs", None, removal_refusal(self.removal_policy))


class GlobalLayer(pulumi.ComponentResource):
    """The global resource group; the global components are its children.

    The group is protected but carries no ``CanNotDelete`` lock: a lock is inherited by every child (Learn,
    "Lock your resources to protect your infrastructure"), so a group lock would block removing a stack's origin
    or replication. The stateful children (Cosmos account, registry) carry their own locks.
    """

    resource_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: GlobalLayerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:global:GlobalLayer", name, None, opts)
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags={**args.tags, SCOPE_TAG: "global"},
            opts=stateful(self, removal_policy=args.removal_policy),
        )
        self.resource_group_name = fixed_output(group, args.resource_group_name)
        self.register_outputs({"resource_group_name": self.resource_group_name})
