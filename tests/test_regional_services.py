"""Foundation, Key Vault and geo-redundant storage: what each region holds."""

from __future__ import annotations

from azure_dr.cli.engine.recording import StackPlan
from tests.conftest import plan

VAULT = "azure-native:keyvault:Vault"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOB = "azure-native:storage:BlobServiceProperties"
WORKSPACE = "azure-native:operationalinsights:Workspace"
DIAG = "azure-native:monitor:DiagnosticSetting"


def test_foundation_per_region(primary: StackPlan, dr: StackPlan) -> None:
    for stack, region, short in ((primary, "uksouth", "uks"), (dr, "ukwest", "ukw")):
        (group,) = [g for g in stack.of_type("azure-native:resources:ResourceGroup") if "foundation" in g.name]
        assert group.inputs == {**group.inputs, "location": region, "resourceGroupName": f"rg-qlp-prod-{short}"}
        workspace = stack.one(WORKSPACE).inputs
        assert workspace["retentionInDays"] == 90
        assert workspace["features"]["disableLocalAuth"] is True
        identities = stack.of_type("azure-native:managedidentity:UserAssignedIdentity")
        assert {i.inputs["location"] for i in identities} == {region}


def test_workspace_retention_from_config() -> None:
    p = plan({"primary": {"azure-dr:monitoring": '{"log_retention_days": 365}'}}, ["primary"])["primary"]
    assert p.one(WORKSPACE).inputs["retentionInDays"] == 365


def test_key_vault_is_recoverable_and_private(primary: StackPlan) -> None:
    props = primary.one(VAULT).inputs["properties"]
    assert props["enableSoftDelete"] is True
    assert props["softDeleteRetentionInDays"] == 90
    assert props["enablePurgeProtection"] is True
    assert props["enableRbacAuthorization"] is True
    assert props["publicNetworkAccess"] == "disabled"
    assert props["networkAcls"]["defaultAction"] == "Deny"
    assert "accessPolicies" not in props


def test_storage_account_is_geo_redundant_and_locked_down(primary: StackPlan, dr: StackPlan) -> None:
    account = primary.one(ACCOUNT).inputs
    assert account["sku"]["name"] == "Standard_RAGZRS"
    assert dr.one(ACCOUNT).inputs["sku"]["name"] == "Standard_RAGRS"  # UK West has no zones
    assert account["kind"] == "StorageV2"
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["allowBlobPublicAccess"] is False
    assert account["allowSharedKeyAccess"] is False
    assert account["enableHttpsTrafficOnly"] is True
    assert account["publicNetworkAccess"] == "Disabled"
    assert account["networkRuleSet"]["defaultAction"] == "Deny"


def test_blob_recovery_features(primary: StackPlan) -> None:
    blob = primary.one(BLOB).inputs
    assert blob["isVersioningEnabled"] is True
    assert blob["deleteRetentionPolicy"] == {"enabled": True, "days": 365, "allowPermanentDelete": False}
    assert blob["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 365}
    assert blob["restorePolicy"]["enabled"] is True
    assert 0 < blob["restorePolicy"]["days"] < blob["deleteRetentionPolicy"]["days"]
    assert blob["changeFeed"]["enabled"] is True


def test_every_data_service_sends_diagnostics_to_its_region_workspace(primary: StackPlan) -> None:
    workspace_id = primary.one(WORKSPACE).id
    targets = {r.inputs["resourceUri"] for r in primary.of_type(DIAG)}
    assert {r.inputs["workspaceId"] for r in primary.of_type(DIAG)} == {workspace_id}
    assert primary.one(VAULT).id in targets
    assert primary.one("azure-native:dbforpostgresql:Server").id in targets
    assert primary.one(BLOB).id in targets


def test_private_endpoint_when_configured() -> None:
    subnet = "/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/data"
    zone = (
        "/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/privateDnsZones/"
        "privatelink.vaultcore.azure.net"
    )
    p = plan(
        {
            "primary": {
                "azure-dr:keyvault": f'{{"private_endpoint": {{"subnet_id": "{subnet}", '
                f'"private_dns_zone_id": "{zone}"}}}}',
                "azure-dr:network": "",  # without a network, the endpoint the config names (a landing zone's)
            }
        },
        ["primary"],
    )["primary"]
    endpoint = p.one("azure-native:network:PrivateEndpoint").inputs
    connection = endpoint["privateLinkServiceConnections"][0]
    assert endpoint["subnet"]["id"] == subnet
    assert connection["privateLinkServiceId"] == p.one(VAULT).id
    assert connection["groupIds"] == ["vault"]
    dns = p.one("azure-native:network:PrivateDnsZoneGroup").inputs
    assert dns["privateDnsZoneConfigs"][0]["privateDnsZoneId"] == zone
