"""The region's public ingress address: a static public IP with a DNS label, for the cluster's ingress Service.

The IP lives in the region's resource group, not the cluster's node resource group, so it exists before the
cluster, keeps its address and FQDN through a cluster rebuild, and gives the Front Door origin a stable host
name (``<label>.<region>.cloudapp.azure.com``; Microsoft Learn, "Public IP addresses", DNS name label).
The ingress Service names it with ``service.beta.kubernetes.io/azure-pip-name`` and
``service.beta.kubernetes.io/azure-load-balancer-resource-group``; for a load balancer to use an IP outside the
node resource group, the cluster identity needs Network Contributor on that resource group (Microsoft Learn,
"Use a static public IP address and DNS label with the AKS load balancer"), assigned here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, network

from .roles import NETWORK_CONTRIBUTOR, subscription_role_id


@dataclass(frozen=True)
class IngressAddressArgs:
    ip_name: str
    dns_label: str
    """Unique in the region; the FQDN is ``<dns_label>.<location>.cloudapp.azure.com``."""
    resource_group_name: pulumi.Input[str]
    location: str
    subscription_id: pulumi.Input[str]
    cluster_principal_id: pulumi.Input[str]
    """The cluster's (control-plane) identity, which attaches the IP to the load balancer."""
    zones: Sequence[str] = ()
    """Zone-redundant where the region has zones (create-only: fixed by the region)."""
    tags: dict[str, str] = field(default_factory=dict)


class IngressAddress(pulumi.ComponentResource):
    """A Standard, static, zone-redundant public IP with a DNS label, and the cluster's right to use it."""

    ip_name: pulumi.Output[str]
    fqdn: pulumi.Output[str]
    resource_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: IngressAddressArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:ingress:IngressAddress", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ip = network.PublicIPAddress(
            f"{name}-ip",
            public_ip_address_name=args.ip_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
            public_ip_allocation_method="Static",
            public_ip_address_version="IPv4",
            zones=list(args.zones) or None,
            dns_settings=network.PublicIPAddressDnsSettingsArgs(domain_name_label=args.dns_label),
            tags=args.tags,
            opts=child,
        )
        authorization.RoleAssignment(
            f"{name}-network",
            scope=pulumi.Output.concat(
                "/subscriptions/", args.subscription_id, "/resourceGroups/", args.resource_group_name
            ),
            principal_id=args.cluster_principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=subscription_role_id(args.subscription_id, NETWORK_CONTRIBUTOR),
            description="azure-dr: the cluster's load balancer uses the ingress IP in this resource group",
            opts=child,
        )
        self.ip_name = ip.name
        self.resource_group_name = pulumi.Output.from_input(args.resource_group_name)
        self.fqdn = ip.dns_settings.apply(lambda d: str(d.fqdn) if d is not None and d.fqdn else "")
        self.register_outputs({"ip_name": self.ip_name, "fqdn": self.fqdn})
