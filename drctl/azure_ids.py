"""Realistic Azure resource ids and the outputs Azure adds, for the mock engine.

Each entry maps a type token to the ARM path of the resource, built from its inputs, so that cross-references
(a replica's source server id, a lock's scope) are checkable offline.
"""

from __future__ import annotations

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
# (extension resources), any other path sits under the resource group's ``providers``.
ID_TEMPLATES: dict[str, str] = {
    "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces/{workspaceName}",
    "azure-native:managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
    "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults/{vaultName}",
    "azure-native:dbforpostgresql:Server": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
    "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/administrators/{objectId}",
    "azure-native:storage:StorageAccount": "Microsoft.Storage/storageAccounts/{accountName}",
    "azure-native:storage:BlobServiceProperties": "Microsoft.Storage/storageAccounts/{accountName}/blobServices/{blobServicesName}",
    "azure-native:network:PrivateEndpoint": "Microsoft.Network/privateEndpoints/{privateEndpointName}",
    "azure-native:network:PrivateDnsZoneGroup": "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}",
    "azure-native:authorization:ManagementLockByScope": "{scope}/providers/Microsoft.Authorization/locks/{lockName}",
    "azure-native:monitor:DiagnosticSetting": "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
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
    path = template.format_map(_InputsOrLogical(inputs, logical))
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
    return {**extra, **_service_outputs(type_, inputs, name, rid)}


def _service_outputs(type_: str, inputs: Inputs, name: str, rid: str) -> Inputs:
    if type_ == "azure-native:dbforpostgresql:Server":
        return {"fullyQualifiedDomainName": f"{name}.postgres.database.azure.com", "state": "Ready"}
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
    if type_ == "azure-native:managedidentity:UserAssignedIdentity":
        return {
            "principalId": stable_guid(rid, "principal"),
            "clientId": stable_guid(rid, "client"),
            "tenantId": TENANT_ID,
        }
    return {}


def client_config() -> Inputs:
    """What ``azure-native:authorization:getClientConfig`` answers for the offline identity."""
    return {
        "clientId": CLIENT_ID,
        "objectId": stable_guid("offline", "object"),
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": TENANT_ID,
    }
