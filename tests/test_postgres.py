"""PostgreSQL: an Entra-only, geo-backed-up, zone-redundant primary and its DR read replica."""

from __future__ import annotations

from azure_dr.cli.engine.recording import StackPlan
from tests.conftest import plan, plan_one
from tests.helpers import with_block

SERVER = "azure-native:dbforpostgresql:Server"
ADMIN = "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra"


def test_primary_server_settings(primary: StackPlan) -> None:
    server = primary.one(SERVER).inputs
    assert server["createMode"] == "Update"  # the shipped stack describes a live server (state: primary)
    assert "sourceServerResourceId" not in server
    assert server["location"] == "uksouth"
    assert server["backup"] == {"backupRetentionDays": 30, "geoRedundantBackup": "Enabled"}
    assert server["highAvailability"]["mode"] == "ZoneRedundant"
    assert server["authConfig"]["activeDirectoryAuth"] == "Enabled"
    assert server["authConfig"]["passwordAuth"] == "Disabled"
    assert "administratorLogin" not in server and "administratorLoginPassword" not in server
    assert server["network"]["publicNetworkAccess"] == "Disabled"
    assert server["storage"]["autoGrow"] == "Enabled"


def test_primary_has_the_configured_entra_admin(primary: StackPlan) -> None:
    admin = primary.one(ADMIN).inputs
    server = primary.one(SERVER)
    assert admin["objectId"] == "3f2a9c1e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
    assert admin["principalType"] == "Group"
    assert admin["serverName"] == server.outputs["name"]
    assert admin["tenantId"] == server.inputs["authConfig"]["tenantId"]


def test_dr_replica_points_at_the_primary_server_id(primary: StackPlan, dr: StackPlan) -> None:
    replica = dr.one(SERVER).inputs
    primary_server = primary.one(SERVER)
    assert replica["createMode"] == "Update"  # a live replica: a later PUT never asks for a new replica
    assert replica["sourceServerResourceId"] == primary_server.id
    assert replica["sourceServerResourceId"] == primary.outputs["postgres_server_id"]
    assert replica["location"] == "ukwest"
    # Learn "Read replicas": a replica inherits auth, admins and version and has no HA or geo-backup; the spec's
    # replica-create example sends only location, identity, createMode and the source.
    assert not {"backup", "highAvailability", "authConfig", "version"} & set(replica)
    assert replica["sku"] == primary_server.inputs["sku"]
    assert dr.of_type(ADMIN) == []


def test_a_new_replica_is_created_as_one() -> None:
    dr = plan({"dr": with_block("dr", "postgres", state="new")})["dr"]
    assert dr.one(SERVER).inputs["createMode"] == "Replica"


def test_replica_source_is_pinned_by_name_not_by_the_peers_current_export() -> None:
    """A rebuild of the peer (a new generation) must not move a live replica's source (a replacement)."""
    plans = plan({"primary": with_block("primary", "postgres", generation=7)}, ["primary"])
    dr = plan_one("dr", peer_outputs={"primary": plans["primary"].outputs})
    assert dr.one(SERVER).inputs["sourceServerResourceId"].endswith("/flexibleServers/psql-qlp-prod-uks-1")


def test_zone_drift_after_ha_failover_is_ignored(primary: StackPlan) -> None:
    server = primary.one(SERVER)
    assert {"availabilityZone", "highAvailability.standbyAvailabilityZone"} <= set(server.ignore_changes)
    # What Azure reports after a promotion (no source, a new role) never turns into a replacement.
    assert {"sourceServerResourceId", "replicationRole", "pointInTimeUTC"} <= set(server.ignore_changes)


def test_ha_is_disabled_in_a_region_without_zones() -> None:
    plans = plan(
        {
            "primary": {
                "azure-native:location": "westus",
                "azure-dr:region": "westus",
                "azure-dr:peer_region": "eastus",
                "azure-dr:storage": '{"sku": "Standard_RAGRS"}',
            }
        },
        ["primary"],
    )
    assert plans["primary"].error is None
    assert plans["primary"].one(SERVER).inputs["highAvailability"]["mode"] == "Disabled"


def test_retention_follows_config() -> None:
    server = plan({"primary": with_block("primary", "postgres", backup_retention_days=35)}, ["primary"])["primary"].one(
        SERVER
    )
    assert server.inputs["backup"]["backupRetentionDays"] == 35
