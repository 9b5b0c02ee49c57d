"""An existing stack upgrades without losing a resource: today's plan takes over every URN of an older state.

The states (``tests/data/state-urns.json``, ``tests/state_urns.py``) are what the shipped stacks had before the
global layer moved under ``GlobalLayer`` and before the AVM interfaces became maps. Matching follows the engine
(``azure_dr.cli.engine.urns``): by URN, then by the resource's aliases and those its parent matched.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from azure_dr.cli.engine.recording import AliasSpec, RecordedResource, StackPlan
from azure_dr.cli.engine.replacement import changed_keys, replacing_keys
from azure_dr.cli.engine.urns import Registration, create_urn, engine_urns, match_state, new_urn
from tests import state_urns

STATES = state_urns.load()
BEFORE_GLOBAL_LAYER, BEFORE_MAPS = "c7f4861", "21cdb18"
CASES = [(commit, stack) for commit in STATES for stack in sorted(STATES[commit]["stacks"])]


def _state(commit: str, stack: str) -> dict[str, Any]:
    state: dict[str, Any] = STATES[commit]["stacks"][stack]
    return state


def _match(plan: StackPlan, commit: str, *, strip_aliases: bool = False) -> tuple[Any, dict[str, str]]:
    state = _state(commit, plan.stack)
    regs = [Registration.of(r) for r in plan.resources]
    if strip_aliases:
        regs = [dataclasses.replace(r, alias_urns=(), alias_specs=()) for r in regs]
    return match_state(regs, state["resources"], plan.stack, state["project"]), engine_urns(
        regs, plan.stack, state["project"]
    )


@pytest.mark.parametrize(("commit", "stack"), CASES)
def test_every_resource_of_the_old_state_is_taken_over(shipped: dict[str, StackPlan], commit: str, stack: str) -> None:
    match, _ = _match(shipped[stack], commit)
    assert match.conflicts == []
    assert match.unclaimed == [], f"pulumi up of {stack} from its state at {commit} would delete these"


@pytest.mark.parametrize(("commit", "stack"), CASES)
def test_the_aliases_are_what_takes_them_over(shipped: dict[str, StackPlan], commit: str, stack: str) -> None:
    """Without the aliases the same plan would delete (and create anew) exactly the resources they cover."""
    match, _ = _match(shipped[stack], commit)
    bare, _ = _match(shipped[stack], commit, strip_aliases=True)
    assert sorted(bare.unclaimed) == sorted(match.aliased.values())


def _old(commit: str, stack: str, urn: str) -> RecordedResource:
    r = _state(commit, stack)["resources"][urn]
    return RecordedResource(urn, r["type"], "", r["custom"], r["inputs"], {}, id=r["id"], protect=r["protect"])


def _taken_over(plan: StackPlan, commit: str) -> list[tuple[RecordedResource, RecordedResource]]:
    match, urns = _match(plan, commit)
    by_new = {urns[r.urn]: r for r in plan.resources}
    return [(_old(commit, plan.stack, old), by_new[new]) for old, new in match.claimed.items() if by_new[new].custom]


@pytest.mark.parametrize("stack", sorted(STATES[BEFORE_MAPS]["stacks"]))
def test_the_interface_maps_change_no_input_of_an_existing_resource(shipped: dict[str, StackPlan], stack: str) -> None:
    """Renamed by the map keys, aliased to their old names: every existing resource plans no change at all."""
    changed = {new.urn: changed_keys(old.inputs, new.inputs) for old, new in _taken_over(shipped[stack], BEFORE_MAPS)}
    assert {urn: keys for urn, keys in changed.items() if keys} == {}


def test_before_the_global_layer_only_the_group_move_would_replace_data(primary: StackPlan) -> None:
    """The aliases keep the moved global objects' state; what no alias can do is move them to another resource
    group (0c8d4d3 put them in the global group): a resource's group is in its id, so those plan a replace,
    which ``protect`` refuses (docs/components.md, "Upgrading an existing stack"). Their locks and diagnostic
    settings, which point at the new ids, are replaced with them; nothing else that holds data is."""
    match, urns = _match(primary, BEFORE_GLOBAL_LAYER)
    replaced = {
        new.name: (new.protect, urns[new.urn] in match.aliased, keys)
        for old, new in _taken_over(primary, BEFORE_GLOBAL_LAYER)
        if (keys := replacing_keys(old, new))
    }
    protected = {name: (aliased, keys) for name, (protect, aliased, keys) in replaced.items() if protect}
    assert protected and set(protected.values()) == {(True, ("resourceGroupName",))}, protected
    assert {name.split("-")[3] for name in protected} == {"cosmos", "cr", "afd"}


# --- the engine's rules, on the examples Pulumi documents ----------------------------------------------------


STACK, PROJECT = "dev", "proj"
ROOT = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"


def test_urns_carry_the_parents_whole_type_chain() -> None:
    regs = [
        Registration("m1", "my:app:Outer", "app", ROOT),
        Registration("m2", "my:app:Inner", "app-inner", "m1"),
        Registration("m3", "aws:s3/bucket:Bucket", "app-inner-bucket", "m2"),
    ]
    urns = engine_urns(regs, STACK, PROJECT)
    assert urns["m3"] == "urn:pulumi:dev::proj::my:app:Outer$my:app:Inner$aws:s3/bucket:Bucket::app-inner-bucket"
    assert urns["m1"] == new_urn(STACK, PROJECT, ROOT, "my:app:Outer", "app")
    assert create_urn("x", "t:m:T", urns["m1"], PROJECT, STACK) == "urn:pulumi:dev::proj::my:app:Outer$t:m:T::x"


def test_a_renamed_parent_carries_its_children_named_after_it() -> None:
    """Pulumi's documented convention: a child named ``<parent>-x`` was ``<old parent>-x`` (inheritedChildAlias)."""
    regs = [
        Registration("p", "my:app:Vpc", "newapp", ROOT, alias_specs=(AliasSpec(name="app"),)),
        Registration("c", "aws:s3/bucket:Bucket", "newapp-bucket", "p"),
        Registration("k", "aws:s3/bucket:Bucket", "logs", "p"),
    ]
    old = [
        "urn:pulumi:dev::proj::my:app:Vpc::app",
        "urn:pulumi:dev::proj::my:app:Vpc$aws:s3/bucket:Bucket::app-bucket",
        "urn:pulumi:dev::proj::my:app:Vpc$aws:s3/bucket:Bucket::logs",
    ]
    match = match_state(regs, old, STACK, PROJECT)
    # "logs" keeps its URN: its parent's type, the only part of the parent in a child's URN, did not change.
    assert match.unclaimed == [] and len(match.aliased) == 2


