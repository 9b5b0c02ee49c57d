"""`drctl check` as a pull-request gate, through the CLI: the pair, the organisation's floors, exemptions owned
apart from the stack files, and output a CI system can place (a project in a subfolder, a renamed project, a
peer that failed to plan). Each held-out bad input that used to pass is refused, at its line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import base as base_plans
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.changes import Change
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.report import plandiff, schemas
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.cli.stackfiles.yamlfile import YamlFileError
from azure_dr.components.facts.exemptions import today

PACK = ROOT / "policies"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
FILES = ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml")


def project(where: Path, project_name: str = "azure-dr") -> Path:
    """The shipped project's files in ``where`` (the pack copied beside them, as a repository holds it)."""
    where.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        text = (ROOT / name).read_text()
        if project_name != "azure-dr" and name != "__main__.py":
            text = text.replace("name: azure-dr", f"name: {project_name}").replace("azure-dr:", f"{project_name}:")
        (where / name).write_text(text)
    shutil.copytree(PACK, where / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    return where


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def drctl(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def sarif_results(sarif: Mapping[str, Any], rule: str) -> list[dict[str, Any]]:
    return [r for r in sarif["runs"][0]["results"] if r["ruleId"] == rule]


def where(result: Mapping[str, Any]) -> tuple[str, int]:
    physical = result["locations"][0]["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        check=True,
        capture_output=True,
    )


# --------------------------------------------------------------------------------------------------------------
# The pair


def test_two_active_stacks_fail_the_gate_at_each_role_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    dr = root / "Pulumi.dr.yaml"
    edit(dr, "azure-dr:role: standby", "azure-dr:role: active")
    edit(dr, "    state: replica", "    state: primary")
    edit(dr, "    geo_secondary: true", "    geo_secondary: false")
    code, out, _ = drctl(capsys, root, "check", "--json", "--sarif", str(tmp_path / "out.sarif"))
    assert code == 1
    document = json.loads(out)
    jsonschema.Draft202012Validator(schemas.load("check")).validate(document)
    pair = {
        (s["stack"], v["config_key"]) for s in document["stacks"] for v in s["violations"] if v["rule"] == "dr-pair"
    }
    assert pair == {("primary", "role"), ("dr", "role")}
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    lines = {where(r) for r in sarif_results(sarif, "dr-pair")}
    assert lines == {
        ("Pulumi.primary.yaml", line_of(root / "Pulumi.primary.yaml", "azure-dr:role:")),
        ("Pulumi.dr.yaml", line_of(dr, "azure-dr:role:")),
    }
    assert all("two active stacks (dr, primary)" in r["message"]["text"] for r in sarif_results(sarif, "dr-pair"))


def test_a_project_in_a_subfolder_gets_results_it_can_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lowered objectives, a stack-file exemption of a mandatory rule and a re-pointed replica, in infra/ of a
    repository: each refused at its line, named from the repository's root (SARIF, annotations, job summary)."""
    (tmp_path / ".git").mkdir()  # the repository's top level
    root = project(tmp_path / "infra")
    primary, dr = root / "Pulumi.primary.yaml", root / "Pulumi.dr.yaml"
    edit(primary, "long_term_retention_years: 7", "long_term_retention_years: 1")
    edit(primary, "tier1: {rpo_minutes: 15, rto_minutes: 120}", "tier1: {rpo_minutes: 1440, rto_minutes: 120}")
    edit(
        primary,
        "  azure-dr:postgres:\n",
        "  azure-dr:tags:\n    azure-dr:policy-exempt: pg-geo-backup\n"
        "    azure-dr:policy-exempt-reason: cost of the geo copy\n"
        "  azure-dr:postgres:\n    geo_redundant_backup: Disabled\n",
    )
    edit(dr, "replica_of: psql-qlp-prod-uks-1", "replica_of: psql-other-prod-uks-1")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = drctl(capsys, root, "check", "--github", "--sarif", str(tmp_path / "out.sarif"))
    assert code == 1
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(sarif)
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    found = {
        (r["ruleId"], *where(r)) for r in run["results"] if r["ruleId"] in ("org-floors", "stack-exemptions", "dr-pair")
    }
    assert found == {
        ("org-floors", "infra/Pulumi.primary.yaml", line_of(primary, "long_term_retention_years: 1")),
        ("org-floors", "infra/Pulumi.primary.yaml", line_of(primary, "tier1:")),
        ("stack-exemptions", "infra/Pulumi.primary.yaml", line_of(primary, "azure-dr:policy-exempt:")),
        ("dr-pair", "infra/Pulumi.dr.yaml", line_of(dr, "replica_of:")),
    }
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for r in run["results"]
    )
    # The pack judged the stack by the floor, not by the lowered objective, and ignored the tag.
    assert any("keep them at least 7 years" in r["message"]["text"] for r in sarif_results(sarif, "backup-ltr"))
    [geo] = sarif_results(sarif, "pg-geo-backup")
    assert where(geo) == ("infra/Pulumi.primary.yaml", line_of(primary, "geo_redundant_backup: Disabled"))
    assert "cannot exempt a mandatory rule" in geo["message"]["text"]
    # The settled replica pointed elsewhere: the pack's own rule sees it too (createMode Update).
    assert [where(r)[0] for r in sarif_results(sarif, "dr-peer-links")] == ["infra/Pulumi.dr.yaml"]
    # GitHub annotations (no code scanning needed) and the job summary, on the same lines.
    commands = [line for line in out.splitlines() if line.startswith("::")]
    ltr = line_of(primary, "long_term_retention_years: 1")
    assert f"::error file=infra/Pulumi.primary.yaml,line={ltr},title=org-floors::" in "\n".join(commands)
    text = summary.read_text()
    assert text.startswith("## drctl check") and "FAIL:" in text and "`org-floors`" in text


def test_a_settled_replica_resized_below_its_primary_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    edit(
        root / "Pulumi.dr.yaml",
        "    sku_name: Standard_D4ds_v5\n    sku_tier: GeneralPurpose\n    storage_size_gb: 256",
        "    sku_name: Standard_B2s\n    sku_tier: Burstable\n    storage_size_gb: 32",
    )
    code, out, _ = drctl(capsys, root, "check", "--json")
    assert code == 1
    stacks = {s["stack"]: s for s in json.loads(out)["stacks"]}
    line = line_of(root / "Pulumi.dr.yaml", "sku_name: Standard_B2s")
    assert stacks["dr"]["error"].startswith(f"Pulumi.dr.yaml:{line}: invalid stack config: azure-dr:postgres.sku_name")
    assert "\n" not in stacks["dr"]["error"] and "expected at least the primary's" in stacks["dr"]["error"]
    assert stacks["primary"]["violations"] == []


def test_a_peer_that_failed_to_plan_leaves_peer_rules_not_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """primary, planned without dr's outputs (dr's file does not validate), gets no false violation: the rules
    that judge it against its peer, and the pair, say they could not."""
    root = project(tmp_path)
    edit(root / "Pulumi.dr.yaml", "    capacity: 1\n", "    capacity: 9\n")
    code, out, _ = drctl(capsys, root, "check", "--json")
    assert code == 1
    document = json.loads(out)
    stacks = {s["stack"]: s for s in document["stacks"]}
    assert "azure-dr:redis.capacity: 9 is not allowed" in stacks["dr"]["error"]
    assert stacks["primary"]["violations"] == []
    skipped = {n["rule"]: n["reason"] for n in stacks["primary"]["not_evaluated"]}
    assert {"dr-routing-regions", "net-peering", "net-dns-links", "dr-pair"} <= set(skipped)
    assert "exported no outputs" in skipped["net-peering"] and "dr did not validate" in skipped["dr-pair"]
    assert document["passed"] is False
    code, out, _ = drctl(capsys, root, "check")
    assert "NOT EVALUATED" in out and out.rstrip().splitlines()[-1].startswith("ERROR: 1 stack(s) failed to plan")


# --------------------------------------------------------------------------------------------------------------
# Floors and exemptions


def exempting(expires: str, reason: str = "restored copy for a migration, deleted after cut-over") -> dict[str, Any]:
    config = json.loads((PACK / "policy-config.json").read_text())
    config["pg-geo-backup"] = {
        "exemptions": [
            {"stack": "primary", "resource": "qlp-uksouth-psql-server", "reason": reason, "expires": expires}
        ]
    }
    return config


def test_the_policy_config_exempts_a_mandatory_rule_until_its_expiry_and_every_output_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    edit(
        root / "Pulumi.primary.yaml",
        "    create_as: primary\n",
        "    create_as: primary\n    geo_redundant_backup: Disabled\n",
    )
    config = tmp_path / "org.json"
    until = (today() + timedelta(days=30)).isoformat()
    config.write_text(json.dumps(exempting(until)))
    code, out, _ = drctl(capsys, root, "check", "--policy-config", str(config), "--sarif", str(tmp_path / "o.sarif"))
    assert code == 0, out
    assert (
        "EXEMPT    pg-geo-backup              qlp-uksouth-psql-server: restored copy for a migration, deleted after "
        f"cut-over (policy config, expires {until})" in out
    )
    sarif = json.loads((tmp_path / "o.sarif").read_text())
    assert sarif_results(sarif, "pg-geo-backup") == []  # not uploaded as an open alert
    [listed] = sarif["runs"][0]["properties"]["exemptions"]
    assert (listed["rule"], listed["source"], listed["expires"]) == ("pg-geo-backup", "policy config", until)
    code, out, _ = drctl(capsys, root, "check", "--policy-config", str(config), "--json")
    [exempt] = json.loads(out)["stacks"][0]["exempt"]
    assert exempt["expires"] == until and exempt["source"] == "policy config"
    code, out, _ = drctl(capsys, root, "check", "--policy-config", str(config), "--github")
    assert "::notice file=Pulumi.primary.yaml,line=" in out and "title=exempt pg-geo-backup::" in out
    code, _, _ = drctl(
        capsys, root, "check", "--policy-config", str(config), "--sarif", str(tmp_path / "s.sarif"), "--sarif-exempt"
    )
    [suppressed] = sarif_results(json.loads((tmp_path / "s.sarif").read_text()), "pg-geo-backup")
    assert suppressed["suppressions"][0]["justification"].startswith("restored copy")
    # Expired: the violation is back, saying why.
    config.write_text(json.dumps(exempting((today() - timedelta(days=1)).isoformat())))
    code, out, _ = drctl(capsys, root, "check", "--policy-config", str(config))
    assert code == 1 and "exemption expired on" in out


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"reason": "cost", "expires": "2030-01-01"}, "reason 'cost' is a reason of 1 word(s); give at least 3"),
        ({"reason": "a real reason for it"}, "expires is not set"),
        ({"reason": "a real reason for it", "expires": "soon"}, "expires 'soon' is not a date; expected YYYY-MM-DD"),
    ],
)
def test_a_policy_config_exemption_without_reason_or_expiry_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: dict[str, str], message: str
) -> None:
    config = json.loads((PACK / "policy-config.json").read_text())
    config["pg-geo-backup"] = {"exemptions": [{"stack": "primary", "resource": "*", **entry}]}
    (tmp_path / "org.json").write_text(json.dumps(config))
    code, _, err = drctl(capsys, ROOT, "policy-config", "primary", "--policy-config", str(tmp_path / "org.json"))
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("drctl: policy config: pg-geo-backup.exemptions[0]: ") and message in err


