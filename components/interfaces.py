"""The interfaces every data component offers (the AVM set): lock, tags, diagnostics, private endpoint, identity.

One helper serves every service so that a new data component gets the same protection by calling
``protect_data`` rather than repeating it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, network

from components.config import PrivateEndpoint
from components.diagnostics import diagnostic_setting
from components.recovery import MECHANISM_TAG

LOCK_LEVEL = "CanNotDelete"


@dataclass(frozen=True)
class DataInterfaces:
    """Where a data component lives and how it is protected, watched and reached."""

    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str] = field(default_factory=dict)
    lock: bool = True
    workspace_id: pulumi.Input[str] | None = None
    identity_id: pulumi.Input[str] | None = None


def data_tags(interfaces: DataInterfaces, mechanism: str) -> dict[str, str]:
    """The resource's tags plus the DR mechanism it relies on (``components.recovery`` keys).

    The policy pack checks that the resource's settings support the declared mechanism, that its documented RPO
    meets the objective and, on the standby side, that the peer's half of the mechanism exists.
    """
    return {**interfaces.tags, MECHANISM_TAG: mechanism}


def stateful(parent: pulumi.Resource, ignore_changes: list[str] | None = None) -> pulumi.ResourceOptions:
    """Options for a resource that holds data: ``protect=True``, which config can never turn off, and
    ``retain_on_delete=True``, so that even a deliberately released resource (``pulumi state unprotect``, e.g.
    a stale server after a rebuild) leaves Pulumi's state without its data being deleted in Azure."""
    return pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True, ignore_changes=ignore_changes)


def delete_lock(parent: pulumi.Resource, name: str, target: pulumi.CustomResource) -> None:
    """A ``CanNotDelete`` management lock on ``target``: stops the portal, scripts and other tools too."""
    authorization.ManagementLockByScope(
        f"{name}-lock",
        scope=target.id,
        level=LOCK_LEVEL,
        lock_name=f"{name}-do-not-delete",
        notes="azure-dr: stateful DR resource; remove the lock deliberately before any delete.",
        opts=pulumi.ResourceOptions(parent=parent),
    )


def protect_data(
    parent: pulumi.ComponentResource,
    name: str,
    target: pulumi.CustomResource,
    interfaces: DataInterfaces,
    *,
    diagnostics_target: pulumi.CustomResource | None = None,
    log_categories: bool = True,
    private_endpoint: PrivateEndpoint | None = None,
    private_link_group: str | None = None,
) -> None:
    """Lock ``target`` against deletion, send its diagnostics to the region's workspace, reach it privately.

    ``diagnostics_target`` overrides where diagnostics are read from (storage logs live on the blob service);
    the categories come from ``components.diagnostics`` for that resource's type.
    """
    opts = pulumi.ResourceOptions(parent=parent)
    if interfaces.lock:
        delete_lock(parent, name, target)
    if interfaces.workspace_id is not None:
        diagnostic_setting(
            f"{name}-diagnostics",
            diagnostics_target if diagnostics_target is not None else target,
            interfaces.workspace_id,
            opts,
            logs=log_categories,
        )
    if private_endpoint is not None and private_link_group is not None:
        endpoint = network.PrivateEndpoint(
            f"{name}-pe",
            private_endpoint_name=f"pep-{name}",
            resource_group_name=interfaces.resource_group_name,
            location=interfaces.location,
            subnet=network.SubnetArgs(id=private_endpoint.subnet_id),
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=f"pep-{name}",
                    private_link_service_id=target.id,
                    group_ids=[private_link_group],
                )
            ],
            tags=dict(interfaces.tags),
            opts=opts,
        )
        network.PrivateDnsZoneGroup(
            f"{name}-pe-dns",
            private_dns_zone_group_name="default",
            private_endpoint_name=endpoint.name,
            resource_group_name=interfaces.resource_group_name,
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(
                    name=private_link_group, private_dns_zone_id=private_endpoint.private_dns_zone_id
                )
            ],
            opts=opts,
        )
