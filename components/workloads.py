"""The applications on a region's cluster: per workload a Deployment, Service, HorizontalPodAutoscaler and
PodDisruptionBudget, in one namespace, through the cluster's Kubernetes provider.

A standby region runs every workload warm (``replicas`` is the warm count) and an active one full; promotion
and failback change only the replica count: the autoscaler's floor, which owns the Deployment's size. Pods spread
over zones and nodes, run as non-root with a read-only root file system, and pull images from the registry's
login server (served from this region's replication).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.apps.v1 import DeploymentSpecArgs
from pulumi_kubernetes.autoscaling.v2 import (
    CrossVersionObjectReferenceArgs,
    HorizontalPodAutoscalerSpecArgs,
    MetricSpecArgs,
    MetricTargetArgs,
    ResourceMetricSourceArgs,
)
from pulumi_kubernetes.core.v1 import (
    CapabilitiesArgs,
    ContainerArgs,
    ContainerPortArgs,
    HTTPGetActionArgs,
    PodSecurityContextArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    ProbeArgs,
    ResourceRequirementsArgs,
    SeccompProfileArgs,
    SecurityContextArgs,
    ServicePortArgs,
    ServiceSpecArgs,
    TopologySpreadConstraintArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.policy.v1 import PodDisruptionBudgetSpecArgs

# cloud-provider-azure Service annotations (Microsoft Learn, "Use a public standard load balancer in AKS",
# annotation table): the pre-created public IP, its resource group, and the service tags allowed in.
PIP_NAME = "service.beta.kubernetes.io/azure-pip-name"
PIP_RESOURCE_GROUP = "service.beta.kubernetes.io/azure-load-balancer-resource-group"
ALLOWED_SERVICE_TAGS = "service.beta.kubernetes.io/azure-allowed-service-tags"


@dataclass(frozen=True)
class IngressExposure:
    """Put a workload behind the region's public ingress IP (see ``azure_dr.components.ingress``)."""

    ip_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    allowed_service_tags: Sequence[str] = ()
    """e.g. ``AzureFrontDoor.Backend``: only Front Door reaches the origin."""


@dataclass(frozen=True)
class WorkloadSpec:
    """One application; defaults are the resilient choice (several replicas, one pod down at a time)."""

    name: str
    image: pulumi.Input[str]
    """The full image reference, ``<login server>/<repository>:<tag>``."""
    replicas: int
    """The count for this stack's role: full when active, warm when standby."""
    max_replicas: int = 10
    port: int = 8080
    cpu_utilization: int = 70
    cpu: str = "250m"
    memory: str = "256Mi"
    max_unavailable: int = 1
    """The disruption budget: node drains and upgrades take at most this many pods at once. A count, not
    ``minAvailable``, so a one-replica warm workload never blocks a node upgrade."""
    health_path: str = "/healthz"
    ingress: IngressExposure | None = None


@dataclass(frozen=True)
class WorkloadsArgs:
    namespace: str
    workloads: Sequence[WorkloadSpec]
    provider: k8s.Provider
    labels: Mapping[str, str] = field(default_factory=dict)


