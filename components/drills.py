"""DR drills as Chaos Studio experiments: onboarded targets, their capabilities, and one experiment per fault.

Facts (API 2024-03-22-preview; Learn, "Chaos Studio fault and action library" and "Supported resource types and
role assignments for Chaos Studio"): a target is an extension resource on the faulted resource, a capability
enables one fault on it, and the experiment's identity needs a role on every target. Experiments are declared,
never started: a drill starts one with ``az rest --method post .../experiments/<name>/start`` (``drctl drill``
prints the commands).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, chaos

from .roles import AKS_CLUSTER_ADMIN, COSMOS_DB_OPERATOR, NETWORK_CONTRIBUTOR, REDIS_CACHE_CONTRIBUTOR, grant


@dataclass(frozen=True)
class Fault:
    """A fault from the library: where it applies, what it does, and the role its experiment needs."""

    key: str
    provider_namespace: str
    resource_type: str
    target_type: str
    capability: str
    urn: str
    continuous: bool
    role: str
    what: str


FAULTS: dict[str, Fault] = {
    f.key: f
    for f in (
        Fault(
            "cosmos-failover",
            "Microsoft.DocumentDB",
            "databaseAccounts",
            "Microsoft-CosmosDB",
            "Failover-1.0",
            "urn:csci:microsoft:cosmosDB:failover/1.0",
            True,
            COSMOS_DB_OPERATOR,
            "fail the Cosmos DB write region over to the DR region (reverted when the experiment ends)",
        ),
        Fault(
            "redis-reboot",
            "Microsoft.Cache",
            "redis",
            "Microsoft-AzureClusteredCacheForRedis",
            "Reboot-1.0",
            "urn:csci:microsoft:azureClusteredCacheForRedis:reboot/1.0",
            False,
            REDIS_CACHE_CONTRIBUTOR,
            "reboot every node of the active region's cache",
        ),
        Fault(
            "nsg-block",
            "Microsoft.Network",
            "networkSecurityGroups",
            "Microsoft-NetworkSecurityGroup",
            "SecurityRule-1.0",
            "urn:csci:microsoft:networkSecurityGroup:securityRule/1.0",
            True,
            NETWORK_CONTRIBUTOR,
            "deny all inbound traffic to the active region's app (idle connections drop after 4 min)",
        ),
        # Learn, "Chaos Studio version compatibility": 2.2 is the current AKS Chaos Mesh fault version.
        Fault(
            "aks-pod-chaos",
            "Microsoft.ContainerService",
            "managedClusters",
            "Microsoft-AzureKubernetesServiceChaosMesh",
            "PodChaos-2.2",
            "urn:csci:microsoft:azureKubernetesServiceChaosMesh:podChaos/2.2",
            True,
            AKS_CLUSTER_ADMIN,
            "kill the app's pods in the active cluster (Chaos Mesh must be installed)",
        ),
    )
}


@dataclass(frozen=True)
class DrillTarget:
    """One resource to fault: the fault's key and the resource's name, resource group and id."""

    fault: str
    resource_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    resource_id: pulumi.Input[str]
    #: fault parameters (e.g. Cosmos ``readRegion``); the defaults below fill the rest.
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChaosDrillsArgs:
    experiment_prefix: str
    resource_group_name: pulumi.Input[str]
    location: str
    subscription_id: pulumi.Input[str]
    targets: Sequence[DrillTarget] = field(default_factory=tuple)
    duration_minutes: int = 15
    tags: Mapping[str, str] = field(default_factory=dict)


def fault_parameters(fault: Fault, given: Mapping[str, str]) -> dict[str, str]:
    """A fault's parameters: what the drill gives, over safe defaults from the fault library.

    ``nsg-block`` takes ``priority`` (a priority free in the target group: Azure refuses a taken one, and the
    fault then fails); ``aks-pod-chaos`` takes ``namespace``: Chaos Mesh's selector picks the app's pods there,
    never every pod of the cluster (an empty selector)."""
    given = dict(given)
    defaults: dict[str, dict[str, str]] = {
        "redis-reboot": {"rebootType": "AllNodes", "shardId": "0"},
        "nsg-block": {
            "name": "azure-dr-drill-deny-inbound",
            "protocol": "Any",
            "sourceAddresses": '["*"]',
            "destinationAddresses": '["*"]',
            "action": "Deny",
            "destinationPortRanges": '["*"]',
            "sourcePortRanges": '["*"]',
            "direction": "Inbound",
        },
    }
    if fault.key == "nsg-block" and "priority" not in given:
        raise ValueError("fault nsg-block: parameter priority is required (a priority free in the target group)")
    if fault.key == "aks-pod-chaos" and "jsonSpec" not in given:
        namespace = given.pop("namespace", None)
        if not namespace:
            raise ValueError("fault aks-pod-chaos: parameter namespace is required (the pods it may fail)")
        selector = {"namespaces": [namespace]}
        spec = {"action": "pod-failure", "mode": "all", "duration": "600s", "selector": selector}
        given["jsonSpec"] = json.dumps(spec)
    return {**defaults.get(fault.key, {}), **given}


class ChaosDrills(pulumi.ComponentResource):
    """Targets, capabilities and experiments (with system identities and role assignments) for each fault."""

    experiments: dict[str, chaos.Experiment]
    role_assignments: list[authorization.RoleAssignment]

    def __init__(self, name: str, args: ChaosDrillsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:drills:ChaosDrills", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.experiments, self.role_assignments = {}, []
        for drill in args.targets:
            if drill.fault not in FAULTS:
                raise ValueError(f"fault={drill.fault!r}; expected one of {', '.join(sorted(FAULTS))}")
            fault = FAULTS[drill.fault]
            parent_args = dict(
                parent_provider_namespace=fault.provider_namespace,
                parent_resource_type=fault.resource_type,
                parent_resource_name=drill.resource_name,
                resource_group_name=drill.resource_group_name,
            )
            target = chaos.Target(
                f"{name}-{fault.key}-target",
                target_name=fault.target_type,
                location=args.location,
                properties={},
                **parent_args,
                opts=child,
            )
            capability = chaos.Capability(
                f"{name}-{fault.key}-capability",
                target_name=fault.target_type,
                capability_name=fault.capability,
                **parent_args,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[target]),
            )
            parameters = [
                chaos.KeyValuePairArgs(key=k, value=v) for k, v in fault_parameters(fault, drill.parameters).items()
            ]
            action: chaos.ContinuousActionArgs | chaos.DiscreteActionArgs = (
                chaos.ContinuousActionArgs(
                    name=fault.urn,
                    type="continuous",
                    duration=f"PT{args.duration_minutes}M",
                    parameters=parameters,
                    selector_id="targets",
                )
                if fault.continuous
                else chaos.DiscreteActionArgs(
                    name=fault.urn, type="discrete", parameters=parameters, selector_id="targets"
                )
            )
            experiment = chaos.Experiment(
                f"{name}-{fault.key}",
                experiment_name=f"{args.experiment_prefix}-{fault.key}",
                resource_group_name=args.resource_group_name,
                location=args.location,
                identity=chaos.ExperimentIdentityArgs(type="SystemAssigned"),
                properties=chaos.ExperimentPropertiesArgs(
                    selectors=[
                        chaos.ListSelectorArgs(
                            id="targets",
                            type="List",
                            targets=[chaos.TargetReferenceArgs(id=target.id, type="ChaosTarget")],
                        )
                    ],
                    steps=[
                        chaos.StepArgs(
                            name=f"drill-{fault.key}",
                            branches=[chaos.BranchArgs(name=fault.key, actions=[action])],
                        )
                    ],
                ),
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[capability]),
            )
            self.role_assignments.append(
                grant(
                    f"{name}-{fault.key}-role",
                    role=fault.role,
                    scope=drill.resource_id,
                    principal_id=experiment.identity.apply(lambda i: (i.principal_id or "") if i else ""),
                    subscription_id=args.subscription_id,
                    parent=self,
                )
            )
            self.experiments[fault.key] = experiment
        self.register_outputs({"experiments": {k: e.name for k, e in self.experiments.items()}})
