"""The compute tier: an AKS cluster per region, workloads at the role's replica count, Velero backups, the
cluster ingress as the Front Door origin, and a switch that only scales."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from ruamel.yaml import YAML

from azure_dr.cli.engine import azure_ids
from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from azure_dr.cli.engine.replacement import replacements
from azure_dr.cli.report.render import locked_ids, plan_text
from azure_dr.components.kubeconfig import with_login_mode
from tests.conftest import plan, plan_one
from tests.helpers import named, promoted_pair, stack_value, with_block

CLUSTER = "azure-native:containerservice:ManagedCluster"
ROLE = "azure-native:authorization:RoleAssignment"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
SERVICE = "kubernetes:core/v1:Service"
RELEASE = "kubernetes:helm.sh/v3:Release"
SCHEDULE = "kubernetes:velero.io/v1:Schedule"
PROVIDER = "pulumi:providers:kubernetes"
ORIGIN = "azure-native:cdn:AFDOrigin"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"

PROMOTED = promoted_pair()


def role(stack: StackPlan, suffix: str) -> dict[str, Any]:
    [found] = [r.inputs for r in stack.of_type(ROLE) if r.name.endswith(suffix)]
    return found


def hpa_floors(stack: StackPlan) -> dict[str, int]:
    return {r.inputs["metadata"]["name"]: int(r.inputs["spec"]["minReplicas"]) for r in stack.of_type(HPA)}


# --- the cluster ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "zones"), [("primary", ["1", "2", "3"]), ("dr", None)])
def test_cluster_is_entra_only_auto_upgraded_zoned_where_possible(
    shipped: dict[str, StackPlan], stack: str, zones: list[str] | None
) -> None:
    p = shipped[stack]
    cluster = p.one(CLUSTER)
    i = cluster.inputs
    [pool] = i["agentPoolProfiles"]
    assert pool.get("availabilityZones") == zones  # UK West has no zones
    assert (pool["mode"], pool["enableAutoScaling"], pool["minCount"], pool["maxCount"]) == (
        "System",
        True,
        stack_value(stack, "aks")["system_pool"]["min_count"],
        6,
    )
    assert i["disableLocalAccounts"] is True and i["enableRBAC"] is True
    assert i["aadProfile"]["managed"] is True and i["aadProfile"]["enableAzureRBAC"] is True
    assert i["aadProfile"]["adminGroupObjectIDs"] == ["7c1e4b2a-9d3f-4a6e-8b5c-2f1d0e9a8b7c"]
    assert i["autoUpgradeProfile"] == {"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"}
    assert i["oidcIssuerProfile"] == {"enabled": True}
    assert i["securityProfile"]["workloadIdentity"] == {"enabled": True}
    assert i["apiServerAccessProfile"]["authorizedIPRanges"] == ["203.0.113.0/24"]
    assert "kubernetesVersion" not in i  # the upgrade channel owns the version
    assert (i["dnsPrefix"], i["nodeResourceGroup"]) == (
        f"aks-qlp-prod-{'uks' if stack == 'primary' else 'ukw'}",
        f"rg-qlp-prod-{'uks' if stack == 'primary' else 'ukw'}-aks-nodes",
    )
    assert cluster.protect and cluster.retain_on_delete and cluster.id in locked_ids(p)
    diagnostics = [
        r
        for r in p.of_type("azure-native:monitor:DiagnosticSetting")
        if r.name.endswith("aks-diagnostics-log-analytics")
    ]
    assert [d.inputs["resourceUri"] for d in diagnostics] == [cluster.id]
    assert i["tags"]["azure-dr:dr-mechanism"] == "aks-velero" and "dr-role" not in i["tags"]


def test_kubelet_pulls_from_the_registry_in_both_regions(primary: StackPlan, dr: StackPlan) -> None:
    for p in (primary, dr):
        pull = role(p, "-acr-pull")
        kubelet = p.one(CLUSTER).outputs["identityProfile"]["kubeletidentity"]["objectId"]
        assert pull["principalId"] == kubelet and pull["roleDefinitionId"].endswith(ACR_PULL)
        # The registry lives with the global owner; the DR stack's replication serves the pulls in UK West.
        assert pull["scope"] == primary.outputs["registry_id"]
    assert dr.one("azure-native:containerregistry:Replication").inputs["location"] == "ukwest"


def test_kubernetes_resources_go_through_the_clusters_provider_with_a_secret_kubeconfig(primary: StackPlan) -> None:
    provider = primary.one(PROVIDER)
    assert provider.inputs["kubeconfig"] == "[secret]"
    k8s = [r for r in primary.resources if r.type.startswith("kubernetes:")]
    assert len(k8s) == 11  # namespace, 2 x (deployment, service, autoscaler, budget), release, schedule
    assert all(r.provider.startswith(f"{provider.urn}::") for r in k8s)


def test_kubeconfig_signs_in_without_a_browser() -> None:
    raw = azure_ids.user_kubeconfig("rg-qlp-prod-uks", "aks-qlp-prod-uks")
    assert "--login, devicecode" in base64.b64decode(raw).decode()  # what AKS returns
    config = YAML(typ="safe", pure=True).load(with_login_mode(raw, "workloadidentity"))
    exec_ = config["users"][0]["user"]["exec"]
    assert exec_["args"][exec_["args"].index("--login") + 1] == "workloadidentity"
    assert exec_["env"] == [{"name": "AAD_LOGIN_METHOD", "value": "workloadidentity"}]
    assert config["clusters"][0]["cluster"]["server"].startswith("https://aks-qlp-prod-uks-")


# --- workloads -----------------------------------------------------------------------------------------------


def test_workloads_run_full_on_the_active_stack_and_warm_on_the_standby(primary: StackPlan, dr: StackPlan) -> None:
    assert hpa_floors(primary) == {"api": 3, "worker": 2}
    assert hpa_floors(dr) == {"api": 1, "worker": 1}
    for p in (primary, dr):
        deployments = {d.inputs["metadata"]["name"]: d.inputs for d in p.of_type(DEPLOYMENT)}
        assert set(deployments) == {"api", "worker"}
        assert all("replicas" not in d["spec"] for d in deployments.values())  # the autoscaler owns the count
        image = deployments["api"]["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image == f"{primary.outputs['registry_login_server']}/qlp/api:1.4.2"
        budgets = {b.inputs["metadata"]["name"]: b.inputs["spec"] for b in p.of_type(PDB)}
        assert budgets == {
            n: {"maxUnavailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": n}}} for n in deployments
        }


def test_ingress_service_uses_the_static_ip_and_admits_only_front_door(dr: StackPlan) -> None:
    services = {s.inputs["metadata"]["name"]: s.inputs for s in dr.of_type(SERVICE)}
    assert services["worker"]["spec"]["type"] == "ClusterIP"
    api = services["api"]
    assert api["spec"]["type"] == "LoadBalancer"
    ip = dr.one("azure-native:network:PublicIPAddress")
    assert api["metadata"]["annotations"] == {
        "service.beta.kubernetes.io/azure-pip-name": ip.inputs["publicIpAddressName"],
        "service.beta.kubernetes.io/azure-load-balancer-resource-group": dr.outputs["resource_group_name"],
        "service.beta.kubernetes.io/azure-allowed-service-tags": "AzureFrontDoor.Backend",
    }
    assert ip.inputs["sku"] == {"name": "Standard", "tier": "Regional"} and "zones" not in ip.inputs
    network = role(dr, "-ingress-network")
    assert network["principalId"] == dr.one(CLUSTER).outputs["identity"]["principalId"]
    assert network["scope"].endswith(f"/resourceGroups/{dr.outputs['resource_group_name']}")
    assert network["roleDefinitionId"].endswith(NETWORK_CONTRIBUTOR)
    assert dr.one(ORIGIN).inputs["hostName"] == ip.outputs["dnsSettings"]["fqdn"] == dr.outputs["ingress_fqdn"]


def test_origin_can_still_be_a_host_name() -> None:
    routing = {"kind": "frontdoor", "origin": "host", "origin_host": "app.example.com"}
    p = plan({"primary": {"azure-dr:routing": json.dumps(routing)}}, ["primary"])["primary"]
    assert p.one(ORIGIN).inputs["hostName"] == "app.example.com"


# --- Velero --------------------------------------------------------------------------------------------------


def _locations(p: StackPlan) -> dict[str, dict[str, Any]]:
    values = p.one(RELEASE).inputs["values"]
    return {loc["name"]: loc for loc in values["configuration"]["backupStorageLocation"]}


def test_velero_backs_up_through_workload_identity_without_keys(primary: StackPlan) -> None:
    release = primary.one(RELEASE).inputs
    assert (release["chart"], release["namespace"], release["repositoryOpts"]["repo"]) == (
        "velero",
        "velero",
        "https://vmware-tanzu.github.io/helm-charts",
    )
    values = release["values"]
    [own] = [loc for loc in _locations(primary).values() if loc["accessMode"] == "ReadWrite"]
    assert own["accessMode"] == "ReadWrite" and own["bucket"] == "velero"
    assert own["config"]["useAAD"] == "true" and own["config"]["storageAccount"] == "stqlpproduks"
    assert own["config"]["storageAccountURI"] == "https://stqlpproduks.blob.core.windows.net/"
    assert "storageAccountKeyEnvVar" not in own["config"]
    assert primary.one("azure-native:storage:StorageAccount").inputs["allowSharedKeyAccess"] is False
    assert values["snapshotsEnabled"] is False and values["configuration"]["defaultVolumesToFsBackup"] is True
    identity = next(
        r for r in primary.of_type("azure-native:managedidentity:UserAssignedIdentity") if r.name.endswith("velero-id")
    )
    account = values["serviceAccount"]["server"]
    assert account["annotations"] == {"azure.workload.identity/client-id": identity.outputs["clientId"]}
    assert values["podLabels"] == {"azure.workload.identity/use": "true"}
    federation = primary.one("azure-native:managedidentity:FederatedIdentityCredential").inputs
    assert federation["subject"] == f"system:serviceaccount:velero:{account['name']}"
    assert federation["issuer"] == primary.one(CLUSTER).outputs["oidcIssuerProfile"]["issuerURL"]
    assert federation["audiences"] == ["api://AzureADTokenExchange"]
    container = named(primary, "azure-native:storage:BlobContainer", "velero")
    assert container.protect and container.inputs["accountName"] == "stqlpproduks"
    writer = role(primary, "-velero-writer")
    assert (writer["scope"], writer["principalId"]) == (container.id, identity.outputs["principalId"])
    assert writer["roleDefinitionId"].endswith(BLOB_CONTRIBUTOR)
    assert "AccountKey" not in json.dumps(values)


def test_velero_schedule_defaults_to_daily_at_two_kept_thirty_days(primary: StackPlan) -> None:
    schedule = primary.one(SCHEDULE)
    spec = schedule.inputs["spec"]
    assert spec["schedule"] == "0 2 * * *"
    assert spec["template"]["ttl"] == "720h0m0s"
    assert spec["template"]["includedNamespaces"] == ["qlp"]
    assert spec["template"]["storageLocation"] == "default"
    assert primary.one(RELEASE).urn in schedule.dependencies  # the CRDs come with the chart


def test_the_standby_restores_from_the_peers_container_read_only(primary: StackPlan, dr: StackPlan) -> None:
    peer = _locations(dr)["peer"]
    assert peer["accessMode"] == "ReadOnly" and peer["default"] is False
    assert peer["config"]["storageAccount"] == primary.outputs["storage_account_name"]
    assert peer["config"]["resourceGroup"] == primary.outputs["resource_group_name"]
    reader = role(dr, "-velero-peer-reader")
    assert (
        reader["scope"]
        == primary.outputs["velero_container_id"]
        == named(primary, "azure-native:storage:BlobContainer", "velero").id
    )
    assert reader["roleDefinitionId"].endswith(BLOB_READER)


def test_the_compute_tier_is_off_by_default() -> None:
    routing = {"kind": "frontdoor", "origin_host": "app.example.com"}
    p = plan(
        {"primary": {"azure-dr:aks": "{}", "azure-dr:workloads": "[]", "azure-dr:routing": json.dumps(routing)}},
        ["primary"],
    )["primary"]
    assert p.error is None
    assert p.of_type(CLUSTER) == [] and [r for r in p.resources if r.type.startswith("kubernetes:")] == []
    assert p.outputs.get("aks_cluster_name") is None and p.outputs.get("velero_container_id") is None


# --- a switch only scales ------------------------------------------------------------------------------------

COMPUTE_PARENTS = ("-aks", "-apps", "-velero", "-ingress")


def _compute(p: StackPlan) -> dict[str, RecordedResource]:
    """The compute tier's custom resources, by URN: everything under the cluster, workload, Velero and ingress
    components."""
    components = {r.urn for r in p.resources if not r.custom and r.name.endswith(COMPUTE_PARENTS)}
    return {r.urn: r for r in p.resources if r.custom and r.parent in components}


def _changed(before: StackPlan, after: StackPlan) -> dict[str, list[str]]:
    """Per compute resource present on both sides, the top-level input keys whose values differ."""
    old, new = _compute(before), _compute(after)
    return {
        urn.rsplit("::", 1)[-1]: sorted(
            k for k in {*old[urn].inputs, *new[urn].inputs} if old[urn].inputs.get(k) != new[urn].inputs.get(k)
        )
        for urn in old.keys() & new.keys()
        if old[urn].inputs != new[urn].inputs
    }


@pytest.fixture(scope="module")
def promoted() -> dict[str, StackPlan]:
    """Both stacks with the roles swapped, reading each other (as after a promotion)."""
    return plan(PROMOTED)


def test_promotion_only_scales_the_compute_tier(shipped: dict[str, StackPlan], promoted: dict[str, StackPlan]) -> None:
    assert [p.error for p in promoted.values()] == [None, None]
    for name in ("primary", "dr"):
        before, after = shipped[name], promoted[name]
        assert replacements(before, after) == []
        assert _compute(before).keys() <= _compute(after).keys()  # nothing of the tier is deleted
        changed = _changed(before, after)
        scaled = {n: keys for n, keys in changed.items() if n.endswith("-hpa")}
        assert scaled and all(keys == ["spec"] for keys in scaled.values())
        for hpa in after.of_type(HPA):
            old = next(r for r in before.of_type(HPA) if r.urn == hpa.urn)
            assert {**old.inputs["spec"], "minReplicas": None} == {**hpa.inputs["spec"], "minReplicas": None}
        others = {n: keys for n, keys in changed.items() if n not in scaled}
        added = sorted(u.rsplit("::", 1)[-1] for u in _compute(after).keys() - _compute(before).keys())
        # the stacks read each other before and after (the network needs both): nothing but the floors moves.
        assert others == {} and added == []
        assert set(_locations(after)) == {"default", "peer"}
    assert hpa_floors(promoted["dr"]) == {"api": 3, "worker": 2}
    assert hpa_floors(promoted["primary"]) == {"api": 1, "worker": 1}


def test_failback_only_scales_the_compute_tier(promoted: dict[str, StackPlan]) -> None:
    back = plan({"primary": {"azure-dr:peer_stack": "dr"}, "dr": {}})  # primary active again, still reading dr
    for name in ("primary", "dr"):
        changed = _changed(promoted[name], back[name])
        assert changed and all(n.endswith("-hpa") and keys == ["spec"] for n, keys in changed.items())
        assert replacements(promoted[name], back[name]) == []


def test_cluster_create_only_inputs_do_not_depend_on_the_role(
    shipped: dict[str, StackPlan], promoted: dict[str, StackPlan]
) -> None:
    keys = ("resourceName", "location", "dnsPrefix", "nodeResourceGroup", "networkProfile", "resourceGroupName")
    for name in ("primary", "dr"):
        before, after = shipped[name].one(CLUSTER).inputs, promoted[name].one(CLUSTER).inputs
        assert {k: before.get(k) for k in keys} == {k: after.get(k) for k in keys}
        assert before == after  # the whole cluster: not even a tag moves


# --- config refusals -----------------------------------------------------------------------------------------


REFUSED = [
    (
        "primary",
        with_block("primary", "aks", admin_group_object_ids=[]),
        "azure-dr:aks.admin_group_object_ids: required but not set; expected at least one Entra group",
    ),
    ("dr", with_block("dr", "aks", system_pool={"zones": ["1", "2"]}), "ukwest has no availability zones"),
    (
        "primary",
        with_block("primary", "aks", api_server_authorized_ranges=[]),
        "azure-dr:aks.api_server_authorized_ranges: required but not set",
    ),
    ("primary", with_block("primary", "aks", upgrade_channel="none"), "azure-dr:aks.upgrade_channel: 'none'"),
    ("primary", with_block("primary", "aks", enabled=False), "azure-dr:routing.origin: 'cluster' is not allowed"),
    (
        "primary",
        {"azure-dr:velero": json.dumps({"schedule": "0 2 1 * *"})},
        "azure-dr:velero.schedule: '0 2 1 * *' is not allowed; expected a five-field cron schedule",
    ),
    (
        "primary",
        {
            "azure-dr:workloads": json.dumps(
                [{"name": "api", "image": "qlp/api:1", "replicas": 2, "warm_replicas": 3, "ingress": True}]
            )
        },
        "azure-dr:workloads.0.warm_replicas: 3 is not allowed; expected at most replicas (2)",
    ),
    (
        "primary",
        {"azure-dr:workloads": json.dumps([{"name": "api", "image": "Not An Image"}])},
        "azure-dr:workloads[0].image",
    ),
]


@pytest.mark.parametrize(("stack", "overrides", "message"), REFUSED, ids=[m[:40] for _, _, m in REFUSED])
def test_bad_compute_config_is_refused_in_one_line(stack: str, overrides: dict[str, str], message: str) -> None:
    p = plan_one(stack, overrides)  # refused before any resource: no need to plan the peer
    assert p.error is not None and message in p.error and "\n" not in p.error
    assert p.resources == []


def test_plan_text_shows_cluster_replicas_and_schedule(primary: StackPlan, dr: StackPlan) -> None:
    text = plan_text(primary)
    assert (
        "containerservice:ManagedCluster qlp-uksouth-aks-cluster [protected, locked]  tier=Standard zones=1,2,3" in text
    )
    assert "upgrade=stable nodeOsUpgrade=NodeImage localAccountsDisabled=true azureRbac=true" in text
    assert "HorizontalPodAutoscaler qlp-uksouth-apps-api-hpa  replicas=3 maxReplicas=12" in text
    assert "velero.io/v1:Schedule qlp-uksouth-velero-schedule  schedule=0 2 * * * ttl=720h0m0s namespaces=qlp" in text
    assert "HorizontalPodAutoscaler qlp-ukwest-apps-api-hpa  replicas=1 maxReplicas=12" in plan_text(dr)
