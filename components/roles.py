"""Azure roles by name or id: the built-in roles' definition ids, and the one place a role becomes an id.

Built-in role definition ids are the same in every tenant (Learn, "Azure built-in roles", one page per category:
General, Storage, Security, Containers, Databases, Networking, Monitor). The table carries the roles a DR
deployment grants on its data, network and monitoring resources, with the names and GUIDs the Azure Verified
Modules' ``builtInRoleNames`` tables use; any other role is given by its definition id or GUID.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pulumi
from pulumi_azure_native import authorization

from .rules import InvalidArgs

# Learn, "Back up Azure Database for PostgreSQL flexible server" (vault MSI permissions); the Az.DataProtection
# manifest for PGFlexServer lists the same two: datasourcePermissions and datasourceRGPermissions.
PG_FLEX_LTR_BACKUP = (
    "c088a766-074b-43ba-90d4-1fb21feae531"  # PostgreSQL Flexible Server Long Term Retention Backup Role
)
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
# Learn, "Supported resource types and role assignments for Chaos Studio".
COSMOS_DB_OPERATOR = "230815da-be43-4aae-9cb4-875f7bd000aa"
REDIS_CACHE_CONTRIBUTOR = "e0f68234-74aa-48ed-b826-c38b57376e17"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
AKS_CLUSTER_ADMIN = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8"  # Azure Kubernetes Service Cluster Admin Role
# Learn, "Azure built-in roles": pulling images, and Velero's backup container through workload identity.
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"

#: Built-in role name -> role definition GUID.
BUILT_IN_ROLES: Mapping[str, str] = {
    # General
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": READER,
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    # Storage
    "Storage Account Contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage Blob Data Contributor": STORAGE_BLOB_DATA_CONTRIBUTOR,
    "Storage Blob Data Reader": STORAGE_BLOB_DATA_READER,
    "Storage Blob Delegator": "db58b8e5-c6ad-4a2a-8342-4190687cbf4a",
    "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "Storage Queue Data Reader": "19e7f393-937e-4f77-808e-94535e297925",
    "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "Storage Table Data Reader": "76199698-9eea-4c19-bc75-cec21354c6b6",
    # Security (Key Vault)
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Certificates Officer": "a4417e6f-fecd-4de8-b567-7b0420556985",
    "Key Vault Crypto Officer": "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    # Containers
    "AcrPull": ACR_PULL,
    "AcrPush": "8311e382-0749-4cb8-b61a-304f252e45ec",
    "AcrDelete": "c2f4ef07-c644-48eb-af81-4b1b4947fb11",
    "Azure Kubernetes Service Cluster Admin Role": AKS_CLUSTER_ADMIN,
    "Azure Kubernetes Service Cluster User Role": "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    "Azure Kubernetes Service RBAC Admin": "3498e952-d568-435e-9b2c-8d77e338d7f7",
    "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "Azure Kubernetes Service RBAC Reader": "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    "Azure Kubernetes Service RBAC Writer": "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
    # Databases
    "Cosmos DB Account Reader Role": "fbdf93bf-df7d-467e-a4d2-9458aa1360c8",
    "Cosmos DB Operator": COSMOS_DB_OPERATOR,
    "CosmosBackupOperator": "db7b14f2-5adf-42da-9f96-f2ee17bab5cb",
    "CosmosRestoreOperator": "5432c526-bc82-444a-b7ba-57c5b0b5b34f",
    "DocumentDB Account Contributor": "5bd9cd88-fe45-4216-938b-f97437e15450",
    "Redis Cache Contributor": REDIS_CACHE_CONTRIBUTOR,
    "PostgreSQL Flexible Server Long Term Retention Backup Role": PG_FLEX_LTR_BACKUP,
    # Networking
    "Network Contributor": NETWORK_CONTRIBUTOR,
    "Private DNS Zone Contributor": "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    # Monitor
    "Monitoring Reader": "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
    "Monitoring Contributor": "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "Log Analytics Reader": "73c42c96-874c-492b-b04d-ab87d138a893",
    "Log Analytics Contributor": "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
}

ROLE_NAMES: Mapping[str, str] = {guid: name for name, guid in BUILT_IN_ROLES.items()}

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GUID = re.compile(rf"^{_GUID}$")
#: A role definition id at subscription, management group or tenant scope (Learn, "Assign Azure roles using the
#: REST API": ``/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{roleId}``).
ROLE_DEFINITION_ID = re.compile(
    rf"^(/subscriptions/[^/]+|/providers/Microsoft\.Management/managementGroups/[^/]+)?"
    rf"/providers/Microsoft\.Authorization/roleDefinitions/{_GUID}$",
    re.IGNORECASE,
)
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)/", re.IGNORECASE)


def resolve_role(role: str, key: str = "role_definition_id_or_name") -> str:
    """``role`` as a role definition GUID or id: a built-in name from ``BUILT_IN_ROLES``, a GUID, or an id.

    Anything else is refused with one line, before a resource is registered: a misspelt or unlisted role name
    never becomes an invalid id.
    """
    if role in BUILT_IN_ROLES:
        return BUILT_IN_ROLES[role]
    if GUID.match(role):
        return role.lower()
    if ROLE_DEFINITION_ID.match(role):
        return role
    raise InvalidArgs(
        f"{key}: {role!r} is not allowed; expected a built-in role name ({', '.join(sorted(BUILT_IN_ROLES))}), "
        "a role definition GUID, or a role definition id (/subscriptions/<id>/providers/"
        "Microsoft.Authorization/roleDefinitions/<guid>)"
    )


def role_definition_id(role: str, scope: pulumi.Input[str]) -> pulumi.Input[str]:
    """The id ARM expects for ``role`` (``resolve_role``) assigned at ``scope``: an id stays as given; a GUID
    becomes the id under the scope's subscription, the form Azure reports back, so it never shows as a change.

    A scope that is not an ARM id has no subscription to read (only under a test's mocks, whose ids are not
    Azure's): the tenant-level form, ``/providers/Microsoft.Authorization/roleDefinitions/<guid>``, is used.
    """
    resolved = resolve_role(role)
    if resolved.startswith("/"):
        return resolved

    def under(s: str) -> str:
        found = _SUBSCRIPTION.match(s or "")
        prefix = f"/subscriptions/{found.group(1)}" if found else ""
        return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{resolved}"

    return pulumi.Output.from_input(scope).apply(under)


def subscription_role_id(subscription_id: pulumi.Input[str | None], role: str) -> pulumi.Output[str]:
    """The subscription-scoped id of built-in role ``role`` (a GUID above), as RoleAssignment expects it; the
    tenant-level form when no subscription is known (a test's mocks answer the client config with nothing)."""
    return pulumi.Output.from_input(subscription_id).apply(
        lambda s: f"{'/subscriptions/' + s if s else ''}/providers/Microsoft.Authorization/roleDefinitions/{role}"
    )


def grant(
    name: str,
    *,
    role: str,
    scope: pulumi.Input[str],
    principal_id: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> authorization.RoleAssignment:
    """Grant a managed identity (a service principal) a built-in role on ``scope``."""
    return authorization.RoleAssignment(
        name,
        scope=scope,
        principal_id=principal_id,
        principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
        role_definition_id=subscription_role_id(subscription_id, role),
        description=f"azure-dr: {ROLE_NAMES.get(role, role)}",
        opts=pulumi.ResourceOptions(parent=parent),
    )
