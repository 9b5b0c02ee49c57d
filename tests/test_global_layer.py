"""The global layer: Cosmos, Front Door / Traffic Manager, ACR and Redis, and which stack owns each part."""

from __future__ import annotations

import json

from azure_dr.cli.engine.recording import StackPlan
from tests.conftest import plan

COSMOS = "azure-native:cosmosdb:DatabaseAccount"
ORIGIN = "azure-native:cdn:AFDOrigin"
GROUP = "azure-native:cdn:AFDOriginGroup"
REGISTRY = "azure-native:containerregistry:Registry"
REPLICATION = "azure-native:containerregistry:Replication"
REDIS = "azure-native:redis:Redis"
LINK = "azure-native:redis:LinkedServer"


def test_cosmos_account_spans_both_regions_with_the_active_one_writing(primary: StackPlan, dr: StackPlan) -> None:
    account = primary.one(COSMOS).inputs
    assert account["locations"] == [
        {"locationName": "uksouth", "failoverPriority": 0, "isZoneRedundant": True},
        {"locationName": "ukwest", "failoverPriority": 1, "isZoneRedundant": False},
    ]
    assert account["enableAutomaticFailover"] is True
    assert account["enableMultipleWriteLocations"] is False
    assert account["backupPolicy"] == {"type": "Continuous", "continuousModeProperties": {"tier": "Continuous30Days"}}
    assert account["disableLocalAuth"] is True
    assert account["disableKeyBasedMetadataWriteAccess"] is True
    assert account["publicNetworkAccess"] == "Disabled"
    assert dr.of_type(COSMOS) == []
    assert primary.outputs["cosmos_endpoint"] == "https://cosmos-qlp-prod.documents.azure.com:443/"


def test_cosmos_databases_and_containers_are_protected(primary: StackPlan) -> None:
    containers = primary.of_type("azure-native:cosmosdb:SqlResourceSqlContainer")
    assert {c.inputs["containerName"] for c in containers} == {"documents", "audit"}
    assert all(c.protect for c in containers)
    assert containers[0].inputs["resource"]["partitionKey"] == {"paths": ["/tenantId"], "kind": "Hash"}
    assert primary.one("azure-native:cosmosdb:SqlResourceSqlDatabase").protect


def test_cosmos_api_choice() -> None:
    mongo = plan(
        {
            "primary": {
                "azure-dr:cosmos": json.dumps(
                    {
                        "api": "MongoDB",
                        "databases": [
                            {"name": "amicis", "containers": [{"name": "orders", "partition_key": "/customerId"}]}
                        ],
                    }
                )
            }
        },
        ["primary"],
    )["primary"]
    account = mongo.one(COSMOS).inputs
    assert account["kind"] == "MongoDB"
    assert account["apiProperties"] == {"serverVersion": "7.0"}
    assert account["disableLocalAuth"] is False  # no Entra data-plane auth for MongoDB (RU)
    collection = mongo.one("azure-native:cosmosdb:MongoDBResourceMongoDBCollection").inputs
    assert collection["resource"]["shardKey"] == {"customerId": "Hash"}
    gremlin = plan(
        {
            "primary": {
                "azure-dr:cosmos": '{"api": "Gremlin", "databases": [{"name": "g", "containers": [{"name": "kg"}]}]}'
            }
        },
        ["primary"],
    )["primary"]
    assert gremlin.one(COSMOS).inputs["capabilities"] == [{"name": "EnableGremlin"}]
    assert gremlin.one("azure-native:cosmosdb:GremlinResourceGremlinGraph").inputs["graphName"] == "kg"


def test_front_door_one_group_one_origin_per_region(primary: StackPlan, dr: StackPlan) -> None:
    group = primary.one(GROUP)
    assert group.inputs["healthProbeSettings"] == {
        "probePath": "/healthz",
        "probeProtocol": "Https",
        "probeRequestType": "HEAD",
        "probeIntervalInSeconds": 30,
    }
    assert dr.of_type(GROUP) == [] and dr.of_type("azure-native:cdn:Profile") == []
    own, peer = primary.one(ORIGIN).inputs, dr.one(ORIGIN).inputs
    assert (own["priority"], peer["priority"]) == (1, 2)
    # routing.origin=cluster: each origin is its region's ingress address (the static IP's DNS name).
    assert own["hostName"] == primary.outputs["ingress_fqdn"] == "qlp-prod-uks-ingress.uksouth.cloudapp.azure.com"
    assert peer["hostName"] == dr.outputs["ingress_fqdn"] == "qlp-prod-ukw-ingress.ukwest.cloudapp.azure.com"
    for origin in (own, peer):
        assert origin["originGroupName"] == group.outputs["name"]
        assert origin["profileName"] == primary.outputs["frontdoor_profile_name"]
        assert origin["resourceGroupName"] == primary.outputs["global_resource_group_name"] == "rg-qlp-prod-global"
    route = primary.one("azure-native:cdn:Route")
    assert route.inputs["originGroup"]["id"] == group.id == primary.outputs["origin_group_id"]
    origin = primary.one(ORIGIN)
    assert origin.urn in route.dependencies or origin.parent in route.dependencies


