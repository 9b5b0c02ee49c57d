"""The stack's configuration: one pydantic model, validated before any resource is registered.

A stack is fully described by ``Pulumi.<stack>.yaml`` under the project's namespace (the ``name`` in
``Pulumi.yaml``; ``azure-dr`` for the shipped project). Every block forbids unknown keys (a typo is an error, never
a silent default), and a wrong value fails with one line naming the key, the value and what is allowed. Values are
read strictly: a boolean is ``true``/``false`` and nothing else, a number is never a boolean, and a secret's value
is never shown. Defaults come from the seed DR plans (QLP: RPO 15 min and RTO 2 h for tier 1,
30-day backups, 7-year compliance retention) and are the secure, resilient choice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from .. import rules
from ..facts import addressing, exemptions, limits
from ..facts.regions import has_zones, zone_note
from ..facts.schedule import CronError, max_gap_minutes

#: The shipped project's name; the program and drctl use the running project's own name (``pulumi.get_project()``,
#: the ``name`` in ``Pulumi.yaml``), since Pulumi namespaces config by it.
DEFAULT_NAMESPACE = "azure-dr"


class ConfigError(pulumi.RunError):
    """A user mistake in stack config: reported as one line, without a traceback."""


def _range(lo: int, hi: int, unit: str) -> AfterValidator:
    def check(value: int) -> int:
        if not lo <= value <= hi:
            raise ValueError(f"allowed: {lo}-{hi} {unit}")
        return value

    return AfterValidator(check)


def _known_region(value: str) -> str:
    """Any region's programmatic name (a region the facts do not list is warned about: ``rules.known_region``)."""
    refused = rules.known_region(value)
    if refused is not None:
        raise ValueError(f"not an Azure region; expected {refused.allowed}")
    return value


RegionName = Annotated[str, AfterValidator(_known_region)]
Guid = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
Cidr = Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")]


class Block(BaseModel):
    """A config block: unknown keys are refused and types are strict (inside a structured value ``"30"`` is not a
    number and ``"no"`` or ``1`` not a boolean). Pulumi hands top-level scalars over as strings; ``parse_config``
    reads those once, strictly, by the field's type."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Tier(Block):
    """Recovery objectives of one service tier."""

    rpo_minutes: Annotated[int, _range(0, 10080, "minutes")]
    rto_minutes: Annotated[int, _range(1, 10080, "minutes")]


TierName = Literal["tier1", "tier2", "tier3"]


def _default_tiers() -> dict[TierName, Tier]:
    return {
        "tier1": Tier(rpo_minutes=15, rto_minutes=120),
        "tier2": Tier(rpo_minutes=60, rto_minutes=240),
        "tier3": Tier(rpo_minutes=1440, rto_minutes=480),
    }


ServiceName = Literal["postgresql", "cosmos", "storage", "registry", "redis", "routing", "keyvault", "compute"]


def _default_service_tiers() -> dict[ServiceName, TierName]:
    return {
        "postgresql": "tier1",
        "cosmos": "tier1",
        "storage": "tier1",
        "routing": "tier1",
        "keyvault": "tier1",
        "registry": "tier2",
        "redis": "tier2",
        # AKS workloads restored from daily Velero backups (seed 004: AKS RTO 4 h, RPO 24 h).
        "compute": "tier3",
    }


def default_service_tier(service: ServiceName) -> TierName:
    """The tier a service is in unless ``objectives.service_tiers`` moves it."""
    return _default_service_tiers()[service]


class Objectives(Block):
    """What the DR plan promises: RPO/RTO per tier, which tier each service is in, how long backups are kept."""

    tiers: dict[TierName, Tier] = Field(default_factory=_default_tiers)
    service_tiers: dict[ServiceName, TierName] = Field(default_factory=_default_service_tiers)
    backup_retention_days: Annotated[int, _range(7, 35, "days")] = 30
    long_term_retention_years: Annotated[int, _range(1, 10, "years")] = 7


class PrivateEndpoint(Block):
    """Where a data service is reached privately: a subnet and the private DNS zone for its group."""

    subnet_id: Annotated[str, Field(pattern=r"^/subscriptions/.+/subnets/[^/]+$")]
    private_dns_zone_id: Annotated[str, Field(pattern=r"^/subscriptions/.+/privateDnsZones/[^/]+$")]


def _ipv4_network(value: str) -> str:
    try:
        addressing.network(value)
    except addressing.AddressError as exc:
        raise ValueError(f"expected {exc}") from None
    return value


#: An IPv4 network in CIDR form (no host bits): the one-line error names the network that was meant.
NetworkCidr = Annotated[str, AfterValidator(_ipv4_network)]


class Subnets(Block):
    """The region's subnets, each inside ``network.address_space``; an unset one is carved by default (the
    cluster's nodes the first half, private endpoints the next quarter, PostgreSQL the next eighth)."""

    aks: NetworkCidr | None = None
    private_endpoints: NetworkCidr | None = None
    postgres: NetworkCidr | None = None


