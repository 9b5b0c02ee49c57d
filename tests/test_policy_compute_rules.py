"""The compute tier's stack rules, compliant and violating, through the real pack process; and the schedule
arithmetic the rules and the posture share."""

from __future__ import annotations

import json
from typing import Any

import pytest

from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from azure_dr.cli.report import posture
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.components.facts import recovery
from azure_dr.components.facts.schedule import CronError, max_gap_minutes, ttl_hours
from tests.conftest import plan
from tests.policy_harness import analyze, make_resource

RG = "azure-native:resources:ResourceGroup"
CLUSTER = "azure-native:containerservice:ManagedCluster"
REPLICATION = "azure-native:containerregistry:Replication"
REF = "pulumi:pulumi:StackReference"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
SCHEDULE = "kubernetes:velero.io/v1:Schedule"
LOCK = "azure-native:authorization:ManagementLockByScope"


def group(region: str, role: str = "active") -> RecordedResource:
    return make_resource(RG, {"location": region, "tags": {"dr-role": role}}, name="rg", protect=True)


def cluster(region: str = "uksouth", **changes: Any) -> RecordedResource:
    props = {
        "location": region,
        "tags": {"azure-dr:dr-mechanism": "aks-velero"},
        "oidcIssuerProfile": {"enabled": True},
        "securityProfile": {"workloadIdentity": {"enabled": True}},
        **changes,
    }
    return make_resource(CLUSTER, props, name="cluster", protect=True)


def deployment(name: str = "api", replicas: float | None = None, namespace: str = "qlp") -> RecordedResource:
    spec: dict[str, Any] = {"template": {"metadata": {"labels": {"app.kubernetes.io/name": name}}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return make_resource(DEPLOYMENT, {"metadata": {"name": name, "namespace": namespace}, "spec": spec}, name=name)


def hpa(name: str = "api", floor: float = 3.0) -> RecordedResource:
    spec = {"scaleTargetRef": {"kind": "Deployment", "name": name}, "minReplicas": floor, "maxReplicas": 10.0}
    return make_resource(HPA, {"metadata": {"name": name, "namespace": "qlp"}, "spec": spec}, name=f"{name}-hpa")


def pdb(name: str = "api", namespace: str = "qlp") -> RecordedResource:
    spec = {"maxUnavailable": 1.0, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}}
    return make_resource(PDB, {"metadata": {"name": name, "namespace": namespace}, "spec": spec}, name=f"{name}-pdb")


def schedule(cron: str = "0 2 * * *", ttl: str | None = "720h0m0s", **spec: Any) -> RecordedResource:
    template = {"includedNamespaces": ["qlp"], **({"ttl": ttl} if ttl is not None else {})}
    props = {
        "metadata": {"name": "daily", "namespace": "velero"},
        "spec": {"schedule": cron, "template": template, **spec},
    }
    return make_resource(SCHEDULE, props, name="schedule")


def violations(rule: str, resources: list[RecordedResource], config: dict[str, Any] | None = None) -> list[str]:
    return [r.message.split("\n", 1)[1] for r in analyze(resources, config=config).violations(rule)]


# --- aks-workload-availability ------------------------------------------------------------------------------


def test_workloads_need_a_budget_and_full_replicas_when_active() -> None:
    rule = "aks-workload-availability"
    assert violations(rule, [group("uksouth"), deployment(), hpa(floor=3), pdb()]) == []
    [no_budget] = violations(rule, [group("uksouth"), deployment(), hpa(floor=3), pdb(namespace="other")])
    assert "api has no PodDisruptionBudget selecting its pods" in no_budget
    [too_few] = violations(rule, [group("uksouth"), deployment(), hpa(floor=1), pdb()])
    assert "runs 1 replica(s); the active stack needs at least 2" in too_few
    # Without an autoscaler the Deployment's own count decides (unset: Kubernetes' 1).
    assert violations(rule, [group("uksouth"), deployment(replicas=2), pdb()]) == []
    assert "runs 1 replica(s)" in violations(rule, [group("uksouth"), deployment(), pdb()])[0]


def test_a_standby_runs_warm_not_cold() -> None:
    rule = "aks-workload-availability"
    assert violations(rule, [group("ukwest", "standby"), deployment(), hpa(floor=1), pdb()]) == []
    [cold] = violations(rule, [group("ukwest", "standby"), deployment(replicas=0), pdb()])
    assert "a standby stack (warm, not cold) needs at least 1" in cold
    stricter = {rule: {"min_active_replicas": 4}}
    assert "at least 4" in violations(rule, [group("uksouth"), deployment(), hpa(floor=3), pdb()], stricter)[0]


# --- aks-velero-schedule -------------------------------------------------------------------------------------


def test_a_cluster_needs_a_velero_schedule() -> None:
    rule = "aks-velero-schedule"
    assert violations(rule, [group("uksouth"), cluster(), schedule()]) == []
    assert violations(rule, [group("uksouth"), schedule()]) == []  # no cluster, nothing to back up
    [missing] = violations(rule, [group("uksouth"), cluster()])
    assert "cluster has no active Velero Schedule" in missing
    [paused] = violations(rule, [group("uksouth"), cluster(), schedule(paused=True)])
    assert "no active Velero Schedule" in paused


@pytest.mark.parametrize(
    ("cron", "ttl", "message"),
    [
        ("0 2 * * *", "168h0m0s", "template.ttl is 168h0m0s; keep backups at least 720h"),
        ("0 2 * * 0", "720h0m0s", "leaves up to 10080 min between backups; the compute RPO is 1440 min"),
        ("0 2 1 * *", "720h0m0s", "cannot be read"),
    ],
)
def test_velero_schedule_meets_retention_and_rpo(cron: str, ttl: str, message: str) -> None:
    [found] = violations("aks-velero-schedule", [group("uksouth"), cluster(), schedule(cron, ttl)])
    assert message in found


def test_velero_thresholds_follow_policy_config() -> None:
    resources = [group("uksouth"), cluster(), schedule("0 */6 * * *", "2160h0m0s")]
    assert violations("aks-velero-schedule", resources) == []
    strict = {"aks-velero-schedule": {"max_interval_minutes": 60, "min_ttl_hours": 4320}}
    assert len(violations("aks-velero-schedule", resources, strict)) == 2
    # Velero's default TTL (unset) is 30 days.
    assert violations("aks-velero-schedule", [group("uksouth"), cluster(), schedule(ttl=None)]) == []


# --- acr-workload-regions, dr-coverage: fed by the cluster ---------------------------------------------------


def test_registry_must_replicate_to_every_region_running_a_cluster() -> None:
    peer = make_resource(
        REF, {"name": "o/azure-dr/primary", "outputs": {"registry_name": "crqlp"}}, name="peer", read=True
    )
    replica = make_resource(REPLICATION, {"location": "ukwest", "registryName": "crqlp"}, name="replication")
    assert violations("acr-workload-regions", [group("ukwest"), cluster("ukwest"), replica, peer]) == []
    [found] = violations("acr-workload-regions", [group("ukwest"), cluster("ukwest"), peer])
    assert "cluster cluster runs workloads in ukwest but the registry has no replica there" in found


def test_dr_coverage_knows_velero_needs_workload_identity() -> None:
    lock = make_resource(LOCK, {"level": "CanNotDelete"}, name="lock")
    assert violations("dr-coverage", [group("uksouth"), cluster(), lock]) == []
    [found] = violations("dr-coverage", [group("uksouth"), cluster(securityProfile={}), lock])
    assert "declares 'aks-velero' but Velero needs oidcIssuerProfile.enabled" in found


# --- schedule arithmetic and the compute posture ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "gap"),
    [
        ("0 2 * * *", 1440),
        ("0 */6 * * *", 360),
        ("30 1,13 * * *", 720),
        ("0 2 * * 1-5", 3 * 1440),  # Friday 02:00 to Monday 02:00
        ("*/15 * * * *", 15),
        ("0 0 * * 7", 10080),  # 7 is Sunday too
    ],
)
def test_longest_gap_between_backups(cron: str, gap: int) -> None:
    assert max_gap_minutes(cron) == gap


