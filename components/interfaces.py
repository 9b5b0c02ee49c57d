"""The interfaces every data component offers, as Azure Verified Modules define them (spec RMFR4/RMFR5): ``lock``,
``role_assignments``, ``diagnostic_settings``, ``private_endpoints``, ``managed_identities``,
``customer_managed_key`` where the service supports it, and ``tags``.

The argument types are defined here once; ``apply_interfaces`` is the one helper that turns them
into resources, so every data component gets the same protection, access and observability the same way. Like
AVM, a component never creates what an interface points at (workspace, subnet, DNS zone, key, identity): it
takes their resource ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pulumi
from pulumi_azure_native import authorization, monitor, network

from .diagnostics import categories_for
from .facts.recovery import MECHANISM_TAG
from .rules import InvalidArgs, Refusal, known_region, refuse

LOCK_LEVEL = "CanNotDelete"
LOCK_NOTES = "azure-dr: stateful DR resource; remove the lock deliberately before any delete."

# Built-in role definition GUIDs a role assignment may name instead of an id (Learn, "Azure built-in roles").
BUILT_IN_ROLES: Mapping[str, str] = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "AcrPush": "8311e382-0749-4cb8-b61a-304f252e45ec",
}


@dataclass(frozen=True, kw_only=True)
class LockArgs:
    """A management lock on the resource; it also stops the portal, scripts and other tools."""

    kind: Literal["CanNotDelete", "ReadOnly"] = "CanNotDelete"
    """``CanNotDelete`` (default): reads and updates work, deletes fail. ``ReadOnly`` also blocks updates and
    POST operations such as listing keys; use it only where nothing is written through ARM."""
    name: str | None = None
    """The lock's name in Azure. Default: ``<component name>-do-not-delete``."""
    notes: str = LOCK_NOTES

    def __post_init__(self) -> None:
        if self.kind not in ("CanNotDelete", "ReadOnly"):
            raise InvalidArgs(f"LockArgs.kind: {self.kind!r} is not allowed; expected CanNotDelete or ReadOnly")


@dataclass(frozen=True, kw_only=True)
class RoleAssignmentArgs:
    """A role on the resource for a principal (AVM ``role_assignments``; keyed by a stable map key)."""

    role_definition_id_or_name: str
    """A role definition id (``/subscriptions/…/roleDefinitions/<guid>`` or ``/providers/…/<guid>``), a bare
    GUID, or a built-in role name from ``BUILT_IN_ROLES``."""
    principal_id: pulumi.Input[str]
    principal_type: Literal["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"] | None = None
    """Default: Azure infers it; naming it avoids the replication delay for a principal created just before."""
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class DiagnosticSettingsArgs:
    """Where the resource's logs and metrics go: a Log Analytics workspace, resource-specific tables.

    Categories must be valid for the resource type (``azure_dr.components.diagnostics`` holds the per-type table);
    the defaults, the ``allLogs`` group and the type's own metric categories from that table, always are.
    """

    workspace_resource_id: pulumi.Input[str]
    name: str = "to-log-analytics"
    log_category_groups: Sequence[str] = ("allLogs",)
    log_categories: Sequence[str] = ()
    metric_categories: Sequence[str] | None = None
    """Default: every metric category the resource's type has (``azure_dr.components.diagnostics``: ``AllMetrics`` for
    most, ``Capacity``/``Transaction`` for blob services, ``Requests``/``SLI`` for Cosmos DB)."""
    log_analytics_destination_type: Literal["Dedicated", "AzureDiagnostics"] = "Dedicated"


@dataclass(frozen=True, kw_only=True)
class PrivateEndpointArgs:
    """How applications reach the resource privately: a subnet and the private DNS zones for its group."""

    subnet_resource_id: pulumi.Input[str]
    private_dns_zone_resource_ids: Sequence[pulumi.Input[str]] = ()
    """Default: none, so DNS is managed elsewhere (e.g. by Azure Policy in a landing zone)."""
    name: str | None = None
    """The endpoint's name in Azure. Default: ``pep-<component name>`` (with ``-<n>`` after the first)."""
    subresource_name: str | None = None
    """The private link group. Default: the service's main group (``postgresqlServer``, ``blob``, ``vault``…)."""
    resource_group_name: pulumi.Input[str] | None = None
    """Default: the component's resource group."""
    location: str | None = None
    """The endpoint's region, which is its subnet's network's region. Default: the component's location."""
    tags: Mapping[str, str] | None = None
    """Default: the component's tags."""


