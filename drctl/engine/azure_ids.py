"""Realistic Azure resource ids and the outputs Azure adds, for the mock engine.

Each entry maps a type token to the ARM path of the resource, built from its inputs, so that cross-references
(a replica's source server id, a lock's scope) are checkable offline.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

SUBSCRIPTION_ID = "5c2f8b9e-0d1a-4e3b-8f6c-7a9d0e1b2c3d"
TENANT_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
CLIENT_ID = "0f1e2d3c-4b5a-4968-8776-655443322110"

Inputs = dict[str, Any]


def _rg(inputs: Inputs) -> str:
    return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{inputs.get('resourceGroupName', 'rg')}"


# ARM paths by type token. ``{key}`` is an input; a path starting with ``{`` hangs under another resource's id
# (extension resources), any other path sits under the resource group's ``providers`` (a leading ``@`` only marks
# such a path that starts with an input, e.g. a Chaos target on a resource of the group).
ID_TEMPLATES: dict[str, str] = {
    "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces/{workspaceName}",
    "azure-native:managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
    "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults/{vaultName}",
    "azure-native:dbforpostgresql:Server": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
    "azure-native:dbforpostgresql:VirtualEndpoint": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/virtualendpoints/{virtualEndpointName}",
    "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/administrators/{objectId}",
    "azure-native:storage:StorageAccount": "Microsoft.Storage/storageAccounts/{accountName}",
    "azure-native:storage:BlobServiceProperties": "Microsoft.Storage/storageAccounts/{accountName}/blobServices/{blobServicesName}",
    "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks/{virtualNetworkName}",
    "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
    "azure-native:network:VirtualNetworkPeering": "Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}",
    "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}",
    "azure-native:privatedns:PrivateZone": "Microsoft.Network/privateDnsZones/{privateZoneName}",
    "azure-native:privatedns:VirtualNetworkLink": "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
    "azure-native:network:PrivateEndpoint": "Microsoft.Network/privateEndpoints/{privateEndpointName}",
    "azure-native:network:PrivateDnsZoneGroup": "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}",
    "azure-native:cosmosdb:DatabaseAccount": "Microsoft.DocumentDB/databaseAccounts/{accountName}",
    "azure-native:cosmosdb:SqlResourceSqlDatabase": "Microsoft.DocumentDB/databaseAccounts/{accountName}/sqlDatabases/{databaseName}",
    "azure-native:cosmosdb:SqlResourceSqlContainer": "Microsoft.DocumentDB/databaseAccounts/{accountName}/sqlDatabases/{databaseName}/containers/{containerName}",
    "azure-native:cosmosdb:MongoDBResourceMongoDBDatabase": "Microsoft.DocumentDB/databaseAccounts/{accountName}/mongodbDatabases/{databaseName}",
    "azure-native:cosmosdb:MongoDBResourceMongoDBCollection": "Microsoft.DocumentDB/databaseAccounts/{accountName}/mongodbDatabases/{databaseName}/collections/{collectionName}",
    "azure-native:cosmosdb:GremlinResourceGremlinDatabase": "Microsoft.DocumentDB/databaseAccounts/{accountName}/gremlinDatabases/{databaseName}",
    "azure-native:cosmosdb:GremlinResourceGremlinGraph": "Microsoft.DocumentDB/databaseAccounts/{accountName}/gremlinDatabases/{databaseName}/graphs/{graphName}",
    "azure-native:containerregistry:Registry": "Microsoft.ContainerRegistry/registries/{registryName}",
    "azure-native:containerregistry:Replication": "Microsoft.ContainerRegistry/registries/{registryName}/replications/{replicationName}",
    "azure-native:redis:Redis": "Microsoft.Cache/redis/{name}",
    "azure-native:redis:LinkedServer": "Microsoft.Cache/redis/{name}/linkedServers/{linkedServerName}",
    "azure-native:cdn:Profile": "Microsoft.Cdn/profiles/{profileName}",
    "azure-native:cdn:AFDEndpoint": "Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}",
    "azure-native:cdn:AFDOriginGroup": "Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}",
    "azure-native:cdn:AFDOrigin": "Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}/origins/{originName}",
    "azure-native:cdn:Route": "Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}/routes/{routeName}",
    "azure-native:trafficmanager:Profile": "Microsoft.Network/trafficManagerProfiles/{profileName}",
    "azure-native:trafficmanager:Endpoint": "Microsoft.Network/trafficManagerProfiles/{profileName}/{endpointType}/{endpointName}",
    "azure-native:containerservice:ManagedCluster": "Microsoft.ContainerService/managedClusters/{resourceName}",
    "azure-native:network:PublicIPAddress": "Microsoft.Network/publicIPAddresses/{publicIpAddressName}",
    "azure-native:storage:BlobContainer": "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}",
    "azure-native:managedidentity:FederatedIdentityCredential": "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{federatedIdentityCredentialResourceName}",
    "azure-native:authorization:RoleAssignment": "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
    "azure-native:authorization:ManagementLockByScope": "{scope}/providers/Microsoft.Authorization/locks/{lockName}",
    "azure-native:monitor:DiagnosticSetting": "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
    "azure-native:dataprotection:BackupVault": "Microsoft.DataProtection/backupVaults/{vaultName}",
    "azure-native:dataprotection:BackupPolicy": "Microsoft.DataProtection/backupVaults/{vaultName}/backupPolicies/{backupPolicyName}",
    "azure-native:dataprotection:BackupInstance": "Microsoft.DataProtection/backupVaults/{vaultName}/backupInstances/{backupInstanceName}",
    "azure-native:storage:BlobContainerImmutabilityPolicy": "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}/immutabilityPolicies/{immutabilityPolicyName}",
    "azure-native:monitor:ActionGroup": "Microsoft.Insights/actionGroups/{actionGroupName}",
    "azure-native:monitor:MetricAlert": "Microsoft.Insights/metricAlerts/{ruleName}",
    "azure-native:monitor:ScheduledQueryRule": "Microsoft.Insights/scheduledQueryRules/{ruleName}",
    "azure-native:chaos:Experiment": "Microsoft.Chaos/experiments/{experimentName}",
    # Chaos targets and capabilities are extension resources on a resource of the same resource group.
    "azure-native:chaos:Target": "@{parentProviderNamespace}/{parentResourceType}/{parentResourceName}/providers/Microsoft.Chaos/targets/{targetName}",
    "azure-native:chaos:Capability": "@{parentProviderNamespace}/{parentResourceType}/{parentResourceName}/providers/Microsoft.Chaos/targets/{targetName}/capabilities/{capabilityName}",
}


class _InputsOrLogical(dict[str, str]):
    """``str.format_map`` source: an input's value, or the logical name where the input is not set."""

    def __init__(self, inputs: Inputs, logical: str) -> None:
        super().__init__({k: str(v) for k, v in inputs.items() if isinstance(v, str | int | float)})
        self.logical = logical

    def __missing__(self, key: str) -> str:
        return self.logical