class Network(Block):
    """The region's virtual network: the subnets, their deny-by-default security groups, the private endpoints of
    every data service, and this side of the global peering with the peer stack's network.

    ``address_space`` must not overlap the peer stack's (peering refuses overlapping spaces). ``postgres_access``
    picks how the PostgreSQL server is reached: a private endpoint (default) or VNet integration (the server in
    a delegated subnet). Azure fixes it when a server is created, so it is chosen once for the pair.
    """

    address_space: NetworkCidr
    subnets: Subnets = Field(default_factory=Subnets)
    postgres_access: Literal["private-endpoint", "vnet-integration"] = "private-endpoint"

    @model_validator(mode="after")
    def _fits(self) -> Network:
        try:
            space = addressing.network(self.address_space)
        except addressing.AddressError as exc:
            raise _Refused("network.address_space", self.address_space, str(exc)) from None
        lo, hi = addressing.SPACE_PREFIXES
        if not lo <= space.prefixlen <= hi:
            raise _Refused("network.address_space", self.address_space, f"a prefix length between /{lo} and /{hi}")
        given = self.subnets.model_dump()
        for role in addressing.SUBNET_ROLES:
            if given[role] is None:
                continue
            try:
                subnet = addressing.network(given[role])
            except addressing.AddressError as exc:
                raise _Refused(f"network.subnets.{role}", given[role], str(exc)) from None
            if not subnet.subnet_of(space):
                raise _Refused(f"network.subnets.{role}", given[role], f"a subnet inside {self.address_space}")
            floor = addressing.MIN_PREFIX[role]
            if subnet.prefixlen > floor:
                raise _Refused(f"network.subnets.{role}", given[role], f"a /{floor} or larger")
        plan = addressing.subnet_plan(self.address_space, given)
        used = [r for r in addressing.SUBNET_ROLES if r != "postgres" or self.postgres_access == "vnet-integration"]
        clash = addressing.overlapping((role, plan[role]) for role in used)
        if clash is not None:
            first, second = clash
            raise _Refused(
                f"network.subnets.{second}",
                str(plan[second]),
                f"a range that does not overlap network.subnets.{first} ({plan[first]})",
            )
        return self

    @property
    def subnet_plan(self) -> dict[str, str]:
        """Every role's subnet CIDR (``facts.addressing``); PostgreSQL's only with VNet integration."""
        plan = addressing.subnet_plan(self.address_space, self.subnets.model_dump())
        return {
            role: str(net)
            for role, net in plan.items()
            if role != "postgres" or self.postgres_access == "vnet-integration"
        }


class Monitoring(Block):
    """The region's Log Analytics workspace, where every data service sends its diagnostics."""

    log_retention_days: Annotated[int, _range(30, 730, "days")] = 90
    diagnostics: bool = True


class KeyVault(Block):
    """Key Vault: soft delete and purge protection are always on; only the retention and SKU vary."""

    sku: Literal["standard", "premium"] = "standard"
    soft_delete_retention_days: Annotated[int, _range(7, 90, "days")] = 90
    private_endpoint: PrivateEndpoint | None = None


class EntraAdmin(Block):
    """The Entra group or identity that administers an Entra-only PostgreSQL server."""

    object_id: Guid
    principal_name: Annotated[str, Field(min_length=1)]
    principal_type: Literal["Group", "User", "ServicePrincipal"] = "Group"


ServerState = Literal["new", "primary", "replica", "promoting"]
Promotion = Literal["forced", "planned"]


class PostgresServerSettings(Block):
    """One generation of the region's PostgreSQL flexible server, as it was created and where it is now.

    ``create_as`` and ``replica_of`` say how the server was created and never change for a generation: they feed
    create-only inputs (``createMode`` at creation, ``sourceServerResourceId``). ``state`` is the lifecycle step
    ``drctl`` writes: ``new`` (the next ``pulumi up`` creates it), ``primary`` (serving writes), ``replica``
    (replicating from the peer's server), ``promoting`` (the next ``pulumi up`` promotes it: the write-only
    ``replica.promoteMode/promoteOption`` are sent in exactly that deployment). ``promotion`` records how it was
    (or is being) promoted: ``forced`` = Standalone/Forced, ``planned`` = Switchover/Planned. A server created
    as a replica declares the pair's virtual endpoint (one writer host name across switchovers) while
    ``writer_endpoint`` is true; a forced (Standalone) promotion ends the pair and ``drctl`` writes it false.
    """

    create_as: Literal["primary", "replica"] = "primary"
    replica_of: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")] | None = None
    state: ServerState = "new"
    promotion: Promotion | None = None
    writer_endpoint: bool = True
    generation: Annotated[int, _range(1, 99, "(server generation)")] = 1
    version: Literal["13", "14", "15", "16", "17"] = "16"
    sku_name: Annotated[str, Field(pattern=limits.PG_SKU_PATTERN)] = "Standard_D4ds_v5"
    sku_tier: Literal["GeneralPurpose", "MemoryOptimized", "Burstable"] = "GeneralPurpose"
    storage_size_gb: Literal[32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767] = 128
    backup_retention_days: Annotated[int, _range(7, 35, "days")] | None = None
    geo_redundant_backup: Literal["Enabled", "Disabled"] | None = None
    high_availability: Literal["ZoneRedundant", "SameZone", "Disabled"] | None = None
    entra_admin: EntraAdmin
    private_endpoint: PrivateEndpoint | None = None


class Postgres(PostgresServerSettings):
    """The region's current server, and the generations a rebuild replaced.

    ``retired`` keeps each earlier generation declared exactly as it was (protected, unchanged: no write reaches
    a lost region) until ``drctl release`` lets Pulumi forget it.
    """

    retired: list[PostgresServerSettings] = Field(default_factory=list)


class Storage(Block):
    """Geo-redundant storage for blobs, with every recovery feature Blob Storage has switched on."""

    sku: Literal["Standard_RAGZRS", "Standard_GZRS", "Standard_RAGRS", "Standard_GRS"] = "Standard_RAGZRS"
    blob_soft_delete_days: Annotated[int, _range(1, 365, "days")] = 365
    container_soft_delete_days: Annotated[int, _range(1, 365, "days")] = 365
    point_in_time_restore_days: Annotated[int, _range(1, 364, "days")] = 30
    change_feed_retention_days: Annotated[int, _range(1, 146000, "days")] = 365
    private_endpoint: PrivateEndpoint | None = None