def test_probe_settings_from_config() -> None:
    routing = {
        "kind": "frontdoor",
        "origin_host": "app.example.com",
        "probe": {"path": "/ready", "protocol": "Http", "interval_seconds": 60},
    }
    p = plan({"primary": {"azure-dr:routing": json.dumps(routing)}}, ["primary"])["primary"]
    probe = p.one(GROUP).inputs["healthProbeSettings"]
    assert (probe["probePath"], probe["probeProtocol"], probe["probeIntervalInSeconds"]) == ("/ready", "Http", 60)


def test_traffic_manager_instead_of_front_door() -> None:
    routing = json.dumps({"kind": "trafficmanager", "origin_host": "app-uks.example.com"})
    routing_dr = json.dumps({"kind": "trafficmanager", "origin_host": "app-ukw.example.com"})
    plans = plan({"primary": {"azure-dr:routing": routing}, "dr": {"azure-dr:routing": routing_dr}})
    profile = plans["primary"].one("azure-native:trafficmanager:Profile").inputs
    assert profile["trafficRoutingMethod"] == "Priority"
    assert profile["monitorConfig"]["path"] == "/healthz"
    ends = {s: plans[s].one("azure-native:trafficmanager:Endpoint").inputs for s in ("primary", "dr")}
    assert (ends["primary"]["priority"], ends["dr"]["priority"]) == (1, 2)
    assert ends["dr"]["profileName"] == profile["profileName"]
    assert ends["dr"]["endpointType"] == "ExternalEndpoints"
    assert plans["primary"].of_type(ORIGIN) == []


def test_registry_premium_with_a_replication_in_the_dr_region(primary: StackPlan, dr: StackPlan) -> None:
    registry = primary.one(REGISTRY).inputs
    assert registry["sku"]["name"] == "Premium"
    assert registry["zoneRedundancy"] == "Enabled"
    assert registry["adminUserEnabled"] is False and registry["anonymousPullEnabled"] is False
    assert registry["publicNetworkAccess"] == "Disabled"
    assert registry["policies"]["retentionPolicy"] == {"days": 30, "status": "enabled"}
    assert registry["policies"]["softDeletePolicy"]["status"] == "disabled"
    replication = dr.one(REPLICATION).inputs
    assert replication["registryName"] == primary.outputs["registry_name"] == registry["registryName"]
    assert replication["resourceGroupName"] == primary.outputs["global_resource_group_name"]
    assert replication["location"] == "ukwest"
    assert replication["zoneRedundancy"] == "Disabled"  # UK West has no zones
    assert dr.of_type(REGISTRY) == [] and primary.of_type(REPLICATION) == []


def test_a_premium_cache_per_region_linked_by_the_standby(primary: StackPlan, dr: StackPlan) -> None:
    for stack in (primary, dr):
        cache = stack.one(REDIS).inputs
        assert cache["sku"] == {"name": "Premium", "family": "P", "capacity": 1}
        assert cache["minimumTlsVersion"] == "1.2"
        assert cache["enableNonSslPort"] is False
        assert cache["publicNetworkAccess"] == "Disabled"
        assert cache["redisConfiguration"]["rdbBackupEnabled"] == "false"
    assert primary.one(REDIS).inputs["zonalAllocationPolicy"] == "Automatic"
    assert dr.one(REDIS).inputs["zonalAllocationPolicy"] == "NoZones"
    link = dr.one(LINK).inputs
    assert link["name"] == primary.outputs["redis_cache_name"]
    assert link["resourceGroupName"] == primary.outputs["resource_group_name"]
    assert link["linkedRedisCacheId"] == dr.one(REDIS).id
    assert (link["linkedRedisCacheLocation"], link["serverRole"]) == ("ukwest", "Secondary")
    assert primary.of_type(LINK) == []


def test_persistence_instead_of_geo_replication() -> None:
    redis = '{"dr_mechanism": "persistence", "persistence": {"frequency_minutes": 15, "max_snapshots": 2}}'
    p = plan({"primary": {"azure-dr:redis": redis}, "dr": {"azure-dr:redis": redis}})
    for stack in p.values():
        config = stack.one(REDIS).inputs["redisConfiguration"]
        assert (config["rdbBackupEnabled"], config["rdbBackupFrequency"], config["rdbBackupMaxSnapshotCount"]) == (
            "true",
            "15",
            "2",
        )
        assert config["preferredDataPersistenceAuthMethod"] == "ManagedIdentity"
        assert config["rdbStorageConnectionString"] == (
            f"BlobEndpoint={stack.one('azure-native:storage:StorageAccount').outputs['primaryEndpoints']['blob']};"
        )
        assert "AccountKey" not in config["rdbStorageConnectionString"]
        [role] = [
            r.inputs
            for r in stack.of_type("azure-native:authorization:RoleAssignment")
            if r.name.endswith("-rdb-writer")
        ]
        assert role["scope"] == stack.one("azure-native:storage:StorageAccount").id
        assert stack.of_type(LINK) == []
