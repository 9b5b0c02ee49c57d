"""Every resource rule of the azure-dr pack, judged through the real pack process (the ``drctl check`` path).

Each resource type has one fully compliant baseline; each case changes it (``edits``: dotted camelCase path ->
new value, or ``DROP`` to remove the key) and says whether the named rule must report it.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel

from azure_dr.components.facts.exemptions import exempt_tag, reason_tag, today
from tests.policy_harness import UNKNOWN_STRING, Analysis, make_resource, pack_policies
from tests.policy_harness import analyze as analyze_stack

# isort: split
# drpolicy (policies/) is on sys.path once tests.policy_harness is imported.
from drpolicy import resource as resource_rules
from drpolicy.catalogue import rules
from drpolicy.framework import ResourceRule

PG = "azure-native:dbforpostgresql:Server"
COSMOS = "azure-native:cosmosdb:DatabaseAccount"
STORAGE = "azure-native:storage:StorageAccount"
BLOB = "azure-native:storage:BlobServiceProperties"
ACR = "azure-native:containerregistry:Registry"
ACR_REPLICA = "azure-native:containerregistry:Replication"
REDIS = "azure-native:redis:Redis"
KV = "azure-native:keyvault:Vault"
AFD_GROUP = "azure-native:cdn:AFDOriginGroup"
TM = "azure-native:trafficmanager:Profile"
WORKSPACE = "azure-native:operationalinsights:Workspace"
BACKUP_VAULT = "azure-native:dataprotection:BackupVault"
BACKUP_POLICY = "azure-native:dataprotection:BackupPolicy"
AKS = "azure-native:containerservice:ManagedCluster"
SUBNET = "azure-native:network:Subnet"
VNET = "azure-native:network:VirtualNetwork"
NSG = "azure-native:network:NetworkSecurityGroup"
ACTION_GROUP = "azure-native:monitor:ActionGroup"

TAGS = {"workload": "qlp", "environment": "prod"}

#: A compliant resource per type, in the shape the components (or the SDK, for types still being added) produce.
BASELINES: dict[str, dict[str, Any]] = {
    ACTION_GROUP: {
        "groupShortName": "dr-qlp-uks",
        "enabled": True,
        "emailReceivers": [{"name": "dr-oncall", "emailAddress": "dr-oncall@example.com"}],
    },
    PG: {
        "location": "uksouth",
        "tags": TAGS,
        "createMode": "Create",
        "version": "16",
        "availabilityZone": "",
        "sku": {"tier": "GeneralPurpose", "name": "Standard_D4ds_v5"},
        "backup": {"backupRetentionDays": 30.0, "geoRedundantBackup": "Enabled"},
        "highAvailability": {"mode": "ZoneRedundant", "standbyAvailabilityZone": ""},
        "network": {"publicNetworkAccess": "Disabled"},
        "authConfig": {"activeDirectoryAuth": "Enabled", "passwordAuth": "Disabled", "tenantId": "t"},
        "storage": {"storageSizeGB": 256.0, "autoGrow": "Enabled"},
    },
    COSMOS: {
        "location": "uksouth",
        "tags": TAGS,
        "kind": "GlobalDocumentDB",
        "createMode": "Default",
        "databaseAccountOfferType": "Standard",
        "locations": [
            {"locationName": "uksouth", "failoverPriority": 0.0, "isZoneRedundant": True},
            {"locationName": "ukwest", "failoverPriority": 1.0, "isZoneRedundant": False},  # UK West has no zones
        ],
        "enableAutomaticFailover": True,
        "backupPolicy": {"type": "Continuous", "continuousModeProperties": {"tier": "Continuous7Days"}},
        "disableLocalAuth": True,
        "disableKeyBasedMetadataWriteAccess": True,
        "publicNetworkAccess": "Disabled",
    },
    STORAGE: {
        "location": "uksouth",
        "tags": TAGS,
        "kind": "StorageV2",
        "sku": {"name": "Standard_RAGZRS"},
        "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False,
        "allowSharedKeyAccess": False,
        "enableHttpsTrafficOnly": True,
        "publicNetworkAccess": "Disabled",
        "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"},
    },
    BLOB: {
        "accountName": "stqlpproduks",
        "blobServicesName": "default",
        "isVersioningEnabled": True,
        "deleteRetentionPolicy": {"enabled": True, "allowPermanentDelete": False, "days": 365.0},
        "containerDeleteRetentionPolicy": {"enabled": True, "days": 365.0},
        "changeFeed": {"enabled": True, "retentionInDays": 365.0},
    },
    ACR: {
        "location": "uksouth",
        "tags": TAGS,
        "sku": {"name": "Premium"},
        "zoneRedundancy": "Enabled",
        "policies": {"retentionPolicy": {"status": "enabled", "days": 7.0}},
        "adminUserEnabled": False,
        "anonymousPullEnabled": False,
        "publicNetworkAccess": "Disabled",
        "networkRuleBypassOptions": "AzureServices",
    },
    ACR_REPLICA: {
        "location": "westeurope",
        "registryName": "crqlpprod",
        "zoneRedundancy": "Enabled",
        "regionEndpointEnabled": True,
    },
    REDIS: {
        "location": "uksouth",
        "tags": TAGS,
        "sku": {"name": "Premium", "family": "P", "capacity": 1.0},
        "minimumTlsVersion": "1.2",
        "enableNonSslPort": False,
        "publicNetworkAccess": "Disabled",
        "disableAccessKeyAuthentication": True,
        "zonalAllocationPolicy": "Automatic",
    },
    KV: {
        "location": "uksouth",
        "tags": TAGS,
        "properties": {
            "tenantId": "t",
            "sku": {"family": "A", "name": "standard"},
            "enableSoftDelete": True,
            "softDeleteRetentionInDays": 90.0,
            "enablePurgeProtection": True,
            "enableRbacAuthorization": True,
            "publicNetworkAccess": "disabled",
            "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
        },
    },
    AFD_GROUP: {
        "profileName": "afd-qlp-prod",
        "healthProbeSettings": {
            "probePath": "/healthz",
            "probeProtocol": "Https",
            "probeRequestType": "GET",
            "probeIntervalInSeconds": 30.0,
        },
        "loadBalancingSettings": {"sampleSize": 4.0, "successfulSamplesRequired": 3.0},
    },
    TM: {
        "location": "global",
        "trafficRoutingMethod": "Priority",
        "monitorConfig": {"protocol": "HTTPS", "port": 443.0, "path": "/healthz"},
    },
    WORKSPACE: {
        "location": "uksouth",
        "tags": TAGS,
        "sku": {"name": "PerGB2018"},
        "retentionInDays": 90.0,
    },
    BACKUP_VAULT: {
        "location": "uksouth",
        "tags": TAGS,
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "storageSettings": [{"datastoreType": "VaultStore", "type": "GeoRedundant"}],
            "featureSettings": {"crossRegionRestoreSettings": {"state": "Enabled"}},
            "securitySettings": {
                "softDeleteSettings": {"state": "On", "retentionDurationInDays": 14.0},
                "immutabilitySettings": {"state": "Unlocked"},
            },
        },
    },
    BACKUP_POLICY: {
        "vaultName": "bvault-qlp-prod-uks",
        "properties": {
            "objectType": "BackupPolicy",
            "datasourceTypes": ["Microsoft.DBforPostgreSQL/flexibleServers"],
            "policyRules": [
                {"name": "BackupWeekly", "objectType": "AzureBackupRule"},
                {
                    "name": "Default",
                    "objectType": "AzureRetentionRule",
                    "isDefault": True,
                    "lifecycles": [{"deleteAfter": {"duration": "P7Y", "objectType": "AbsoluteDeleteOption"}}],
                },
            ],
        },
    },
    AKS: {
        "location": "uksouth",
        "tags": TAGS,
        "agentPoolProfiles": [
            {"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "availabilityZones": ["1", "2", "3"]}
        ],
        "enableRBAC": True,
        "aadProfile": {"managed": True, "enableAzureRBAC": True, "adminGroupObjectIDs": ["g"]},
        "disableLocalAccounts": True,
        "autoUpgradeProfile": {"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"},
        "oidcIssuerProfile": {"enabled": True},
        "securityProfile": {"workloadIdentity": {"enabled": True}},
    },
    SUBNET: {"subnetName": "snet-aks", "addressPrefix": "10.10.0.0/17", "networkSecurityGroup": {"id": "nsg-id"}},
    VNET: {
        "location": "uksouth",
        "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
        "subnets": [{"name": "inline", "addressPrefix": "10.10.0.0/24", "networkSecurityGroup": {"id": "nsg-id"}}],
    },
    NSG: {
        "location": "uksouth",
        "securityRules": [
            {
                "name": "allow-vnet-inbound",
                "priority": 100.0,
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "*",
                "sourceAddressPrefix": "VirtualNetwork",
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRange": "*",
            },
            {
                "name": "deny-all-inbound",
                "priority": 4096.0,
                "direction": "Inbound",
                "access": "Deny",
                "protocol": "*",
                "sourceAddressPrefix": "*",
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRange": "*",
            },
        ],
    },
}

DROP = object()
MANDATORY, ADVISORY = "mandatory", "advisory"


def edited(props: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``props`` with each dotted path (list indexes allowed) set to its value, or removed."""
    result = copy.deepcopy(props)
    for path, value in edits.items():
        *parents, last = path.split(".")
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        key: Any = int(last) if isinstance(node, list) else last
        if value is DROP:
            node.pop(key, None)
        else:
            node[key] = value
    return result