class Workloads(pulumi.ComponentResource):
    """The namespace and every workload's Deployment, Service, autoscaler and disruption budget."""

    namespace: k8s.core.v1.Namespace
    deployments: dict[str, k8s.apps.v1.Deployment]

    def __init__(self, name: str, args: WorkloadsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:workloads:Workloads", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-ns",
            metadata=ObjectMetaArgs(
                name=args.namespace,
                labels={**args.labels, "pod-security.kubernetes.io/enforce": "restricted"},
            ),
            opts=child,
        )
        in_ns = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.namespace])
        self.deployments = {w.name: self._workload(name, args.namespace, w, in_ns) for w in args.workloads}
        self.register_outputs({"namespace": self.namespace.metadata.name})

    def _workload(
        self, name: str, namespace: str, w: WorkloadSpec, opts: pulumi.ResourceOptions
    ) -> k8s.apps.v1.Deployment:
        labels = {"app.kubernetes.io/name": w.name}
        meta = ObjectMetaArgs(name=w.name, namespace=namespace, labels=labels)
        probe = ProbeArgs(http_get=HTTPGetActionArgs(path=w.health_path, port=w.port), period_seconds=10)
        deployment = k8s.apps.v1.Deployment(
            f"{name}-{w.name}",
            metadata=meta,
            # No ``replicas``: the autoscaler owns the count (its floor is the role's count). A replica count in
            # the Deployment would be re-applied on every later change and scale a busy workload back down
            # (Kubernetes docs, "Horizontal Pod Autoscaling": remove spec.replicas when an HPA manages it).
            spec=DeploymentSpecArgs(
                selector=LabelSelectorArgs(match_labels=labels),
                template=PodTemplateSpecArgs(
                    metadata=ObjectMetaArgs(labels=labels),
                    spec=PodSpecArgs(
                        security_context=PodSecurityContextArgs(
                            run_as_non_root=True, seccomp_profile=SeccompProfileArgs(type="RuntimeDefault")
                        ),
                        topology_spread_constraints=[
                            TopologySpreadConstraintArgs(
                                max_skew=1,
                                topology_key=key,
                                when_unsatisfiable="ScheduleAnyway",
                                label_selector=LabelSelectorArgs(match_labels=labels),
                            )
                            for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
                        ],
                        containers=[
                            ContainerArgs(
                                name=w.name,
                                image=w.image,
                                ports=[ContainerPortArgs(container_port=w.port, name="app")],
                                resources=ResourceRequirementsArgs(
                                    requests={"cpu": w.cpu, "memory": w.memory}, limits={"memory": w.memory}
                                ),
                                readiness_probe=probe,
                                liveness_probe=probe,
                                security_context=SecurityContextArgs(
                                    allow_privilege_escalation=False,
                                    read_only_root_filesystem=True,
                                    capabilities=CapabilitiesArgs(drop=["ALL"]),
                                ),
                            )
                        ],
                    ),
                ),
            ),
            opts=opts,
        )
        ingress = w.ingress
        annotations: dict[str, pulumi.Input[str]] = {}
        if ingress is not None:
            annotations = {PIP_NAME: ingress.ip_name, PIP_RESOURCE_GROUP: ingress.resource_group_name}
            if ingress.allowed_service_tags:
                annotations[ALLOWED_SERVICE_TAGS] = ",".join(ingress.allowed_service_tags)
        k8s.core.v1.Service(
            f"{name}-{w.name}-svc",
            metadata=ObjectMetaArgs(name=w.name, namespace=namespace, labels=labels, annotations=annotations or None),
            spec=ServiceSpecArgs(
                type="LoadBalancer" if ingress is not None else "ClusterIP",
                selector=labels,
                # The ingress workload terminates TLS itself: Front Door checks the origin certificate's name.
                ports=[
                    ServicePortArgs(
                        name="https" if ingress is not None else "http",
                        port=443 if ingress is not None else 80,
                        target_port=w.port,
                    )
                ],
            ),
            opts=opts,
        )
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-{w.name}-hpa",
            metadata=meta,
            spec=HorizontalPodAutoscalerSpecArgs(
                scale_target_ref=CrossVersionObjectReferenceArgs(api_version="apps/v1", kind="Deployment", name=w.name),
                min_replicas=w.replicas,
                max_replicas=max(w.max_replicas, w.replicas),
                metrics=[
                    MetricSpecArgs(
                        type="Resource",
                        resource=ResourceMetricSourceArgs(
                            name="cpu",
                            target=MetricTargetArgs(type="Utilization", average_utilization=w.cpu_utilization),
                        ),
                    )
                ],
            ),
            opts=opts,
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-{w.name}-pdb",
            metadata=meta,
            spec=PodDisruptionBudgetSpecArgs(
                max_unavailable=w.max_unavailable, selector=LabelSelectorArgs(match_labels=labels)
            ),
            opts=opts,
        )
        return deployment