class CosmosContainer(Block):
    """A container (NoSQL), collection (MongoDB) or graph (Gremlin)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,255}$")]
    partition_key: Annotated[str, Field(pattern=r"^/[A-Za-z0-9_/]+$")] = "/id"


class CosmosDatabase(Block):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,255}$")]
    containers: list[CosmosContainer] = Field(default_factory=list)


class Cosmos(Block):
    """Cosmos DB: one account spanning both regions, owned by the global-owner stack."""

    enabled: bool = True
    multi_region: bool = True
    api: Literal["NoSQL", "MongoDB", "Gremlin"] = "NoSQL"
    backup_tier: Literal["Continuous30Days", "Continuous7Days"] = "Continuous30Days"
    consistency: Literal["Session", "BoundedStaleness", "Strong", "ConsistentPrefix", "Eventual"] = "Session"
    databases: list[CosmosDatabase] = Field(default_factory=lambda: [CosmosDatabase(name="app")])
    private_endpoint: PrivateEndpoint | None = None


class Registry(Block):
    """Azure Container Registry (Premium): owned by the global owner, replicated into every other region."""

    enabled: bool = True
    retention_days: Annotated[int, _range(0, 365, "days")] = 30
    soft_delete_days: Annotated[int, _range(1, 90, "days")] | None = None
    public_network_access: bool = False
    private_endpoint: PrivateEndpoint | None = None


class FrontDoorProbe(Block):
    path: Annotated[str, Field(pattern=r"^/.*$")] = "/healthz"
    protocol: Literal["Https", "Http"] = "Https"
    interval_seconds: Annotated[int, _range(5, 255, "seconds")] = 30


class Routing(Block):
    """Global routing: Front Door Standard/Premium (default) or a Traffic Manager priority profile.

    Every stack owns its own origin (endpoint), pointing at its region's application endpoint: ``origin_host``
    (``origin: host``) or the public address of the region's cluster ingress (``origin: cluster``).
    """

    kind: Literal["frontdoor", "trafficmanager"] = "frontdoor"
    origin: Literal["host", "cluster"] = "host"
    origin_host: Annotated[str, Field(pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")] | None = None
    frontdoor_sku: Literal["Standard_AzureFrontDoor", "Premium_AzureFrontDoor"] = "Standard_AzureFrontDoor"
    probe: FrontDoorProbe = Field(default_factory=FrontDoorProbe)
    draining: bool = False
    """This region's origin sits below the standby's priority (3) while a switch is under way, so traffic never
    splits between two origins of one priority nor reaches a region before its data is writable. ``drctl
    promote`` writes it on the demoted stack; ``drctl settle`` (after a forced promotion: ``drctl rebuild``)
    removes it."""


class RedisPersistence(Block):
    """RDB snapshots to the region's storage account: only for a cache that is not geo-replicated."""

    frequency_minutes: Literal[15, 30, 60, 360, 720, 1440] = 60
    max_snapshots: Annotated[int, _range(1, 100, "")] = 1


class Redis(Block):
    """Azure Cache for Redis Premium, one per region.

    ``dr_mechanism`` picks geo-replication or RDB persistence. ``geo_secondary`` says this stack's cache is the
    geo-secondary of the peer's cache (this stack declares the link); ``drctl`` writes it, never the role, so a
    forced promotion does not have to delete a link that lives under the failed region's cache.
    Azure refuses persistence on either cache of a geo-replicated pair (Microsoft Learn, "Configure passive
    geo-replication for Premium Azure Cache for Redis instances": "Persistence isn't supported with
    geo-replication"), so a cache has exactly one of the two.
    """

    enabled: bool = True
    capacity: Annotated[int, _range(1, 5, "(P1-P5)")] = 1
    dr_mechanism: Literal["geo-replication", "persistence"] = "geo-replication"
    geo_secondary: bool = False
    persistence: RedisPersistence | None = None
    private_endpoint: PrivateEndpoint | None = None


class GlobalLayer(Block):
    """Where the global-owner stack keeps the shared objects (DESIGN §3).

    ``home_region`` is where the registry and the Cosmos account are homed (create-only); default: the owner's
    region. ``resource_group_region`` holds the global resource group's metadata; default: the peer (DR) region,
    so that losing the primary region never blocks a write to the global layer (Learn, "What is a resource
    group": while a group's region is unavailable its resources cannot be updated). ``drctl`` writes both
    explicitly when ownership moves, so they never change.
    """

    home_region: RegionName | None = None
    resource_group_region: RegionName | None = None


class BackupVault(Block):
    """Azure Backup vault and the long-term (vaulted, ``pg_dump``-based) backups of the active PostgreSQL server.

    Defaults: geo-redundant vault with cross-region restore, soft delete on for 14 days, immutability on but
    unlocked (``Locked`` cannot be undone: lock it deliberately), a weekly backup on Sunday 02:00 UTC kept for
    ``objectives.long_term_retention_years``. ``retained_instances`` names servers whose earlier backup instance
    in this region's vault stays declared (protected, retained) after the server stopped being the active one;
    ``drctl promote`` adds the demoted server, ``drctl release`` removes it.
    """

    enabled: bool = True
    redundancy: Literal["GeoRedundant", "ZoneRedundant", "LocallyRedundant"] = "GeoRedundant"
    cross_region_restore: bool = True
    soft_delete: Literal["On", "AlwaysOn"] = "On"
    soft_delete_days: Annotated[int, _range(14, 180, "days")] = 14
    immutability: Literal["Disabled", "Unlocked", "Locked"] = "Unlocked"
    weekly_backup_day: Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] = "Sunday"
    weekly_backup_hour_utc: Annotated[int, _range(0, 23, "(hour of day, UTC)")] = 2
    retained_instances: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]] = Field(
        default_factory=list
    )
    compliance_container: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")] | None = "compliance"


class EmailReceiver(Block):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9 _.-]{1,128}$")]
    address: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class WebhookReceiver(Block):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9 _.-]{1,128}$")]
    uri: Annotated[str, Field(pattern=r"^https://\S+$")]