def test_a_child_moved_to_a_new_parent_and_renamed() -> None:
    """The GlobalLayer move: a new parent, a new name, an alias naming the old parent and name."""
    regs = [
        Registration("r", "x:region:Region", "eu", ROOT),
        Registration("g", "x:global:Global", "global", ROOT),
        Registration("c", "x:db:Db", "global-db", "g", alias_specs=(AliasSpec(name="eu-db", parent_urn="r"),)),
        Registration("a", "x:db:Account", "global-db-account", "c"),
        Registration("d", "x:db:Diag", "global-db-diag-ws", "c", alias_specs=(AliasSpec(name="global-db-diag"),)),
    ]
    old = [
        "urn:pulumi:dev::proj::x:region:Region::eu",
        "urn:pulumi:dev::proj::x:region:Region$x:db:Db::eu-db",
        "urn:pulumi:dev::proj::x:region:Region$x:db:Db$x:db:Account::eu-db-account",
        "urn:pulumi:dev::proj::x:region:Region$x:db:Db$x:db:Diag::eu-db-diag",
    ]
    match = match_state(regs, old, STACK, PROJECT)
    assert match.unclaimed == [] and match.conflicts == []
    stripped = [dataclasses.replace(r, alias_specs=()) for r in regs]
    assert len(match_state(stripped, old, STACK, PROJECT).unclaimed) == 3


def test_two_resources_claiming_one_old_urn_is_a_conflict() -> None:
    regs = [
        Registration("a", "t:m:T", "a", ROOT, alias_specs=(AliasSpec(name="old"),)),
        Registration("b", "t:m:T", "b", ROOT, alias_specs=(AliasSpec(name="old"),)),
    ]
    match = match_state(regs, ["urn:pulumi:dev::proj::t:m:T::old"], STACK, PROJECT)
    assert match.conflicts == ["urn:pulumi:dev::proj::t:m:T::old"]