def test_policy_config_for_preview_keeps_the_floors_and_takes_a_tighter_objective(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    edit(root / "Pulumi.primary.yaml", "long_term_retention_years: 7", "long_term_retention_years: 1")
    edit(root / "Pulumi.primary.yaml", "backup_retention_days: 30", "backup_retention_days: 35")
    code, out, _ = drctl(capsys, root, "policy-config", "primary")
    config = json.loads(out)
    assert code == 0
    assert config["backup-ltr"]["min_years"] == 7  # loosened by the stack: the floor stands
    assert config["pg-backup-retention"]["min_days"] == 35  # tightened by the stack: taken
    assert config["pg-geo-backup"] == "mandatory" and config["stateful-protected"] == {"require_locks": True}


# --------------------------------------------------------------------------------------------------------------
# Config that used to be silently ignored


def stack_error(root: Path, stack: str) -> str:
    [plan] = [p for p in engine.plan_stacks([stack], root) if p.stack == stack]
    assert plan.error is not None
    return plan.error


def test_a_key_in_a_misspelt_project_namespace_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path)
    edit(root / "Pulumi.dr.yaml", "  azure-dr:workload: qlp\n", "  azure-dr:workload: qlp\n  azuredr:locks: false\n")
    with pytest.raises(YamlFileError) as refused:
        load_stack(root, "dr")
    line = line_of(root / "Pulumi.dr.yaml", "azuredr:locks")
    assert str(refused.value) == (
        f"Pulumi.dr.yaml:{line}: config key 'azuredr:locks' is in namespace 'azuredr', a misspelling of this "
        "project's ('azure-dr'): no program reads it; allowed: azure-dr:locks"
    )
    edit(
        root / "Pulumi.dr.yaml",
        "  azuredr:locks: false\n",
        "  azure-native:clientId: 0000\n  azure:environment: public\n",
    )
    load_stack(root, "dr")  # other namespaces are the providers' and Pulumi's


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            "azure-native:location: ukwest",
            "azure-native:location: uksouth",
            "azure-native:location:",
            "azure-native:location: 'uksouth' is not allowed; expected ukwest (this stack's azure-dr:region)",
        ),
        (
            "    origin: cluster ",
            "    frontdoor_sku: Premium_AzureFrontDoor\n    origin: cluster ",
            "frontdoor_sku:",
            "azure-dr:routing.frontdoor_sku: 'set' is not allowed; expected unset on a stack with owns_global=false",
        ),
        (
            "    origin: cluster ",
            "    probe: {path: /ready}\n    origin: cluster ",
            "probe:",
            "azure-dr:routing.probe: 'set' is not allowed; expected unset on a stack with owns_global=false",
        ),
        (
            "  azure-dr:workload: qlp\n",
            "  azure-dr:workload: qlp\n  azure-dr:tags: {azure-dr:scope: global}\n",
            "azure-dr:tags:",
            "azure-dr:tags.azure-dr:scope: 'global' is not allowed",
        ),
    ],
)
def test_settings_the_program_would_ignore_are_refused_at_their_line(
    tmp_path: Path, old: str, new: str, at: str, message: str
) -> None:
    root = project(tmp_path)
    edit(root / "Pulumi.dr.yaml", old, new)
    error = stack_error(root, "dr")
    line = line_of(root / "Pulumi.dr.yaml", at)
    assert error.startswith(f"Pulumi.dr.yaml:{line}: invalid stack config: ") and message in error, error


