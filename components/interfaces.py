"""The interfaces every data component offers, as Azure Verified Modules define them (spec RMFR4/RMFR5): ``lock``,
``role_assignments``, ``diagnostic_settings``, ``private_endpoints``, ``managed_identities``,
``customer_managed_key`` where the service supports it, and ``tags``.

The argument types are defined here once; ``apply_interfaces`` is the one helper that turns them
into resources, so every data component gets the same protection, access and observability the same way. Like
AVM, a component never creates what an interface points at (workspace, subnet, DNS zone, key, identity): it
takes their resource ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pulumi
from pulumi_azure_native import authorization, monitor, network

from .diagnostics import categories_for
from .facts.recovery import MECHANISM_TAG
from .roles import GUID, resolve_role, role_definition_id
from .rules import InvalidArgs, Refusal, known_region, refuse

LOCK_LEVEL = "CanNotDelete"
LOCK_NOTES = "azure-dr: stateful DR resource; remove the lock deliberately before any delete."

RemovalPolicy = Literal["retain", "destroy"]
REMOVAL_POLICIES: tuple[RemovalPolicy, ...] = ("retain", "destroy")
PrincipalType = Literal["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"]
#: Authorization 2022-04-01 (the SDK's RoleAssignment API), ``PrincipalType``.
PRINCIPAL_TYPES: tuple[PrincipalType, ...] = ("User", "Group", "ServicePrincipal", "ForeignGroup", "Device")
#: A map key: it is part of the resources' logical names and of default Azure names (endpoint names allow
#: letters, digits, ``_``, ``.`` and ``-``; Learn, "Naming rules and restrictions for Azure resources").
MAP_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
INHERIT: Literal["inherit"] = "inherit"


def removal_refusal(policy: str, key: str = "removal_policy") -> Refusal | None:
    if policy not in REMOVAL_POLICIES:
        return Refusal(
            key, policy, "retain (keep the data when the stack lets go of it) or destroy (throw-away stacks)"
        )
    return None


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
    """A role on the resource for a principal (AVM ``role_assignments``, keyed by a name of your choosing).

    Checked when built: a role name that is not a built-in role, a GUID or a role definition id is refused with
    one line naming the allowed names (``azure_dr.components.roles.BUILT_IN_ROLES``).
    """

    role_definition_id_or_name: str
    """A built-in role name (``"Storage Blob Data Owner"``), a role definition GUID, or a role definition id
    (``/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<guid>``)."""
    principal_id: pulumi.Input[str]
    principal_type: PrincipalType | None = None
    """Default: Azure infers it; naming it avoids the replication delay for a principal created just before, and
    is required when the assigner is constrained by an ABAC condition on the principal type."""
    description: str | None = None
    condition: str | None = None
    """An ABAC condition limiting the assignment, e.g. ``@Resource[Microsoft.Storage/storageAccounts/blobServices/
    containers:name] StringEquals 'orders'`` (Learn, "Azure role assignment conditions")."""
    condition_version: Literal["2.0"] | None = None
    """Default with a ``condition``: ``2.0``, the only version Azure accepts; never sent without one."""
    delegated_managed_identity_resource_id: pulumi.Input[str] | None = None
    """Cross-tenant scenarios only: the delegated managed identity's resource id."""
    name: str | None = None
    """The assignment's GUID name in Azure. Default: one the provider generates."""

    def __post_init__(self) -> None:
        resolve_role(self.role_definition_id_or_name, "RoleAssignmentArgs.role_definition_id_or_name")
        where = "RoleAssignmentArgs"
        if self.principal_type is not None and self.principal_type not in PRINCIPAL_TYPES:
            refuse(where, None, Refusal("principal_type", self.principal_type, " or ".join(PRINCIPAL_TYPES)))
        if self.condition_version is not None and self.condition_version != "2.0":
            refuse(where, None, Refusal("condition_version", self.condition_version, "2.0"))
        if self.condition_version is not None and not self.condition:
            refuse(where, None, Refusal("condition_version", self.condition_version, "unset without a condition"))
        if self.name is not None and not GUID.match(self.name):
            refuse(where, None, Refusal("name", self.name, "a GUID (a role assignment's name is one)"))