def stable_guid(*parts: str) -> str:
    """A GUID that is the same on every run for the same inputs (principal ids, client ids)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def short_hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:10]


def resource_id(type_: str, inputs: Inputs, logical: str) -> str:
    """The ARM id Azure would give this resource."""
    if type_ == "azure-native:resources:ResourceGroup":
        return _rg(inputs)
    template = ID_TEMPLATES.get(type_)
    if template is None:
        _, module, kind = type_.split(":", 2)
        template = f"Microsoft.{module}/{kind}/{{__logical__}}"
    path = template.removeprefix("@").format_map(_InputsOrLogical(inputs, logical))
    return path if template.startswith("{") else f"{_rg(inputs)}/providers/{path}"


def azure_name(resource_id_: str) -> str:
    return resource_id_.rstrip("/").rsplit("/", 1)[-1]


def extra_outputs(type_: str, inputs: Inputs, rid: str) -> Inputs:
    """The read-only outputs Azure would return for this resource (host names, principal ids, URIs)."""
    name = azure_name(rid)
    extra: Inputs = {}
    identity = inputs.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        # Inputs may list identity ids; Azure always answers with a map of id -> principal.
        extra["identity"] = {
            **identity,
            "userAssignedIdentities": {
                i: {"principalId": stable_guid(i, "principal"), "clientId": stable_guid(i, "client")}
                for i in identity["userAssignedIdentities"]
            },
        }
    if isinstance(identity, dict) and "SystemAssigned" in str(identity.get("type", "")):
        # A system-assigned identity's principal exists once the resource does (role assignments name it).
        extra["identity"] = {
            **extra.get("identity", identity),
            "principalId": stable_guid(rid, "system-principal"),
            "tenantId": TENANT_ID,
        }
    return {**extra, **_service_outputs(type_, inputs, name, rid)}


def _service_outputs(type_: str, inputs: Inputs, name: str, rid: str) -> Inputs:
    if type_ == "azure-native:dbforpostgresql:Server":
        return {"fullyQualifiedDomainName": f"{name}.postgres.database.azure.com", "state": "Ready"}
    if type_ == "azure-native:dbforpostgresql:VirtualEndpoint":
        # Learn, "Virtual endpoints for read replicas": <name>.writer / <name>.reader host names.
        return {
            "virtualEndpoints": [
                f"{name}.writer.postgres.database.azure.com",
                f"{name}.reader.postgres.database.azure.com",
            ]
        }
    if type_ == "azure-native:keyvault:Vault":
        props = dict(inputs.get("properties") or {})
        props["vaultUri"] = f"https://{name}.vault.azure.net/"
        return {"properties": props}
    if type_ == "azure-native:storage:StorageAccount":
        return {
            "primaryEndpoints": {
                "blob": f"https://{name}.blob.core.windows.net/",
                "dfs": f"https://{name}.dfs.core.windows.net/",
            },
            "primaryLocation": inputs.get("location"),
            "statusOfPrimary": "available",
        }
    if type_ == "azure-native:cosmosdb:DatabaseAccount":
        return {"documentEndpoint": f"https://{name}.documents.azure.com:443/"}
    if type_ == "azure-native:containerregistry:Registry":
        return {"loginServer": f"{name}.azurecr.io"}
    if type_ == "azure-native:redis:Redis":
        return {"hostName": f"{name}.redis.cache.windows.net", "sslPort": 6380, "provisioningState": "Succeeded"}
    if type_ == "azure-native:redis:LinkedServer":
        return {
            "geoReplicatedPrimaryHostName": f"{inputs.get('name')}.geo.redis.cache.windows.net",
            "primaryHostName": f"{inputs.get('name')}.redis.cache.windows.net",
        }
    if type_ == "azure-native:cdn:AFDEndpoint":
        return {"hostName": f"{name}-{short_hash(rid)[:8]}.z01.azurefd.net"}
    if type_ == "azure-native:trafficmanager:Profile":
        dns = dict(inputs.get("dnsConfig") or {})
        return {"dnsConfig": {**dns, "fqdn": f"{dns.get('relativeName', name)}.trafficmanager.net"}}
    if type_ == "azure-native:containerservice:ManagedCluster":
        return _cluster_outputs(inputs, name, rid)
    if type_ == "azure-native:network:PublicIPAddress":
        dns = dict(inputs.get("dnsSettings") or {})
        if dns.get("domainNameLabel"):
            dns["fqdn"] = f"{dns['domainNameLabel']}.{inputs.get('location')}.cloudapp.azure.com"
        return {"dnsSettings": dns, "ipAddress": "20.0.0." + str(int(short_hash(rid)[:2], 16) % 250 + 1)}
    if type_ == "azure-native:managedidentity:UserAssignedIdentity":
        return {
            "principalId": stable_guid(rid, "principal"),
            "clientId": stable_guid(rid, "client"),
            "tenantId": TENANT_ID,
        }
    return {}


def _cluster_outputs(inputs: Inputs, name: str, rid: str) -> Inputs:
    """What AKS reports: the API server FQDN, the OIDC issuer, the system identity and the kubelet identity
    (a user-assigned identity AKS creates in the node resource group)."""
    location = inputs.get("location")
    node_rg = inputs.get("nodeResourceGroup") or f"MC_{name}"
    kubelet_id = (
        f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{node_rg}/providers/"
        f"Microsoft.ManagedIdentity/userAssignedIdentities/{name}-agentpool"
    )
    identity = dict(inputs.get("identity") or {})
    identity.update({"principalId": stable_guid(rid, "principal"), "tenantId": TENANT_ID})
    oidc = {**dict(inputs.get("oidcIssuerProfile") or {})}
    if oidc.get("enabled"):
        oidc["issuerURL"] = f"https://{location}.oic.prod-aks.azure.com/{TENANT_ID}/{stable_guid(rid, 'oidc')}/"
    return {
        "fqdn": f"{inputs.get('dnsPrefix', name)}-{short_hash(rid)[:8]}.hcp.{location}.azmk8s.io",
        "identity": identity,
        "identityProfile": {
            "kubeletidentity": {
                "resourceId": kubelet_id,
                "clientId": stable_guid(kubelet_id, "client"),
                "objectId": stable_guid(kubelet_id, "principal"),
            }
        },
        "oidcIssuerProfile": oidc,
        "provisioningState": "Succeeded",
    }


def user_kubeconfig(resource_group_name: str, cluster_name: str) -> str:
    """The base64 kubeconfig ``listClusterUserCredential`` returns for an Entra ID cluster in ``exec`` format:
    a kubelogin exec plugin that signs in by device code (Microsoft Learn, "Use kubelogin with AKS")."""
    server = f"https://{cluster_name}-{short_hash(resource_group_name, cluster_name)[:8]}.hcp.azmk8s.io:443"
    user = f"clusterUser_{resource_group_name}_{cluster_name}"
    text = (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: {cluster_name}\n"
        "  cluster:\n"
        "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n"
        f"    server: {server}\n"
        "contexts:\n"
        f"- name: {cluster_name}\n"
        "  context:\n"
        f"    cluster: {cluster_name}\n"
        f"    user: {user}\n"
        f"current-context: {cluster_name}\n"
        "users:\n"
        f"- name: {user}\n"
        "  user:\n"
        "    exec:\n"
        "      apiVersion: client.authentication.k8s.io/v1beta1\n"
        "      command: kubelogin\n"
        "      args: [get-token, --environment, AzurePublicCloud, --server-id, "
        "6dae42f8-4368-4678-94ff-3960e28e3630, --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, "
        f"--tenant-id, {TENANT_ID}, --login, devicecode]\n"
        "      provideClusterInfo: false\n"
    )
    return base64.b64encode(text.encode()).decode()


def client_config() -> Inputs:
    """What ``azure-native:authorization:getClientConfig`` answers for the offline identity."""
    return {
        "clientId": CLIENT_ID,
        "objectId": stable_guid("offline", "object"),
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": TENANT_ID,
    }