@dataclass(frozen=True, kw_only=True)
class ManagedIdentitiesArgs:
    """The identities the resource runs as (AVM ``managed_identities``)."""

    system_assigned: bool = False
    user_assigned_resource_ids: Sequence[pulumi.Input[str]] = ()

    @property
    def any(self) -> bool:
        return self.system_assigned or bool(self.user_assigned_resource_ids)

    def type_name(self, both: str) -> str:
        """The service's identity type; services spell the combined type differently (``both``)."""
        if self.system_assigned and self.user_assigned_resource_ids:
            return both
        return "SystemAssigned" if self.system_assigned else "UserAssigned"


@dataclass(frozen=True, kw_only=True)
class CustomerManagedKeyArgs:
    """Encrypt the data with a key from Key Vault, read by a user-assigned identity of the resource.

    The identity must also be in ``managed_identities.user_assigned_resource_ids`` and hold "Key Vault Crypto
    Service Encryption User" on the key. Some services accept a key only when the resource is created (their
    component says which).
    """

    key_uri: pulumi.Input[str]
    """The key's URI, e.g. ``https://kv-x.vault.azure.net/keys/cmk`` (versionless: Azure follows rotation)."""
    user_assigned_identity_resource_id: pulumi.Input[str]
    geo_backup_key_uri: pulumi.Input[str] | None = None
    """PostgreSQL with geo-redundant backup: a key in the paired region's vault for the geo-backup copy."""
    geo_backup_user_assigned_identity_resource_id: pulumi.Input[str] | None = None


def key_identity_refusal(
    cmk: CustomerManagedKeyArgs | None, identities: ManagedIdentitiesArgs | None
) -> Refusal | None:
    """A customer-managed key is read by a user-assigned identity, so the resource must have one."""
    if cmk is not None and (identities is None or not identities.user_assigned_resource_ids):
        return Refusal(
            "managed_identities",
            None if identities is None else "no user-assigned identity",
            "the user-assigned identity of customer_managed_key (it reads the key)",
        )
    return None


@dataclass(frozen=True, kw_only=True)
class DataInterfaceArgs:
    """Where a data component lives and the AVM interfaces every data component accepts.

    Secure defaults: a ``CanNotDelete`` lock, no role assignments (access is granted deliberately), no public
    network access (the service components switch it off), no diagnostics until given a workspace.
    """

    resource_group_name: pulumi.Input[str]
    location: str
    """The Azure region (a plain name such as ``uksouth``: zone redundancy is decided from it)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    lock: LockArgs | None = field(default_factory=LockArgs)
    """Default: a ``CanNotDelete`` lock. ``None`` only for throw-away environments."""
    role_assignments: Mapping[str, RoleAssignmentArgs] = field(default_factory=dict)
    """Keyed by a name of your choosing: the key, not the principal, is in the resource's logical name."""
    diagnostic_settings: DiagnosticSettingsArgs | None = None
    private_endpoints: Sequence[PrivateEndpointArgs] = ()

    def __post_init__(self) -> None:
        refuse(type(self).__name__, None, known_region(self.location))


class _PrivateEndpointLike(Protocol):
    @property
    def subnet_id(self) -> str: ...
    @property
    def private_dns_zone_id(self) -> str: ...


def data_tags(tags: Mapping[str, str] | DataInterfaces, mechanism: str) -> dict[str, str]:
    """The resource's tags plus the DR mechanism it relies on (``azure_dr.components.facts.recovery`` keys).

    The policy pack checks that the resource's settings support the declared mechanism, that its documented RPO
    meets the objective and, on the standby side, that the peer's half of the mechanism exists.
    """
    base = tags.tags if isinstance(tags, DataInterfaces) else tags
    return {**base, MECHANISM_TAG: mechanism}


def stateful(parent: pulumi.Resource, ignore_changes: list[str] | None = None) -> pulumi.ResourceOptions:
    """Options for a resource that holds data: ``protect=True``, which no argument can turn off, and
    ``retain_on_delete=True``, so that even a deliberately released resource (``pulumi state unprotect``, e.g.
    a stale server after a rebuild) leaves Pulumi's state without its data being deleted in Azure."""
    return pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True, ignore_changes=ignore_changes)