@dataclass(frozen=True, kw_only=True)
class DiagnosticSettingsArgs:
    """Where the resource's logs and metrics go (AVM ``diagnostic_settings``, keyed by a name of your choosing).

    At least one destination: a Log Analytics workspace, a storage account, an Event Hub (by its namespace's
    authorization rule) or a partner solution. A storage account or Event Hub must be in the monitored
    resource's region (Learn, "Diagnostic settings in Azure Monitor", Destinations). Category names are not
    checked here (AVM: new categories work on day one); the defaults are valid for every type the components
    create (``azure_dr.components.diagnostics``).
    """

    workspace_resource_id: pulumi.Input[str] | None = None
    storage_account_resource_id: pulumi.Input[str] | None = None
    event_hub_authorization_rule_resource_id: pulumi.Input[str] | None = None
    """The namespace's authorization rule (``.../namespaces/<ns>/authorizationRules/RootManageSharedAccessKey``)."""
    event_hub_name: str | None = None
    """Default: Azure creates an event hub per category in the namespace."""
    marketplace_partner_resource_id: pulumi.Input[str] | None = None
    name: str | None = None
    """The setting's name in Azure (create-only). Default: the map key."""
    log_category_groups: Sequence[str] = ("allLogs",)
    log_categories: Sequence[str] = ()
    metric_categories: Sequence[str] | None = None
    """Default: every metric category the resource's type has (``azure_dr.components.diagnostics``: ``AllMetrics`` for
    most, ``Capacity``/``Transaction`` for blob services, ``Requests``/``SLI`` for Cosmos DB)."""
    log_analytics_destination_type: Literal["Dedicated", "AzureDiagnostics"] = "Dedicated"
    """Resource-specific tables (``Dedicated``) or the legacy ``AzureDiagnostics`` table; sent with a workspace only."""

    def __post_init__(self) -> None:
        where = "DiagnosticSettingsArgs"
        destinations = (
            self.workspace_resource_id,
            self.storage_account_resource_id,
            self.event_hub_authorization_rule_resource_id,
            self.marketplace_partner_resource_id,
        )
        if all(d is None for d in destinations):
            refuse(
                where,
                None,
                Refusal(
                    "destination",
                    None,
                    "workspace_resource_id, storage_account_resource_id, event_hub_authorization_rule_resource_id "
                    "or marketplace_partner_resource_id",
                ),
            )
        if self.event_hub_name is not None and self.event_hub_authorization_rule_resource_id is None:
            refuse(where, None, Refusal("event_hub_authorization_rule_resource_id", None, "set with event_hub_name"))
        if self.log_analytics_destination_type not in ("Dedicated", "AzureDiagnostics"):
            refuse(
                where,
                None,
                Refusal(
                    "log_analytics_destination_type",
                    self.log_analytics_destination_type,
                    "Dedicated or AzureDiagnostics",
                ),
            )
        for key in ("log_category_groups", "log_categories"):
            if isinstance(getattr(self, key), str):
                refuse(where, None, Refusal(key, getattr(self, key), "a list of names"))


@dataclass(frozen=True, kw_only=True)
class PrivateEndpointArgs:
    """How applications reach the resource privately (AVM ``private_endpoints``, keyed by a name of your choosing).

    The endpoint takes the component's lock unless ``lock`` says otherwise (AVM: locks on cross-referenced
    resources), and its tags unless ``tags`` are given.
    """

    subnet_resource_id: pulumi.Input[str]
    private_dns_zone_resource_ids: Sequence[pulumi.Input[str]] = ()
    """Default: none, so DNS is managed elsewhere (e.g. by Azure Policy in a landing zone)."""
    private_dns_zone_group_name: str = "default"
    name: str | None = None
    """The endpoint's name in Azure (create-only). Default: ``pep-<component name>-<key>``."""
    private_service_connection_name: str | None = None
    """Default: the endpoint's name."""
    network_interface_name: str | None = None
    """Default: Azure names the endpoint's network interface."""
    subresource_name: str | None = None
    """The private link group. Default: the service's main group (``postgresqlServer``, ``blob``, ``vault``…)."""
    resource_group_name: pulumi.Input[str] | None = None
    """Default: the component's resource group."""
    location: str | None = None
    """The endpoint's region, which is its subnet's network's region. Default: the component's location."""
    tags: Mapping[str, str] | None = None
    """Default: the component's tags."""
    lock: LockArgs | Literal["inherit"] | None = INHERIT
    """Default: the component's lock (same kind). ``None``: no lock on the endpoint."""
    role_assignments: Mapping[str, RoleAssignmentArgs] = field(default_factory=dict)
    """Roles on the endpoint itself (e.g. for a team that manages its network interface)."""

    def __post_init__(self) -> None:
        keyed("PrivateEndpointArgs", "role_assignments", self.role_assignments, RoleAssignmentArgs)