# --------------------------------------------------------------------------------------------------------------
# A renamed project


def test_a_renamed_project_gets_its_own_namespace_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, "shop")
    primary = root / "Pulumi.primary.yaml"
    edit(primary, "    create_as: primary\n", "    create_as: primary\n    geo_redundant_backup: Disabled\n")
    edit(
        primary,
        "  shop:postgres:\n",
        "  shop:tags: {shop:policy-exempt: pg-geo-backup, shop:policy-exempt-reason: a b c}\n  shop:postgres:\n",
    )
    code, out, _ = drctl(capsys, root, "check", "--sarif", str(tmp_path / "o.sarif"))
    assert code == 1
    sarif = json.loads((tmp_path / "o.sarif").read_text())
    [geo] = sarif_results(sarif, "pg-geo-backup")
    assert where(geo) == ("Pulumi.primary.yaml", line_of(primary, "geo_redundant_backup: Disabled"))
    assert "shop:policy-exempt tag cannot exempt" in geo["message"]["text"]
    [tag] = sarif_results(sarif, "stack-exemptions")
    assert where(tag)[1] == line_of(primary, "shop:tags:") and "shop:tags.shop:policy-exempt" in tag["message"]["text"]
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    help_text = rules["pg-backup-retention"]["help"]["text"]
    assert "shop:postgres.backup_retention_days" in help_text and "azure-dr:postgres" not in help_text
    assert "azure-dr:dr-mechanism" in rules["dr-coverage"]["help"]["text"]  # the library's tag keeps its name
    code, out, _ = drctl(capsys, root, "explain", "dr-pair")
    assert "shop:role" in out and "azure-dr:role" not in out