@dataclass(frozen=True)
class Case:
    rule: str
    type_: str
    edits: dict[str, Any] = field(default_factory=dict)
    violates: bool = True
    level: str = MANDATORY
    mentions: str = ""  # the property the message must name

    @property
    def id(self) -> str:
        what = ",".join(f"{k}={'DROP' if v is DROP else v}" for k, v in self.edits.items()) or "baseline"
        return f"{self.rule}:{'fail' if self.violates else 'pass'}:{what}"


def fail(rule: str, type_: str, edits: dict[str, Any], mentions: str, level: str = MANDATORY) -> Case:
    return Case(rule, type_, edits, True, level, mentions)


def ok(rule: str, type_: str, edits: dict[str, Any]) -> Case:
    return Case(rule, type_, edits, False)


CASES: list[Case] = [
    # Alerts
    fail("alert-receivers", ACTION_GROUP, {"emailReceivers": []}, "no receiver"),
    ok(
        "alert-receivers",
        ACTION_GROUP,
        {"emailReceivers": [], "webhookReceivers": [{"name": "w", "serviceUri": "https://x"}]},
    ),
    # PostgreSQL
    ok("pg-geo-backup", PG, {"backup": DROP, "highAvailability": DROP, "tags.azure-dr:postgres-replica": "true"}),
    ok("pg-zone-redundant-ha", PG, {"highAvailability": DROP, "tags.azure-dr:postgres-replica": "true"}),
    fail("pg-geo-backup", PG, {"backup.geoRedundantBackup": "Disabled"}, "backup.geoRedundantBackup"),
    fail("pg-geo-backup", PG, {"backup.geoRedundantBackup": DROP}, "backup.geoRedundantBackup"),
    ok("pg-geo-backup", PG, {"createMode": "Replica", "backup.geoRedundantBackup": "Disabled"}),
    fail("pg-backup-retention", PG, {"backup.backupRetentionDays": 7.0}, "backup.backupRetentionDays"),
    fail("pg-backup-retention", PG, {"backup.backupRetentionDays": DROP}, "backup.backupRetentionDays"),
    ok("pg-backup-retention", PG, {"backup.backupRetentionDays": 35.0}),
    fail("pg-zone-redundant-ha", PG, {"highAvailability.mode": "SameZone"}, "highAvailability.mode"),
    fail("pg-zone-redundant-ha", PG, {"highAvailability": DROP}, "highAvailability.mode"),
    ok("pg-zone-redundant-ha", PG, {"createMode": "Replica", "highAvailability": DROP}),
    fail(
        "pg-zone-redundant-ha",
        PG,
        {
            "sourceServerResourceId": "/subscriptions/s/resourceGroups/r/providers/x/flexibleServers/a",
            "highAvailability.mode": "Disabled",
        },
        "highAvailability.mode",
    ),  # a promoted replica in a zoned region declares its own HA and is judged
    ok("pg-entra-only", PG, {"sourceServerResourceId": "/s/flexibleServers/a", "authConfig": DROP}),
    ok("pg-backup-retention", PG, {"sourceServerResourceId": "/s/flexibleServers/a", "backup": DROP}),
    ok("pg-zone-redundant-ha", PG, {"location": "ukwest", "highAvailability.mode": "Disabled"}),
    ok("pg-zone-redundant-ha", PG, {"location": "westus", "highAvailability": DROP}),
    fail("pg-public-network", PG, {"network.publicNetworkAccess": "Enabled"}, "network.publicNetworkAccess"),
    fail("pg-public-network", PG, {"network": DROP}, "network.publicNetworkAccess"),
    ok("pg-public-network", PG, {"network": {"delegatedSubnetResourceId": "/subscriptions/s/subnets/snet-postgres"}}),
    # Networks
    fail("net-subnet-nsg", SUBNET, {"networkSecurityGroup": DROP}, "networkSecurityGroup"),
    fail("net-subnet-nsg", VNET, {"subnets.0.networkSecurityGroup": DROP}, "inline subnet inline"),
    ok("net-subnet-nsg", VNET, {"subnets": DROP}),
    fail("net-nsg-deny-inbound", NSG, {"securityRules.1.direction": "Outbound"}, "denies all traffic"),
    fail("net-nsg-deny-inbound", NSG, {"securityRules.1.access": "Allow"}, "allows every port from *"),
    fail(
        "net-nsg-deny-inbound",
        NSG,
        {"securityRules.0.sourceAddressPrefix": "Internet"},
        "allows every port from Internet",
    ),
    ok(
        "net-nsg-deny-inbound",
        NSG,
        {"securityRules.0.destinationPortRange": "443", "securityRules.0.sourceAddressPrefix": "Internet"},
    ),
    fail("pg-entra-only", PG, {"authConfig.passwordAuth": DROP}, "authConfig.passwordAuth"),
    fail("pg-entra-only", PG, {"authConfig.passwordAuth": "Enabled"}, "authConfig.passwordAuth"),
    fail("pg-entra-only", PG, {"authConfig.activeDirectoryAuth": "Disabled"}, "authConfig.activeDirectoryAuth"),
    # Cosmos DB
    fail("cosmos-backup", COSMOS, {"backupPolicy": DROP}, "backupPolicy"),
    fail(
        "cosmos-backup",
        COSMOS,
        {"backupPolicy": {"type": "Periodic", "periodicModeProperties": {"backupIntervalInMinutes": 60.0}}},
        "backupIntervalInMinutes",
    ),
    fail("cosmos-backup", COSMOS, {"backupPolicy": {"type": "Periodic"}}, "240 minutes"),
    ok(
        "cosmos-backup",
        COSMOS,
        {"backupPolicy": {"type": "Periodic", "periodicModeProperties": {"backupIntervalInMinutes": 15.0}}},
    ),
    fail(
        "cosmos-multi-region",
        COSMOS,
        {"locations": [{"locationName": "uksouth", "failoverPriority": 0.0, "isZoneRedundant": True}]},
        "locations",
    ),
    fail("cosmos-multi-region", COSMOS, {"enableAutomaticFailover": False}, "enableAutomaticFailover"),
    fail("cosmos-multi-region", COSMOS, {"enableAutomaticFailover": DROP}, "enableAutomaticFailover"),
    fail("cosmos-zone-redundancy", COSMOS, {"locations.0.isZoneRedundant": False}, "locations[0]"),
    fail(
        "cosmos-zone-redundancy",
        COSMOS,
        {"locations.0": {"locationName": "UK South", "failoverPriority": 0.0}},
        "isZoneRedundant",
    ),
    ok("cosmos-zone-redundancy", COSMOS, {"locations.1": {"locationName": "UK West", "failoverPriority": 1.0}}),
    fail("cosmos-local-auth", COSMOS, {"disableLocalAuth": False}, "disableLocalAuth"),
    fail("cosmos-local-auth", COSMOS, {"disableLocalAuth": DROP, "kind": DROP}, "disableLocalAuth"),
    fail(
        "cosmos-local-auth",
        COSMOS,
        {"disableLocalAuth": DROP, "capabilities": [{"name": "EnableServerless"}]},
        "disableLocalAuth",
    ),
    ok("cosmos-local-auth", COSMOS, {"disableLocalAuth": DROP, "kind": "MongoDB"}),
    ok("cosmos-local-auth", COSMOS, {"disableLocalAuth": False, "capabilities": [{"name": "EnableGremlin"}]}),
    ok("cosmos-local-auth", COSMOS, {"disableLocalAuth": DROP, "capabilities": [{"name": "EnableCassandra"}]}),
    ok("cosmos-local-auth", COSMOS, {"disableLocalAuth": DROP, "capabilities": [{"name": "EnableTable"}]}),
    fail(
        "cosmos-metadata-writes",
        COSMOS,
        {"disableKeyBasedMetadataWriteAccess": DROP},
        "disableKeyBasedMetadataWriteAccess",
        ADVISORY,
    ),
    fail("cosmos-public-network", COSMOS, {"publicNetworkAccess": "Enabled"}, "publicNetworkAccess"),
    fail("cosmos-public-network", COSMOS, {"publicNetworkAccess": DROP}, "publicNetworkAccess"),
    fail("cosmos-public-network", COSMOS, {"publicNetworkAccess": "SecuredByPerimeter"}, "publicNetworkAccess"),
    # Storage
    fail("storage-geo-redundancy", STORAGE, {"sku.name": "Standard_LRS"}, "sku.name"),
    fail("storage-geo-redundancy", STORAGE, {"sku.name": "Standard_ZRS"}, "sku.name"),
    ok("storage-geo-redundancy", STORAGE, {"sku.name": "Standard_GRS"}),
    fail("storage-versioning", BLOB, {"isVersioningEnabled": False}, "isVersioningEnabled"),
    fail("storage-versioning", BLOB, {"isVersioningEnabled": DROP}, "isVersioningEnabled"),
    fail("storage-blob-soft-delete", BLOB, {"deleteRetentionPolicy.days": 7.0}, "deleteRetentionPolicy.days"),
    fail("storage-blob-soft-delete", BLOB, {"deleteRetentionPolicy.enabled": False}, "deleteRetentionPolicy.enabled"),
    fail("storage-blob-soft-delete", BLOB, {"deleteRetentionPolicy": DROP}, "deleteRetentionPolicy.enabled"),
    ok("storage-blob-soft-delete", BLOB, {"deleteRetentionPolicy.days": 30.0}),
    fail(
        "storage-container-soft-delete",
        BLOB,
        {"containerDeleteRetentionPolicy.days": 7.0},
        "containerDeleteRetentionPolicy.days",
    ),
    fail(
        "storage-container-soft-delete",
        BLOB,
        {"containerDeleteRetentionPolicy": DROP},
        "containerDeleteRetentionPolicy.enabled",
    ),
    ok("storage-container-soft-delete", BLOB, {"containerDeleteRetentionPolicy.days": 30.0}),
    fail("storage-tls", STORAGE, {"minimumTlsVersion": "TLS1_0"}, "minimumTlsVersion"),
    fail("storage-tls", STORAGE, {"minimumTlsVersion": DROP}, "minimumTlsVersion"),
    ok("storage-tls", STORAGE, {"minimumTlsVersion": "TLS1_3"}),
    fail("storage-public-blobs", STORAGE, {"allowBlobPublicAccess": True}, "allowBlobPublicAccess"),
    ok("storage-public-blobs", STORAGE, {"allowBlobPublicAccess": DROP}),
    fail("storage-shared-key", STORAGE, {"allowSharedKeyAccess": DROP}, "allowSharedKeyAccess", ADVISORY),
    fail("storage-shared-key", STORAGE, {"allowSharedKeyAccess": True}, "allowSharedKeyAccess", ADVISORY),
    fail("storage-https-only", STORAGE, {"enableHttpsTrafficOnly": False}, "enableHttpsTrafficOnly"),
    ok("storage-https-only", STORAGE, {"enableHttpsTrafficOnly": DROP}),
    fail("storage-public-network", STORAGE, {"publicNetworkAccess": "Enabled"}, "publicNetworkAccess"),
    fail("storage-public-network", STORAGE, {"publicNetworkAccess": DROP}, "publicNetworkAccess"),
    # Container registry
    fail("acr-premium", ACR, {"sku.name": "Standard"}, "sku.name"),
    fail("acr-zone-redundancy", ACR, {"zoneRedundancy": "Disabled"}, "zoneRedundancy"),
    fail("acr-zone-redundancy", ACR, {"zoneRedundancy": DROP}, "zoneRedundancy"),
    fail("acr-zone-redundancy", ACR_REPLICA, {"zoneRedundancy": "Disabled"}, "replication"),
    ok("acr-zone-redundancy", ACR, {"location": "ukwest", "zoneRedundancy": "Disabled"}),
    ok("acr-zone-redundancy", ACR_REPLICA, {"location": "ukwest", "zoneRedundancy": DROP}),
    fail("acr-retention", ACR, {"policies.retentionPolicy.status": "disabled"}, "policies.retentionPolicy.status"),
    fail("acr-retention", ACR, {"policies": DROP}, "policies.retentionPolicy.status"),
    fail("acr-admin-user", ACR, {"adminUserEnabled": True}, "adminUserEnabled"),
    ok("acr-admin-user", ACR, {"adminUserEnabled": DROP}),
    fail("acr-anonymous-pull", ACR, {"anonymousPullEnabled": True}, "anonymousPullEnabled"),
    fail("acr-public-network", ACR, {"publicNetworkAccess": "Enabled"}, "publicNetworkAccess"),
    fail("acr-public-network", ACR, {"publicNetworkAccess": DROP}, "publicNetworkAccess"),
    # Redis
    fail("redis-premium", REDIS, {"sku": {"name": "Standard", "family": "C", "capacity": 1.0}}, "sku.name"),
    fail("redis-tls", REDIS, {"minimumTlsVersion": "1.0"}, "minimumTlsVersion"),
    fail("redis-tls", REDIS, {"minimumTlsVersion": DROP}, "minimumTlsVersion"),
    fail("redis-non-ssl-port", REDIS, {"enableNonSslPort": True}, "enableNonSslPort"),
    ok("redis-non-ssl-port", REDIS, {"enableNonSslPort": DROP}),
    fail("redis-public-network", REDIS, {"publicNetworkAccess": "Enabled"}, "publicNetworkAccess"),
    fail("redis-public-network", REDIS, {"publicNetworkAccess": DROP}, "publicNetworkAccess"),
    fail(
        "redis-access-keys",
        REDIS,
        {"disableAccessKeyAuthentication": False},
        "disableAccessKeyAuthentication",
        ADVISORY,
    ),
    fail("redis-zones", REDIS, {"zonalAllocationPolicy": DROP}, "zonalAllocationPolicy"),
    fail("redis-zones", REDIS, {"zonalAllocationPolicy": "NoZones"}, "zonalAllocationPolicy"),
    fail("redis-zones", REDIS, {"zonalAllocationPolicy": DROP, "zones": ["1"]}, "zones"),
    ok("redis-zones", REDIS, {"zonalAllocationPolicy": DROP, "zones": ["1", "2"]}),
    ok("redis-zones", REDIS, {"location": "ukwest", "zonalAllocationPolicy": DROP}),
    # Key Vault
    fail("kv-soft-delete", KV, {"properties.enableSoftDelete": False}, "properties.enableSoftDelete"),
    fail("kv-soft-delete", KV, {"properties.softDeleteRetentionInDays": 7.0}, "properties.softDeleteRetentionInDays"),
    ok("kv-soft-delete", KV, {"properties.softDeleteRetentionInDays": DROP, "properties.enableSoftDelete": DROP}),
    fail("kv-purge-protection", KV, {"properties.enablePurgeProtection": DROP}, "properties.enablePurgeProtection"),
    fail("kv-purge-protection", KV, {"properties.enablePurgeProtection": False}, "properties.enablePurgeProtection"),
    fail("kv-rbac", KV, {"properties.enableRbacAuthorization": False}, "properties.enableRbacAuthorization", ADVISORY),
    fail("kv-public-network", KV, {"properties.publicNetworkAccess": "enabled"}, "properties.publicNetworkAccess"),
    fail("kv-public-network", KV, {"properties.publicNetworkAccess": DROP}, "properties.publicNetworkAccess"),
    ok("kv-public-network", KV, {"properties.publicNetworkAccess": "Disabled"}),
    # Front Door, Traffic Manager
    fail("afd-health-probe", AFD_GROUP, {"healthProbeSettings": DROP}, "healthProbeSettings"),
    fail("afd-health-probe", AFD_GROUP, {"healthProbeSettings.probePath": DROP}, "healthProbeSettings.probePath"),
    fail(
        "afd-health-probe",
        AFD_GROUP,
        {"healthProbeSettings.probeProtocol": "NotSet"},
        "healthProbeSettings.probeProtocol",
    ),
    fail(
        "afd-health-probe", AFD_GROUP, {"healthProbeSettings.probeIntervalInSeconds": 240.0}, "probeIntervalInSeconds"
    ),
    fail("afd-health-probe", AFD_GROUP, {"healthProbeSettings.probeIntervalInSeconds": DROP}, "probeIntervalInSeconds"),
    ok("afd-health-probe", AFD_GROUP, {"healthProbeSettings.probeIntervalInSeconds": 120.0}),
    fail("tm-monitor", TM, {"trafficRoutingMethod": "Weighted"}, "trafficRoutingMethod"),
    fail("tm-monitor", TM, {"monitorConfig": DROP}, "monitorConfig"),
    fail("tm-monitor", TM, {"monitorConfig.path": DROP}, "monitorConfig.path"),
    ok("tm-monitor", TM, {"monitorConfig": {"protocol": "TCP", "port": 5432.0}}),
    # Log Analytics
    fail("la-retention", WORKSPACE, {"retentionInDays": 30.0}, "retentionInDays"),
    fail("la-retention", WORKSPACE, {"retentionInDays": DROP}, "retentionInDays"),
    ok("la-retention", WORKSPACE, {"retentionInDays": 365.0}),
    # Azure Backup (long-term retention)
    fail(
        "backup-vault-redundancy",
        BACKUP_VAULT,
        {"properties.storageSettings.0.type": "LocallyRedundant"},
        "GeoRedundant",
    ),
    fail("backup-vault-redundancy", BACKUP_VAULT, {"properties.storageSettings": DROP}, "storageSettings"),
    fail(
        "backup-vault-redundancy",
        BACKUP_VAULT,
        {"properties.featureSettings.crossRegionRestoreSettings.state": "Disabled"},
        "crossRegionRestoreSettings",
    ),
    fail(
        "backup-vault-soft-delete",
        BACKUP_VAULT,
        {"properties.securitySettings.softDeleteSettings.state": "Off"},
        "state",
    ),
    fail(
        "backup-vault-soft-delete",
        BACKUP_VAULT,
        {"properties.securitySettings.softDeleteSettings.retentionDurationInDays": 7.0},
        "retentionDurationInDays",
    ),
    ok("backup-vault-soft-delete", BACKUP_VAULT, {"properties.securitySettings.softDeleteSettings.state": "AlwaysOn"}),
    fail(
        "backup-vault-immutability",
        BACKUP_VAULT,
        {"properties.securitySettings.immutabilitySettings.state": "Disabled"},
        "immutabilitySettings",
    ),
    fail(
        "backup-vault-immutability", BACKUP_VAULT, {"properties.securitySettings.immutabilitySettings": DROP}, "unset"
    ),
    ok("backup-vault-immutability", BACKUP_VAULT, {"properties.securitySettings.immutabilitySettings.state": "Locked"}),
    fail("backup-ltr", BACKUP_POLICY, {"properties.policyRules.1.lifecycles.0.deleteAfter.duration": "P3M"}, "7 years"),
    fail("backup-ltr", BACKUP_POLICY, {"properties.policyRules.1.lifecycles": []}, "0 years"),
    ok("backup-ltr", BACKUP_POLICY, {"properties.policyRules.1.lifecycles.0.deleteAfter.duration": "P84M"}),
    ok(
        "backup-ltr",
        BACKUP_POLICY,
        {"properties.datasourceTypes": ["Microsoft.Compute/disks"], "properties.policyRules": []},
    ),
    # AKS
    fail("aks-zones", AKS, {"agentPoolProfiles.0.availabilityZones": ["1"]}, "agent pool system"),
    fail("aks-zones", AKS, {"agentPoolProfiles.0.availabilityZones": DROP}, "0 availability zone"),
    ok("aks-zones", AKS, {"location": "ukwest", "agentPoolProfiles.0.availabilityZones": DROP}),
    ok("aks-zones", AKS, {"location": "West US", "agentPoolProfiles.0.availabilityZones": DROP}),
    fail("aks-local-accounts", AKS, {"disableLocalAccounts": False}, "disableLocalAccounts"),
    fail("aks-local-accounts", AKS, {"disableLocalAccounts": DROP}, "disableLocalAccounts"),
    fail("aks-entra-rbac", AKS, {"aadProfile": DROP}, "aadProfile.managed"),
    fail("aks-entra-rbac", AKS, {"aadProfile.enableAzureRBAC": False}, "aadProfile.enableAzureRBAC"),
    fail("aks-entra-rbac", AKS, {"enableRBAC": False}, "enableRBAC"),
    ok("aks-entra-rbac", AKS, {"enableRBAC": DROP}),
    fail("aks-upgrade-channel", AKS, {"autoUpgradeProfile.upgradeChannel": "none"}, "upgradeChannel is none"),
    fail("aks-upgrade-channel", AKS, {"autoUpgradeProfile": DROP}, "upgradeChannel is unset"),
    fail("aks-upgrade-channel", AKS, {"autoUpgradeProfile.nodeOSUpgradeChannel": "Unmanaged"}, "nodeOSUpgradeChannel"),
    ok("aks-upgrade-channel", AKS, {"autoUpgradeProfile.upgradeChannel": "patch"}),
]


