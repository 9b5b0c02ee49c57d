"""Every stack rule, compliant and violating, through the real pack process (the path `drctl check` uses)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from azure_dr.cli.engine.recording import RecordedResource
from azure_dr.components.facts.exemptions import today
from azure_dr.components.facts.recovery import GEO_SECONDARY_TAG
from tests.policy_harness import analyze, make_resource

RG = "azure-native:resources:ResourceGroup"
PG = "azure-native:dbforpostgresql:Server"
REDIS = "azure-native:redis:Redis"
LINK = "azure-native:redis:LinkedServer"
STORAGE = "azure-native:storage:StorageAccount"
COSMOS = "azure-native:cosmosdb:DatabaseAccount"
LOCK = "azure-native:authorization:ManagementLockByScope"
ORIGIN = "azure-native:cdn:AFDOrigin"
GROUP = "azure-native:cdn:AFDOriginGroup"
REGISTRY = "azure-native:containerregistry:Registry"
REPLICATION = "azure-native:containerregistry:Replication"
REF = "pulumi:pulumi:StackReference"
TAG = "azure-dr:dr-mechanism"
SUB = "/subscriptions/s/resourceGroups"
PRIMARY_PG_ID = f"{SUB}/rg-uks/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql-uks-1"
DR_CACHE_ID = f"{SUB}/rg-ukw/providers/Microsoft.Cache/redis/redis-ukw"

PEER = {
    "role": "active",
    "region": "uksouth",
    "postgres_server_id": PRIMARY_PG_ID,
    "postgres_sku_name": "Standard_D4ds_v5",
    "postgres_sku_tier": "GeneralPurpose",
    "postgres_storage_gb": 256,
    "redis_cache_name": "redis-uks",
    "redis_capacity": 2,
    "origin_group_name": "regions",
    "origin_group_id": f"{SUB}/rg-uks/x/originGroups/regions",
    "registry_name": "crqlp",
}


def res(type_: str, props: dict[str, Any], name: str, *, protect: bool = True) -> RecordedResource:
    return make_resource(type_, props, name=name, protect=protect)


def group(region: str) -> RecordedResource:
    return res(RG, {"location": region, "id": f"{SUB}/rg-{region}"}, "rg", protect=True)


def peer(**changes: Any) -> RecordedResource:
    return make_resource(
        REF, {"name": "organization/azure-dr/primary", "outputs": {**PEER, **changes}}, name="peer-primary", read=True
    )


def lock(target: RecordedResource) -> RecordedResource:
    """A lock whose scope input came from ``target``'s id (the engine records that dependency)."""
    props = {"scope": f"{SUB}/{target.name}", "level": "CanNotDelete"}
    return make_resource(LOCK, props, name=f"{target.name}-lock", property_dependencies={"scope": (target.urn,)})


def pg_replica(**changes: Any) -> RecordedResource:
    props = {
        "id": f"{SUB}/rg-ukw/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql-ukw-1",
        "location": "ukwest",
        "createMode": "Replica",
        "sourceServerResourceId": PRIMARY_PG_ID,
        "sku": {"name": "Standard_D4ds_v5", "tier": "GeneralPurpose"},
        "storage": {"storageSizeGB": 256},
        "tags": {TAG: "postgres-replica"},
        **changes,
    }
    return res(PG, props, "replica")


def dr_cache(capacity: int = 2, rdb: str = "false", mechanism: str = "redis-geo-replication") -> RecordedResource:
    return res(
        REDIS,
        {
            "id": DR_CACHE_ID,
            "location": "ukwest",
            "sku": {"name": "Premium", "capacity": capacity},
            "redisConfiguration": {"rdbBackupEnabled": rdb, "rdbBackupFrequency": "60"},
            "tags": {TAG: mechanism, GEO_SECONDARY_TAG: "true"},
        },
        "cache",
    )


def link(primary: str = "redis-uks", cache: RecordedResource | None = None) -> RecordedResource:
    """The standby's link as Azure reports it: its own name, the primary's host, the secondary's id."""
    props = {
        "name": "redis-ukw",
        "primaryHostName": f"{primary}.redis.cache.windows.net",
        "linkedRedisCacheId": DR_CACHE_ID,
    }
    deps = {"linkedRedisCacheId": ((cache or dr_cache()).urn,)}
    return make_resource(LINK, props, name="link", property_dependencies=deps)


def violations(rule: str, resources: list[RecordedResource], config: dict[str, Any] | None = None) -> list[str]:
    return [r.message for r in analyze(resources, stack="dr", config=config).violations(rule)]


