"""Print offline plans: the component → resource tree with the DR-relevant properties of each resource."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from azure_dr.components.facts.paths import dig

from ..engine.recording import RecordedResource, StackPlan

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
    "azure-native:network:VirtualNetwork": (("addressSpace", "addressSpace.addressPrefixes"),),
    "azure-native:network:Subnet": (
        ("prefix", "addressPrefix"),
        ("delegation", "delegations.0.serviceName"),
        ("endpointPolicies", "privateEndpointNetworkPolicies"),
    ),
    "azure-native:network:VirtualNetworkPeering": (
        ("remoteSpace", "remoteAddressSpace.addressPrefixes"),
        ("vnetAccess", "allowVirtualNetworkAccess"),
    ),
    "azure-native:network:PrivateEndpoint": (
        ("group", "privateLinkServiceConnections.0.groupIds"),
        ("location", "location"),
    ),
    "azure-native:privatedns:PrivateZone": (("zone", "privateZoneName"),),
    "azure-native:privatedns:VirtualNetworkLink": (("registration", "registrationEnabled"),),
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
    # DR operations: long-term backup, compliance storage, alerts and drills (components/dr_operations.py)
    "azure-native:dataprotection:BackupVault": (
        ("storage", "properties.storageSettings"),
        ("crossRegionRestore", "properties.featureSettings.crossRegionRestoreSettings.state"),
        ("softDelete", "properties.securitySettings.softDeleteSettings.state"),
        ("softDeleteDays", "properties.securitySettings.softDeleteSettings.retentionDurationInDays"),
        ("immutability", "properties.securitySettings.immutabilitySettings.state"),
    ),
    "azure-native:dataprotection:BackupPolicy": (
        ("schedule", "properties.policyRules.0.trigger.schedule.repeatingTimeIntervals"),
        ("keep", "properties.policyRules.1.lifecycles.0.deleteAfter.duration"),
    ),
    "azure-native:dataprotection:BackupInstance": (
        ("server", "properties.dataSourceInfo.resourceName"),
        ("policy", "properties.policyInfo.policyId"),
    ),
    "azure-native:storage:BlobContainerImmutabilityPolicy": (
        ("wormDays", "immutabilityPeriodSinceCreationInDays"),
        ("appendWrites", "allowProtectedAppendWrites"),
    ),
    "azure-native:monitor:ActionGroup": (("shortName", "groupShortName"),),
    "azure-native:monitor:MetricAlert": (
        ("metric", "criteria.allOf.0.metricName"),
        ("when", "criteria.allOf.0.operator"),
        ("threshold", "criteria.allOf.0.threshold"),
        ("window", "windowSize"),
        ("scope", "scopes"),
    ),
    "azure-native:monitor:ScheduledQueryRule": (
        ("signal", "tags.azure-dr:signal"),
        ("measure", "criteria.allOf.0.metricMeasureColumn"),
        ("when", "criteria.allOf.0.operator"),
        ("threshold", "criteria.allOf.0.threshold"),
        ("window", "windowSize"),
    ),
    "azure-native:chaos:Experiment": (
        ("fault", "properties.steps.0.branches.0.actions.0.name"),
        ("duration", "properties.steps.0.branches.0.actions.0.duration"),
    ),
}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list) and value and all(isinstance(v, dict) and "datastoreType" in v for v in value):
        return ",".join(f"{v['datastoreType']}:{v.get('type')}" for v in value)
    if isinstance(value, list) and value and all(isinstance(v, dict) and "locationName" in v for v in value):
        return ",".join(f"{v['locationName']}:{_show(v.get('failoverPriority'))}" for v in value)
    if isinstance(value, list):
        return ",".join(_show(v) for v in value)
    if isinstance(value, str) and value.startswith("/subscriptions/"):
        return value.rsplit("/", 1)[-1] + " (id)"
    return str(value)


def plain(value: Any) -> Any:
    """A recorded value as JSON tools expect it: the engine carries numbers as doubles, so 30.0 becomes 30."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def managed(plan: StackPlan) -> list[RecordedResource]:
    """The resources the stack creates and owns: custom, not read (a StackReference is read, not managed).

    Every count drctl prints (plan text, plan JSON, check report) is this one.
    """
    return [r for r in plan.resources if r.custom and not r.read]


def read_only(plan: StackPlan) -> list[RecordedResource]:
    """Resources the stack only reads (the peer's StackReference)."""
    return [r for r in plan.resources if r.custom and r.read]


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
        "custom": resource.custom,
        "read": resource.read,
        "protect": resource.protect,
        "retain_on_delete": resource.retain_on_delete,
        "locked": resource.id in locked,
        "ignore_changes": list(resource.ignore_changes),
        "dependencies": list(resource.dependencies),
        "dr": plain(dr_properties(resource)),
        "inputs": plain(resource.inputs),
    }


def plan_json(plans: Sequence[StackPlan]) -> list[dict[str, Any]]:
    out = []
    for plan in plans:
        locked = locked_ids(plan)
        out.append(
            {
                "stack": plan.stack,
                "error": plan.error,
                "resource_count": len(managed(plan)),
                "read_count": len(read_only(plan)),
                "resources": [resource_entry(r, locked) for r in plan.resources],
                "outputs": plain(plan.outputs),
                "notes": list(plan.notes),
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
    reads = read_only(plan)
    lines = [
        f"stack {plan.stack}: {len(managed(plan))} resources "
        f"({sum(1 for r in plan.resources if r.protect)} protected, {len(locked)} locked)"
        + (f", {len(reads)} read" if reads else "")
    ]

    def walk(parent: str | None, depth: int) -> None:
        for r in tree.get(parent, []):
            marks = [m for m, on in (("protected", r.protect), ("locked", r.id in locked), ("read", r.read)) if on]
            kind = r.type.split(":", 1)[1] if r.type.startswith("azure-native:") else r.type
            mark = "#" if not r.custom else ("<" if r.read else "+")
            head = f"{'  ' * depth}{mark} {kind} {r.name}"
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