@pytest.mark.parametrize("cron", ["0 2 * *", "0 25 * * *", "0 2 1 * *", "x 2 * * *", "0 2/0 * * *"])
def test_unreadable_schedules_are_refused(cron: str) -> None:
    with pytest.raises(CronError):
        max_gap_minutes(cron)


def test_ttl_hours_reads_go_durations() -> None:
    assert (ttl_hours("720h0m0s"), ttl_hours("90m"), ttl_hours("1h30m"), ttl_hours("forever")) == (720, 1.5, 1.5, None)


OBJECTIVES = posture.config_of(load_stack(ROOT, "primary"))


def _compute_row(plans: list[StackPlan]) -> posture.ServicePosture:
    return next(r for r in posture.posture(plans, OBJECTIVES) if r.service == "compute")


def test_compute_posture_is_scale_out_time_and_backup_interval(shipped: dict[str, StackPlan]) -> None:
    row = _compute_row(list(shipped.values()))
    assert row.mechanism is not None and row.mechanism.key == "aks-warm-standby"
    assert (row.mechanism.rpo_minutes, row.mechanism.rto_minutes) == (1440, recovery.AKS_SCALE_OUT_MINUTES)
    assert (row.tier, row.objective_rpo, row.objective_rto, row.meets) == ("tier3", 1440, 480, True)
    assert _compute_row([shipped["primary"]]).mechanism is None  # one region is no DR


def test_velero_config_reaches_the_schedule_and_a_weekly_backup_misses_the_rpo() -> None:
    weekly = json.dumps({"schedule": "0 2 * * 0", "ttl_hours": 2160, "namespaces": ["qlp", "jobs"]})
    plans = plan({"primary": {"azure-dr:velero": weekly}, "dr": {"azure-dr:velero": weekly}})
    for p in plans.values():
        spec = p.one(SCHEDULE).inputs["spec"]
        assert (spec["schedule"], spec["template"]["ttl"], spec["template"]["includedNamespaces"]) == (
            "0 2 * * 0",
            "2160h0m0s",
            ["qlp", "jobs"],
        )
    row = _compute_row(list(plans.values()))
    assert row.mechanism is not None and row.mechanism.rpo_minutes == 10080 and not row.meets