def resource_rules_by_id() -> dict[str, ResourceRule]:
    return {r.rule.id: r for r in rules() if isinstance(r, ResourceRule)}


def analyze(resources: list[Any], **kwargs: Any) -> Analysis:
    """The resource rules' results only: stack rules judge whole stacks (tests/test_policy_stack_rules.py)."""
    found = analyze_stack(resources, **kwargs)
    ids = set(resource_rules_by_id())
    return Analysis(
        [r for r in found.results if r.policy_name in ids], [n for n in found.not_applicable if n[1] in ids]
    )


# ------------------------------------------------------------------------------------------------------------
# Per rule: compliant -> nothing, violating -> a result at the rule's level, message prefixed with the id


@pytest.mark.parametrize("type_", sorted(BASELINES))
def test_compliant_baseline_gives_no_result_at_all(type_: str) -> None:
    found = analyze([make_resource(type_, BASELINES[type_])])
    assert found.results == [], [r.message for r in found.results]
    assert found.not_applicable == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_case(case: Case) -> None:
    found = analyze([make_resource(case.type_, edited(BASELINES[case.type_], case.edits))])
    hits = found.violations(case.rule)
    if not case.violates:
        assert hits == [], [h.message for h in hits]
        return
    assert hits, f"{case.rule} reported nothing; results: {[r.message for r in found.results]}"
    for hit in hits:
        # pulumi_policy puts the policy description on the first line; the rule's own message follows
        description, _, text = hit.message.partition("\n")
        assert description == hit.description and text.startswith(f"[{case.rule}] "), hit.message
        assert hit.enforcement_level == case.level
        assert hit.policy_pack == "azure-dr"
        assert hit.urn.endswith(f"::{case.type_}::{case.type_.rsplit(':', 1)[-1].lower()}")
    assert any(case.mentions in h.message for h in hits), [h.message for h in hits]