def keyed(where: str, key: str, value: object, kind: type) -> None:
    """An interface map: keys of your choosing (they name the resources), values of the interface's args type.

    A list (the pre-map interface) or a single args object is refused with one line, before anything registers.
    """
    if not isinstance(value, Mapping):
        shown = type(value).__name__
        refuse(where, None, Refusal(key, shown, f"a map of name -> {kind.__name__} (the key names the resources)"))
        return
    for name, item in value.items():
        if not isinstance(name, str) or not MAP_KEY.match(name):
            refuse(
                where,
                None,
                Refusal(f"{key} key", name, "1-40 letters, digits, '_', '.' or '-', from a letter or digit"),
            )
        if not isinstance(item, kind):
            refuse(where, None, Refusal(f"{key}[{name!r}]", type(item).__name__, kind.__name__))


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

    Secure defaults: a ``CanNotDelete`` lock (on the resource and its private endpoints), no role assignments
    (access is granted deliberately), no public network access (the service components switch it off), no
    diagnostics until given a destination, and ``removal_policy="retain"``. The interfaces are maps keyed by
    names of your choosing: the key, not the position, names the resources, so removing one never renames another.
    """

    resource_group_name: pulumi.Input[str]
    location: str
    """The Azure region (a plain name such as ``uksouth``: zone redundancy is decided from it; a region
    ``azure_dr.components.facts.regions`` does not know is taken to have no zones, with a warning)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    lock: LockArgs | None = field(default_factory=LockArgs)
    """Default: a ``CanNotDelete`` lock. ``None`` only for throw-away environments."""
    role_assignments: Mapping[str, RoleAssignmentArgs] = field(default_factory=dict)
    diagnostic_settings: Mapping[str, DiagnosticSettingsArgs] = field(default_factory=dict)
    private_endpoints: Mapping[str, PrivateEndpointArgs] = field(default_factory=dict)
    removal_policy: RemovalPolicy = "retain"
    """``retain`` (default): the data-holding resources are protected (``protect``) and survive their removal
    from the stack (``retain_on_delete``). ``destroy``: neither, for throw-away stacks (the policy pack still
    flags it unless its policy config waives ``require_protect``)."""

    def __post_init__(self) -> None:
        where = type(self).__name__
        refuse(where, None, known_region(self.location))
        refuse(where, None, removal_refusal(self.removal_policy))
        keyed(where, "role_assignments", self.role_assignments, RoleAssignmentArgs)
        keyed(where, "diagnostic_settings", self.diagnostic_settings, DiagnosticSettingsArgs)
        keyed(where, "private_endpoints", self.private_endpoints, PrivateEndpointArgs)


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


def fixed_output(resource: pulumi.Resource, value: str) -> pulumi.Output[str]:
    """``value``, fixed by the inputs (a name, or the address Azure derives from it), as an output of ``resource``:
    it depends on the resource and is known in a preview, and no output of the resource is read. Reading one
    fails under a plain test mock, which answers with the inputs: the SDK declares some outputs in another shape
    than their inputs (user-assigned identities: a list in, a map out), so the whole answer fails to load."""
    return resource.urn.apply(lambda _: value)


def stateful(
    parent: pulumi.Resource, ignore_changes: list[str] | None = None, removal_policy: RemovalPolicy = "retain"
) -> pulumi.ResourceOptions:
    """Options for a resource that holds data. ``retain`` (the default): ``protect=True``, so Pulumi refuses to
    delete or replace it, and ``retain_on_delete=True``, so that even a deliberately released resource
    (``pulumi state unprotect``, e.g. a stale server after a rebuild) leaves Pulumi's state without its data
    being deleted in Azure. ``destroy``: neither, for a throw-away stack that ``pulumi destroy`` must remove."""
    keep = removal_policy != "destroy"
    return pulumi.ResourceOptions(parent=parent, protect=keep, retain_on_delete=keep, ignore_changes=ignore_changes)


