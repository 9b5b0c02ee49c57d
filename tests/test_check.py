"""`drctl check`: the real pack over the offline plans of the stacks, as CI and pull requests run it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from azure_dr.cli.engine import check
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.analyzer import PackReport
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.report import posture
from azure_dr.cli.report.sarif import to_sarif
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.components.stack.config import Objectives
from tests import forked
from tests.conftest import plan
from tests.helpers import with_block

PACK = ROOT / "policies"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def copy_project(tmp_path: Path) -> Path:
    """The shipped project's files in ``tmp_path`` (the pack linked), for a change under review."""
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "policies").symlink_to(PACK)
    return tmp_path


@pytest.fixture(scope="module")
def shipped_report(shipped: dict[str, StackPlan]) -> PackReport:
    return check.check_plans(list(shipped.values()), PACK)


def test_shipped_stacks_pass_with_no_mandatory_violation(
    shipped: dict[str, StackPlan], shipped_report: PackReport
) -> None:
    assert shipped_report.mandatory == []
    assert len(shipped_report.policies) >= 45
    assert {p.policy_type for p in shipped_report.policies} == {"resource", "stack"}
    text = check.report_text(list(shipped.values()), shipped_report)
    assert text.endswith("PASS: 0 mandatory violation(s)")


def test_wrong_config_fails_naming_rule_and_resource() -> None:
    wrong = {
        **with_block("primary", "postgres", geo_redundant_backup="Disabled", backup_retention_days=7),
        "azure-dr:cosmos": '{"multi_region": false}',
    }
    plans = list(plan({"primary": wrong}, ["primary"]).values())
    report = check.check_plans(plans, PACK)
    found = {(r.policy_name, r.urn.rsplit("::", 1)[-1]) for r in report.mandatory}
    assert ("pg-geo-backup", "qlp-uksouth-psql-server") in found
    assert ("pg-backup-retention", "qlp-uksouth-psql-server") in found
    assert ("cosmos-multi-region", "qlp-prod-global-cosmos-account") in found
    text = check.report_text(plans, report)
    assert "MANDATORY pg-backup-retention" in text and "backupRetentionDays is 7" in text
    assert text.splitlines()[-1].startswith("FAIL")


def test_a_stack_tag_cannot_exempt_a_mandatory_rule(tmp_path: Path) -> None:
    """The file under review cannot waive a mandatory rule for itself: the violation stays, and the gate reports
    the tag at its line."""
    project = copy_project(tmp_path)
    stack_file = project / "Pulumi.primary.yaml"
    stack_file.write_text(
        stack_file.read_text().replace(
            "    create_as: primary\n", "    create_as: primary\n    backup_retention_days: 7\n"
        )
        + "  azure-dr:tags:\n    azure-dr:policy-exempt: pg-backup-retention\n"
        "    azure-dr:policy-exempt-reason: dev stack, restored from prod nightly\n"
    )
    plans = engine.plan_stacks(None, project)
    objectives = {p.stack: posture.config_of(load_stack(project, p.stack)) for p in plans}
    report = check.check_plans(plans, PACK, None, objectives, root=project)
    assert [r.urn.rsplit("::", 1)[-1] for r in report.mandatory if r.policy_name == "pg-backup-retention"] == [
        "qlp-uksouth-psql-server"
    ]
    [refused] = [r for r in report.mandatory if r.policy_name == "stack-exemptions"]
    assert (
        refused.config_key == "tags.azure-dr:policy-exempt" and "mandatory rule pg-backup-retention" in refused.message
    )
    assert check.exemptions(report, "primary") == []


def test_json_and_sarif(shipped: dict[str, StackPlan], shipped_report: PackReport) -> None:
    document = check.report_json(list(shipped.values()), shipped_report)
    assert document["passed"] is True and [s["stack"] for s in document["stacks"]] == ["primary", "dr"]
    sarif = to_sarif(shipped_report, {"primary": "Pulumi.primary.yaml", "dr": "Pulumi.dr.yaml"})
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(sarif)
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"pg-geo-backup", "dr-coverage", "stateful-protected"} <= rule_ids


def test_cli_exits_1_on_a_mandatory_violation_and_writes_valid_sarif(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "policies").symlink_to(PACK)
    text = (
        (ROOT / "Pulumi.primary.yaml")
        .read_text()
        .replace("create_as: primary", "create_as: primary\n    geo_redundant_backup: Disabled")
    )
    (tmp_path / "Pulumi.primary.yaml").write_text(text)
    sarif_file = tmp_path / "out.sarif"
    run = forked.run(["--root", str(tmp_path), "check", "--sarif", str(sarif_file)])  # a real exit code
    assert run.returncode == 1, run.stderr
    assert "MANDATORY pg-geo-backup" in run.stdout and "qlp-uksouth-psql-server" in run.stdout
    sarif = json.loads(sarif_file.read_text())
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "pg-geo-backup" and r["level"] == "error" for r in results)


def test_each_stack_is_judged_by_its_own_objectives() -> None:
    """Tighten tier 1 to a 5-minute RPO: Cosmos and storage (15 min by Azure's figures) now fail the check."""
    tiers = {
        "tier1": {"rpo_minutes": 5, "rto_minutes": 120},
        "tier2": {"rpo_minutes": 60, "rto_minutes": 240},
        "tier3": {"rpo_minutes": 1440, "rto_minutes": 480},
    }
    overrides = {"azure-dr:objectives": json.dumps({"tiers": tiers, "backup_retention_days": 30})}
    plans = list(plan({"primary": overrides}, ["primary"]).values())
    objectives = {
        "primary": posture.config_of(load_stack(ROOT, "primary")).model_copy(
            update={"objectives": Objectives.model_validate({"tiers": tiers})}
        )
    }
    report = check.check_plans(plans, PACK, None, objectives)
    failing = {(r.policy_name, r.urn.rsplit("::", 1)[-1]) for r in report.mandatory}
    assert ("dr-rpo", "qlp-prod-global-cosmos-account") in failing
    assert ("dr-rpo", "qlp-uksouth-st-account") in failing
    assert ("cosmos-backup", "qlp-prod-global-cosmos-account") not in failing  # continuous backup meets any RPO
    assert check.objectives_config(objectives["primary"])["dr-rpo"]["storage_rpo_minutes"] == 5


def test_two_global_owners_are_refused(shipped: dict[str, StackPlan]) -> None:
    plans = list(plan({"dr": {"azure-dr:owns_global": "true"}}).values())
    report = check.check_plans(plans, PACK)
    owners = {r.urn.rsplit("::", 1)[-1] for r in report.mandatory if r.policy_name == "global-owner-unique"}
    assert owners == {"qlp-prod-global-afd-profile", "qlp-prod-global-cosmos-account", "qlp-prod-global-cr-registry"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"pg-backup-retentoin": {"min_days": 3}}, "pg-backup-retentoin: no such rule"),
        ({"pg-backup-retention": {"min_days": "thirty"}}, "pg-backup-retention.min_days: 'thirty' is not allowed"),
        ({"pg-backup-retention": {"min_dayz": 3}}, "pg-backup-retention.min_dayz: unknown setting"),
        ({"pg-geo-backup": "sometimes"}, "pg-geo-backup.enforcementLevel: 'sometimes' is not allowed"),
    ],
)
def test_a_policy_config_the_pack_would_misread_is_refused(
    shipped_report: PackReport, config: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        check.validate_policy_config(shipped_report.policies, config)
