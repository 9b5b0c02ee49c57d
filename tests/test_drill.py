"""`drctl drill`: the drill plan from the planned pair, and the drill report in the seed's template."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.lifecycle import drill


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(["--root", str(ROOT), "drill", *argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str]:
    """One `drctl drill --report` run (planning the pair is the slow part), its output and the report."""
    target = tmp_path_factory.mktemp("drill") / "drill.md"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(["--root", str(ROOT), "drill", "--report", str(target), "--date", "2026-12-01"])
    return status, out.getvalue(), target.read_text()


def test_plan_orders_the_switch_commands_and_names_what_to_measure(drilled: tuple[int, str, str]) -> None:
    status, out, _ = drilled
    assert status == 0
    assert out.startswith("DR drill plan: primary (UK South, active) -> dr (UK West, standby)")
    assert out.index("drctl promote --planned") < out.index("drctl failback")
    # the alerts and their objective-derived thresholds, per service
    assert "alert ag-qlp-prod-ukw-pg-replica-lag (dr): physical_replication_delay_in_seconds > 450 s over PT5M" in out
    assert "ReplicationLatency > 450000 ms" in out and "AgeHours > 192 h over P1D" in out
    assert "postgresql  RPO 15 min, RTO 2 h (tier1)" in out
    assert "--expand geoReplicationStats" in out  # storage: read by hand, no metric exists
    assert "none declared: set azure-dr:drills {enabled: true} on primary" in out


def test_report_has_the_template_sections_and_a_measured_field_per_service(drilled: tuple[int, str, str]) -> None:
    status, out, report = drilled
    assert status == 0 and "drill report written to " in out
    assert report.startswith("# DR Test Report - 2026-12-01\n")
    for section in (
        "## Test Details",
        "## Objectives",
        "## Timeline",
        "## Metrics",
        "## Issues Encountered",
        "## Lessons Learned",
        "## Action Items",
    ):
        assert section in report
    assert "| postgresql | tier1 | 2 h | _ | 15 min | _ | " in report
    assert "| redis | tier2 | 4 h | _ | 60 min | _ | `ag-qlp-prod-ukw-redis-link-health`" in report
    assert "- **RTO Target**: 2 h (strictest tier)\n- **RTO Achieved**: _" in report
    assert "- [ ] Long-term backups: last weekly backup succeeded; kept 7 years" in report


def test_declared_experiments_appear_with_their_start_command() -> None:
    drills = {"enabled": True, "experiments": ["cosmos-failover", "redis-reboot"]}
    plans = engine.plan_stacks(["primary"], ROOT, {"primary": {"azure-dr:drills": json.dumps(drills)}})
    text = drill.plan_text(ROOT, plans)
    assert "cosmos-failover  chaos-qlp-prod-uks-cosmos-failover: fail the Cosmos DB write region" in text
    assert (
        'az rest --method post --url "https://management.azure.com/subscriptions/$SUBSCRIPTION_ID/resourceGroups/'
        "rg-qlp-prod-uks/providers/Microsoft.Chaos/experiments/chaos-qlp-prod-uks-redis-reboot/start?"
    ) in text
    assert "start cosmos-failover, redis-reboot" in text


def test_bad_date_and_unwritable_report_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "--date", "01/12/2026")
    assert status == 2 and err == "drctl: --date '01/12/2026': expected YYYY-MM-DD\n"
    status, _, err = run(capsys, "--report", str(tmp_path / "missing" / "drill.md"))
    assert status == 2 and err.startswith("drctl: --report") and err.count("\n") == 1
