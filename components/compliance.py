"""Compliance data kept for years in write-once (WORM) form: a blob container with a time-based retention policy.

Microsoft Learn, "Container-level write once, read many (WORM) policies for immutable blob data": available for
every container of a general-purpose v2 account, no enablement step; a container with a policy must be empty
before it can be deleted. "Configure immutability policies for containers": a time-based policy is created
*unlocked* (it can still be shortened or deleted, good for testing) and locking it is a separate action
(``az storage container immutability-policy lock``), after which it can only be extended — a decision for the
data owner, so the program never locks it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import storage

from .interfaces import RemovalPolicy, removal_refusal, stateful
from .rules import refuse


def retention_days(years: int) -> int:
    """Days that cover ``years`` calendar years including their leap days (7 years: 2557 days)."""
    return math.ceil(years * 365.25)


@dataclass(frozen=True)
class ComplianceContainerArgs:
    account_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    container_name: str = "compliance"
    #: years each blob is kept unmodifiable from its creation.
    retention_years: int = 7
    #: allow appending to append blobs under the policy (audit logs); never overwrites or deletes.
    allow_protected_append_writes: bool = False
    removal_policy: RemovalPolicy = "retain"
    """``retain`` (default): protected and kept in Azure when the stack lets go of it; ``destroy``: neither, for a
    throw-away stack."""

    def __post_init__(self) -> None:
        refuse("ComplianceContainerArgs", None, removal_refusal(self.removal_policy))


class ComplianceContainer(pulumi.ComponentResource):
    """A private container whose blobs cannot be modified or deleted for ``retention_years``."""

    container: storage.BlobContainer
    policy: storage.BlobContainerImmutabilityPolicy
    retention_days: int

    def __init__(self, name: str, args: ComplianceContainerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:compliance:ComplianceContainer", name, None, opts)
        self.retention_days = retention_days(args.retention_years)
        self.container = storage.BlobContainer(
            f"{name}-container",
            container_name=args.container_name,
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            public_access=storage.PublicAccess.NONE,
            opts=stateful(self, removal_policy=args.removal_policy),
        )
        self.policy = storage.BlobContainerImmutabilityPolicy(
            f"{name}-worm",
            immutability_policy_name="default",  # the only name Azure accepts for a container's policy
            container_name=self.container.name,
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            immutability_period_since_creation_in_days=self.retention_days,
            allow_protected_append_writes=args.allow_protected_append_writes,
            opts=stateful(self, removal_policy=args.removal_policy),
        )
        self.register_outputs({"container_id": self.container.id, "retention_days": self.retention_days})
