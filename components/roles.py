"""Built-in Azure roles the DR components grant, by id, with the page that names each one.

Role definition ids are the same in every tenant (Learn, "Azure built-in roles"); assignments refer to them
under the subscription.
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

ROLE_NAMES = {
    PG_FLEX_LTR_BACKUP: "PostgreSQL Flexible Server Long Term Retention Backup Role",
    READER: "Reader",
    COSMOS_DB_OPERATOR: "Cosmos DB Operator",
    REDIS_CACHE_CONTRIBUTOR: "Redis Cache Contributor",
    NETWORK_CONTRIBUTOR: "Network Contributor",
    AKS_CLUSTER_ADMIN: "Azure Kubernetes Service Cluster Admin Role",
}


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
        role_definition_id=pulumi.Output.concat(
            "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role
        ),
        description=f"azure-dr: {ROLE_NAMES.get(role, role)}",
        opts=pulumi.ResourceOptions(parent=parent),
    )