def resource_lock(
    parent: pulumi.Resource, name: str, target: pulumi.CustomResource, lock: LockArgs | None = LockArgs()
) -> authorization.ManagementLockByScope | None:
    """The management lock on ``target`` (``None`` when no lock is asked for)."""
    if lock is None:
        return None
    return authorization.ManagementLockByScope(
        f"{name}-lock",
        scope=target.id,
        level=lock.kind,
        lock_name=lock.name or f"{name}-do-not-delete",
        notes=lock.notes,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def delete_lock(parent: pulumi.Resource, name: str, target: pulumi.CustomResource) -> None:
    """A ``CanNotDelete`` management lock on ``target`` (kept for callers written before ``resource_lock``)."""
    resource_lock(parent, name, target)


def role_definition_id(role: str, scope: pulumi.Input[str]) -> pulumi.Input[str]:
    """A role given by name or GUID as the subscription-scoped id ARM expects (subscription read from scope)."""
    if role.startswith("/"):
        return role
    guid = BUILT_IN_ROLES.get(role, role)
    return pulumi.Output.from_input(scope).apply(
        lambda s: f"/subscriptions/{s.split('/')[2]}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
    )


@dataclass(frozen=True)
class AppliedInterfaces:
    """The resources ``apply_interfaces`` created for one data resource."""

    lock: authorization.ManagementLockByScope | None
    role_assignments: dict[str, authorization.RoleAssignment]
    diagnostics: monitor.DiagnosticSetting | None
    private_endpoints: list[network.PrivateEndpoint]
    private_dns_zone_groups: list[network.PrivateDnsZoneGroup]


def apply_interfaces(
    parent: pulumi.Resource,
    name: str,
    target: pulumi.CustomResource,
    args: DataInterfaceArgs,
    *,
    private_link_group: str | None = None,
    diagnostics_target: pulumi.CustomResource | None = None,
) -> AppliedInterfaces:
    """Lock ``target``, grant its roles, send its diagnostics to the workspace, reach it privately.

    The one helper behind every data component. ``private_link_group`` is the service's main private link group
    (``None``: the service has no private endpoint); ``diagnostics_target`` overrides where diagnostics are read
    from (storage logs live on the blob service); its type picks the default metric categories.
    """
    opts = pulumi.ResourceOptions(parent=parent)
    lock = resource_lock(parent, name, target, args.lock)
    roles = {
        key: authorization.RoleAssignment(
            f"{name}-role-{key}",
            scope=target.id,
            role_definition_id=role_definition_id(ra.role_definition_id_or_name, target.id),
            principal_id=ra.principal_id,
            principal_type=ra.principal_type,
            description=ra.description,
            opts=opts,
        )
        for key, ra in args.role_assignments.items()
    }
    diagnostics = None
    d = args.diagnostic_settings
    if d is not None:
        logs = [monitor.DiagnosticsLogSettingsArgs(category_group=g, enabled=True) for g in d.log_category_groups]
        logs += [monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in d.log_categories]
        source = diagnostics_target if diagnostics_target is not None else target
        metric_categories = d.metric_categories if d.metric_categories is not None else categories_for(source).metrics
        metrics = [monitor.DiagnosticsMetricSettingsArgs(category=c, enabled=True) for c in metric_categories]
        diagnostics = monitor.DiagnosticSetting(
            f"{name}-diagnostics",
            name=d.name,
            resource_uri=source.id,
            workspace_id=d.workspace_resource_id,
            log_analytics_destination_type=d.log_analytics_destination_type,
            logs=logs or None,
            metrics=metrics or None,
            opts=opts,
        )
    endpoints, zone_groups = private_endpoints(
        parent,
        name,
        target.id,
        args.private_endpoints,
        group=private_link_group,
        location=args.location,
        resource_group_name=args.resource_group_name,
        tags=args.tags,
    )
    return AppliedInterfaces(lock, roles, diagnostics, endpoints, zone_groups)


def private_endpoints(
    parent: pulumi.Resource,
    name: str,
    target_id: pulumi.Input[str],
    endpoints: Sequence[PrivateEndpointArgs],
    *,
    group: str | None,
    location: str,
    resource_group_name: pulumi.Input[str],
    tags: Mapping[str, str],
) -> tuple[list[network.PrivateEndpoint], list[network.PrivateDnsZoneGroup]]:
    """Private endpoints to ``target_id`` and their DNS registrations: for a component's own resource
    (``apply_interfaces``) and for a service another stack owns (the region's endpoint to the shared registry)."""
    created: list[network.PrivateEndpoint] = []
    zone_groups: list[network.PrivateDnsZoneGroup] = []
    opts = pulumi.ResourceOptions(parent=parent)
    for index, pe in enumerate(endpoints):
        link_group = pe.subresource_name or group
        if link_group is None:
            raise InvalidArgs(f"{name}: private_endpoints: this service has no private link group; expected none")
        suffix = "" if index == 0 else f"-{index + 1}"
        pe_name = pe.name or f"pep-{name}{suffix}"
        rg = pe.resource_group_name if pe.resource_group_name is not None else resource_group_name
        endpoint = network.PrivateEndpoint(
            f"{name}-pe{suffix}",
            private_endpoint_name=pe_name,
            resource_group_name=rg,
            location=pe.location or location,
            subnet=network.SubnetArgs(id=pe.subnet_resource_id),
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=pe_name, private_link_service_id=target_id, group_ids=[link_group]
                )
            ],
            tags=dict(pe.tags if pe.tags is not None else tags),
            opts=opts,
        )
        created.append(endpoint)
        if pe.private_dns_zone_resource_ids:
            zone_groups.append(
                network.PrivateDnsZoneGroup(
                    f"{name}-pe{suffix}-dns",
                    private_dns_zone_group_name="default",
                    private_endpoint_name=endpoint.name,
                    resource_group_name=rg,
                    private_dns_zone_configs=[
                        network.PrivateDnsZoneConfigArgs(
                            name=link_group if i == 0 else f"{link_group}-{i + 1}", private_dns_zone_id=zone
                        )
                        for i, zone in enumerate(pe.private_dns_zone_resource_ids)
                    ],
                    opts=opts,
                )
            )
    return created, zone_groups


