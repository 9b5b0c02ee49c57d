"""URNs and aliases as the Pulumi engine computes them, so an offline plan can be matched against an old state.

The mock monitor names a child by its parent's *last* type only (``pulumi.runtime.mocks.MockMonitor.make_urn``);
the engine qualifies it with the parent's whole type chain (``resource.NewURN`` in pulumi/pulumi
``sdk/go/common/resource/urn``), so ``engine_urns`` recomputes every URN of a recorded plan from its types, names
and parents. ``match_state`` then does what the engine's step generator does for each registration, in
registration order (pulumi/pulumi ``pkg/resource/deploy/step_generator.go``: ``generateAliases``,
``collapseAliasToUrn``, ``inheritedChildAlias``): look the resource up by its URN, then by each alias, where a
child also inherits every alias its parent matched (with the parent's old name put in place of its new name at
the start of the child's name). An old URN nothing claims is one ``pulumi up`` would delete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .recording import AliasSpec, RecordedResource

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
_PREFIX = "urn:pulumi:"


def _parts(urn: str) -> list[str]:
    """stack, project, qualified type, name (a name may itself contain ``::``)."""
    return urn[len(_PREFIX) :].split("::", 3)


def qualified_type(urn: str) -> str:
    """The ``parent$...$type`` part of a URN."""
    return _parts(urn)[2]


def urn_type(urn: str) -> str:
    """The resource's own type: the last element of the qualified type."""
    return qualified_type(urn).rsplit("$", 1)[-1]


def urn_name(urn: str) -> str:
    return _parts(urn)[3]


def new_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """``resource.NewURN``: the parent's whole qualified type, then the type (nothing for the root stack)."""
    parent_type = qualified_type(parent) if parent else ""
    if parent_type and parent_type != ROOT_STACK_TYPE:
        type_ = f"{parent_type}${type_}"
    return f"{_PREFIX}{stack}::{project}::{type_}::{name}"


def create_urn(name: str, type_: str, parent: str, project: str, stack: str) -> str:
    """``resource.CreateURN`` (what an alias resolves to): the parent URN up to its name, ``$``, the type."""
    if not parent:
        return f"{_PREFIX}{stack}::{project}::{type_}::{name}"
    return f"{parent[: parent.rindex('::')]}${type_}::{name}"


@dataclass(frozen=True)
class Registration:
    """What the engine needs of one registration: its recorded (mock) URN, type, name, parent and aliases."""

    urn: str
    type: str
    name: str
    parent: str | None = None
    alias_urns: tuple[str, ...] = ()
    alias_specs: tuple[AliasSpec, ...] = ()

    @classmethod
    def of(cls, r: RecordedResource) -> Registration:
        return cls(r.urn, r.type, r.name, r.parent, tuple(r.aliases), tuple(r.alias_specs))


def _parent(r: Registration, urns: Mapping[str, str]) -> str:
    """The engine URN of ``r``'s parent; empty for the root stack (the engine leaves it out of the URN)."""
    if r.parent is None:
        return ""
    if r.parent in urns:
        return urns[r.parent]
    return "" if urn_type(r.parent) == ROOT_STACK_TYPE else r.parent


def engine_urns(registrations: Iterable[Registration], stack: str, project: str) -> dict[str, str]:
    """Recorded (mock) URN -> the URN the engine gives the same registration. Parents register first."""
    found: dict[str, str] = {}
    for r in registrations:
        found[r.urn] = new_urn(stack, project, _parent(r, found), r.type, r.name)
    return found


@dataclass
class StateMatch:
    """How a new plan meets an old state: which old URN each new resource takes over, and what is left."""

    claimed: dict[str, str] = field(default_factory=dict)
    """Old URN -> the new URN that takes it over (itself when unchanged)."""
    aliased: dict[str, str] = field(default_factory=dict)
    """New URN -> the old URN it matched through an alias."""
    conflicts: list[str] = field(default_factory=list)
    """An old URN two new resources claim (the engine refuses the update: duplicate alias)."""
    unclaimed: list[str] = field(default_factory=list)
    """Old URNs no new resource claims: ``pulumi up`` deletes them."""


def match_state(registrations: Sequence[Registration], old_urns: Iterable[str], stack: str, project: str) -> StateMatch:
    """Replay the step generator's URN and alias lookup for ``registrations`` against a state of ``old_urns``."""
    olds = set(old_urns)
    urns = engine_urns(registrations, stack, project)
    match = StateMatch()
    used_alias: dict[str, str] = {}  # new URN -> the old URN it matched (the engine's sg.aliases)
    for r in registrations:
        urn, parent = urns[r.urn], _parent(r, urns)
        for candidate in [urn, *_aliases(r, urn, parent, urns, used_alias, stack, project)]:
            if candidate not in olds:
                continue
            if candidate in match.claimed:
                match.conflicts.append(candidate)
            match.claimed[candidate] = urn
            if candidate != urn:
                match.aliased[urn] = used_alias[urn] = candidate
            break
    match.unclaimed = sorted(olds - set(match.claimed))
    return match


def _aliases(
    r: Registration,
    urn: str,
    parent: str,
    urns: Mapping[str, str],
    used_alias: Mapping[str, str],
    stack: str,
    project: str,
) -> list[str]:
    """``generateAliases``: the resource's own aliases, then each of them (and itself) under its parent's match."""
    own = [*r.alias_urns, *(_collapse(s, r, parent, urns, used_alias, stack, project) for s in r.alias_specs)]
    result = list(dict.fromkeys(own))
    parent_alias = used_alias.get(parent) if parent else None
    if parent_alias is not None:
        parent_name = urn_name(parent)
        for type_, name in [(r.type, r.name), *((urn_type(a), urn_name(a)) for a in own)]:
            inherited = _inherited(type_, name, parent_name, parent_alias, stack, project)
            if inherited not in result:
                result.append(inherited)
    return result


def _collapse(
    spec: AliasSpec,
    r: Registration,
    parent: str,
    urns: Mapping[str, str],
    used_alias: Mapping[str, str],
    stack: str,
    project: str,
) -> str:
    """``collapseAliasToUrn``: unset fields are the resource's own; an aliased parent stands for its old URN."""
    alias_parent = parent
    if spec.parent_urn:
        given = urns.get(spec.parent_urn, spec.parent_urn)  # a registered resource: its engine URN
        alias_parent = used_alias.get(given, given)
    if spec.no_parent or (alias_parent and urn_type(alias_parent) == ROOT_STACK_TYPE):
        alias_parent = ""
    return create_urn(
        spec.name or r.name, spec.type or r.type, alias_parent, spec.project or project, spec.stack or stack
    )


def _inherited(type_: str, name: str, parent_name: str, parent_alias: str, stack: str, project: str) -> str:
    """``inheritedChildAlias``: a child named ``<parent name>...`` had ``<parent's old name>...`` under it."""
    if name.startswith(parent_name):
        name = urn_name(parent_alias) + name[len(parent_name) :]
    return new_urn(stack, project, parent_alias, type_, name)
