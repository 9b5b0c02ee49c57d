"""Velero backups of a region's cluster to the region's geo-redundant storage account, without account keys.

The storage account has shared-key access off, so Velero's Azure plugin authenticates with Entra ID
(``useAAD: "true"`` with ``storageAccountURI``; the plugin's ``backupstoragelocation.md``) through workload
identity: a user-assigned identity federated with Velero's service account (issuer = the cluster's OIDC
issuer, audience ``api://AzureADTokenExchange``; Microsoft Learn, "Use Microsoft Entra Workload ID with AKS"),
holding Storage Blob Data Contributor on this region's container only.

Volume data goes to the same container by file-system backup (node agent), not Azure disk snapshots: a
snapshot stays in the failed region, the GRS container does not. Where this stack reads a peer, a second,
read-only BackupStorageLocation points at the peer's container (Storage Blob Data Reader on it), so this
region can restore the other region's backups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import authorization, managedidentity, storage

from .facts.schedule import velero_ttl
from .interfaces import RemovalPolicy, removal_refusal, stateful
from .roles import STORAGE_BLOB_DATA_CONTRIBUTOR, STORAGE_BLOB_DATA_READER, subscription_role_id
from .rules import refuse

NAMESPACE = "velero"
SERVICE_ACCOUNT = "velero"
CONTAINER = "velero"
CHART_REPO = "https://vmware-tanzu.github.io/helm-charts"
TOKEN_AUDIENCE = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class BackupContainer:
    """A storage container Velero reads backups from."""

    resource_group_name: pulumi.Input[str]
    account_name: pulumi.Input[str]
    container_id: pulumi.Input[str]
    container_name: pulumi.Input[str] = CONTAINER


@dataclass(frozen=True)
class VeleroArgs:
    """Velero on one cluster; defaults from seed 004 (daily 02:00 UTC, kept 720 h)."""

    provider: k8s.Provider | None
    """The cluster's Kubernetes provider; None while the cluster's region is unreachable (the Azure side - the
    container, identity, federation and grants - stays declared; the chart and schedule wait)."""
    oidc_issuer_url: pulumi.Input[str]
    identity_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    subscription_id: pulumi.Input[str]
    storage_account_name: pulumi.Input[str]
    namespaces: Sequence[str]
    """Namespaces each scheduled backup includes."""
    schedule: str = "0 2 * * *"
    """Cron, UTC; its longest gap is the compute tier's RPO."""
    ttl_hours: int = 720
    chart_version: str = "10.0.0"
    """vmware-tanzu/velero chart; 10.x installs Velero 1.16 [unverified: pin what you tested]."""
    plugin_image: str = "velero/velero-plugin-for-microsoft-azure:v1.12.1"
    peer: BackupContainer | None = None
    """The peer region's container, read-only: what this region restores from after a failover."""
    tags: dict[str, str] = field(default_factory=dict)
    removal_policy: RemovalPolicy = "retain"
    """``retain`` (default): protected and kept in Azure when the stack lets go of it; ``destroy``: neither, for a
    throw-away stack."""

    def __post_init__(self) -> None:
        refuse("VeleroArgs", None, removal_refusal(self.removal_policy))


