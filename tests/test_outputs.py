"""What drctl prints for people and tools: plan JSON with inputs and integers, versioned schemas, the check report
without repetition, rule docs, SARIF that points at the config line, and the topology diagram."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import check
from azure_dr.cli.engine.analyzer import PackReport, PolicyResult
from azure_dr.cli.engine.floors import read_policy_config
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.report import diagram, render, rulebook, schemas
from azure_dr.cli.report.sarif import to_sarif
from azure_dr.cli.report.schemas import models
from azure_dr.cli.stackfiles.lines import line_of, locate
from azure_dr.components.facts.exemptions import today
from tests.conftest import plan
from tests.helpers import with_block
from tests.test_azure_model import copy_project

PACK = ROOT / "policies"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
EXEMPT_REASON = "dev stack, restored from prod nightly"
EXPIRES = (today() + timedelta(days=30)).isoformat()
#: The organisation's policy config, with an exemption of the mandatory pg-backup-retention on primary's server.
EXEMPTING = {
    **read_policy_config(PACK / "policy-config.json"),
    "pg-backup-retention": {
        "min_days": 30,
        "exemptions": [
            {"stack": "primary", "resource": "qlp-uksouth-psql-server", "reason": EXEMPT_REASON, "expires": EXPIRES}
        ],
    },
}


def validate(document: dict[str, Any], name: str) -> None:
    registry: Registry[Any] = Registry().with_resources(
        (schemas.load(n)["$id"], Resource.from_contents(schemas.load(n))) for n in schemas.SCHEMAS
    )
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, registry=registry).validate(document)


@pytest.fixture(scope="module")
def shipped_report(shipped: dict[str, StackPlan]) -> PackReport:
    return check.check_plans(list(shipped.values()), PACK)


@pytest.fixture(scope="module")
def failing() -> tuple[list[StackPlan], PackReport]:
    """primary with geo-backup off and 7-day retention exempted by the policy config: one violation, one
    exemption."""
    overrides = with_block("primary", "postgres", geo_redundant_backup="Disabled", backup_retention_days=7)
    plans = [p for p in plan({"primary": overrides}, ["primary"]).values() if p.stack == "primary"]
    return plans, check.check_plans(plans, PACK, EXEMPTING)


def test_plan_json_has_inputs_integers_and_consistent_counts(shipped: dict[str, StackPlan]) -> None:
    document = cli.plan_document(ROOT, list(shipped.values()))
    validate(document, "plan")
    stacks = {s["stack"]: s for s in document["stacks"]}
    server = next(r for r in stacks["primary"]["resources"] if r["type"] == "azure-native:dbforpostgresql:Server")
    retention = server["inputs"]["backup"]["backupRetentionDays"]
    assert retention == 30 and isinstance(retention, int)
    assert isinstance(server["dr"]["retentionDays"], int)
    assert all("inputs" in r for r in stacks["dr"]["resources"])
    for name, entry in stacks.items():
        managed = [r for r in entry["resources"] if r["custom"] and not r["read"]]
        assert entry["resource_count"] == len(managed)
        header = render.plan_text(shipped[name]).splitlines()[0]
        assert header.startswith(f"stack {name}: {len(managed)} resources")
    assert stacks["dr"]["read_count"] == 1 and stacks["primary"]["read_count"] == 1  # each reads the other
    reference = next(r for r in stacks["dr"]["resources"] if r["type"] == "pulumi:pulumi:StackReference")
    assert reference["read"] is True
    assert "< pulumi:pulumi:StackReference peer-primary [read]" in render.plan_text(shipped["dr"])
    assert render.plan_text(shipped["dr"]).splitlines()[0].endswith(", 1 read")
    assert "30.0" not in json.dumps(document)


def test_schemas_are_versioned_and_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--root", str(ROOT), "schema", "check"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$id"] == schemas.CHECK_ID == "drctl-check/v1" and schemas.PLAN_ID == "drctl-plan/v1"
    with pytest.raises(jsonschema.ValidationError):
        validate({"schema": "drctl-check/v2", "pack": {}, "stacks": [], "passed": True}, "check")


def test_check_json_matches_its_schema_and_names_exempt_resources(
    failing: tuple[list[StackPlan], PackReport],
) -> None:
    plans, report = failing
    document = check.report_json(plans, report)
    validate(document, "check")
    primary = document["stacks"][0]
    assert primary["exempt"] == [
        {
            "rule": "pg-backup-retention",
            "urn": next(r.urn for r in plans[0].resources if r.name == "qlp-uksouth-psql-server"),
            "resource": "qlp-uksouth-psql-server",
            "reason": EXEMPT_REASON,
            "source": "policy config",
            "expires": EXPIRES,
        }
    ]
    violation = next(v for v in primary["violations"] if v["rule"] == "pg-geo-backup")
    assert violation["resource"] == "qlp-uksouth-psql-server" and not violation["message"].startswith("[")


def test_check_text_names_each_thing_once_and_the_same_way(failing: tuple[list[StackPlan], PackReport]) -> None:
    plans, report = failing
    lines = check.report_text(plans, report).splitlines()
    mandatory = next(line for line in lines if line.lstrip().startswith("MANDATORY pg-geo-backup"))
    exempt = next(line for line in lines if line.lstrip().startswith("EXEMPT"))
    assert mandatory.count("pg-geo-backup") == 1 and mandatory.count("qlp-uksouth-psql-server") == 1
    assert exempt.split()[:3] == ["EXEMPT", "pg-backup-retention", "qlp-uksouth-psql-server:"]
    assert exempt.endswith(f"{EXEMPT_REASON} (policy config, expires {EXPIRES})")
    assert "urn:pulumi" not in "\n".join(lines)


def test_messages_drop_the_rule_id_and_resource_name_the_line_already_shows() -> None:
    urn = "urn:pulumi:dr::azure-dr::azure-native:cdn:Profile::qlp-ukwest-afd-profile"
    result = PolicyResult(
        stack="dr",
        policy_name="global-owner-unique",
        policy_pack="azure-dr",
        description="Exactly one stack owns the global layer",
        message="Exactly one stack owns the global layer\n[global-owner-unique] qlp-ukwest-afd-profile: the peer "
        "stack already owns the global layer",
        urn=urn,
        enforcement_level="mandatory",
        severity="high",
    )
    assert check.message(result) == "the peer stack already owns the global layer"
    report = PackReport("azure-dr", "0.1.0", [], [result])
    lines = check.report_text([StackPlan("dr", "azure-dr", [], {})], report).splitlines()
    assert lines[2] == (
        "  MANDATORY global-owner-unique        qlp-ukwest-afd-profile: the peer stack already owns the global layer"
    )


def test_rules_and_explain_come_from_the_rules_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    docs = rulebook.every_rule(ROOT)
    assert {d.policy_type for d in docs.values()} == {"resource", "stack", "gate"}
    assert cli.main(["--root", str(ROOT), "rules"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["id", "level", "service", "objective", "what", "it", "checks"]
    rows = {line.split()[0]: line.split()[1:4] for line in table[1:-1]}
    assert rows == {d.id: [d.level, d.service, d.objective] for d in docs.values()}
    assert cli.main(["--root", str(ROOT), "explain", "pg-backup-retention"]) == 0
    text = capsys.readouterr().out
    assert "Why: PostgreSQL backups are kept at least as long as the recovery objectives say." in text
    assert "How to fix: Raise azure-dr:postgres.backup_retention_days" in text
    assert "How to exempt: In the policy config (policies/policy-config.json" in text
    assert "A stack file cannot exempt a mandatory rule" in text
    assert cli.main(["--root", str(ROOT), "explain", "kv-rbac"]) == 0  # an advisory rule: a tag may exempt it
    assert "tag the resource with azure-dr:policy-exempt: kv-rbac" in capsys.readouterr().out
    assert cli.main(["--root", str(ROOT), "explain", "pg-backup"]) == 2
    assert "did you mean pg-backup-retention" in capsys.readouterr().err
    for doc in docs.values():
        assert "How to fix: " in doc.help_text and doc.help_text.count("Why: ") == 1


def test_sarif_rules_carry_the_same_help(shipped: dict[str, StackPlan], shipped_report: PackReport) -> None:
    sarif = to_sarif(shipped_report, root=ROOT, plans=list(shipped.values()))
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(sarif)
    docs = rulebook.load(PACK)
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]:
        doc = docs[rule["id"]]
        assert rule["help"] == {"text": doc.help_text, "markdown": doc.help_markdown}
        assert rule["helpUri"] == doc.url and rule["helpUri"].endswith(f"docs/rules.md#rule-{doc.id}")
    for policy in shipped_report.policies:  # the pack tells the Pulumi CLI the same, over the analyzer protocol
        assert policy.url == docs[policy.name].url
        fix, exempt = docs[policy.name].help_text.split("How to fix: ")[1].split("\n\nHow to exempt: ")
        assert policy.remediation_steps == f"{fix}\n\n{exempt}"


def test_sarif_for_a_pack_without_the_catalogue_uses_what_the_pack_said(
    shipped_report: PackReport, tmp_path: Path
) -> None:
    (tmp_path / "policies").mkdir()
    sarif = to_sarif(shipped_report, root=tmp_path)
    rule = sarif["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"] == shipped_report.policies[0].url and "markdown" not in rule["help"]


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "policies").symlink_to(PACK)
    return tmp_path


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_sarif_points_at_the_line_that_sets_the_value(
    failing: tuple[list[StackPlan], PackReport], project_copy: Path
) -> None:
    plans, report = failing
    stack_file = project_copy / "Pulumi.primary.yaml"
    stack_file.write_text(
        stack_file.read_text().replace(
            "    create_as: primary\n", "    create_as: primary\n    geo_redundant_backup: Disabled\n"
        )
    )
    sarif = to_sarif(report, root=project_copy, plans=plans)
    results = sarif["runs"][0]["results"]
    geo = next(r for r in results if r["ruleId"] == "pg-geo-backup")
    region = geo["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == _line(stack_file, "geo_redundant_backup: Disabled")
    # Exempted: not an alert (GitHub shows a suppressed result as open), but listed with its reason and expiry.
    assert not any(r["ruleId"] == "pg-backup-retention" for r in results)
    [listed] = sarif["runs"][0]["properties"]["exemptions"]
    assert (listed["rule"], listed["reason"], listed["expires"]) == ("pg-backup-retention", EXEMPT_REASON, EXPIRES)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(sarif)
    with_exempt = to_sarif(report, root=project_copy, plans=plans, include_exempt=True)["runs"][0]["results"]
    exempt = next(r for r in with_exempt if r["ruleId"] == "pg-backup-retention")
    assert exempt["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": EXEMPT_REASON}]
    # where the violation would be: the rule's first config key the file sets (the objective it is held to)
    assert exempt["locations"][0]["physicalLocation"]["region"]["startLine"] == _line(
        stack_file, "    backup_retention_days: 30"
    )


def test_sarif_points_at_the_block_a_default_stands_in_for_and_keeps_its_fingerprints(
    failing: tuple[list[StackPlan], PackReport], project_copy: Path
) -> None:
    """The shipped file sets no geo_redundant_backup: the result sits on `azure-dr:postgres:`. Shifting every
    line moves the result, not its identity."""
    plans, report = failing
    stack_file = project_copy / "Pulumi.primary.yaml"
    first = to_sarif(report, root=project_copy, plans=plans)["runs"][0]["results"]
    geo = next(r for r in first if r["ruleId"] == "pg-geo-backup")
    line = geo["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert line == _line(stack_file, "azure-dr:postgres:")
    stack_file.write_text("# a comment added above everything\n" + stack_file.read_text())
    second = to_sarif(report, root=project_copy, plans=plans)["runs"][0]["results"]
    moved = next(r for r in second if r["ruleId"] == "pg-geo-backup")
    assert moved["locations"][0]["physicalLocation"]["region"]["startLine"] == line + 1
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]
    assert len({json.dumps(r["partialFingerprints"]) for r in first}) == len(first)


def test_line_of_reads_yaml_node_marks(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.x.yaml"
    stack.write_text(
        "# comment\nconfig:\n  azure-dr:routing:\n    kind: frontdoor\n"
        "    probe: {path: /healthz, interval_seconds: 30}\n  azure-dr:role: active\n"
    )
    assert line_of(stack, ["config", "azure-dr:routing", "probe", "interval_seconds"]) == 5
    assert line_of(stack, ["config", "azure-dr:role"]) == 6
    assert locate(stack, ["config", "azure-dr:redis", "capacity"]) == (2, 1)  # unset: the `config:` line
    assert locate(stack, ["config", "azure-dr:routing", "origin_host"]) == (3, 2)  # the block's line
    assert locate(tmp_path / "missing.yaml", ["config"]) == (1, 0)


def test_diagram_is_drawn_from_the_plans(shipped: dict[str, StackPlan], tmp_path: Path) -> None:
    topo = diagram.topology(list(shipped.values()))
    text = diagram.mermaid(topo)
    assert text.startswith("flowchart LR")
    assert 'subgraph stack_primary["stack primary: uksouth, active, owns the global layer"]' in text
    assert 'subgraph stack_dr["stack dr: ukwest, standby"]' in text
    edges = {(e.source, e.target, e.label) for e in topo.edges}
    assert ("primary_qlp_uksouth_psql_server", "dr_qlp_ukwest_psql_server", "async replication") in edges
    assert ("primary_qlp_uksouth_redis_cache", "dr_qlp_ukwest_redis_cache", "geo-replication, link in dr") in edges
    assert ("primary_qlp_prod_global_afd_origins", "dr_qlp_ukwest_origin_origin", "priority 2") in edges
    svg = ET.fromstring(diagram.svg(topo))
    labels = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "PostgreSQL psql-qlp-prod-ukw-1" in labels and "async replication" in labels
    assert len(list(svg.iter("{http://www.w3.org/2000/svg}line"))) == len(topo.edges)


def test_docs_show_the_generated_diagram(shipped: dict[str, StackPlan]) -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"```mermaid\n(.*?)```", page, re.S)
    assert block is not None and block.group(1).strip() == diagram.mermaid(diagram.topology(list(shipped.values())))


def test_diagram_command_writes_svg(
    tmp_path: Path, shipped: dict[str, StackPlan], monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure_dr.cli.engine import programs as engine

    monkeypatch.setattr(engine, "plan_stacks", lambda *a, **k: list(shipped.values()))
    out = tmp_path / "pair.svg"
    assert cli.main(["--root", str(ROOT), "diagram", "--format", "svg", "-o", str(out)]) == 0
    assert ET.parse(out).getroot().tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("name", sorted(schemas.SCHEMAS))
def test_each_output_schema_is_generated_from_its_model(name: str) -> None:
    """The files ``drctl schema`` prints are the models' schemas (``./dev schemas`` writes them)."""
    assert schemas.load(name) == models.generate(name), "regenerate: ./dev schemas"
    assert schemas.load(name)["properties"]["schema"]["const"] == models.MODELS[name][0]


def _json_of(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> dict[str, Any]:
    status = cli.main(["--root", str(root), *argv])
    out = capsys.readouterr().out
    assert status == 0, out
    document: dict[str, Any] = json.loads(out)  # one document, nothing after it
    return document


def test_status_switch_and_rules_documents_follow_their_schemas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path)
    status = _json_of(capsys, root, "status", "--json")
    validate(status, "status")
    assert status["state"] == "built" and {s["role"] for s in status["stacks"]} == {"active", "standby"}
    switch = _json_of(capsys, root, "promote", "--planned", "--dry-run", "--json")
    validate(switch, "switch")
    assert switch["dry_run"] and switch["written"] == [] and switch["problems"] == [] and switch["steps"]
    rules = _json_of(capsys, root, "rules", "--json")
    validate(rules, "rules")
    assert {r["policy_type"] for r in rules["rules"]} == {"resource", "stack", "gate"}
    validate(_json_of(capsys, root, "explain", "dr-pair", "--json"), "rules")
    # A model that does not match the output would fail above; an empty document fails the schema.
    with pytest.raises(jsonschema.ValidationError):
        validate({"schema": "drctl-status/v1"}, "status")
