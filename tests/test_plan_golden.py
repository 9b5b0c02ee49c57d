"""The shipped stacks plan exactly as recorded: same resources, names, parents, inputs, options and exports.

A refactor of the components must not move a single input. After an intended change, regenerate the golden
file (``tests/golden.py`` says how) and review its diff like code.
"""

from __future__ import annotations

import json

from azure_dr.cli.engine.recording import StackPlan
from tests.golden import GOLDEN, REGENERATE, drift, snapshot


def test_plan_matches_the_golden_file(shipped: dict[str, StackPlan]) -> None:
    actual = json.loads(json.dumps(snapshot(list(shipped.values())), sort_keys=True, default=str))
    found = drift(json.loads(GOLDEN.read_text()), actual)
    assert not found, (
        f"the plan drifted from {GOLDEN.name} ({len(found)} differences); if intended, run `{REGENERATE}`:\n"
        + "\n".join(found[:40])
    )


def test_drift_names_the_resource_and_the_field() -> None:
    urn = "urn:pulumi:primary::azure-dr::azure-native:keyvault:Vault::kv"
    resource = {"type": "azure-native:keyvault:Vault", "inputs": {"sku": "standard"}, "protect": True}
    old = {"primary": {"error": None, "resources": {urn: resource}, "exports": {"a": 1}}}
    new = {"primary": {"error": None, "resources": {urn: {**resource, "protect": False}}, "exports": {"a": 1}}}
    assert drift(old, new) == [f"primary: {urn}: protect changed"]
    assert drift(old, {"primary": {**old["primary"], "resources": {}}}) == [f"primary: removed {urn}"]
    assert drift(old, old) == []
