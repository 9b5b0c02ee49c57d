"""The state the shipped stacks had at earlier commits: every resource's engine URN, type and inputs.

``tests/test_state_aliases.py`` plans today's program against these states the way the Pulumi engine matches a
program to its state (``azure_dr.cli.engine.urns``): every old URN must be taken over, by the same URN or by an
alias, or ``pulumi up`` would delete the resource. The states were recorded once, by running each commit's own
program under that commit's own offline engine (a ``git archive`` of it, this environment's packages)::

    .venv/bin/python -m tests.state_urns --record c7f4861 "before the global layer moved under GlobalLayer"

Recording again changes nothing unless the commit's code changed, which it cannot.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from azure_dr.cli.engine.urns import Registration, engine_urns

STATES = Path(__file__).resolve().parent / "data" / "state-urns.json"
ROOT = Path(__file__).resolve().parents[1]

# Run inside the old tree: its own engine (flat ``drctl.engine`` before the namespace, ``azure_dr.cli`` after).
_DUMP = """
import importlib, json, sys
sys.path.insert(0, ".")
sys.path.insert(1, "src")
try:
    engine = importlib.import_module("drctl.engine")
    engine.plan_stacks
except (ImportError, AttributeError):
    engine = importlib.import_module("azure_dr.cli.engine.programs")
out = {}
for plan in engine.plan_stacks():
    assert plan.error is None, plan.error
    out[plan.stack] = {"project": plan.project, "resources": [
        {"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent, "custom": r.custom, "id": r.id,
         "protect": r.protect, "inputs": r.inputs} for r in plan.resources]}
json.dump(out, sys.stdout, default=str)
"""


def record(commit: str) -> dict[str, Any]:
    """Each stack's resources at ``commit``, keyed by the URN the engine gave them."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tree:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
        dumped = subprocess.run(
            [sys.executable, "-c", _DUMP], cwd=tree, capture_output=True, text=True, check=True
        ).stdout
    stacks: dict[str, Any] = {}
    for stack, plan in json.loads(dumped).items():
        regs = [Registration(r["urn"], r["type"], r["name"], r["parent"]) for r in plan["resources"]]
        urns = engine_urns(regs, stack, plan["project"])
        stacks[stack] = {
            "project": plan["project"],
            "resources": {
                urns[r["urn"]]: {k: r[k] for k in ("type", "custom", "id", "protect", "inputs")}
                for r in plan["resources"]
            },
        }
    return stacks


def load() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(STATES.read_text())
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.state_urns", description=__doc__.splitlines()[0])
    parser.add_argument("--record", nargs=2, metavar=("COMMIT", "WHAT"), required=True)
    args = parser.parse_args(argv)
    commit, what = args.record
    states = load() if STATES.exists() else {}
    full = subprocess.run(["git", "rev-parse", commit], cwd=ROOT, capture_output=True, text=True, check=True)
    states[commit] = {"commit": full.stdout.strip(), "what": what, "stacks": record(commit)}
    STATES.write_text(json.dumps(states, indent=1, sort_keys=True) + "\n")
    print(f"recorded {commit} in {STATES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