def resource_lock(
    parent: pulumi.Resource,
    name: str,
    target: pulumi.CustomResource,
    lock: LockArgs | None = LockArgs(),
    depends_on: Sequence[pulumi.Resource] = (),
) -> authorization.ManagementLockByScope | None:
    """The management lock on ``target`` (``None`` when no lock is asked for). ``depends_on``: the target's
    children, so that a ``pulumi destroy`` lifts the lock before it deletes them (a lock is inherited)."""
    if lock is None:
        return None
    return authorization.ManagementLockByScope(
        f"{name}-lock",
        scope=target.id,
        level=lock.kind,
        lock_name=lock.name or f"{name}-do-not-delete",
        notes=lock.notes,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on) or None),
    )


def role_assignments(
    parent: pulumi.Resource, name: str, scope: pulumi.Input[str], assignments: Mapping[str, RoleAssignmentArgs]
) -> dict[str, authorization.RoleAssignment]:
    """One ``<name>-role-<key>`` assignment per entry, at ``scope``."""
    return {
        key: authorization.RoleAssignment(
            f"{name}-role-{key}",
            scope=scope,
            role_definition_id=role_definition_id(ra.role_definition_id_or_name, scope),
            principal_id=ra.principal_id,
            principal_type=ra.principal_type,
            description=ra.description,
            condition=ra.condition,
            condition_version=(ra.condition_version or "2.0") if ra.condition else None,
            delegated_managed_identity_resource_id=ra.delegated_managed_identity_resource_id,
            role_assignment_name=ra.name,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for key, ra in assignments.items()
    }


def _legacy_suffix(index: int) -> str:
    """The positional suffix of the list interface (first: none, then ``-2``, ``-3``...)."""
    return "" if index == 0 else f"-{index + 1}"


def diagnostic_settings(
    parent: pulumi.Resource,
    name: str,
    source: pulumi.CustomResource,
    settings: Mapping[str, DiagnosticSettingsArgs],
) -> dict[str, monitor.DiagnosticSetting]:
    """One ``<name>-diagnostics-<key>`` setting per entry on ``source``; its type picks the default metric categories.

    The first entry takes over the single setting of the earlier interface (``<name>-diagnostics``): an alias, so
    a stack deployed with it plans no delete and create.
    """
    created: dict[str, monitor.DiagnosticSetting] = {}
    for index, (key, d) in enumerate(settings.items()):
        logs = [monitor.DiagnosticsLogSettingsArgs(category_group=g, enabled=True) for g in d.log_category_groups]
        logs += [monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in d.log_categories]
        metric_categories = d.metric_categories if d.metric_categories is not None else categories_for(source).metrics
        metrics = [monitor.DiagnosticsMetricSettingsArgs(category=c, enabled=True) for c in metric_categories]
        aliases = [pulumi.Alias(name=f"{name}-diagnostics")] if index == 0 else []
        created[key] = monitor.DiagnosticSetting(
            f"{name}-diagnostics-{key}",
            name=d.name or key,
            resource_uri=source.id,
            workspace_id=d.workspace_resource_id,
            storage_account_id=d.storage_account_resource_id,
            event_hub_authorization_rule_id=d.event_hub_authorization_rule_resource_id,
            event_hub_name=d.event_hub_name,
            marketplace_partner_id=d.marketplace_partner_resource_id,
            log_analytics_destination_type=d.log_analytics_destination_type
            if d.workspace_resource_id is not None
            else None,
            logs=logs or None,
            metrics=metrics or None,
            opts=pulumi.ResourceOptions(parent=parent, aliases=aliases),
        )
    return created


@dataclass(frozen=True)
class PrivateEndpoints:
    """The resources ``private_endpoints`` created, by the map's keys."""

    endpoints: dict[str, network.PrivateEndpoint] = field(default_factory=dict)
    dns_zone_groups: dict[str, network.PrivateDnsZoneGroup] = field(default_factory=dict)
    locks: dict[str, authorization.ManagementLockByScope] = field(default_factory=dict)
    role_assignments: dict[str, dict[str, authorization.RoleAssignment]] = field(default_factory=dict)


def private_endpoints(
    parent: pulumi.Resource,
    name: str,
    target_id: pulumi.Input[str],
    endpoints: Mapping[str, PrivateEndpointArgs],
    *,
    group: str | None,
    location: str,
    resource_group_name: pulumi.Input[str],
    tags: Mapping[str, str],
    lock: LockArgs | None,
) -> PrivateEndpoints:
    """Private endpoints to ``target_id`` and their DNS registrations, locks and roles: for a component's own
    resource (``apply_interfaces``) and for a service another stack owns (the region's endpoint to the shared
    registry). ``lock`` is what an endpoint inherits (the component's lock).

    Each entry's resources are named ``<name>-pe-<key>...``; the entry at position ``i`` of the map takes over
    the endpoint the earlier list interface created at index ``i`` (``<name>-pe``, ``<name>-pe-2``...) through an
    alias, so converting a list to a map in the same order plans no delete and create.
    """
    made = PrivateEndpoints()
    for index, (key, pe) in enumerate(endpoints.items()):
        link_group = pe.subresource_name or group
        if link_group is None:
            raise InvalidArgs(f"{name}: private_endpoints: this service has no private link group; expected none")
        legacy, base = f"{name}-pe{_legacy_suffix(index)}", f"{name}-pe-{key}"
        pe_name = pe.name or f"pep-{name}-{key}"
        rg = pe.resource_group_name if pe.resource_group_name is not None else resource_group_name
        endpoint = network.PrivateEndpoint(
            base,
            private_endpoint_name=pe_name,
            resource_group_name=rg,
            location=pe.location or location,
            subnet=network.SubnetArgs(id=pe.subnet_resource_id),
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=pe.private_service_connection_name or pe_name,
                    private_link_service_id=target_id,
                    group_ids=[link_group],
                )
            ],
            custom_network_interface_name=pe.network_interface_name,
            tags=dict(pe.tags if pe.tags is not None else tags),
            opts=pulumi.ResourceOptions(parent=parent, aliases=[pulumi.Alias(name=legacy)]),
        )
        made.endpoints[key] = endpoint
        if pe.private_dns_zone_resource_ids:
            made.dns_zone_groups[key] = network.PrivateDnsZoneGroup(
                f"{base}-dns",
                private_dns_zone_group_name=pe.private_dns_zone_group_name,
                private_endpoint_name=endpoint.name,
                resource_group_name=rg,
                private_dns_zone_configs=[
                    network.PrivateDnsZoneConfigArgs(
                        name=link_group if i == 0 else f"{link_group}-{i + 1}", private_dns_zone_id=zone
                    )
                    for i, zone in enumerate(pe.private_dns_zone_resource_ids)
                ],
                opts=pulumi.ResourceOptions(parent=parent, aliases=[pulumi.Alias(name=f"{legacy}-dns")]),
            )
        if pe.role_assignments:
            made.role_assignments[key] = role_assignments(parent, base, endpoint.id, pe.role_assignments)
        endpoint_lock = lock if pe.lock == INHERIT else pe.lock
        children: list[pulumi.Resource] = [made.dns_zone_groups[key]] if key in made.dns_zone_groups else []
        children += made.role_assignments.get(key, {}).values()
        kind = endpoint_lock if isinstance(endpoint_lock, LockArgs) else None
        found = resource_lock(parent, base, endpoint, kind, children)
        if found is not None:
            made.locks[key] = found
    return made


