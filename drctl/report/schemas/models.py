"""The documents drctl writes with ``--json``, as pydantic models: the schema files beside this module are
generated from them (``./dev schemas``; ``tests/test_outputs.py`` fails when a file is not the generated one).

The producers build plain dicts (``commands.plan_document``, ``engine.check.report_json``,
``report.plandiff.document``); the tests validate what they build against these schemas, so a field added to a
document without its model fails there. Every object refuses keys it does not declare.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import CHECK_ID, DIFF_ID, PLAN_ID, RULES_ID, SCHEMAS, STATUS_ID, SWITCH_ID

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- drctl check --json --------------------------------------------------------------------------------------------


class Pack(_Closed):
    name: str
    version: str
    rules: int = Field(ge=0)
    gate_rules: int = Field(
        0, ge=0, description="drctl's own rules over the stack files together (dr-pair, org-floors, stack-exemptions)"
    )


class StackError(_Closed):
    stack: str
    error: str


class Violation(_Closed):
    rule: str
    level: Literal["advisory", "mandatory", "remediate", "disabled"]
    severity: Literal["", "low", "medium", "high", "critical"]
    urn: str = Field(description="the resource's URN; empty for a stack-wide result")
    resource: str = Field(description="the resource's logical name (last part of the URN)")
    message: str
    config_key: str = Field("", description="the stack config key a gate rule's result is about")


class Exemption(_Closed):
    rule: str
    urn: str
    resource: str
    reason: str = Field(min_length=1)
    source: str = Field("", description="where it lives: 'policy config', or the tag that carries it")
    expires: str = Field("", description="a policy-config exemption's expiry", json_schema_extra={"format": "date"})


class NotEvaluated(_Closed):
    rule: str
    reason: str


class CheckedStack(_Closed):
    stack: str
    error: str | None = Field(description="why the stack could not be planned")
    resource_count: int = Field(ge=0, description="managed resources (reads excluded)")
    violations: list[Violation]
    exempt: list[Exemption]
    not_evaluated: list[NotEvaluated] = Field(
        [], description="rules that could not judge the stack (the peer's outputs, or the pair, missing)"
    )


class CheckDocument(_Closed):
    """Policy results of the azure-dr pack over the offline plan of each stack."""

    model_config = ConfigDict(title="drctl check --json")

    schema_: Literal["drctl-check/v1"] = Field(alias="schema")
    pack: Pack
    stacks: list[CheckedStack]
    passed: bool = Field(description="no mandatory violation and every stack planned")
    errors: list[StackError] = Field([], description="stacks that failed to plan and were not checked")


# -- drctl plan --json ---------------------------------------------------------------------------------------------


class PlannedResource(_Closed):
    urn: str = Field(pattern="^urn:pulumi:")
    type: str
    name: str
    id: str | None
    parent: str | None
    custom: bool = Field(description="false for a component")
    read: bool
    protect: bool
    retain_on_delete: bool = Field(
        False, description="Pulumi forgets the resource instead of deleting it when the program stops declaring it"
    )
    locked: bool = Field(description="a CanNotDelete lock in the plan is scoped to this resource")
    ignore_changes: list[str]
    dependencies: list[str]
    dr: dict[str, Any] = Field(description="the DR-relevant inputs, by short label")
    inputs: dict[str, Any] = Field(description="the inputs as registered (wire names, SDK defaults included)")


class PlannedStack(_Closed):
    stack: str
    error: str | None
    resource_count: int = Field(ge=0, description="managed resources: custom and not read")
    read_count: int = Field(ge=0, description="resources only read, e.g. the peer's StackReference")
    resources: list[PlannedResource]
    outputs: dict[str, Any]
    notes: list[str]


class PostureLine(_Closed):
    service: str
    tier: str
    mechanism: str | None
    rpo_minutes: float | None
    rto_minutes: float | None
    objective_rpo_minutes: int
    objective_rto_minutes: int
    meets: bool
    source: str | None


class PlanDocument(_Closed):
    """Every resource each stack's program registers under the mock runtime, with its inputs, and the DR posture
    of the pair. Numbers with no fraction are integers."""

    model_config = ConfigDict(title="drctl plan --json")

    schema_: Literal["drctl-plan/v1"] = Field(alias="schema")
    stacks: list[PlannedStack]
    posture: list[PostureLine]
    check: CheckDocument | None = Field(
        None, description="present with `plan --check --json`: the check of the same plans"
    )
    posture_note: str = Field(
        "", description="why the DR posture was not assessed (e.g. the pair's other half was not planned)"
    )
    long_term_retention: dict[str, Any] = Field(
        {}, description="the long-term retention line of the posture (weekly backups kept N years)"
    )


# -- drctl diff --json ---------------------------------------------------------------------------------------------


class OpCounts(_Closed):
    create: int = Field(ge=0)
    update: int = Field(ge=0)
    replace: int = Field(ge=0)
    delete: int = Field(ge=0)
    same: int = Field(ge=0)


class DiffStack(_Closed):
    stack: str
    counts: OpCounts


class DiffResource(_Closed):
    stack: str
    urn: str = Field(pattern="^urn:pulumi:")
    type: str = Field(description="the Pulumi type token, e.g. azure-native:dbforpostgresql:Server")
    name: str = Field(description="the logical name (the URN's last part)")
    op: Literal["create", "update", "replace", "delete", "same"]
    paths: list[str] = Field(description="the property paths that change")
    stateful: bool
    reason: str = Field("", description="why: a replacement's create-only inputs or new name, what blocks the change")
    old_urn: str = Field("", description="a renamed resource's URN before the change")
    blocked: bool = Field(False, description="pulumi up stops here (protect, a lock, an update Azure refuses)")
    retained: bool = Field(False, description="a delete that only forgets: Azure keeps the resource")


class DiffDocument(_Closed):
    """What a change does to each resource of each stack: create, update, replace, delete or same."""

    model_config = ConfigDict(title="drctl diff --json")

    schema_: Literal["drctl-diff/v1"] = Field(alias="schema")
    base: str = Field(
        description="what the change is compared with: a git ref and its commit, a plan file, or the state"
    )
    stacks: list[DiffStack]
    resources: list[DiffResource]
    errors: list[StackError] = Field(description="stacks that could not be compared (a side does not plan)")
    notes: list[str] = []
    refused: list[str] = Field([], description="steps a replay refused")
    at_risk: list[str] = Field(description="URNs of stateful resources replaced or deleted")
    safe: bool = Field(
        description="the exit code is 0: nothing stateful replaced or deleted, nothing refused, every stack compared"
    )


# -- drctl status --json ------------------------------------------------------------------------------------------


class ServerState(_Closed):
    server: str = Field(description="the current generation's server name")
    create_as: Literal["primary", "replica"]
    replica_of: str | None
    state: Literal["new", "primary", "replica", "promoting"]
    retired: list[str] = Field(description="earlier generations the stack still declares (until released)")


class StackStatus(_Closed):
    stack: str
    role: Literal["active", "standby"]
    region: str
    owns_global: bool
    postgres: ServerState
    redis_geo_secondary: bool
    deployed: str | None = Field(
        description="with --state: how the deployed state stands against the stack file; null without it"
    )


class StatusDocument(_Closed):
    """The pair's lifecycle state and each stack's part in it. While a switch is half-written only ``interrupted``
    and ``error`` are given: the pair is not judged."""

    model_config = ConfigDict(title="drctl status --json")

    schema_: Literal["drctl-status/v1"] = Field(alias="schema")
    interrupted: str | None = Field(description="the switch interrupted while writing the stack files, if any")
    state: Literal["built", "building", "promoting", "promoted", "rebuilding", "rebuilt"] | None = None
    status: str = Field("", description="the state with what to do next")
    stacks: list[StackStatus] = []
    error: str = Field("", description="why the pair could not be judged (a half-written switch)")


# -- drctl promote | rebuild | release | failback | settle --json -----------------------------------------------


class Effect(_Closed):
    stack: str
    kind: str = Field(description="what Azure holds after the step (lifecycle.refresh applies it in the replay)")
    type: str
    value: str
    other: str


class Step(_Closed):
    kind: Literal["up", "az", "state", "drctl"]
    stack: str | None
    argv: list[list[str]] = Field(description="each command of the step as its exact argument vector")
    command: str = Field(description="the commands as one shell line (the argv, quoted, joined by &&)")
    what: str
    verify: str
    minutes: int = Field(ge=0)
    optional: bool
    targets: list[str] = Field(description="an up's --target resource types (its region is down)")
    lifts: list[str] = Field(description="locks the step lifts and restores")
    effects: list[Effect]


class StepChange(_Closed):
    action: str
    keys: list[str]
    reason: str


class SwitchDocument(_Closed):
    """A switch's stack-file edits, its runbook, what each step's ``pulumi up`` changes in the replay and what was
    written: the whole answer, nothing printed after it."""

    model_config = ConfigDict(title="drctl switch --json")

    schema_: Literal["drctl-switch/v1"] = Field(alias="schema")
    name: str = Field(description="the command as the operator types it, e.g. promote --planned")
    edits: list[str] = Field(description="each stack-file edit, as `stack: key = value`")
    steps: list[Step]
    minutes: int = Field(ge=0, description="the runbook's expected duration, optional steps excluded")
    rto_minutes: int | None
    notes: list[str]
    baseline: dict[str, str] = Field(description="per stack: `files`, or the --state file it was judged against")
    drift: dict[str, dict[str, StepChange]] = Field(description="per --state stack: what differs from its file")
    steps_diff: list[dict[str, StepChange]] = Field(description="per step: each resource it changes, by name")
    problems: list[str] = Field(description="why the replay refuses the switch; nothing is written when non-empty")
    dry_run: bool
    written: list[str] = Field(description="the stack files written")


# -- drctl rules | explain --json ---------------------------------------------------------------------------------


class RuleEntry(_Closed):
    id: str
    title: str
    level: Literal["advisory", "mandatory", "remediate", "disabled"]
    severity: Literal["", "low", "medium", "high", "critical"]
    service: str
    objective: str
    policy_type: Literal["resource", "stack", "gate"]
    config: list[str] = Field(description="the stack config keys the rule reads")
    help_text: str
    help_markdown: str
    url: str
    equivalents: str = Field(description="the same check in other tools (Checkov, Azure Policy, PSRule), or none")
    thresholds: list[list[str]] = Field(description="policy-config thresholds: [name, default (JSON), description]")
    resource_types: list[str]
    why: str
    fix: str


class RulesDocument(_Closed):
    """The rules of the pack and of the gate, each with why it exists, how to fix and how to exempt."""

    model_config = ConfigDict(title="drctl rules --json")

    schema_: Literal["drctl-rules/v1"] = Field(alias="schema")
    rules: list[RuleEntry]


MODELS: dict[str, tuple[str, type[BaseModel]]] = {
    "plan": (PLAN_ID, PlanDocument),
    "check": (CHECK_ID, CheckDocument),
    "diff": (DIFF_ID, DiffDocument),
    "status": (STATUS_ID, StatusDocument),
    "switch": (SWITCH_ID, SwitchDocument),
    "rules": (RULES_ID, RulesDocument),
}


def generate(name: str) -> dict[str, Any]:
    """The JSON schema (draft 2020-12) of the ``name`` document, from its model."""
    schema_id, model = MODELS[name]
    body = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    return {"$schema": DRAFT, "$id": schema_id, **body}


def text(name: str) -> str:
    return json.dumps(generate(name), indent=2) + "\n"


def main(argv: list[str]) -> int:
    """``python -m azure_dr.cli.report.schemas.models [--check]``: write (or compare) the schema files."""
    stale = []
    for name, file in SCHEMAS.items():
        path = Path(__file__).with_name(file)
        wanted = text(name)
        if not path.exists() or path.read_text() != wanted:
            stale.append(path.name)
            if "--check" not in argv:
                path.write_text(wanted)
    if "--check" in argv and stale:
        print(f"not the generated schema: {', '.join(stale)} (./dev schemas)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
