"""What an offline run of the program records: every registered resource with its options, and the exports.

This is the one data shape the plan printer, the policy driver and the tests share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AliasSpec:
    """One ``pulumi.Alias`` as the SDK sends it to the engine (an alias *spec*; the engine turns it into a URN).

    Empty strings mean "the resource's own" (name, type, stack, project); ``parent_urn`` empty and ``no_parent``
    false means "the resource's current parent". ``parent_urn`` is the URN the SDK resolved (offline: the mock's).
    """

    name: str = ""
    type: str = ""
    stack: str = ""
    project: str = ""
    parent_urn: str = ""
    no_parent: bool = False


@dataclass(frozen=True)
class RecordedResource:
    """One ``RegisterResource`` (or ``ReadResource``) the program made, as the engine would see it.

    ``inputs`` use the wire (camelCase) names and include the SDK's client-side defaults; ``outputs`` are what the
    mock engine answered (inputs plus the ids, FQDNs and host names Azure would add).
    """

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str | None = None
    parent: str | None = None
    provider: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool = False
    retain_on_delete: bool = False
    aliases: tuple[str, ...] = ()
    """Aliases given as URNs."""
    alias_specs: tuple[AliasSpec, ...] = ()
    """Aliases given as specs (name, type, parent...). Offline runs leave out the SDKs' API-version aliases
    (``sdk.aliases``); those are type-only specs, so a user's type-only alias is kept."""
    additional_secret_outputs: tuple[str, ...] = ()
    read: bool = False
    import_id: str | None = None
    """``import_``: the deployment adopts this existing Azure resource instead of creating it."""


@dataclass
class StackPlan:
    """The offline plan of one stack: its resources in registration order and its exported outputs.

    ``error`` is the one-line message when the program refused its config (then ``resources`` is empty).
    """

    stack: str
    project: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    error: str | None = None
    notes: tuple[str, ...] = ()

    def of_type(self, type_: str) -> list[RecordedResource]:
        """The resources of one type token, e.g. ``azure-native:dbforpostgresql:Server``."""
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> RecordedResource:
        """The single resource of ``type_``; AssertionError when there is not exactly one."""
        found = self.of_type(type_)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_} in stack {self.stack}, found {len(found)}")
        return found[0]