@dataclass(frozen=True)
class AppliedInterfaces:
    """The resources ``apply_interfaces`` created for one data resource."""

    lock: authorization.ManagementLockByScope | None
    role_assignments: dict[str, authorization.RoleAssignment]
    diagnostic_settings: dict[str, monitor.DiagnosticSetting]
    private_endpoints: PrivateEndpoints


def apply_interfaces(
    parent: pulumi.Resource,
    name: str,
    target: pulumi.CustomResource,
    args: DataInterfaceArgs,
    *,
    private_link_group: str | None = None,
    diagnostics_target: pulumi.CustomResource | None = None,
) -> AppliedInterfaces:
    """Lock ``target``, grant its roles, send its diagnostics where asked, reach it privately.

    The one helper behind every data component. ``private_link_group`` is the service's main private link group
    (``None``: the service has no private endpoint); ``diagnostics_target`` overrides where diagnostics are read
    from (storage logs live on the blob service); its type picks the default metric categories.
    """
    return AppliedInterfaces(
        resource_lock(parent, name, target, args.lock),
        role_assignments(parent, name, target.id, args.role_assignments),
        diagnostic_settings(parent, name, diagnostics_target or target, args.diagnostic_settings),
        private_endpoints(
            parent,
            name,
            target.id,
            args.private_endpoints,
            group=private_link_group,
            location=args.location,
            resource_group_name=args.resource_group_name,
            tags=args.tags,
            lock=args.lock,
        ),
    )