def test_every_resource_rule_has_a_violating_case() -> None:
    assert {c.rule for c in CASES if c.violates} == set(resource_rules_by_id())


# ------------------------------------------------------------------------------------------------------------
# Thresholds from policy config


def test_threshold_override_changes_the_outcome() -> None:
    server = make_resource(PG, BASELINES[PG])  # 30 days
    assert analyze([server]).violations("pg-backup-retention") == []
    [hit] = analyze([server], config={"pg-backup-retention": {"min_days": 35}}).violations("pg-backup-retention")
    assert "at least 35" in hit.message and hit.enforcement_level == MANDATORY
    # back to the defaults: the shared pack process is reconfigured, not left with the override
    assert analyze([server]).violations("pg-backup-retention") == []


@pytest.mark.parametrize(
    ("rule", "type_", "edits", "config"),
    [
        (
            "cosmos-backup",
            COSMOS,
            {"backupPolicy": {"type": "Periodic", "periodicModeProperties": {"backupIntervalInMinutes": 60.0}}},
            {"rpo_minutes": 60},
        ),
        ("la-retention", WORKSPACE, {"retentionInDays": 30.0}, {"min_days": 30}),
        ("kv-soft-delete", KV, {"properties.softDeleteRetentionInDays": 30.0}, {"min_days": 30}),
        ("storage-blob-soft-delete", BLOB, {"deleteRetentionPolicy.days": 7.0}, {"min_days": 7}),
        (
            "afd-health-probe",
            AFD_GROUP,
            {"healthProbeSettings.probeIntervalInSeconds": 240.0},
            {"max_interval_seconds": 255},
        ),
    ],
)
def test_relaxed_threshold_clears_a_default_violation(
    rule: str, type_: str, edits: dict[str, Any], config: dict[str, Any]
) -> None:
    res = make_resource(type_, edited(BASELINES[type_], edits))
    assert analyze([res]).violations(rule)
    assert analyze([res], config={rule: config}).violations(rule) == []


