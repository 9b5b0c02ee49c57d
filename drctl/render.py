"""Print offline plans: the component → resource tree with the DR-relevant properties of each resource."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.paths import dig
from drctl.recording import RecordedResource, StackPlan

LOCK = "azure-native:authorization:ManagementLockByScope"

# What a DR reviewer wants to see per resource type: (label, dotted path into the inputs).
DR_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    "azure-native:resources:ResourceGroup": (("location", "location"),),
    "azure-native:operationalinsights:Workspace": (("retention", "retentionInDays"),),
    "azure-native:keyvault:Vault": (
        ("softDelete", "properties.enableSoftDelete"),
        ("softDeleteDays", "properties.softDeleteRetentionInDays"),
        ("purgeProtection", "properties.enablePurgeProtection"),
        ("rbac", "properties.enableRbacAuthorization"),
        ("publicNetwork", "properties.publicNetworkAccess"),
    ),
    "azure-native:dbforpostgresql:Server": (
        ("createMode", "createMode"),
        ("source", "sourceServerResourceId"),
        ("sku", "sku.name"),
        ("geoBackup", "backup.geoRedundantBackup"),
        ("retentionDays", "backup.backupRetentionDays"),
        ("ha", "highAvailability.mode"),
        ("passwordAuth", "authConfig.passwordAuth"),
        ("entraAuth", "authConfig.activeDirectoryAuth"),
        ("publicNetwork", "network.publicNetworkAccess"),
    ),
    "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": (
        ("principal", "principalName"),
        ("type", "principalType"),
    ),
    "azure-native:storage:StorageAccount": (
        ("sku", "sku.name"),
        ("tls", "minimumTlsVersion"),
        ("publicBlobs", "allowBlobPublicAccess"),
        ("sharedKey", "allowSharedKeyAccess"),
        ("httpsOnly", "enableHttpsTrafficOnly"),
        ("publicNetwork", "publicNetworkAccess"),
    ),
    "azure-native:storage:BlobServiceProperties": (
        ("versioning", "isVersioningEnabled"),
        ("blobSoftDeleteDays", "deleteRetentionPolicy.days"),
        ("containerSoftDeleteDays", "containerDeleteRetentionPolicy.days"),
        ("pitrDays", "restorePolicy.days"),
        ("changeFeed", "changeFeed.enabled"),
    ),
    "azure-native:cosmosdb:DatabaseAccount": (
        ("locations", "locations"),
        ("autoFailover", "enableAutomaticFailover"),
        ("multiWrite", "enableMultipleWriteLocations"),
        ("backup", "backupPolicy.type"),
        ("tier", "backupPolicy.continuousModeProperties.tier"),
        ("localAuthDisabled", "disableLocalAuth"),
        ("publicNetwork", "publicNetworkAccess"),
    ),
    "azure-native:containerregistry:Registry": (
        ("sku", "sku.name"),
        ("zoneRedundancy", "zoneRedundancy"),
        ("admin", "adminUserEnabled"),
        ("anonymousPull", "anonymousPullEnabled"),
        ("untaggedRetentionDays", "policies.retentionPolicy.days"),
        ("publicNetwork", "publicNetworkAccess"),
    ),
    "azure-native:containerregistry:Replication": (
        ("registry", "registryName"),
        ("location", "location"),
        ("zoneRedundancy", "zoneRedundancy"),
    ),
    "azure-native:redis:Redis": (
        ("sku", "sku.name"),
        ("capacity", "sku.capacity"),
        ("zones", "zonalAllocationPolicy"),
        ("tls", "minimumTlsVersion"),
        ("nonSslPort", "enableNonSslPort"),
        ("accessKeysDisabled", "disableAccessKeyAuthentication"),
        ("rdb", "redisConfiguration.rdbBackupEnabled"),
        ("rdbMinutes", "redisConfiguration.rdbBackupFrequency"),
        ("publicNetwork", "publicNetworkAccess"),
    ),
    "azure-native:redis:LinkedServer": (
        ("primary", "name"),
        ("secondary", "linkedServerName"),
        ("role", "serverRole"),
    ),
    "azure-native:cdn:Profile": (("sku", "sku.name"),),
    "azure-native:cdn:AFDOriginGroup": (
        ("probePath", "healthProbeSettings.probePath"),
        ("probeProtocol", "healthProbeSettings.probeProtocol"),
        ("probeSeconds", "healthProbeSettings.probeIntervalInSeconds"),
    ),
    "azure-native:cdn:AFDOrigin": (("host", "hostName"), ("priority", "priority"), ("state", "enabledState")),
    "azure-native:cdn:Route": (("patterns", "patternsToMatch"), ("forwarding", "forwardingProtocol")),
    "azure-native:trafficmanager:Profile": (
        ("routing", "trafficRoutingMethod"),
        ("probePath", "monitorConfig.path"),
    ),
    "azure-native:trafficmanager:Endpoint": (("target", "target"), ("priority", "priority")),
    "azure-native:containerservice:ManagedCluster": (
        ("tier", "sku.tier"),
        ("zones", "agentPoolProfiles.0.availabilityZones"),
        ("nodes", "agentPoolProfiles.0.minCount"),
        ("maxNodes", "agentPoolProfiles.0.maxCount"),
        ("vmSize", "agentPoolProfiles.0.vmSize"),
        ("upgrade", "autoUpgradeProfile.upgradeChannel"),
        ("nodeOsUpgrade", "autoUpgradeProfile.nodeOSUpgradeChannel"),
        ("localAccountsDisabled", "disableLocalAccounts"),
        ("azureRbac", "aadProfile.enableAzureRBAC"),
        ("workloadIdentity", "securityProfile.workloadIdentity.enabled"),
        ("privateApi", "apiServerAccessProfile.enablePrivateCluster"),
    ),
    "azure-native:network:PublicIPAddress": (("dnsLabel", "dnsSettings.domainNameLabel"), ("zones", "zones")),
    "azure-native:storage:BlobContainer": (("container", "containerName"), ("publicAccess", "publicAccess")),
    "kubernetes:apps/v1:Deployment": (("image", "spec.template.spec.containers.0.image"),),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": (
        ("replicas", "spec.minReplicas"),
        ("maxReplicas", "spec.maxReplicas"),
    ),
    "kubernetes:policy/v1:PodDisruptionBudget": (("maxUnavailable", "spec.maxUnavailable"),),
    "kubernetes:core/v1:Service": (("type", "spec.type"),),
    "kubernetes:helm.sh/v3:Release": (("chart", "chart"), ("version", "version")),
    "kubernetes:velero.io/v1:Schedule": (
        ("schedule", "spec.schedule"),
        ("ttl", "spec.template.ttl"),
        ("namespaces", "spec.template.includedNamespaces"),
    ),
    LOCK: (("level", "level"),),
}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list) and value and all(isinstance(v, dict) and "locationName" in v for v in value):
        return ",".join(f"{v['locationName']}:{_show(v.get('failoverPriority'))}" for v in value)
    if isinstance(value, list):
        return ",".join(_show(v) for v in value)
    if isinstance(value, str) and value.startswith("/subscriptions/"):
        return value.rsplit("/", 1)[-1] + " (id)"
    return str(value)


def locked_ids(plan: StackPlan) -> set[str]:
    """Ids of resources that have a CanNotDelete lock in this plan."""
    return {str(r.inputs.get("scope")) for r in plan.of_type(LOCK) if r.inputs.get("level") == "CanNotDelete"}


def dr_properties(resource: RecordedResource) -> dict[str, Any]:
    return {
        label: value
        for label, path in DR_PROPERTIES.get(resource.type, ())
        if (value := dig(resource.inputs, path)) is not None
    }


def resource_entry(resource: RecordedResource, locked: set[str]) -> dict[str, Any]:
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "id": resource.id,
        "parent": resource.parent,
        "protect": resource.protect,
        "locked": resource.id in locked,
        "ignore_changes": list(resource.ignore_changes),
        "dr": dr_properties(resource),
    }


def plan_json(plans: Sequence[StackPlan]) -> list[dict[str, Any]]:
    out = []
    for plan in plans:
        locked = locked_ids(plan)
        out.append(
            {
                "stack": plan.stack,
                "error": plan.error,
                "resource_count": sum(1 for r in plan.resources if r.custom),
                "resources": [resource_entry(r, locked) for r in plan.resources],
                "outputs": plan.outputs,
            }
        )
    return out


def _children(plan: StackPlan) -> dict[str | None, list[RecordedResource]]:
    urns = {r.urn for r in plan.resources}
    tree: dict[str | None, list[RecordedResource]] = {}
    for r in plan.resources:
        parent = r.parent if r.parent in urns else None
        tree.setdefault(parent, []).append(r)
    for items in tree.values():
        items.sort(key=lambda r: (r.custom, r.type, r.name))
    return tree


def plan_text(plan: StackPlan) -> str:
    """The stack's component → resource tree; stateful resources marked protected/locked."""
    if plan.error:
        return f"stack {plan.stack}: {plan.error}"
    locked = locked_ids(plan)
    tree = _children(plan)
    custom = sum(1 for r in plan.resources if r.custom and not r.read)
    lines = [
        f"stack {plan.stack}: {custom} resources "
        f"({sum(1 for r in plan.resources if r.protect)} protected, {len(locked)} locked)"
    ]

    def walk(parent: str | None, depth: int) -> None:
        for r in tree.get(parent, []):
            marks = [m for m, on in (("protected", r.protect), ("locked", r.id in locked)) if on]
            kind = r.type.split(":", 1)[1] if r.type.startswith("azure-native:") else r.type
            head = f"{'  ' * depth}{'+' if r.custom else '#'} {kind} {r.name}"
            if marks:
                head += f" [{', '.join(marks)}]"
            props = dr_properties(r)
            if props:
                head += "  " + " ".join(f"{k}={_show(v)}" for k, v in props.items())
            lines.append(head)
            walk(r.urn, depth + 1)

    walk(None, 1)
    if plan.outputs:
        lines.append("  exports: " + ", ".join(sorted(plan.outputs)))
    lines.extend(f"  note: {note}" for note in plan.notes)
    return "\n".join(lines)
