"""An AKS cluster per region: the compute tier of the DR pair.

Entra ID RBAC with local accounts off, an auto-upgrade channel, workload identity with the OIDC issuer, a
system pool autoscaled from config and spread over the region's zones, diagnostics and a CanNotDelete lock
like every data component. The cluster is stateful (``azure_dr.components.facts.recovery.STATEFUL_TYPES``): protected,
retained, and none of its create-only inputs (facts §0 forceNewMap: ``dnsPrefix``, ``networkProfile``,
``nodeResourceGroup``, ``location``, name) depends on anything a DR switch changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import authorization
from pulumi_azure_native import containerservice as cs

from .interfaces import DataInterfaces, data_tags, protect_data, stateful
from .kubeconfig import with_login_mode
from .roles import ACR_PULL, NETWORK_CONTRIBUTOR, grant, subscription_role_id

DR_MECHANISM = "aks-velero"


@dataclass(frozen=True)
class AksClusterArgs:
    """What the cluster is for; every optional field defaults to the secure, resilient choice."""

    cluster_name: str
    dns_prefix: str
    """Create-only (forceNew): fixed per region."""
    node_resource_group: str
    """Create-only (forceNew): named explicitly so that it is never derived from anything that switches."""
    tenant_id: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    admin_group_object_ids: Sequence[str]
    """Entra groups given cluster-admin; required, since local accounts are off."""
    interfaces: DataInterfaces
    vm_size: str = "Standard_D4ds_v5"
    min_nodes: int = 3
    max_nodes: int = 6
    max_pods: int = 110
    zones: Sequence[str] = ()
    """Availability zones of the system pool; empty in a region without zones (UK West, West US)."""
    sku_tier: str = "Standard"
    """Standard: the uptime SLA a production DR cluster needs (Free has none)."""
    upgrade_channel: str = "stable"
    node_os_upgrade_channel: str = "NodeImage"
    private_cluster: bool = False
    authorized_ip_ranges: Sequence[str] = ()
    """With a public API server, the only CIDRs allowed to reach it."""
    subnet_id: pulumi.Input[str] | None = None
    """The subnet the nodes join (Azure CNI Overlay: pods take overlay addresses, not the subnet's); the
    cluster's identity gets Network Contributor on it. Create-only in practice: Azure cannot move an existing
    pool to another subnet. Default: a network AKS creates in the node resource group."""
    registry_id: pulumi.Input[str] | None = None
    """The container registry the kubelet pulls from (AcrPull); in a non-owner region, the owner's registry,
    which serves pulls from this region's replication."""
    kubelogin: str = "azurecli"
    """How ``pulumi up`` signs in to the API server (kubelogin login mode)."""
    read_credentials: bool = True
    """Read the cluster's user credentials (an invoke on the cluster) for a Kubernetes provider. False while the
    cluster's region is down: the invoke would fail the whole deployment, even a targeted one. Default: True."""


class AksCluster(pulumi.ComponentResource):
    """The region's cluster, its kubelet's pull right on the registry, and a Kubernetes provider for it."""

    cluster: cs.ManagedCluster
    cluster_name: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    kubelet_object_id: pulumi.Output[str]
    provider: k8s.Provider | None
    """None when ``read_credentials`` is False (no Kubernetes object can be declared on the cluster then)."""

    def __init__(self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:aks:AksCluster", name, None, opts)
        i = args.interfaces
        zones = list(args.zones) or None
        cluster = cs.ManagedCluster(
            f"{name}-cluster",
            resource_name_=args.cluster_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            dns_prefix=args.dns_prefix,
            node_resource_group=args.node_resource_group,
            sku=cs.ManagedClusterSKUArgs(name=cs.ManagedClusterSKUName.BASE, tier=args.sku_tier),
            support_plan=cs.KubernetesSupportPlan.KUBERNETES_OFFICIAL,
            identity=cs.ManagedClusterIdentityArgs(type=cs.ResourceIdentityType.SYSTEM_ASSIGNED),
            agent_pool_profiles=[
                cs.ManagedClusterAgentPoolProfileArgs(
                    name="system",
                    mode=cs.AgentPoolMode.SYSTEM,
                    type=cs.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
                    vm_size=args.vm_size,
                    os_type=cs.OSType.LINUX,
                    os_sku=cs.OSSKU.AZURE_LINUX,
                    count=args.min_nodes,
                    enable_auto_scaling=True,
                    min_count=args.min_nodes,
                    max_count=args.max_nodes,
                    max_pods=args.max_pods,
                    availability_zones=zones,
                    vnet_subnet_id=args.subnet_id,
                    upgrade_settings=cs.AgentPoolUpgradeSettingsArgs(max_surge="33%"),
                )
            ],
            enable_rbac=True,
            aad_profile=cs.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                admin_group_object_ids=list(args.admin_group_object_ids),
                tenant_id=args.tenant_id,
            ),
            # Static credentials off: every caller signs in with Entra ID (requires the managed AAD profile).
            disable_local_accounts=True,
            auto_upgrade_profile=cs.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=args.upgrade_channel, node_os_upgrade_channel=args.node_os_upgrade_channel
            ),
            oidc_issuer_profile=cs.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=cs.ManagedClusterSecurityProfileArgs(
                workload_identity=cs.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True)
            ),
            api_server_access_profile=cs.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=args.private_cluster,
                authorized_ip_ranges=None if args.private_cluster else list(args.authorized_ip_ranges),
            ),
            # Create-only as a whole (forceNew): constants, so no config switch can touch it.
            network_profile=cs.ContainerServiceNetworkProfileArgs(
                network_plugin=cs.NetworkPlugin.AZURE,
                network_plugin_mode=cs.NetworkPluginMode.OVERLAY,
                network_dataplane=cs.NetworkDataplane.CILIUM,
                network_policy=cs.NetworkPolicy.CILIUM,
                load_balancer_sku=cs.LoadBalancerSku.STANDARD,
                outbound_type=cs.OutboundType.LOAD_BALANCER,
            ),
            tags=data_tags(i, DR_MECHANISM),
            opts=stateful(self, removal_policy=i.removal_policy),
        )
        protect_data(self, name, cluster, i)
        self.cluster = cluster
        self.cluster_name = cluster.name
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(lambda p: str(p.issuer_url) if p else "")
        self.principal_id = cluster.identity.apply(lambda ident: str(ident.principal_id) if ident else "")
        self.kubelet_object_id = cluster.identity_profile.apply(_kubelet_object_id)
        if args.subnet_id is not None:
            # A cluster in your own subnet manages its load balancer there through its identity (Learn, "Use a
            # managed identity in AKS": bring-your-own networks need Network Contributor on the subnet).
            grant(
                f"{name}-subnet-network",
                role=NETWORK_CONTRIBUTOR,
                scope=args.subnet_id,
                principal_id=self.principal_id,
                subscription_id=args.subscription_id,
                parent=self,
            )
        if args.registry_id is not None:
            authorization.RoleAssignment(
                f"{name}-acr-pull",
                scope=args.registry_id,
                principal_id=self.kubelet_object_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role_definition_id=subscription_role_id(args.subscription_id, ACR_PULL),
                description="azure-dr: the cluster's kubelet pulls images (from this region's replication)",
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.provider = _provider(self, name, args, cluster) if args.read_credentials else None
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "oidc_issuer_url": self.oidc_issuer_url,
                "kubelet_object_id": self.kubelet_object_id,
            }
        )