class Alerts(Block):
    """Alerts on replication and backup health, with thresholds derived from ``objectives`` (never typed here).

    ``rpo_fraction`` raises a lag alert when the lag reaches that share of the tier's RPO, so there is time to
    act before the objective is broken (1.0 alerts at the objective itself; more than 1.0 is refused). The action
    group needs at least one receiver (e-mail or webhook): one with none pages nobody, and the pack's
    ``alert-receivers`` rule fails `drctl check` on it.
    """

    enabled: bool = True
    email_receivers: list[EmailReceiver] = Field(default_factory=list)
    webhook_receivers: list[WebhookReceiver] = Field(default_factory=list)
    rpo_fraction: Annotated[float, Field(gt=0, le=1)] = 0.5


DrillName = Literal["cosmos-failover", "redis-reboot", "nsg-block", "aks-pod-chaos"]
ArmId = Annotated[str, Field(pattern=r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+$")]


class Drills(Block):
    """Chaos Studio drills against the active region: off by default (an experiment is a real fault).

    ``experiments`` picks from the fault library; ``nsg-block`` needs ``app_nsg_id`` (the primary app's network
    security group) and ``aks-pod-chaos`` needs ``aks_cluster_id`` (a cluster with Chaos Mesh installed).
    """

    enabled: bool = False
    experiments: list[DrillName] = Field(default_factory=lambda: list[DrillName](["cosmos-failover", "redis-reboot"]))
    duration_minutes: Annotated[int, _range(1, 720, "minutes")] = 15
    app_nsg_id: ArmId | None = None
    aks_cluster_id: ArmId | None = None


class SystemPool(Block):
    """The cluster's system node pool, autoscaled between ``min_count`` and ``max_count`` nodes."""

    vm_size: Annotated[str, Field(pattern=r"^Standard_[A-Za-z0-9_]+$")] = "Standard_D4ds_v5"
    min_count: Annotated[int, _range(1, 100, "nodes")] = 3
    max_count: Annotated[int, _range(1, 1000, "nodes")] = 6
    max_pods: Annotated[int, _range(30, 250, "pods per node")] = 110
    zones: list[Literal["1", "2", "3"]] | None = None  # None: all three where the region has zones


class Aks(Block):
    """An AKS cluster in this stack's region: Entra ID RBAC only, auto-upgraded, workload identity on.

    ``upgrade_channel`` has no ``none``: a DR cluster that is never patched drifts from its peer. There is no
    version setting: the channel owns the version (every update is a full PUT, so a pinned version would ask
    Azure to downgrade after an automatic upgrade; facts §0). The API server
    is private (``private_cluster``) or reachable only from ``api_server_authorized_ranges``.
    """

    enabled: bool = False
    sku_tier: Literal["Standard", "Premium", "Free"] = "Standard"
    upgrade_channel: Literal["patch", "stable", "rapid", "node-image"] = "stable"
    node_os_upgrade_channel: Literal["NodeImage", "SecurityPatch"] = "NodeImage"
    system_pool: SystemPool = Field(default_factory=SystemPool)
    admin_group_object_ids: list[Guid] = Field(default_factory=list)
    private_cluster: bool = False
    api_server_authorized_ranges: list[Cidr] = Field(default_factory=list)
    subnet_id: Annotated[str, Field(pattern=r"^/subscriptions/.+/subnets/[^/]+$")] | None = None
    kubelogin: Literal["azurecli", "workloadidentity", "spn", "msi", "azd", "azurepipelines"] = "azurecli"


ImageRef = Annotated[
    str, Field(pattern=r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$")
]
Quantity = Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi)?$")]


class Workload(Block):
    """An application on the cluster: a Deployment with its Service, autoscaler and disruption budget.

    ``replicas`` run on the active stack, ``warm_replicas`` on the standby one (warm, never cold); a switch
    only changes which of the two applies. ``ingress`` puts the workload behind the region's public ingress
    address (the Front Door origin with ``routing.origin: cluster``).
    """

    name: Annotated[str, Field(pattern=r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")]
    image: ImageRef
    port: Annotated[int, _range(1, 65535, "")] = 8080
    replicas: Annotated[int, _range(1, 100, "replicas")] = 3
    warm_replicas: Annotated[int, _range(1, 100, "replicas")] = 1
    max_replicas: Annotated[int, _range(1, 1000, "replicas")] = 10
    cpu_utilization: Annotated[int, _range(10, 100, "percent")] = 70
    cpu: Quantity = "250m"
    memory: Quantity = "256Mi"
    max_unavailable: Annotated[int, _range(1, 100, "pods")] = 1
    health_path: Annotated[str, Field(pattern=r"^/.*$")] = "/healthz"
    ingress: bool = False


class Velero(Block):
    """Velero backups of the cluster to the region's geo-redundant storage account, through workload identity.

    Defaults from seed 004: daily at 02:00 UTC, kept 720 h. ``namespaces`` defaults to the workloads' namespace.
    """

    enabled: bool = True
    schedule: str = "0 2 * * *"
    ttl_hours: Annotated[int, _range(1, 87600, "hours")] = 720
    namespaces: list[Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]] | None = None
    chart_version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")] = "10.0.0"
    plugin_image: Annotated[str, Field(pattern=r"^[a-z0-9./-]+:v?\d+\.\d+\.\d+$")] = (
        "velero/velero-plugin-for-microsoft-azure:v1.12.1"
    )


class StackConfig(Block):
    """Everything one stack (one region) needs, validated as a whole before any resource exists."""

    workload: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,7}$")]
    environment: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,4}$")] = "prod"
    role: Literal["active", "standby"]
    region: RegionName
    # stack, org/stack or org/project/stack; Pulumi names are at most 100 characters each.
    peer_stack: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,100}(/[A-Za-z0-9_.-]{1,100}){0,2}$")] | None = None
    peer_region: RegionName | None = None
    owns_global: bool = False
    global_layer: GlobalLayer = Field(default_factory=GlobalLayer)
    locks: bool = True
    unreachable: bool = False
    """This stack's region is down: the program makes no call into it (no data-source invoke on its resources),
    so a targeted `pulumi up` of the stack's share of the global layer completes during the outage. ``drctl
    promote --forced`` writes it on the lost stack; ``drctl rebuild`` removes it."""
    # What becomes of the stack's data-holding resources when the stack lets go of them: retain (protected, kept
    # in Azure) or destroy (a throw-away stack; the policy pack flags it unless its config waives require_protect).
    removal_policy: Literal["retain", "destroy"] = "retain"
    tags: dict[str, str] = Field(default_factory=dict)
    objectives: Objectives = Field(default_factory=Objectives)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    keyvault: KeyVault = Field(default_factory=KeyVault)
    postgres: Postgres
    storage: Storage = Field(default_factory=Storage)
    cosmos: Cosmos = Field(default_factory=Cosmos)
    registry: Registry = Field(default_factory=Registry)
    routing: Routing
    redis: Redis = Field(default_factory=Redis)
    backup: BackupVault = Field(default_factory=BackupVault)
    alerts: Alerts = Field(default_factory=Alerts)
    drills: Drills = Field(default_factory=Drills)
    aks: Aks = Field(default_factory=Aks)
    workloads: list[Workload] = Field(default_factory=list)
    velero: Velero = Field(default_factory=Velero)
    network: Network | None = None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> StackConfig:
        if self.peer_region is not None and self.peer_region == self.region:
            raise _Refused("peer_region", self.peer_region, f"a region other than region ({self.region})")
        if self.peer_stack is None and self.role == "standby":
            raise _Refused("peer_stack", None, "the peer stack's name (a standby stack replicates from its peer)")
        if not self.owns_global and self.peer_stack is None:
            raise _Refused("peer_stack", None, "the global owner's stack name (owns_global is false)")
        if self.peer_stack is not None and self.peer_region is None:
            raise _Refused("peer_region", None, "the peer stack's Azure region")
        self._check_postgres()
        self._check_global_services()
        self._check_limits((info.context or {}).get("namespace", DEFAULT_NAMESPACE))
        self._check_ignored_blocks()

        self._check_dr_operations()
        self._check_compute()
        self._check_network()
        s = self.storage
        _raise(
            rules.storage(
                sku=s.sku,
                region=self.region,
                blob_soft_delete_days=s.blob_soft_delete_days,
                point_in_time_restore_days=s.point_in_time_restore_days,
                change_feed_retention_days=s.change_feed_retention_days,
                prefix="storage.",
            )
        )
        return self

    def _check_postgres(self) -> None:
        pg = self.postgres
        for key, server in [("postgres", pg)] + [(f"postgres.retired[{i}]", r) for i, r in enumerate(pg.retired)]:
            self._check_server(key, server)
        generations = [pg.generation, *(r.generation for r in pg.retired)]
        if len(set(generations)) != len(generations):
            raise _Refused(
                "postgres.retired",
                generations,
                f"generations that differ from each other and from postgres.generation ({pg.generation})",
            )
        if self.is_active and pg.state == "replica":
            raise _Refused(
                "postgres.state",
                "replica",
                "primary or promoting on an active stack (its server serves "
                "writes); run `drctl promote` rather than editing the role",
            )
        if self.redis.geo_secondary:
            if self.redis.dr_mechanism != "geo-replication" or self.peer_stack is None:
                raise _Refused(
                    "redis.geo_secondary", True, "false unless redis.dr_mechanism=geo-replication and peer_stack is set"
                )
            if self.is_active:
                raise _Refused(
                    "redis.geo_secondary",
                    True,
                    "false on an active stack (a geo-secondary cache is read-only); run `drctl promote`",
                )

    def _check_server(self, key: str, pg: PostgresServerSettings) -> None:
        if pg.create_as == "replica":
            if pg.replica_of is None:
                raise _Refused(f"{key}.replica_of", None, "the name of the server this replica was created from")
            if self.peer_stack is None:
                why = f"{key}.create_as=replica"
                raise _Refused("peer_stack", None, f"the peer stack's name ({why} replicates from its peer)")
            _raise(
                rules.postgres_replica(
                    geo_redundant_backup=pg.geo_redundant_backup,
                    high_availability=pg.high_availability,
                    promoted=pg.state in ("primary", "promoting"),
                    prefix=f"{key}.",
                )
            )
        elif pg.replica_of is not None:
            raise _Refused(f"{key}.replica_of", pg.replica_of, f"unset with {key}.create_as=primary")
        if pg.state == "promoting" and pg.promotion is None:
            raise _Refused(f"{key}.promotion", None, f"forced or planned with {key}.state=promoting")
        _raise(
            rules.postgres(
                replica=False,  # the replica rules ran above, before the promotion check
                geo_redundant_backup=pg.geo_redundant_backup,
                high_availability=pg.high_availability,
                sku_tier=pg.sku_tier,
                region=self.region,
                prefix=f"{key}.",
            )
        )

    def _check_limits(self, namespace: str) -> None:
        """Azure's limits (facts.limits): tags, host names, the PostgreSQL SKU's tier, Cosmos names; and the
        library's own tags, which config may not set (facts.exemptions: a tag must never silence a rule)."""
        if len(self.tags) > limits.max_user_tags():
            raise _Refused(
                "tags",
                f"{len(self.tags)} tags",
                f"at most {limits.max_user_tags()} (Azure allows 50 per resource and the program sets 4)",
            )
        for name, value in self.tags.items():
            problem = limits.tag_problem(name, value) or exemptions.reserved_tag_problem(name, namespace)
            if problem is not None:
                raise _Refused(f"tags.{name[:60]}", value[:60], f"not {problem}")
        host = self.routing.origin_host
        problem = limits.host_name_problem(host) if host is not None else None
        if host is not None and problem is not None:
            raise _Refused("routing.origin_host", host[:80], f"a DNS host name, not {problem}")
        pg = self.postgres
        tier = limits.pg_tier_for_sku(pg.sku_name)
        if tier is not None and tier != pg.sku_tier:
            raise _Refused(
                "postgres.sku_tier",
                pg.sku_tier,
                f"{tier} for {pg.sku_name} (B-series SKUs are Burstable, D-series GeneralPurpose, E-series "
                "MemoryOptimized)",
            )
        seen: dict[str, str] = {}
        for i, db in enumerate(self.cosmos.databases):
            if db.name.lower() in seen:
                raise _Refused(
                    f"cosmos.databases[{i}].name",
                    db.name,
                    "a name not used by another database (Azure resource names are case-insensitive)",
                )
            seen[db.name.lower()] = db.name
            names: set[str] = set()
            for j, container in enumerate(db.containers):
                if container.name.lower() in names:
                    raise _Refused(
                        f"cosmos.databases[{i}].containers[{j}].name",
                        container.name,
                        f"a name not used by another container of database {db.name}",
                    )
                names.add(container.name.lower())

    def _check_ignored_blocks(self) -> None:
        """Config a stack would silently ignore is refused: Cosmos and the registry's settings belong to the
        global owner (a non-owner only chooses whether to replicate the registry)."""
        if self.owns_global:
            return
        if "cosmos" in self.model_fields_set:
            raise _Refused(
                "cosmos",
                "set",
                "unset on a stack with owns_global=false (the global owner's stack "
                "configures the Cosmos account; here it would be ignored)",
            )
        # The routing profile (Front Door SKU, the origin group's health probe; Traffic Manager's monitor) is the
        # global owner's: a non-owner only declares its own origin, so these would be silently ignored here.
        owner_only = sorted(self.routing.model_fields_set & {"frontdoor_sku", "probe"})
        if owner_only:
            raise _Refused(
                f"routing.{owner_only[0]}",
                "set",
                "unset on a stack with owns_global=false (the global owner's stack configures the routing "
                "profile and its health probe; here it would be ignored)",
            )
        ignored = sorted(self.registry.model_fields_set - {"enabled"})
        if ignored:
            raise _Refused(
                f"registry.{ignored[0]}",
                getattr(self.registry, ignored[0]),
                "unset on a stack with "
                "owns_global=false (only registry.enabled applies to a replica; the owner's stack "
                "configures the registry)",
            )

    def _check_global_services(self) -> None:
        reg = self.registry
        _raise(
            rules.registry_soft_delete(
                soft_delete_days=reg.soft_delete_days,
                retention_days=reg.retention_days,
                geo_replicated=self.peer_region is not None,
                prefix="registry.",
            )
        )
        if self.owns_global and self.cosmos.enabled and self.peer_region is None:
            raise _Refused("peer_region", None, "the DR region (the Cosmos account spans both regions)")
        if self.routing.kind == "trafficmanager":
            _raise(rules.traffic_manager_probe(self.routing.probe.interval_seconds, "routing.probe.interval_seconds"))
        redis = self.redis
        _raise(
            rules.redis_persistence(
                geo_replicated=redis.dr_mechanism == "geo-replication",
                persistence=redis.persistence is not None,
                key="redis.persistence",
                other_fix="redis.dr_mechanism=persistence",
            )
        )
        if redis.dr_mechanism == "geo-replication" and self.peer_region is None:
            raise _Refused("redis.dr_mechanism", "geo-replication", "persistence (no peer region to replicate to)")

    def _check_dr_operations(self) -> None:
        b, d = self.backup, self.drills
        if b.cross_region_restore and b.redundancy != "GeoRedundant":
            # Learn, "Cross Region Restore for Backup vaults": CRR needs geo-redundant vault storage.
            raise _Refused("backup.redundancy", b.redundancy, "GeoRedundant (backup.cross_region_restore is on)")
        if d.enabled and "nsg-block" in d.experiments and d.app_nsg_id is None:
            raise _Refused("drills.app_nsg_id", None, "the app's NSG id (drills.experiments has nsg-block)")
        if d.enabled and "aks-pod-chaos" in d.experiments and d.aks_cluster_id is None:
            raise _Refused("drills.aks_cluster_id", None, "the AKS cluster id (drills.experiments has aks-pod-chaos)")

    def _check_compute(self) -> None:
        aks, routing = self.aks, self.routing
        if routing.origin == "host" and routing.origin_host is None:
            raise _Refused("routing.origin_host", None, "the region's application host name (routing.origin=host)")
        ingress = [w.name for w in self.workloads if w.ingress]
        if routing.origin == "cluster" and (not aks.enabled or len(ingress) != 1):
            raise _Refused(
                "routing.origin", "cluster", "host, or aks.enabled=true with exactly one workload with ingress=true"
            )
        if not aks.enabled:
            if self.workloads:
                raise _Refused("workloads", "set", "unset, or aks.enabled=true (workloads run on the cluster)")
            return
        if not aks.admin_group_object_ids:
            raise _Refused(
                "aks.admin_group_object_ids",
                None,
                "at least one Entra group (local accounts are off: nobody else could administer the cluster)",
            )
        if not aks.private_cluster and not aks.api_server_authorized_ranges:
            raise _Refused(
                "aks.api_server_authorized_ranges",
                None,
                "the CIDRs allowed to reach the API server, or aks.private_cluster=true",
            )
        if aks.system_pool.max_count < aks.system_pool.min_count:
            raise _Refused(
                "aks.system_pool.max_count",
                aks.system_pool.max_count,
                f"at least aks.system_pool.min_count ({aks.system_pool.min_count})",
            )
        zones = aks.system_pool.zones
        if zones and not has_zones(self.region):
            raise _Refused("aks.system_pool.zones", zones, f"unset ({zone_note(self.region)})")
        if len(ingress) > 1:
            raise _Refused("workloads", ", ".join(ingress), "at most one workload with ingress=true")
        names = [w.name for w in self.workloads]
        if len(set(names)) != len(names):
            raise _Refused("workloads", ", ".join(names), "unique workload names")
        for i, w in enumerate(self.workloads):
            if w.warm_replicas > w.replicas:
                raise _Refused(f"workloads.{i}.warm_replicas", w.warm_replicas, f"at most replicas ({w.replicas})")
            if w.max_replicas < w.replicas:
                raise _Refused(f"workloads.{i}.max_replicas", w.max_replicas, f"at least replicas ({w.replicas})")
        if self.velero.enabled:
            try:
                max_gap_minutes(self.velero.schedule)
            except CronError as exc:
                raise _Refused("velero.schedule", self.velero.schedule, f"a five-field cron schedule ({exc})") from None

    def _check_network(self) -> None:
        """With a network declared the program wires every private endpoint and the cluster's subnet itself, so
        a hand-written one would be a second, conflicting answer."""
        if self.network is None:
            return
        blocks: list[tuple[str, Any]] = [
            ("keyvault", self.keyvault),
            ("postgres", self.postgres),
            ("storage", self.storage),
            ("cosmos", self.cosmos),
            ("registry", self.registry),
            ("redis", self.redis),
        ]
        blocks += [(f"postgres.retired[{i}]", r) for i, r in enumerate(self.postgres.retired)]
        for key, block in blocks:
            if block.private_endpoint is not None:
                raise _Refused(
                    f"{key}.private_endpoint",
                    "set",
                    "unset when network is declared (the program puts the endpoint in network's subnet)",
                )
        if self.aks.subnet_id is not None:
            raise _Refused(
                "aks.subnet_id",
                self.aks.subnet_id,
                "unset when network is declared (the cluster joins network's aks subnet)",
            )
        if self.aks.enabled:
            for role, cidr in addressing.AKS_DEFAULT_RANGES.items():
                if addressing.spaces_overlap(self.network.address_space, cidr):
                    raise _Refused(
                        "network.address_space",
                        self.network.address_space,
                        f"a range that does not overlap the cluster's {role} range {cidr} (AKS's default; the "
                        "cluster routes it inside itself)",
                    )

    # --- derived settings: what the components deploy, resolved once here ---------------------------------

    @property
    def is_active(self) -> bool:
        return self.role == "active"

    def objective(self, service: ServiceName) -> Tier:
        """The RPO/RTO a service is held to: its tier's (a tier missing from ``tiers`` falls back to defaults)."""
        tier = self.objectives.service_tiers.get(service, _default_service_tiers()[service])
        return self.objectives.tiers.get(tier, _default_tiers()[tier])

    @property
    def postgres_ha_mode(self) -> Literal["ZoneRedundant", "SameZone", "Disabled"]:
        return server_ha_mode(self.postgres, self.region)

    @property
    def postgres_geo_backup(self) -> Literal["Enabled", "Disabled"]:
        return server_geo_backup(self.postgres)

    @property
    def redis_persistence(self) -> RedisPersistence | None:
        """RDB settings when the cache is protected by persistence (the default snapshot plan if not given)."""
        if self.redis.dr_mechanism != "persistence":
            return None
        return self.redis.persistence or RedisPersistence()

    @property
    def postgres_dr_mechanism(self) -> str:
        """A replica covers the region: the server is one, or a peer region is declared to hold one."""
        replicated = self.postgres.create_as == "replica" or self.peer_region is not None
        return "postgres-replica" if replicated else "postgres-geo-backup"

    @property
    def aks_zones(self) -> list[str]:
        """The system pool's zones: as configured, else all three where the region has zones, else none."""
        if self.aks.system_pool.zones is not None:
            return list(self.aks.system_pool.zones)
        return ["1", "2", "3"] if has_zones(self.region) else []

    @property
    def workload_namespace(self) -> str:
        """The Kubernetes namespace the workloads run in (and Velero backs up by default)."""
        return self.workload

    def replicas(self, workload: Workload) -> int:
        """How many pods the workload runs here: full while active, warm while standby (a switch only scales)."""
        return workload.replicas if self.is_active else workload.warm_replicas

    @property
    def postgres_retention_days(self) -> int:
        return server_retention_days(self.postgres, self.objectives)


