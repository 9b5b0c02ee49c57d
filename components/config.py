"""The stack's configuration: one pydantic model, validated before any resource is registered.

A stack is fully described by ``Pulumi.<stack>.yaml`` under the ``azure-dr:`` namespace. Every block forbids
unknown keys (a typo is an error, never a silent default), and a wrong value fails with one line naming the key,
the value and what is allowed. Defaults come from the seed DR plans (QLP: RPO 15 min and RTO 2 h for tier 1,
30-day backups, 7-year compliance retention) and are the secure, resilient choice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from components import rules
from components.regions import REGIONS

NAMESPACE = "azure-dr"


class ConfigError(pulumi.RunError):
    """A user mistake in stack config: reported as one line, without a traceback."""


def _range(lo: int, hi: int, unit: str) -> AfterValidator:
    def check(value: int) -> int:
        if not lo <= value <= hi:
            raise ValueError(f"allowed: {lo}-{hi} {unit}")
        return value

    return AfterValidator(check)


def _known_region(value: str) -> str:
    if value not in REGIONS:
        raise ValueError(f"not an Azure region; allowed: {', '.join(sorted(REGIONS))}")
    return value


RegionName = Annotated[str, AfterValidator(_known_region)]
Guid = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]


class Block(BaseModel):
    """A config block: unknown keys are refused. Pulumi hands scalars over as strings, so "30" and "true" are
    read as numbers and booleans; anything else of the wrong type is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


ServiceName = Literal["postgresql", "cosmos", "storage", "registry", "redis", "routing", "keyvault"]


def _default_service_tiers() -> dict[ServiceName, TierName]:
    return {
        "postgresql": "tier1",
        "cosmos": "tier1",
        "storage": "tier1",
        "routing": "tier1",
        "keyvault": "tier1",
        "registry": "tier2",
        "redis": "tier2",
    }


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


class Postgres(Block):
    """PostgreSQL flexible server.

    ``create_as`` is how the server was created (a primary, or a read replica of the peer stack's server) and
    never follows the role: create-only inputs must not change on promotion.
    """

    create_as: Literal["primary", "replica"] = "primary"
    generation: Annotated[int, _range(1, 99, "(server generation)")] = 1
    version: Literal["13", "14", "15", "16", "17"] = "16"
    sku_name: Annotated[str, Field(pattern=r"^Standard_[A-Za-z0-9_]+$")] = "Standard_D4ds_v5"
    sku_tier: Literal["GeneralPurpose", "MemoryOptimized", "Burstable"] = "GeneralPurpose"
    storage_size_gb: Literal[32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767] = 128
    backup_retention_days: Annotated[int, _range(7, 35, "days")] | None = None
    geo_redundant_backup: Literal["Enabled", "Disabled"] | None = None
    high_availability: Literal["ZoneRedundant", "SameZone", "Disabled"] | None = None
    entra_admin: EntraAdmin
    private_endpoint: PrivateEndpoint | None = None


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

    Every stack owns its own origin (endpoint), pointing at ``origin_host``, its region's application endpoint.
    """

    kind: Literal["frontdoor", "trafficmanager"] = "frontdoor"
    origin_host: Annotated[str, Field(pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]
    frontdoor_sku: Literal["Standard_AzureFrontDoor", "Premium_AzureFrontDoor"] = "Standard_AzureFrontDoor"
    probe: FrontDoorProbe = Field(default_factory=FrontDoorProbe)


class RedisPersistence(Block):
    """RDB snapshots to the region's storage account: only for a cache that is not geo-replicated."""

    frequency_minutes: Literal[15, 30, 60, 360, 720, 1440] = 60
    max_snapshots: Annotated[int, _range(1, 100, "")] = 1


class Redis(Block):
    """Azure Cache for Redis Premium, one per region.

    ``dr_mechanism`` picks geo-replication (a LinkedServer declared by the standby stack) or RDB persistence:
    Azure refuses persistence on either cache of a geo-replicated pair (Microsoft Learn, "Configure passive
    geo-replication for Premium Azure Cache for Redis instances": "Persistence isn't supported with
    geo-replication"), so a cache has exactly one of the two.
    """

    enabled: bool = True
    capacity: Annotated[int, _range(1, 5, "(P1-P5)")] = 1
    dr_mechanism: Literal["geo-replication", "persistence"] = "geo-replication"
    persistence: RedisPersistence | None = None
    private_endpoint: PrivateEndpoint | None = None