def _provider(parent: AksCluster, name: str, args: AksClusterArgs, cluster: cs.ManagedCluster) -> k8s.Provider:
    """A Kubernetes provider from the cluster's user credentials (admin ones are refused once local accounts are
    off: facts §8), in ``exec`` format with the deployment's kubelogin mode."""
    credentials = cs.list_managed_cluster_user_credentials_output(
        resource_group_name=args.interfaces.resource_group_name,
        resource_name=cluster.name,
        format="exec",  # kubelogin exec plugin; "azure" is the retired auth-provider
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    login = args.kubelogin

    def usable(result: cs.ListManagedClusterUserCredentialsResult) -> pulumi.Output[str]:
        # Azure answers with one kubeconfig; a test's plain mocks may answer with none (an empty config).
        if not result.kubeconfigs:
            return pulumi.Output.secret("")
        return pulumi.Output.secret(with_login_mode(str(result.kubeconfigs[0].value), login))

    kubeconfig: pulumi.Output[str] = credentials.apply(usable)
    return k8s.Provider(f"{name}-k8s", kubeconfig=kubeconfig, opts=pulumi.ResourceOptions(parent=parent))


def _kubelet_object_id(profile: Any) -> str:
    """The kubelet identity's object id from ``identityProfile`` (the identity the nodes pull images with)."""
    kubelet = (profile or {}).get("kubeletidentity")
    value = getattr(kubelet, "object_id", None) if kubelet is not None else None
    return str(value) if value else ""
