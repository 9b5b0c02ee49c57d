"""The README is the front door: its rule table lists exactly the pack's rules, its commands exist."""

from __future__ import annotations

import re

from azure_dr.cli.engine.programs import ROOT
from tests.policy_harness import PACK_DIR  # noqa: F401  (puts the pack's package on sys.path)

README = (ROOT / "README.md").read_text()


def test_rule_table_lists_every_rule_with_its_level() -> None:
    from drpolicy.catalogue import rules

    rows = dict(
        re.findall(
            r'^\| <a id="rule-[a-z0-9-]+"></a>([a-z0-9-]+) \| [^|]+ \| [^|]+ \| (mandatory|advisory) \|',
            README,
            re.MULTILINE,
        )
    )
    expected = {r.rule.id: r.rule.level.value for r in rules()}
    assert rows == expected


def test_the_two_setup_commands_come_first() -> None:
    first_block = README.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["./dev plan", "./dev test"]
    dev = (ROOT / "dev").read_text()
    assert (
        "plan) setup; exec .venv/bin/drctl plan --check" in dev
        and "test) setup; exec .venv/bin/pytest -q -n auto" in dev
    )