class VeleroBackups(pulumi.ComponentResource):
    """Container, identity, federation, role assignments, the Helm release and the backup Schedule."""

    container_name: pulumi.Output[str]
    container_id: pulumi.Output[str]
    identity_client_id: pulumi.Output[str]
    schedule: k8s.apiextensions.CustomResource | None

    def __init__(self, name: str, args: VeleroArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:velero:VeleroBackups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        container = storage.BlobContainer(
            f"{name}-container",
            container_name=CONTAINER,
            account_name=args.storage_account_name,
            resource_group_name=args.resource_group_name,
            public_access=storage.PublicAccess.NONE,
            opts=stateful(
                self, removal_policy=args.removal_policy
            ),  # holds the backups; the account's lock covers it too
        )
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-id",
            resource_name_=args.identity_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=child,
        )
        federation = managedidentity.FederatedIdentityCredential(
            f"{name}-federation",
            federated_identity_credential_resource_name="velero-server",
            resource_name_=identity.name,
            resource_group_name=args.resource_group_name,
            issuer=args.oidc_issuer_url,
            subject=f"system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}",
            audiences=[TOKEN_AUDIENCE],
            opts=child,
        )
        grants = [
            authorization.RoleAssignment(
                f"{name}-writer",
                scope=container.id,
                principal_id=identity.principal_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role_definition_id=subscription_role_id(args.subscription_id, STORAGE_BLOB_DATA_CONTRIBUTOR),
                description="azure-dr: Velero writes this region's backups",
                opts=child,
            )
        ]
        locations = [self._location("default", args.resource_group_name, args.storage_account_name, args)]
        if args.peer is not None:
            grants.append(
                authorization.RoleAssignment(
                    f"{name}-peer-reader",
                    scope=args.peer.container_id,
                    principal_id=identity.principal_id,
                    principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                    role_definition_id=subscription_role_id(args.subscription_id, STORAGE_BLOB_DATA_READER),
                    description="azure-dr: Velero restores the peer region's backups (read-only)",
                    opts=child,
                )
            )
            locations.append(
                self._location(
                    "peer", args.peer.resource_group_name, args.peer.account_name, args, args.peer.container_name
                )
            )
        self.schedule = None
        if args.provider is not None:
            self.schedule = self._install(name, args, args.provider, identity, locations, [federation, *grants])
        self.container_name = container.name
        self.container_id = container.id
        self.identity_client_id = identity.client_id
        self.register_outputs({"container_id": self.container_id, "identity_client_id": self.identity_client_id})

    def _install(
        self,
        name: str,
        args: VeleroArgs,
        provider: k8s.Provider,
        identity: managedidentity.UserAssignedIdentity,
        locations: list[dict[str, Any]],
        after: list[pulumi.Resource],
    ) -> k8s.apiextensions.CustomResource:
        """The chart (with the workload identity) and the daily Schedule, on the cluster."""
        workload_identity = {"azure.workload.identity/use": "true"}
        release = k8s.helm.v3.Release(
            f"{name}-release",
            name="velero",
            chart="velero",
            version=args.chart_version,
            namespace=NAMESPACE,
            create_namespace=True,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CHART_REPO),
            atomic=True,
            cleanup_on_fail=True,
            values={
                "initContainers": [
                    {
                        "name": "velero-plugin-for-microsoft-azure",
                        "image": args.plugin_image,
                        "volumeMounts": [{"mountPath": "/target", "name": "plugins"}],
                    }
                ],
                "configuration": {
                    "backupStorageLocation": locations,
                    "volumeSnapshotLocation": [],
                    "defaultVolumesToFsBackup": True,
                },
                "snapshotsEnabled": False,
                "deployNodeAgent": True,
                "upgradeCRDs": True,
                "serviceAccount": {
                    "server": {
                        "create": True,
                        "name": SERVICE_ACCOUNT,
                        "annotations": {"azure.workload.identity/client-id": identity.client_id},
                    }
                },
                "podLabels": workload_identity,
                "nodeAgent": {"podLabels": workload_identity},
                # Not a secret: only where the plugin works (subscription, group); tokens come from the federation.
                "credentials": {
                    "useSecret": True,
                    "secretContents": {
                        "cloud": pulumi.Output.concat(
                            "AZURE_SUBSCRIPTION_ID=",
                            args.subscription_id,
                            "\nAZURE_RESOURCE_GROUP=",
                            args.resource_group_name,
                            "\nAZURE_CLOUD_NAME=AzurePublicCloud\n",
                        )
                    },
                },
            },
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=after),
        )
        return k8s.apiextensions.CustomResource(
            f"{name}-schedule",
            api_version="velero.io/v1",
            kind="Schedule",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="daily", namespace=NAMESPACE),
            spec={
                "schedule": args.schedule,
                "useOwnerReferencesInBackup": False,
                "template": {
                    "includedNamespaces": list(args.namespaces),
                    "ttl": velero_ttl(args.ttl_hours),
                    "storageLocation": "default",
                    "snapshotVolumes": False,
                    "defaultVolumesToFsBackup": True,
                },
            },
            # The CRDs come with the chart.
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[release]),
        )

    @staticmethod
    def _location(
        name: str,
        resource_group_name: pulumi.Input[str],
        account_name: pulumi.Input[str],
        args: VeleroArgs,
        container: pulumi.Input[str] = CONTAINER,
    ) -> dict[str, Any]:
        """A BackupStorageLocation over Entra ID: ``useAAD`` with the account URI, never an account key."""
        return {
            "name": name,
            "provider": "azure",
            "bucket": container,
            "default": name == "default",
            "accessMode": "ReadWrite" if name == "default" else "ReadOnly",
            "config": {
                "resourceGroup": resource_group_name,
                "storageAccount": account_name,
                "subscriptionId": args.subscription_id,
                "useAAD": "true",
                "storageAccountURI": pulumi.Output.from_input(account_name).apply(_blob_endpoint),
            },
        }


def _blob_endpoint(account_name: str | None) -> str | None:
    """The account's blob endpoint (public cloud); None while the account name is not known (a peer not yet built)."""
    return f"https://{account_name}.blob.core.windows.net/" if account_name else None
