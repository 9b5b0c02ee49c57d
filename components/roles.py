"""Built-in Azure roles the DR components grant, by id, with the page that names each one.

Role definition ids are the same in every tenant (Learn, "Azure built-in roles"); assignments refer to them
under the subscription. One module, so every component names a role the same way.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization

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

ROLE_NAMES = {
    PG_FLEX_LTR_BACKUP: "PostgreSQL Flexible Server Long Term Retention Backup Role",
    READER: "Reader",
    COSMOS_DB_OPERATOR: "Cosmos DB Operator",
    REDIS_CACHE_CONTRIBUTOR: "Redis Cache Contributor",
    NETWORK_CONTRIBUTOR: "Network Contributor",
    AKS_CLUSTER_ADMIN: "Azure Kubernetes Service Cluster Admin Role",
    ACR_PULL: "AcrPull",
    STORAGE_BLOB_DATA_CONTRIBUTOR: "Storage Blob Data Contributor",
    STORAGE_BLOB_DATA_READER: "Storage Blob Data Reader",
}


def role_definition_id(subscription_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    """The subscription-scoped id of built-in role ``role`` (a GUID above), as RoleAssignment expects it."""
    return pulumi.Output.concat(
        "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role
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
        role_definition_id=role_definition_id(subscription_id, role),
        description=f"azure-dr: {ROLE_NAMES.get(role, role)}",
        opts=pulumi.ResourceOptions(parent=parent),
    )