def test_dr_coverage() -> None:
    good = [group("ukwest"), pg_replica(), dr_cache(), link(), peer()]
    assert violations("dr-coverage", good) == []
    untagged = pg_replica(tags={})
    found = violations("dr-coverage", [group("ukwest"), untagged])
    assert len(found) == 1 and "declares no DR mechanism" in found[0]
    geo_but_persistent = dr_cache(rdb="true")
    assert "refuses persistence" in violations("dr-coverage", [group("ukwest"), geo_but_persistent])[0]
    lrs = res(STORAGE, {"sku": {"name": "Standard_LRS"}, "tags": {TAG: "storage-geo-failover"}}, "st")
    assert "does not replicate to the pair" in violations("dr-coverage", [group("ukwest"), lrs])[0]


def test_dr_rpo() -> None:
    assert violations("dr-rpo", [group("ukwest"), pg_replica(), dr_cache()]) == []
    daily = dr_cache(mechanism="redis-persistence", rdb="true")
    daily.inputs["redisConfiguration"]["rdbBackupFrequency"] = "1440"
    found = violations("dr-rpo", [group("ukwest"), daily])
    assert len(found) == 1 and "modeled RPO of 1440 min" in found[0] and "objective is 60 min" in found[0]
    geo_backup_only = pg_replica(createMode="Create", tags={TAG: "postgres-geo-backup"})
    assert "modeled RPO of 60 min" in violations("dr-rpo", [group("ukwest"), geo_backup_only])[0]
    assert violations("dr-rpo", [group("ukwest"), geo_backup_only], {"dr-rpo": {"postgresql_rpo_minutes": 60}}) == []


def test_dr_region_alignment() -> None:
    cosmos = res(COSMOS, {"locations": [{"locationName": "uksouth"}, {"locationName": "ukwest"}]}, "cosmos")
    grs = res(STORAGE, {"sku": {"name": "Standard_RAGZRS"}}, "st")
    assert violations("dr-region-alignment", [group("uksouth"), cosmos, grs]) == []
    elsewhere = res(COSMOS, {"locations": [{"locationName": "uksouth"}, {"locationName": "northeurope"}]}, "cosmos")
    found = violations("dr-region-alignment", [group("uksouth"), elsewhere, grs])
    assert len(found) == 1 and "replicates to uksouth's pair (ukwest), but the DR region is northeurope" in found[0]
    split = violations("dr-region-alignment", [group("uksouth"), elsewhere, peer(region="ukwest")])
    assert "disagree on the DR region: northeurope" in split[0]


def test_dr_routing_regions() -> None:
    probe = {"probePath": "/healthz", "probeProtocol": "Https"}
    owner = [
        group("uksouth"),
        res(GROUP, {"originGroupName": "regions", "healthProbeSettings": probe}, "og"),
        res(ORIGIN, {"originGroupName": "regions", "priority": 1}, "origin"),
    ]
    assert violations("dr-routing-regions", owner) == []
    unprobed = [owner[0], res(GROUP, {"originGroupName": "regions"}, "og"), owner[2]]
    assert "no health probe" in violations("dr-routing-regions", unprobed)[0]
    joining = [group("ukwest"), res(ORIGIN, {"originGroupName": "regions", "priority": 2}, "origin"), peer()]
    assert violations("dr-routing-regions", joining) == []
    lost = [group("ukwest"), res(ORIGIN, {"originGroupName": "other", "priority": 2}, "origin"), peer()]
    assert "does not join the peer's probed origin group (regions)" in violations("dr-routing-regions", lost)[0]


def test_dr_replica_size() -> None:
    assert violations("dr-replica-size", [group("ukwest"), pg_replica(), dr_cache(), link(), peer()]) == []
    small = pg_replica(sku={"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"}, storage={"storageSizeGB": 128})
    found = violations("dr-replica-size", [group("ukwest"), small, peer()])
    assert any("Standard_D2ds_v5 is smaller than the primary's Standard_D4ds_v5" in m for m in found)
    assert any("128 GB storage is below the primary's 256 GB" in m for m in found)
    small_cache = violations("dr-replica-size", [group("ukwest"), dr_cache(capacity=1), link(), peer()])
    assert "capacity 1 is below the primary's 2" in small_cache[0]