def test_threshold_defaults_come_from_the_objectives() -> None:
    schemas = {p.name: p.config_schema.get("properties", {}) for p in pack_policies()}
    resource_ids = set(resource_rules_by_id())
    assert all(props["exemptions"]["default"] == [] for props in schemas.values())  # every rule can be exempted
    defaults = {
        name: {k: v["default"] for k, v in props.items() if k != "exemptions"}
        for name, props in schemas.items()
        if len(props) > 1 and name in resource_ids
    }
    assert defaults == {
        "pg-backup-retention": {"min_days": 30},
        "cosmos-backup": {"rpo_minutes": 15},
        "storage-blob-soft-delete": {"min_days": 30},
        "storage-container-soft-delete": {"min_days": 30},
        "kv-soft-delete": {"min_days": 90},
        "la-retention": {"min_days": 90},
        "afd-health-probe": {"max_interval_seconds": 120},
        "backup-vault-soft-delete": {"min_days": 14},
        "backup-vault-immutability": {"require_locked": False},
        "backup-ltr": {"min_years": 7},
    }
    # Which way each threshold tightens, for the floors (a stack may tighten one, never loosen it).
    stricter = {
        (name, k): v.get("x-stricter") for name, props in schemas.items() for k, v in props.items() if k != "exemptions"
    }
    assert (
        stricter[("backup-ltr", "min_years")] == stricter[("backup-vault-immutability", "require_locked")] == "higher"
    )
    assert (
        stricter[("cosmos-backup", "rpo_minutes")] == stricter[("afd-health-probe", "max_interval_seconds")] == "lower"
    )
    assert None not in stricter.values(), [k for k, v in stricter.items() if v is None]