# --------------------------------------------------------------------------------------------------------------
# The program as the Pulumi language host runs it


def test_the_program_directory_is_on_sys_path_and_main_is_honoured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    app = root / "app"
    app.mkdir()
    (app / "naming_extra.py").write_text("SUFFIX = 'from a module beside __main__.py'\n")
    (app / "__main__.py").write_text(
        "import pulumi\nimport naming_extra\n\n"
        + (ROOT / "__main__.py").read_text()
        + "\npulumi.export('beside', naming_extra.SUFFIX)\n"
    )
    (root / "__main__.py").unlink()
    edit(root / "Pulumi.yaml", "runtime:", "main: app/\nruntime:")
    plans = {p.stack: p for p in engine.plan_stacks(None, root)}
    assert plans["primary"].error is None and plans["primary"].outputs["beside"] == "from a module beside __main__.py"
    assert plans["dr"].outputs["beside"] == "from a module beside __main__.py"
    assert "naming_extra" not in __import__("sys").modules  # one stack's modules never reach the next
    edit(root / "Pulumi.yaml", "main: app/", "main: nowhere/")
    code, _, err = drctl(capsys, root, "plan")  # Pulumi.yaml is config: a mistake in it exits 1, as the others
    assert code == 1 and err.count("\n") == 1
    assert "main 'nowhere/' is neither a directory holding __main__.py nor a .py file" in err