def test_dr_peer_links() -> None:
    assert violations("dr-peer-links", [group("ukwest"), pg_replica(), dr_cache(), link(), peer()]) == []
    wrong_source = pg_replica(
        sourceServerResourceId=f"{SUB}/rg-x/providers/Microsoft.DBforPostgreSQL/flexibleServers/old"
    )
    assert (
        "not a generation of the peer's server"
        in violations("dr-peer-links", [group("ukwest"), wrong_source, peer()])[0]
    )
    # Settled (createMode Update, the state a pair lives in): judged all the same.
    settled_elsewhere = pg_replica(
        createMode="Update", sourceServerResourceId=wrong_source.inputs["sourceServerResourceId"]
    )
    assert violations("dr-peer-links", [group("ukwest"), settled_elsewhere, peer()])
    # A switchover-made replica still declares the earlier generation it was created from: not a violation.
    earlier = pg_replica(createMode="Update", sourceServerResourceId=PRIMARY_PG_ID.replace("psql-uks-1", "psql-uks-0"))
    assert (
        violations(
            "dr-peer-links", [group("ukwest"), earlier, peer(postgres_server_id=PRIMARY_PG_ID.replace("-1", "-2"))]
        )
        == []
    )
    unlinked = violations("dr-peer-links", [group("ukwest"), dr_cache(), peer()])
    assert "no link from the peer's cache redis-uks" in unlinked[0]
    assert "no link" in violations("dr-peer-links", [group("ukwest"), dr_cache(), link("someone-else"), peer()])[0]
    # a cache a forced promotion unlinked (no geo-secondary tag) waits for the rebuild: not a violation
    unlinked_on_purpose = make_resource(REDIS, {**dr_cache().inputs, "tags": {TAG: "redis-geo-replication"}}, name="c")
    assert violations("dr-peer-links", [group("ukwest"), unlinked_on_purpose, peer()]) == []
    unrelated = make_resource(REDIS, dr_cache().inputs, name="other-cache")
    to_other = violations("dr-peer-links", [group("ukwest"), dr_cache(), link(cache=unrelated), peer()])
    assert "no link" in to_other[0]


def test_acr_workload_regions() -> None:
    origin = res(ORIGIN, {"originGroupName": "regions"}, "origin")
    replica = res(REPLICATION, {"location": "ukwest"}, "replication", protect=False)
    assert violations("acr-workload-regions", [group("ukwest"), origin, replica, peer()]) == []
    found = violations("acr-workload-regions", [group("ukwest"), origin, peer()])
    assert found and "no replica there" in found[0]
    owner = [group("uksouth"), origin, res(REGISTRY, {"location": "uksouth", "sku": {"name": "Premium"}}, "cr")]
    assert violations("acr-workload-regions", owner) == []


def test_stateful_protected() -> None:
    replica = pg_replica()
    assert violations("stateful-protected", [group("ukwest"), replica, lock(replica)]) == []
    unprotected = make_resource(PG, replica.inputs, name="replica", protect=False)
    found = violations("stateful-protected", [group("ukwest"), unprotected, lock(unprotected)])
    assert len(found) == 1 and "is not protected" in found[0]
    unlocked = violations("stateful-protected", [group("ukwest"), replica])
    assert "no CanNotDelete management lock" in unlocked[0]
    other = make_resource(PG, replica.inputs, name="other", protect=True)
    locked_elsewhere = violations("stateful-protected", [group("ukwest"), replica, other, lock(other)])
    assert len(locked_elsewhere) == 1 and locked_elsewhere[0].endswith("replica has no CanNotDelete management lock")
    waived = {"stateful-protected": {"require_locks": False}}
    assert violations("stateful-protected", [group("ukwest"), replica], waived) == []
    # removal_policy destroy: still flagged, naming the cause, until a throw-away environment's config waives it.
    assert "removal_policy destroy" in found[0]
    assert violations("stateful-protected", [group("ukwest"), unprotected, lock(unprotected)], waived) == found
    throwaway = {"stateful-protected": {"require_protect": False, "require_locks": False}}
    assert violations("stateful-protected", [group("ukwest"), unprotected], throwaway) == []


def test_stack_rule_exemption_is_reported() -> None:
    """A mandatory stack rule is exempted by the policy config (reason, expiry), and reported as exempt; a tag on
    the resource does not exempt it."""
    replica = pg_replica(
        tags={
            "azure-dr:policy-exempt": "stateful-protected",
            "azure-dr:policy-exempt-reason": "scratch copy for a drill",
        }
    )
    tagged = analyze([group("ukwest"), replica])
    assert "cannot exempt a mandatory rule" in tagged.violations("stateful-protected")[0].message
    expires = (today() + timedelta(days=7)).isoformat()
    exemption = {"stack": "primary", "resource": "replica", "reason": "scratch copy for a drill", "expires": expires}
    found = analyze([group("ukwest"), replica], config={"stateful-protected": {"exemptions": [exemption]}})
    assert found.violations("stateful-protected") == []
    assert any("scratch copy for a drill" in reason for reason in found.skipped("stateful-protected"))