# ------------------------------------------------------------------------------------------------------------
# Exemptions


EXEMPT_TAG, EXEMPT_REASON_TAG = exempt_tag("azure-dr"), reason_tag("azure-dr")


def exempt(props: dict[str, Any], rule_ids: str, reason: str | None) -> dict[str, Any]:
    tags = {**props.get("tags", {}), EXEMPT_TAG: rule_ids}
    if reason is not None:
        tags[EXEMPT_REASON_TAG] = reason
    return {**props, "tags": tags}


def test_a_tag_exempts_an_advisory_rule_with_a_reason() -> None:
    props = edited(BASELINES[KV], {"properties.enableRbacAuthorization": False})
    vault = make_resource(KV, exempt(props, "kv-rbac", "legacy access policies until the app moves to RBAC"))
    found = analyze([vault])
    assert found.violations("kv-rbac") == []
    [reason] = found.skipped("kv-rbac")
    assert vault.urn in reason and "legacy access policies" in reason and f"[tag {EXEMPT_TAG}]" in reason


def test_a_tag_cannot_exempt_a_mandatory_rule() -> None:
    """The file under review would excuse itself: the violation stays, saying why the tag did not count."""
    props = edited(BASELINES[PG], {"backup.geoRedundantBackup": "Disabled", "backup.backupRetentionDays": 7.0})
    server = make_resource(PG, exempt(props, "pg-geo-backup", "restored copy for a migration, deleted on 2026-12-01"))
    found = analyze([server])
    [hit] = found.violations("pg-geo-backup")
    assert hit.enforcement_level == MANDATORY and "cannot exempt a mandatory rule" in hit.message
    assert found.skipped("pg-geo-backup") == []
    assert found.violations("pg-backup-retention")