def test_a_program_error_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    (root / "__main__.py").write_text("import helpers_that_are_not_there\n")
    code, out, err = drctl(capsys, root, "check")
    assert code == 2 and out == ""
    assert re.fullmatch(
        r"drctl: stack (primary|dr): the program failed: ModuleNotFoundError: No module named "
        r"'helpers_that_are_not_there' \(__main__\.py:1\)\n",
        err,
    ), err


# --------------------------------------------------------------------------------------------------------------
# One JSON document for every --json


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--json"),
        ("rules", "--json"),
        ("explain", "pg-geo-backup", "--json"),
        ("promote", "--planned", "--dry-run", "--json"),
        ("promote", "--forced", "--dry-run", "--json"),
    ],
)
def test_every_json_output_is_one_document(
    args: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    before = {name: (root / name).read_text() for name in FILES}
    code, out, _ = drctl(capsys, root, *args)
    document = json.loads(out)  # the whole of stdout is one document
    assert isinstance(document, dict) and document["schema"].startswith("drctl-")
    if "--dry-run" in args:
        assert document["dry_run"] is True and document["written"] == []
        assert {name: (root / name).read_text() for name in FILES} == before
    if args[0] == "status":
        assert code == 0 and document["state"] == "built"
        assert {s["stack"]: s["role"] for s in document["stacks"]} == {"primary": "active", "dr": "standby"}
    if args[0] == "rules":
        assert {"dr-pair", "org-floors", "pg-geo-backup"} <= {r["id"] for r in document["rules"]}


# --------------------------------------------------------------------------------------------------------------
# diff --base: what a pull request does to each resource


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding the project in infra/, its base committed."""
    repo = tmp_path_factory.mktemp("repo")
    project(repo / "infra")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo / "infra"


def diff(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = drctl(capsys, root, "diff", "--base", "main", "--json", *args)
    assert code != 2, err
    document = json.loads(out)
    jsonschema.Draft202012Validator(schemas.load("diff")).validate(document)
    return code, document


def changed(document: Mapping[str, Any]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(r["stack"], r["name"], r["op"], tuple(r["paths"])) for r in document["resources"] if r["op"] != "same"]


@pytest.fixture()
def clean(repository: Path) -> Any:
    yield repository
    git(repository.parent, "checkout", "-q", "--", ".")


def test_diff_base_without_an_edit_is_all_same(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = diff(capsys, clean)
    assert code == 0 and document["safe"] is True and changed(document) == []
    planned = {p.stack: sum(r.custom and not r.read for r in p.resources) for p in engine.plan_stacks(None, clean)}
    assert {s["stack"]: s["counts"]["same"] for s in document["stacks"]} == planned
    assert all(count > 50 for count in planned.values())
    assert document["base"].startswith("main (")


def test_diff_base_of_a_soft_delete_edit_is_one_update(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(
        clean / "Pulumi.primary.yaml",
        "    sku: Standard_RAGZRS\n",
        "    sku: Standard_RAGZRS\n    blob_soft_delete_days: 60\n",
    )
    code, document = diff(capsys, clean)
    assert code == 0
    assert changed(document) == [("primary", "qlp-uksouth-st-blob", "update", ("deleteRetentionPolicy.days",))]
    [entry] = [r for r in document["resources"] if r["op"] == "update"]
    assert entry["type"] == "azure-native:storage:BlobServiceProperties" and entry["urn"].startswith(
        "urn:pulumi:primary::"
    )


def test_diff_base_of_a_resize_updates_the_servers_and_deletes_nothing(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for stack in ("primary", "dr"):
        edit(
            clean / f"Pulumi.{stack}.yaml",
            "sku_name: Standard_D4ds_v5\n    sku_tier: GeneralPurpose\n    storage_size_gb: 256",
            "sku_name: Standard_D8ds_v5\n    sku_tier: GeneralPurpose\n    storage_size_gb: 512",
        )
    code, document = diff(capsys, clean)
    assert code == 0
    # The disk size is sent only at creation (Azure only grows it; autogrow may have): the diff says it is not applied.
    assert sorted(changed(document)) == [
        ("dr", "qlp-ukwest-psql-server", "update", ("sku.name",)),
        ("primary", "qlp-uksouth-psql-server", "update", ("sku.name",)),
    ]
    unsent = [n for n in document["notes"] if "storage.storageSizeGB changed, but the resource ignores it" in n]
    assert len(unsent) == 2 and "pulumi up does not send it" in unsent[0]
    assert not [r for r in document["resources"] if r["op"] == "delete"]


def test_diff_base_of_a_workload_rename_replaces_the_servers_and_exits_1(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for stack in ("primary", "dr"):
        edit(clean / f"Pulumi.{stack}.yaml", "azure-dr:workload: qlp", "azure-dr:workload: shop")
    edit(clean / "Pulumi.dr.yaml", "replica_of: psql-qlp-prod-uks-1", "replica_of: psql-shop-prod-uks-1")
    code, document = diff(capsys, clean)
    assert code == 1 and document["safe"] is False
    servers = {r["name"]: r for r in document["resources"] if r["type"] == "azure-native:dbforpostgresql:Server"}
    assert set(servers) == {"shop-uksouth-psql-server", "shop-ukwest-psql-server"}
    for server in servers.values():
        assert server["op"] == "replace" and server["stateful"] and "serverName" in server["paths"]
        assert server["old_urn"].endswith("-psql-server") and "qlp-" in server["old_urn"]
        assert "logical name changes" in server["reason"] and "protected" in server["reason"]
    assert {u for u in document["at_risk"] if "psql-server" in u} == {s["urn"] for s in servers.values()}
    code, out, _ = drctl(capsys, clean, "diff", "--base", "main")
    assert code == 1 and "UNSAFE:" in out.splitlines()[-1] and "primary:shop-uksouth-psql-server" in out


def test_diff_plan_file_and_a_base_that_cannot_be_read(
    clean: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = drctl(capsys, clean, "plan", "--json")
    (tmp_path / "base.json").write_text(out)
    edit(
        clean / "Pulumi.primary.yaml",
        "    sku: Standard_RAGZRS\n",
        "    sku: Standard_RAGZRS\n    blob_soft_delete_days: 60\n",
    )
    code, out, _ = drctl(capsys, clean, "diff", "--plan", str(tmp_path / "base.json"))
    assert code == 0 and "update   storage:BlobServiceProperties qlp-uksouth-st-blob: deleteRetentionPolicy.days" in out
    code, _, err = drctl(capsys, clean, "diff", "--base", "no-such-branch")
    assert code == 2 and err == (
        "drctl diff: --base no-such-branch: not a commit of this repository (fetch it first, e.g. git fetch origin "
        "no-such-branch)\n"
    )
    (tmp_path / "bad.json").write_text('{"schema": "drctl-check/v1"}')
    code, _, err = drctl(capsys, clean, "diff", "--plan", str(tmp_path / "bad.json"))
    assert code == 2 and "not a `drctl plan --json` document" in err
    code, _, err = drctl(capsys, project(tmp_path / "outside"), "diff", "--base", "main")
    assert code == 2 and "is not inside a git repository" in err


def test_the_workflow_posts_the_diff_and_uploads_only_what_it_can(tmp_path: Path) -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "dr-policy.yml").read_text())
    jobs = workflow["jobs"]
    check_job = jobs["offline-check"]
    assert check_job["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    runs = " ".join(s.get("run", "") for s in check_job["steps"])
    assert "drctl check --sarif drctl-check.sarif --github" in runs
    upload = next(s for s in check_job["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload.get("continue-on-error") is True  # no code scanning: the annotations and summary remain
    diff_job = jobs["diff"]
    assert diff_job["permissions"]["pull-requests"] == "write" and "pull_request" in diff_job["if"]
    steps = " ".join(s.get("run", "") for s in diff_job["steps"])
    assert "drctl diff --base" in steps and "gh pr comment" in steps
    checkout = next(s for s in diff_job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert re.search(r"GITHUB_STEP_SUMMARY", steps)


def test_an_adopted_resource_is_a_create_that_writes_nothing() -> None:
    """A promotion's up adopts the writer endpoint Azure moved (``import_id``): never read as a blocked delete."""
    urn = "urn:pulumi:dr::azure-dr::azure-native:dbforpostgresql:VirtualEndpoint::qlp-ukwest-psql-vep-vep"
    adopted = Change(urn, "azure-native:dbforpostgresql:VirtualEndpoint", "qlp-ukwest-psql-vep-vep", "import")
    [entry] = plandiff.entries_of("dr", [adopted])
    assert (entry.op, entry.blocked, entry.retained) == ("create", False, False)
    assert entry.reason.startswith("import:") and not plandiff.from_changes("x", {"dr": [adopted]}, []).at_risk


EXTRA_MODULE = """
from pulumi_azure_native import resources

NAME = "{name}"


def add() -> None:
    {body}
"""


def test_a_base_is_planned_with_its_own_modules_in_this_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ref without the library's source is planned by the installed library, in this process: a module beside
    the ref's program is the ref's, not the work tree's module of the same name (each run drops the program's own
    modules); a ref whose program fails is one line, exit 2."""
    root = project(tmp_path / "repo" / "infra")
    with (root / "__main__.py").open("a") as program:
        program.write("\nimport extra\n\nextra.add()\n")
    rg = 'resources.ResourceGroup("extra", resource_group_name=NAME, location="uksouth")'
    (root / "extra.py").write_text(EXTRA_MODULE.format(name="rg-extra-a", body=rg))
    git(root.parent, "init", "-q", "-b", "main")
    git(root.parent, "add", "-A")
    git(root.parent, "commit", "-q", "-m", "base")
    (root / "extra.py").write_text(EXTRA_MODULE.format(name="rg-extra-b", body='raise RuntimeError("boom")'))
    git(root.parent, "commit", "-q", "-am", "broken")
    (root / "extra.py").write_text(EXTRA_MODULE.format(name="rg-extra-b", body=rg))

    def no_process(*_: object) -> None:
        raise AssertionError("a ref without the library's source needs no process of its own")

    monkeypatch.setattr(base_plans, "_plan_with_its_library", no_process)
    code, out, err = drctl(capsys, root, "diff", "--base", "main~1", "--json")
    document = json.loads(out)
    extra = sorted(
        (r["stack"], r["op"], "resourceGroupName" in r["paths"]) for r in document["resources"] if r["name"] == "extra"
    )
    assert extra == [("dr", "replace", True), ("primary", "replace", True)], err
    code, _, err = drctl(capsys, root, "diff", "--base", "main")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("drctl diff: --base main: could not be planned: stack ")
    assert err.endswith(": the program failed: RuntimeError: boom (extra.py:8)\n")


def test_a_base_carrying_the_library_is_planned_by_its_own_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """This repository's own history: the ref's ``src/azure_dr`` is what plans it (here a library without a CLI)."""
    repo = tmp_path / "repo"
    root = project(repo)
    (repo / "src" / "azure_dr").mkdir(parents=True)
    (repo / "src" / "azure_dr" / "__init__.py").write_text('"""Not the installed library."""\n')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    code, _, err = drctl(capsys, root, "diff", "--base", "main")
    assert code == 2 and "--base main: could not be planned:" in err and "azure_dr.cli" in err