def server_ha_mode(pg: PostgresServerSettings, region: str) -> Literal["ZoneRedundant", "SameZone", "Disabled"]:
    """HA where the region has zones, on a server that serves writes: being created as a primary, or a primary
    now (created so, or promoted). A replica, created as one or demoted by a switchover, cannot have HA."""
    if pg.high_availability is not None:
        return pg.high_availability
    serving = pg.state in ("primary", "promoting") or (pg.state == "new" and pg.create_as == "primary")
    return rules.postgres_ha_default(replica=not serving, sku_tier=pg.sku_tier, region=region)


def server_geo_backup(pg: PostgresServerSettings) -> Literal["Enabled", "Disabled"]:
    if pg.geo_redundant_backup is not None:
        return pg.geo_redundant_backup
    return "Enabled" if pg.create_as == "primary" else "Disabled"


def server_retention_days(pg: PostgresServerSettings, objectives: Objectives) -> int:
    return pg.backup_retention_days or objectives.backup_retention_days


def _raise(refusal: rules.Refusal | None) -> None:
    """A rule from ``azure_dr.components.rules`` broken: the config's one-line error for it."""
    if refusal is not None:
        raise _Refused(refusal.key, refusal.value, refusal.allowed)


class _Refused(ValueError):
    """A cross-field rule broken: carries the key, value and allowed set for the one-line message."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        super().__init__(f"{key}={value!r}; expected {allowed}")
        self.key, self.value, self.allowed = key, value, allowed


def _is(annotation: Any, kind: type) -> bool:
    return annotation is kind or (get_origin(annotation) in (Union, UnionType) and kind in get_args(annotation))


def _from_pulumi(key: str, raw: Any) -> Any:
    """Read one top-level value as Pulumi hands it over, once and strictly.

    Pulumi passes every scalar as a string and every structured value as JSON (which keeps its types). A boolean
    field takes exactly ``"true"``/``"false"`` (as Pulumi's own ``Config.get_bool``), an integer field a string of
    digits; anything else stays a string, for the strict model to refuse with one line.
    """
    if not isinstance(raw, str):
        return raw
    field = StackConfig.model_fields.get(key)
    annotation = field.annotation if field is not None else None
    if raw.lstrip().startswith(("{", "[")):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if _is(annotation, bool) and raw in ("true", "false"):
        return raw == "true"
    if _is(annotation, int) and re.fullmatch(r"-?[0-9]{1,9}", raw):
        return int(raw)
    return raw


def _shown(value: object, secret: bool) -> str:
    """A value as an error message shows it: never a secret's, and never more than a line's worth."""
    if secret:
        return "[secret]"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


#: What a strict type error allows, in the words a stack file uses (pydantic's own message otherwise).
_TYPE_ALLOWED = {
    "bool_type": "expected true or false",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "string_type": "expected a string (quote it)",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping of its keys",
    "model_attributes_type": "expected a mapping of its keys",
    "list_type": "expected a list",
}


def _format(error: ValidationError, namespace: str, secret_keys: Collection[str]) -> str:
    lines = []
    for item in error.errors():
        ctx_error = (item.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _Refused):
            secret = ctx_error.key.split(".", 1)[0].split("[", 1)[0] in secret_keys
            shown = (
                "required but not set"
                if ctx_error.value is None
                else f"{_shown(ctx_error.value, secret)} is not allowed"
            )
            lines.append(f"{namespace}:{ctx_error.key}: {shown}; expected {ctx_error.allowed}")
            continue
        key = ""
        for part in item["loc"]:
            key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
        msg = _TYPE_ALLOWED.get(item["type"], item["msg"].removeprefix("Value error, "))
        if item["type"] == "missing":
            lines.append(f"{namespace}:{key}: required but not set")
        elif item["type"] == "extra_forbidden":
            lines.append(
                f"{namespace}:{key}: unknown key (a typo?); not part of the "
                f"{'stack' if len(item['loc']) == 1 else str(item['loc'][0])} config"
            )
        else:
            secret = bool(item["loc"]) and str(item["loc"][0]) in secret_keys
            lines.append(f"{namespace}:{key}: {_shown(item['input'], secret)} is not allowed; {msg}")
    return "; ".join(lines)


# What Pulumi.yaml's declared defaults hand over for a key the stack does not set (a project default cannot be
# null): an empty string, or an empty block. Both mean "unset", exactly as if the key were absent.
UNSET = ("", "{}", "[]")


def parse_config(
    values: Mapping[str, Any], namespace: str = DEFAULT_NAMESPACE, secret_keys: Collection[str] = ()
) -> StackConfig:
    """Validate raw config (keys without the namespace) into a StackConfig, or raise a one-line ConfigError.

    ``namespace`` is the project's name, so messages name the keys as they are written; a value under one of
    ``secret_keys`` (names without the namespace) is never shown. An empty value is an unset one: Pulumi.yaml
    declares the optional keys (``peer_stack``...) with the default ``""`` because a Pulumi project config
    default cannot be null; an empty block ``{}`` likewise).
    """
    try:
        return StackConfig.model_validate(
            context={"namespace": namespace},
            obj={
                k: _from_pulumi(k, v)
                for k, v in values.items()
                if not (v in UNSET and k in StackConfig.model_fields)  # an unknown key is refused, even empty
            },
        )
    except ValidationError as exc:
        raise ConfigError(f"invalid stack config: {_format(exc, namespace, secret_keys)}") from None


#: The azure-native provider's default location: every resource here names its location, so a default that
#: differs from the stack's region is a typo or a stale copy that would land any location-less resource elsewhere.
PROVIDER_LOCATION_KEY = "azure-native:location"


def location_problem(location: str, region: str) -> str | None:
    """Why the provider's default ``location`` does not fit the stack's ``region`` ("UK West" and "ukwest" are
    one region), or None."""
    if location.replace(" ", "").lower() == region:
        return None
    return "the provider's default location must be the stack's own region"


def load_config() -> StackConfig:
    """Read every ``<project>:*`` key of the running stack and validate it.

    Pulumi namespaces config by the project's ``name``, so the namespace is ``pulumi.get_project()``: a renamed
    project reads its own keys, never a stale ``azure-dr:``.
    """
    from pulumi.runtime import config as runtime_config

    namespace = pulumi.get_project()
    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{namespace}:"
    secret = {*runtime_config.get_config_secret_keys_env(), *(k for k in merged if runtime_config.is_config_secret(k))}
    config = parse_config(
        {k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)},
        namespace,
        {k[len(prefix) :] for k in secret if k.startswith(prefix)},
    )
    location = merged.get(PROVIDER_LOCATION_KEY)
    problem = location_problem(str(location), config.region) if location not in (None, "") else None
    if problem is not None:
        raise ConfigError(
            f"invalid stack config: {PROVIDER_LOCATION_KEY}: {location!r} is not allowed; expected {config.region} "
            f"(this stack's {namespace}:region) or unset: {problem}"
        )
    if config.peer_stack is not None and config.peer_stack.rsplit("/", 1)[-1] == pulumi.get_stack():
        raise ConfigError(
            f"invalid stack config: {namespace}:peer_stack: {config.peer_stack!r} is this stack; "
            "expected the peer stack's name"
        )
    return config