def test_a_tag_can_name_several_advisory_rules() -> None:
    props = edited(BASELINES[REDIS], {"disableAccessKeyAuthentication": False})
    props = exempt(props, "redis-access-keys, redis-premium", "session cache, rebuilt on failover")
    found = analyze([make_resource(REDIS, props)])
    assert found.violations("redis-access-keys") == [] and len(found.skipped("redis-access-keys")) == 1


def test_a_tag_without_a_reason_of_some_words_still_gives_the_violation() -> None:
    props = edited(BASELINES[KV], {"properties.enableRbacAuthorization": False})
    for reason in (None, "  ", "cost"):
        found = analyze([make_resource(KV, exempt(props, "kv-rbac", reason))])
        [hit] = found.violations("kv-rbac")
        assert EXEMPT_REASON_TAG in hit.message and "at least 3" in hit.message
        assert found.skipped("kv-rbac") == []


def test_exemption_of_a_compliant_resource_reports_nothing() -> None:
    found = analyze([make_resource(PG, exempt(BASELINES[PG], "kv-rbac", "not needed at all here"))])
    assert found.results == [] and found.not_applicable == []


def config_exemption(
    resource: str, days: int, reason: str = "migration copy, deleted once the cutover is done"
) -> dict[str, Any]:
    return {
        "stack": "primary",
        "resource": resource,
        "reason": reason,
        "expires": (today() + timedelta(days=days)).isoformat(),
    }


def test_the_policy_config_exempts_a_mandatory_rule_until_its_expiry() -> None:
    props = edited(BASELINES[PG], {"backup.geoRedundantBackup": "Disabled"})
    server = make_resource(PG, props, name="psql")
    live = {"pg-geo-backup": {"exemptions": [config_exemption("psql", 30)]}}
    found = analyze([server], config=live)
    assert found.violations("pg-geo-backup") == []
    [reason] = found.skipped("pg-geo-backup")
    assert (
        "migration copy" in reason
        and f"[policy config, expires {(today() + timedelta(days=30)).isoformat()}]" in reason
    )
    expired = {"pg-geo-backup": {"exemptions": [config_exemption("psql", -1)]}}
    [hit] = analyze([server], config=expired).violations("pg-geo-backup")
    assert "exemption expired on" in hit.message
    other = {"pg-geo-backup": {"exemptions": [config_exemption("another-server", 30)]}}
    assert analyze([server], config=other).violations("pg-geo-backup")
    whole_stack = {"pg-geo-backup": {"exemptions": [config_exemption("*", 30)]}}
    assert analyze([server], config=whole_stack).violations("pg-geo-backup") == []