class StackConfig(Block):
    """Everything one stack (one region) needs, validated as a whole before any resource exists."""

    workload: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,7}$")]
    environment: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,4}$")] = "prod"
    role: Literal["active", "standby"]
    region: RegionName
    peer_stack: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$")] | None = None
    peer_region: RegionName | None = None
    owns_global: bool = False
    locks: bool = True
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

    @model_validator(mode="after")
    def _consistent(self) -> StackConfig:
        if self.peer_region is not None and self.peer_region == self.region:
            raise _Refused("peer_region", self.peer_region, f"a region other than region ({self.region})")
        if self.peer_stack is None and (self.role == "standby" or self.postgres.create_as == "replica"):
            why = "a standby stack" if self.role == "standby" else "postgres.create_as=replica"
            raise _Refused("peer_stack", None, f"the peer stack's name ({why} replicates from its peer)")
        if not self.owns_global and self.peer_stack is None:
            raise _Refused("peer_stack", None, "the global owner's stack name (owns_global is false)")
        if self.peer_stack is not None and self.peer_region is None:
            raise _Refused("peer_region", None, "the peer stack's Azure region")
        self._check_postgres()
        self._check_global_services()
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
        _raise(
            rules.postgres(
                replica=pg.create_as == "replica",
                geo_redundant_backup=pg.geo_redundant_backup,
                high_availability=pg.high_availability,
                sku_tier=pg.sku_tier,
                region=self.region,
                prefix="postgres.",
            )
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
        """HA follows how the server was created and where, never the role (HA is not a switch)."""
        pg = self.postgres
        if pg.high_availability is not None:
            return pg.high_availability
        return rules.postgres_ha_default(replica=pg.create_as == "replica", sku_tier=pg.sku_tier, region=self.region)

    @property
    def postgres_geo_backup(self) -> Literal["Enabled", "Disabled"]:
        if self.postgres.geo_redundant_backup is not None:
            return self.postgres.geo_redundant_backup
        return "Enabled" if self.postgres.create_as == "primary" else "Disabled"

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
    def postgres_retention_days(self) -> int:
        return self.postgres.backup_retention_days or self.objectives.backup_retention_days


def _raise(refusal: rules.Refusal | None) -> None:
    """A rule from ``components.rules`` broken: the config's one-line error for it."""
    if refusal is not None:
        raise _Refused(refusal.key, refusal.value, refusal.allowed)


class _Refused(ValueError):
    """A cross-field rule broken: carries the key, value and allowed set for the one-line message."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        super().__init__(f"{key}={value!r}; expected {allowed}")
        self.key, self.value, self.allowed = key, value, allowed


def _parse_scalar(raw: Any) -> Any:
    """Pulumi hands every config value over as a string; structured values (objects, lists) are JSON.

    Scalars stay strings and pydantic reads "30" or "true" where a number or boolean is expected, so a string
    key such as ``workload: "123"`` is judged as the string it is.
    """
    if not isinstance(raw, str) or not raw.lstrip().startswith(("{", "[")):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _format(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        ctx_error = (item.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _Refused):
            shown = "required but not set" if ctx_error.value is None else f"{ctx_error.value!r} is not allowed"
            lines.append(f"{NAMESPACE}:{ctx_error.key}: {shown}; expected {ctx_error.allowed}")
            continue
        key = ".".join(str(p) for p in item["loc"])
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            lines.append(f"{NAMESPACE}:{key}: required but not set")
        elif item["type"] == "extra_forbidden":
            lines.append(
                f"{NAMESPACE}:{key}: unknown key (a typo?); not part of the "
                f"{'stack' if len(item['loc']) == 1 else str(item['loc'][0])} config"
            )
        else:
            lines.append(f"{NAMESPACE}:{key}: {item['input']!r} is not allowed; {msg}")
    return "; ".join(lines)


def parse_config(values: Mapping[str, Any]) -> StackConfig:
    """Validate raw config (keys without the namespace) into a StackConfig, or raise a one-line ConfigError."""
    try:
        return StackConfig.model_validate({k: _parse_scalar(v) for k, v in values.items()})
    except ValidationError as exc:
        raise ConfigError(f"invalid stack config: {_format(exc)}") from None


def load_config() -> StackConfig:
    """Read every ``azure-dr:*`` key of the running stack and validate it."""
    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{NAMESPACE}:"
    config = parse_config({k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)})
    if config.peer_stack is not None and config.peer_stack.rsplit("/", 1)[-1] == pulumi.get_stack():
        raise ConfigError(
            f"invalid stack config: {NAMESPACE}:peer_stack: {config.peer_stack!r} is this stack; "
            "expected the peer stack's name"
        )
    return config