class DataComponent(pulumi.ComponentResource):
    """A component that holds data: the interface resources it created are typed attributes."""

    lock: authorization.ManagementLockByScope | None
    role_assignments: dict[str, authorization.RoleAssignment]
    diagnostics: monitor.DiagnosticSetting | None
    private_endpoints: list[network.PrivateEndpoint]
    private_dns_zone_groups: list[network.PrivateDnsZoneGroup]

    def apply_interfaces(
        self,
        name: str,
        target: pulumi.CustomResource,
        args: DataInterfaceArgs,
        *,
        private_link_group: str | None,
        diagnostics_target: pulumi.CustomResource | None = None,
    ) -> None:
        """``apply_interfaces`` for this component's resource, keeping what it created on ``self``."""
        applied = apply_interfaces(
            self, name, target, args, private_link_group=private_link_group, diagnostics_target=diagnostics_target
        )
        self.lock, self.role_assignments, self.diagnostics = applied.lock, applied.role_assignments, applied.diagnostics
        self.private_endpoints, self.private_dns_zone_groups = (
            applied.private_endpoints,
            applied.private_dns_zone_groups,
        )

    def interface_outputs(self) -> dict[str, pulumi.Input[object]]:
        """The interface resources' ids, for ``register_outputs``."""
        return {
            "lock_id": self.lock.id if self.lock is not None else None,
            "diagnostics_id": self.diagnostics.id if self.diagnostics is not None else None,
            "private_endpoint_ids": [pe.id for pe in self.private_endpoints],
            "role_assignment_ids": {k: ra.id for k, ra in self.role_assignments.items()},
        }


@dataclass(frozen=True)
class DataInterfaces:
    """The pre-issue-9 interface bundle (a boolean lock, one workspace, one identity), kept so components written
    against it keep working; new components take ``DataInterfaceArgs`` fields in their own args instead."""

    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str] = field(default_factory=dict)
    lock: bool = True
    workspace_id: pulumi.Input[str] | None = None
    identity_id: pulumi.Input[str] | None = None


def protect_data(
    parent: pulumi.ComponentResource,
    name: str,
    target: pulumi.CustomResource,
    interfaces: DataInterfaces,
    *,
    diagnostics_target: pulumi.CustomResource | None = None,
    log_categories: bool = True,
    private_endpoint: _PrivateEndpointLike | None = None,
    private_link_group: str | None = None,
) -> AppliedInterfaces:
    """``apply_interfaces`` for a ``DataInterfaces`` bundle (the pre-issue-9 call)."""
    args = DataInterfaceArgs(
        resource_group_name=interfaces.resource_group_name,
        location=interfaces.location,
        tags=interfaces.tags,
        lock=LockArgs() if interfaces.lock else None,
        diagnostic_settings=DiagnosticSettingsArgs(
            workspace_resource_id=interfaces.workspace_id, log_category_groups=("allLogs",) if log_categories else ()
        )
        if interfaces.workspace_id is not None
        else None,
        private_endpoints=private_endpoint_args(private_endpoint) if private_link_group is not None else (),
    )
    return apply_interfaces(
        parent, name, target, args, private_link_group=private_link_group, diagnostics_target=diagnostics_target
    )


def private_endpoint_args(pe: _PrivateEndpointLike | None) -> tuple[PrivateEndpointArgs, ...]:
    """A one-subnet, one-zone private endpoint (the stack config's shape) as the interface's argument."""
    if pe is None:
        return ()
    return (
        PrivateEndpointArgs(subnet_resource_id=pe.subnet_id, private_dns_zone_resource_ids=[pe.private_dns_zone_id]),
    )
