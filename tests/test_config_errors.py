"""Bad config fails before any resource is registered, with one line naming the key, value and what is allowed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from azure_dr.cli.engine.programs import ROOT
from tests import forked
from tests.conftest import plan
from tests.helpers import stack_value, with_block

PG = "postgres"

CASES = [
    ("primary", {"azure-dr:role": "boss"}, "azure-dr:role", "'active' or 'standby'"),
    ("primary", {"azure-dr:peer_region": "uksouth"}, "azure-dr:peer_region", "other than region"),
    ("primary", {"azure-dr:region": "UK South"}, "azure-dr:region", "not an Azure region; expected an Azure region"),
    ("primary", {"azure-dr:removal_policy": "delete"}, "azure-dr:removal_policy", "'retain' or 'destroy'"),
    ("primary", with_block("primary", PG, backup_retention_days=40), "postgres.backup_retention_days", "7-35 days"),
    ("primary", with_block("primary", PG, backup_retention_days=3), "postgres.backup_retention_days", "7-35 days"),
    (
        "primary",
        {"azure-dr:keyvault": '{"soft_delete_retention_days": 5}'},
        "keyvault.soft_delete_retention_days",
        "7-90 days",
    ),
    (
        "primary",
        {"azure-dr:keyvault": '{"soft_delete_retention_days": 91}'},
        "keyvault.soft_delete_retention_days",
        "7-90 days",
    ),
    ("dr", {"azure-dr:peer_stack": ""}, "azure-dr:peer_stack", "required but not set"),  # "" is unset
    ("primary", with_block("primary", PG, sku_nme="Standard_D2ds_v5"), "postgres.sku_nme", "unknown key"),
    ("primary", {"azure-dr:postgress": "{}"}, "azure-dr:postgress", "unknown key"),
    ("primary", {"azure-dr:locks": "maybe"}, "azure-dr:locks", "expected true or false"),
    ("primary", with_block("primary", PG, storage_size_gb="big"), "postgres.storage_size_gb", "'big'"),
    (
        "dr",
        with_block("dr", PG, high_availability="ZoneRedundant"),
        "postgres.high_availability",
        "read replica cannot have HA",
    ),
    (
        "dr",
        with_block("dr", PG, geo_redundant_backup="Enabled"),
        "postgres.geo_redundant_backup",
        "create a new generation as a primary",
    ),
    ("dr", {"azure-dr:storage": '{"sku": "Standard_RAGZRS"}'}, "storage.sku", "ukwest has no availability zones"),
    (
        "primary",
        {"azure-dr:storage": '{"point_in_time_restore_days": 30, "blob_soft_delete_days": 14}'},
        "storage.point_in_time_restore_days",
        "fewer days than storage.blob_soft_delete_days",
    ),
    (
        "primary",
        {"azure-dr:redis": '{"dr_mechanism": "geo-replication", "persistence": {}}'},
        "redis.persistence",
        "Azure refuses persistence on a geo-replicated cache",
    ),
    (
        "primary",
        {"azure-dr:registry": '{"soft_delete_days": 7}'},
        "registry.soft_delete_days",
        "cannot be combined with geo-replication",
    ),
    ("primary", {"azure-dr:routing": '{"kind": "frontdoor"}'}, "routing.origin_host", "required but not set"),
    (
        "primary",
        {"azure-dr:routing": '{"kind": "cloudflare", "origin_host": "a.example.com"}'},
        "routing.kind",
        "'frontdoor' or 'trafficmanager'",
    ),
    ("primary", {"azure-dr:redis": '{"capacity": 9}'}, "redis.capacity", "1-5"),
    (
        "primary",
        with_block("primary", PG, entra_admin={"object_id": "not-a-guid", "principal_name": "x"}),
        "postgres.entra_admin.object_id",
        "pattern",
    ),
]


@pytest.mark.parametrize(("stack", "override", "key", "allowed"), CASES, ids=[c[2] + ":" + c[3] for c in CASES])
def test_bad_value_is_one_line_and_registers_nothing(
    stack: str, override: dict[str, str], key: str, allowed: str
) -> None:
    result = plan({stack: override}, [stack])[stack]
    assert result.error is not None
    assert "\n" not in result.error
    assert key in result.error and allowed in result.error
    assert [r for r in result.resources if r.custom and not r.read] == []


def test_a_peer_that_is_not_a_stack_is_refused() -> None:
    result = plan({"dr": {"azure-dr:peer_stack": "primry"}}, ["dr"])["dr"]
    assert result.error is not None and "\n" not in result.error
    assert "azure-dr:peer_stack: 'primry' is not a stack of this project (no Pulumi.primry.yaml)" in result.error
    assert result.resources == []
    itself = plan({"dr": {"azure-dr:peer_stack": "dr"}}, ["dr"])["dr"]
    assert itself.error is not None and "azure-dr:peer_stack: 'dr' is this stack" in itself.error


def test_traffic_manager_probe_interval_is_10_or_30() -> None:
    routing = '{"kind": "trafficmanager", "origin_host": "a.example.com", "probe": {"interval_seconds": 60}}'
    result = plan({"primary": {"azure-dr:routing": routing}}, ["primary"])["primary"]
    assert result.error is not None
    assert "azure-dr:routing.probe.interval_seconds: 60 is not allowed; expected 10 or 30" in result.error


def test_a_numeric_workload_is_judged_as_the_string_it_is() -> None:
    result = plan({"primary": {"azure-dr:workload": "123"}}, ["primary"])["primary"]
    assert result.error is not None and "azure-dr:workload: '123' is not allowed" in result.error


def test_standby_without_peer_is_refused() -> None:
    """A standby stack with no peer stack cannot replicate from anything."""
    overrides = {"primary": {"azure-dr:role": "standby", "azure-dr:peer_stack": ""}}
    result = plan(overrides, ["primary"])["primary"]
    assert result.error is not None
    assert "azure-dr:peer_stack: required but not set" in result.error


def test_missing_required_block_is_named() -> None:
    from azure_dr.components.stack.config import ConfigError, parse_config

    with pytest.raises(ConfigError, match=r"azure-dr:postgres: required but not set"):
        parse_config({"workload": "qlp", "role": "active", "region": "uksouth"})


def test_drctl_exits_nonzero_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    text = (ROOT / "Pulumi.primary.yaml").read_text().replace("backup_retention_days: 30", "backup_retention_days: 60")
    (tmp_path / "Pulumi.broken.yaml").write_text(text)
    assert stack_value("primary", "objectives")["backup_retention_days"] == 30
    run = forked.run(["--root", str(tmp_path), "plan", "broken"])  # a real exit code and stderr
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert errors == [
        "drctl: stack broken: Pulumi.broken.yaml:16: invalid stack config: "
        "azure-dr:objectives.backup_retention_days: 60 is not "
        "allowed; allowed: 7-35 days"
    ]
    assert "Traceback" not in run.stdout + run.stderr