def test_a_policy_config_exemption_without_a_real_reason_is_ignored_and_said_so() -> None:
    server = make_resource(PG, edited(BASELINES[PG], {"backup.geoRedundantBackup": "Disabled"}), name="psql")
    config = {"pg-geo-backup": {"exemptions": [config_exemption("psql", 30, reason="cost")]}}
    [hit] = analyze([server], config=config).violations("pg-geo-backup")
    assert "exemption of pg-geo-backup is ignored" in hit.message and "at least 3" in hit.message


# ------------------------------------------------------------------------------------------------------------
# Built-in exemptions: replicas, regions without zones


def test_replica_is_exempt_from_geo_backup_and_zone_ha_but_not_from_retention() -> None:
    replica = edited(
        BASELINES[PG],
        {
            "location": "ukwest",
            "createMode": "Replica",
            "sourceServerResourceId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/"
            "flexibleServers/psql-qlp-prod-uks-1",
            "backup.geoRedundantBackup": "Disabled",
            "backup.backupRetentionDays": 7.0,
            "highAvailability.mode": "Disabled",
        },
    )
    found = analyze([make_resource(PG, replica, name="replica", stack="dr")], stack="dr")
    assert found.violations("pg-geo-backup") == found.violations("pg-zone-redundant-ha") == []
    assert [r.policy_name for r in found.results] == ["pg-backup-retention"]
    # the same server as a primary is judged
    primary = edited(replica, {"createMode": "Create", "sourceServerResourceId": DROP, "location": "uksouth"})
    found = analyze([make_resource(PG, primary)])
    assert {r.policy_name for r in found.results} == {"pg-geo-backup", "pg-zone-redundant-ha", "pg-backup-retention"}


NO_ZONES: dict[str, tuple[str, dict[str, Any]]] = {
    "pg-zone-redundant-ha": (PG, {"highAvailability.mode": "Disabled"}),
    "cosmos-zone-redundancy": (COSMOS, {"locations.0.isZoneRedundant": False}),
    "acr-zone-redundancy": (ACR, {"zoneRedundancy": "Disabled"}),
    "redis-zones": (REDIS, {"zonalAllocationPolicy": "NoZones"}),
}


@pytest.mark.parametrize("rule", sorted(NO_ZONES))
@pytest.mark.parametrize("region", ["ukwest", "westus", "UK West"])
def test_regions_without_zones_are_not_asked_for_zone_redundancy(rule: str, region: str) -> None:
    type_, edits = NO_ZONES[rule]
    where = {"locations.0.locationName": region} if type_ == COSMOS else {"location": region}
    assert analyze([make_resource(type_, edited(BASELINES[type_], edits))]).violations(rule), "uksouth has zones"
    found = analyze([make_resource(type_, edited(BASELINES[type_], {**edits, **where}))])
    assert found.violations(rule) == []


def test_unknown_region_is_treated_as_having_zones() -> None:
    props = edited(BASELINES[REDIS], {"location": "atlantis", "zonalAllocationPolicy": DROP})
    assert analyze([make_resource(REDIS, props)]).violations("redis-zones")


# ------------------------------------------------------------------------------------------------------------
# Preview unknowns, as the pack really sees them


def test_unknown_value_during_preview_is_reported_as_cannot_run_not_as_a_crash() -> None:
    props = edited(BASELINES[PG], {"network.publicNetworkAccess": UNKNOWN_STRING})
    found = analyze([make_resource(PG, props)])
    [hit] = found.violations("pg-public-network")
    assert hit.enforcement_level == ADVISORY and "during preview" in hit.message
    assert [r.policy_name for r in found.results] == ["pg-public-network"]


# ------------------------------------------------------------------------------------------------------------
# The catalogue


def test_every_rule_module_exports_one_resource_rule_with_a_unique_stable_id() -> None:
    modules = sorted(m.name for m in pkgutil.iter_modules(resource_rules.__path__))
    found = [importlib.import_module(f"{resource_rules.__name__}.{name}").RULE for name in modules]
    assert all(isinstance(r, ResourceRule) for r in found)
    ids = [r.rule.id for r in found]
    assert len(ids) == len(set(ids)) == len(modules) == 50
    for name, rule_id in zip(modules, ids, strict=True):
        assert rule_id == name.replace("_", "-"), (name, rule_id)  # the module is named after the id
        assert re.fullmatch(r"(pg|cosmos|storage|acr|redis|kv|afd|tm|la|backup|aks|net|alert)(-[a-z0-9]+)+", rule_id)


@pytest.mark.parametrize("rule_id", sorted(resource_rules_by_id()))
def test_rule_metadata_is_complete(rule_id: str) -> None:
    rule = resource_rules_by_id()[rule_id]
    meta = rule.rule
    assert meta.title.strip() and meta.service.strip() and meta.objective.strip() and meta.equivalents.strip()
    assert meta.severity is not None and meta.level in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY)
    assert rule.resource_types and all(t.startswith("azure-native:") for t in rule.resource_types)
    module = importlib.import_module(rule.check.__module__)
    assert (module.__doc__ or "").strip(), f"{rule_id} has no module docstring saying why"


def test_running_pack_describes_every_rule_with_its_level_and_severity() -> None:
    described = {p.name: p for p in pack_policies()}
    for rule_id, rule in resource_rules_by_id().items():
        info = described[rule_id]
        assert (info.policy_type, info.enforcement_level, info.severity) == (
            "resource",
            rule.rule.level.value,
            rule.rule.severity.value,
        )
        assert info.description == rule.rule.title
