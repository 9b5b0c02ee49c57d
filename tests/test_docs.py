"""The docs site: its generated parts are current, its references cover the code, every page is in the nav."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
from ruamel.yaml import YAML

import azure_dr.components as components
from azure_dr.cli import commands as cli
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.report import rulebook
from azure_dr.components import InvalidArgs, PostgresServer, PostgresServerArgs
from tests.component_harness import run_program
from tests.docs_harness import generate

DOCS = ROOT / "docs"


def test_generated_parts_are_current() -> None:
    """The rule and command references, the diagram and every output block: what docs/generate.py writes now."""
    stale = [str(path.relative_to(ROOT)) for path, text in generate.pages().items() if path.read_text() != text]
    assert stale == [], f"not current: {stale}; run ./dev docs and commit the result"


def test_every_output_block_names_an_example_and_every_example_is_shown() -> None:
    shown = [m["name"] for p in DOCS.rglob("*.md") for m in generate.MARKER.finditer(p.read_text())]
    assert sorted(shown) == sorted(generate.EXAMPLES)


def test_rule_reference_has_every_rule_and_the_packs_count() -> None:
    from tests.policy_harness import PACK_DIR

    docs = rulebook.load(PACK_DIR)
    page = (DOCS / "rules.md").read_text()
    assert set(re.findall(r'^<a id="rule-([a-z0-9-]+)"></a>$', page, re.M)) == set(docs)
    assert f"The pack has **{len(docs)} rules**" in page
    for doc in docs.values():  # where SARIF's helpUri and the Pulumi CLI's policy url point
        assert doc.url == f"https://github.com/azure-dr/azure-dr/blob/main/docs/rules.md#rule-{doc.id}"


def test_command_reference_has_every_subcommand() -> None:
    page = (DOCS / "commands.md").read_text()
    parser = cli._parser()
    names = next(a for a in parser._actions if a.dest == "command").choices
    assert re.findall(r"^## ([a-z-]+)$", page, re.M) == list(names)


def test_pyproject_points_at_the_docs() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert (ROOT / urls["Documentation"].split("/blob/main/", 1)[1]).exists()


def _nav(items: list[Any]) -> Iterator[str]:
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        yield from _nav(value) if isinstance(value, list) else [value]


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    config = YAML(typ="safe", pure=True).load((ROOT / "mkdocs.yml").read_text())
    nav = list(_nav(config["nav"]))
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(nav) == pages


def test_component_table_names_public_components() -> None:
    page = (DOCS / "api" / "components.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    names = {n for row in rows for n in re.findall(r"`([A-Z]\w+)`", " | ".join(row.split(" | ")[:2]))}
    assert names and names <= set(components.__all__), names - set(components.__all__)


def test_refusal_example_is_the_components_message() -> None:
    page = (DOCS / "api" / "components.md").read_text()
    shown = re.search(r"^InvalidArgs: (.+)$", page, re.M)
    assert shown

    def program() -> None:
        PostgresServer(
            "db",
            PostgresServerArgs(
                server_name="psql-a",
                resource_group_name="rg-app",
                location="uksouth",
                tenant_id="t",
                replica_of="/subscriptions/0/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/a",
                geo_redundant_backup="Enabled",
            ),
        )

    with pytest.raises(InvalidArgs) as refused:
        run_program(program)
    assert str(refused.value) == shown.group(1)
