"""The README is the front door: short, its excerpts real output, its counts and command list taken from the code,
its example a program that runs, its CI snippet the workflow's, its links to files that exist."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.stackfiles.files import load_stack
from tests import recorded_plans
from tests.conftest import whole_suite
from tests.docs_harness import generate
from tests.policy_harness import PACK_DIR  # noqa: F401  (puts the pack's package on sys.path)

README = (ROOT / "README.md").read_text()
MAX_LINES = 200


def fenced(lang: str) -> list[str]:
    """The README's fenced blocks in ``lang``, in order."""
    return re.findall(rf"^```{lang}\n(.*?)^```$", README, re.S | re.M)


def block_after(prompt: str) -> list[str]:
    """The lines of the text block whose first line is ``prompt``, without it."""
    found = [b for b in fenced("text") if b.startswith(prompt + "\n")]
    assert len(found) == 1, f"expected one text block starting with {prompt!r}"
    return found[0].splitlines()[1:]


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def assert_excerpt(excerpt: list[str], real: list[str]) -> None:
    """Each run of excerpt lines between ``...`` lines is a contiguous run of the real output, in order."""
    runs: list[list[str]] = [[]]
    for line in excerpt:
        if line.strip() == "...":
            runs.append([])
        else:
            runs[-1].append(line)
    at = 0
    for run in (r for r in runs if r):
        starts = [i for i in range(at, len(real) - len(run) + 1) if real[i : i + len(run)] == run]
        assert starts, f"not in the real output (after line {at}):\n" + "\n".join(run)
        at = starts[0] + len(run)


def test_readme_fits_the_front_door() -> None:
    assert len(README.splitlines()) <= MAX_LINES


def test_the_two_setup_commands_come_first() -> None:
    first_block = README.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["./dev plan", "./dev test"]
    dev = (ROOT / "dev").read_text()
    assert (
        "plan) setup; exec .venv/bin/drctl plan --check" in dev
        and "test) setup; exec .venv/bin/pytest -q -n auto" in dev
    )


def test_plan_excerpt_is_real_output(
    shipped: dict[str, StackPlan], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "plan_stacks", lambda *a, **k: list(shipped.values()))
    assert cli.main(["--root", str(ROOT), "plan", "--check"]) == 0  # what ./dev plan runs
    assert_excerpt(block_after("$ ./dev plan"), capsys.readouterr().out.splitlines())


def suite_size(request: pytest.FixtureRequest) -> int:
    """How many tests the suite has: this session's own collection when it is the whole suite (each xdist worker
    collects all of it), else a collection of its own."""
    if whole_suite(request.config):
        return len(request.session.items)
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"^(\d+) tests? collected", collected, re.M)
    assert found, collected[-500:]
    return int(found.group(1))


def test_test_excerpt_counts_the_suite(request: pytest.FixtureRequest) -> None:
    lines = block_after("$ ./dev test")
    recorded = [line for line in lines if line.startswith("recorded plans:")]
    progress = [line for line in lines[:-1] if line not in recorded]
    assert all(re.fullmatch(r"bringing up nodes\.\.\.|\.+ \[ *\d+%\]|\.\.\.", line) for line in progress), lines
    store = recorded_plans.Store.read()
    assert store is not None and recorded == [recorded_plans.read_line(len(store.entries))]
    summary = re.fullmatch(r"(\d+) passed in [\d.]+s( \(\d+:\d\d:\d\d\))?", lines[-1])
    assert summary, lines[-1]
    count = suite_size(request)
    assert int(summary.group(1)) == count, (
        f"the README's ./dev test excerpt says {summary.group(1)} passed; the suite has {count} tests: "
        "run ./dev test and paste its last line"
    )


def test_rule_counts_are_the_packs() -> None:
    from drpolicy.catalogue import rules

    counts = re.findall(r"(\d+) rules", README)
    assert counts and {int(n) for n in counts} == {len(rules())}


def test_command_table_lists_every_drctl_command() -> None:
    table = [line for line in section("drctl").splitlines() if line.startswith("| `drctl ")]
    documented = {name for row in table for name in re.findall(r"`?drctl ([a-z-]+)", row.split(" | ")[0])}
    assert documented == set(generate.subcommands())  # the names argparse knows


def test_component_example_runs_under_the_mocks(tmp_path: Path) -> None:
    """The README's program, as a consumer's project: it plans, the replica reads from the writer."""
    (example,) = fenced("python")
    imports = re.findall(r"^from azure_dr[.\w]* import .*$", example, re.M)
    assert imports and all(line.startswith("from azure_dr.components import ") for line in imports)
    (tmp_path / "Pulumi.yaml").write_text("name: consumer\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(example)
    plan = engine.run_stack(load_stack(tmp_path, "dev"), {}, tmp_path)
    assert plan.error is None, plan.error
    servers = {r.name: r for r in plan.of_type("azure-native:dbforpostgresql:Server")}
    writer, replica = servers["orders-db-server"], servers["orders-db-replica-server"]
    assert (writer.inputs["createMode"], replica.inputs["createMode"]) == ("Create", "Replica")
    assert replica.inputs["sourceServerResourceId"] == writer.id
    assert writer.inputs["backup"]["geoRedundantBackup"] == "Enabled"
    assert all(s.protect and s.retain_on_delete for s in (writer, replica))
    assert plan.outputs["writer_fqdn"]


def test_ci_snippet_is_the_workflows_job() -> None:
    (snippet,) = fenced("yaml")
    (name, job), *_ = YAML(typ="safe", pure=True).load(snippet).items()
    workflow = YAML(typ="safe", pure=True).load((ROOT / ".github" / "workflows" / "dr-policy.yml").read_text())["jobs"][
        name
    ]

    def steps(j: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in s.items() if k != "name"} for s in j["steps"]]

    assert steps(job) == steps(workflow) and job["permissions"] == workflow["permissions"]


def _slug(heading: str) -> str:
    """The anchor Python-Markdown's toc (mkdocs) and GitHub give a heading."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", text).strip().lower())


def test_links_land_on_files_and_headings_that_exist() -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#([^)\s]+))?\)", README)
    assert links
    for target, anchor in links:
        if target.startswith("https://"):
            continue
        path = ROOT / target
        assert path.exists(), target
        if anchor:
            headings = re.findall(r"^#+ (.+)$", path.read_text(), re.M)
            assert anchor in {_slug(h) for h in headings}, f"{target}#{anchor}"


def test_readme_and_docs_cite_nothing_the_repository_does_not_have() -> None:
    pages = {"README.md": README} | {str(p.relative_to(ROOT)): p.read_text() for p in (ROOT / "docs").rglob("*.md")}
    gone = ("DESIGN §", "DESIGN.md", "facts §", "seed 0", "Seed 0", "Seeds 0", "seed plans", "reference/")
    for name, text in pages.items():
        for phrase in gone:
            assert phrase not in text, f"{name}: {phrase}"
    assert "seed 000" not in (ROOT / "Pulumi.primary.yaml").read_text()