class DataComponent(pulumi.ComponentResource):
    """A component that holds data: the interface resources it created are typed attributes, by map key."""

    lock: authorization.ManagementLockByScope | None
    role_assignments: dict[str, authorization.RoleAssignment]
    diagnostic_settings: dict[str, monitor.DiagnosticSetting]
    private_endpoints: dict[str, network.PrivateEndpoint]
    private_dns_zone_groups: dict[str, network.PrivateDnsZoneGroup]
    private_endpoint_locks: dict[str, authorization.ManagementLockByScope]

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
        self.lock, self.role_assignments = applied.lock, applied.role_assignments
        self.diagnostic_settings = applied.diagnostic_settings
        pe = applied.private_endpoints
        self.private_endpoints, self.private_dns_zone_groups = pe.endpoints, pe.dns_zone_groups
        self.private_endpoint_locks = pe.locks

    def interface_outputs(self) -> dict[str, pulumi.Input[object]]:
        """The interface resources' ids, for ``register_outputs``."""
        return {
            "lock_id": self.lock.id if self.lock is not None else None,
            "diagnostic_setting_ids": {k: d.id for k, d in self.diagnostic_settings.items()},
            "private_endpoint_ids": {k: pe.id for k, pe in self.private_endpoints.items()},
            "role_assignment_ids": {k: ra.id for k, ra in self.role_assignments.items()},
        }


#: The key of the workspace setting and of the region's endpoint the earlier single-valued interfaces created.
WORKSPACE_DIAGNOSTICS = "log-analytics"
WORKSPACE_SETTING_NAME = "to-log-analytics"


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
    removal_policy: RemovalPolicy = "retain"

    def __post_init__(self) -> None:
        refuse(type(self).__name__, None, removal_refusal(self.removal_policy))

    def diagnostic_settings(self, *, logs: bool = True) -> dict[str, DiagnosticSettingsArgs]:
        """The bundle's one workspace as the map interface (empty without a workspace)."""
        if self.workspace_id is None:
            return {}
        return {
            WORKSPACE_DIAGNOSTICS: DiagnosticSettingsArgs(
                workspace_resource_id=self.workspace_id,
                name=WORKSPACE_SETTING_NAME,
                log_category_groups=("allLogs",) if logs else (),
            )
        }


def protect_data(
    parent: pulumi.ComponentResource,
    name: str,
    target: pulumi.CustomResource,
    interfaces: DataInterfaces,
    *,
    diagnostics_target: pulumi.CustomResource | None = None,
    log_categories: bool = True,
) -> AppliedInterfaces:
    """``apply_interfaces`` for a ``DataInterfaces`` bundle (the pre-issue-9 call)."""
    args = DataInterfaceArgs(
        resource_group_name=interfaces.resource_group_name,
        location=interfaces.location,
        tags=interfaces.tags,
        lock=LockArgs() if interfaces.lock else None,
        diagnostic_settings=interfaces.diagnostic_settings(logs=log_categories),
        removal_policy=interfaces.removal_policy,
    )
    return apply_interfaces(parent, name, target, args, diagnostics_target=diagnostics_target)


def private_endpoint_args(key: str, component: str, pe: _PrivateEndpointLike | None) -> dict[str, PrivateEndpointArgs]:
    """A one-subnet, one-zone private endpoint (the stack config's shape) as the interface's map entry ``key``,
    keeping the Azure name the list interface gave it (``pep-<component>``; an endpoint's name is create-only)."""
    if pe is None:
        return {}
    return {
        key: PrivateEndpointArgs(
            subnet_resource_id=pe.subnet_id,
            private_dns_zone_resource_ids=[pe.private_dns_zone_id],
            name=f"pep-{component}",
        )
    }
