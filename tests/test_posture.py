"""The DR posture in the plan: mechanisms found across both stacks, modeled figures against the objectives."""

from __future__ import annotations

from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.report import posture
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.components.facts import recovery
from tests.conftest import plan

OBJECTIVES = posture.config_of(load_stack(ROOT, "primary"))


def by_service(plans: list[StackPlan]) -> dict[str, posture.ServicePosture]:
    return {r.service: r for r in posture.posture(plans, OBJECTIVES)}


def test_shipped_pair_meets_every_objective(shipped: dict[str, StackPlan]) -> None:
    rows = by_service(list(shipped.values()))
    assert {s: r.mechanism.key for s, r in rows.items() if r.mechanism} == {
        "postgresql": "postgres-replica",
        "cosmos": "cosmos-service-managed-failover",
        "storage": "storage-geo-failover",
        "registry": "acr-geo-replication",
        "redis": "redis-geo-replication",
        "routing": "frontdoor-priority",
        "keyvault": "keyvault-regional",
        "compute": "aks-warm-standby",
    }
    assert all(r.meets for r in rows.values())
    assert rows["postgresql"].objective_rpo == 15 and rows["postgresql"].objective_rto == 120


def test_primary_alone_relies_on_geo_backup_and_misses_tier1_rpo(shipped: dict[str, StackPlan]) -> None:
    rows = by_service([shipped["primary"]])
    assert rows["postgresql"].mechanism == recovery.MECHANISMS["postgres-geo-backup"]
    assert not rows["postgresql"].meets
    assert rows["registry"].mechanism is None and not rows["registry"].meets


def test_daily_redis_snapshots_miss_a_one_hour_rpo() -> None:
    redis = '{"dr_mechanism": "persistence", "persistence": {"frequency_minutes": 1440}}'
    rows = by_service(list(plan({"primary": {"azure-dr:redis": redis}, "dr": {"azure-dr:redis": redis}}).values()))
    assert rows["redis"].mechanism is not None and rows["redis"].mechanism.rpo_minutes == 1440
    assert not rows["redis"].meets


def test_probe_interval_drives_front_door_rto() -> None:
    assert recovery.frontdoor_failover(30).rto_minutes == 3
    assert recovery.frontdoor_failover(240).rto_minutes == 17


def test_posture_text_marks_gaps(shipped: dict[str, StackPlan]) -> None:
    text = posture.posture_text(posture.posture([shipped["primary"]], OBJECTIVES), "title")
    assert "GAP geo-restore from geo-redundant backup" in text
    assert "ok  multi-region account, service-managed failover" in text
