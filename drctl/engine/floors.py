"""The organisation's floors and a stack's objectives: which thresholds the pack judges a stack by.

The policy config (``policies/policy-config.json``, or ``--policy-config FILE``; owned apart from the stack files)
sets each rule's thresholds: the organisation's floors, over the pack's own defaults. A stack's objectives
(``<project>:objectives``) may tighten a threshold they feed, never loosen it: the effective value is the
stricter of the two, in the direction the rule declares (``x-stricter`` in its config schema: a minimum retention
tightens upwards, an RPO downwards). An objective looser than its floor is reported (``gate``), so the file
under review never sets its own bar.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure_dr.components.stack.config import ServiceName, StackConfig, default_service_tier

from .analyzer import PolicyInfo, effective_policy_config

#: The policy config shipped with the pack: the organisation's floors, levels and exemptions.
POLICY_CONFIG_FILE = "policy-config.json"
STRICTER_KEYWORD = "x-stricter"


class PolicyConfigError(ValueError):
    """A policy config file drctl cannot read."""


@dataclass(frozen=True)
class Knob:
    """One threshold a stack's objectives set: the rule, the knob, the value, and the stack config key it
    comes from (where a too-loose objective is reported)."""

    rule: str
    name: str
    value: int
    key: str


def _tier_key(config: StackConfig, service: ServiceName, field: str) -> str:
    tier = config.objectives.service_tiers.get(service, default_service_tier(service))
    if tier != default_service_tier(service):  # the stack moved the service to another tier: that is the change
        return f"objectives.service_tiers.{service}"
    return f"objectives.tiers.{tier}.{field}"


def objective_knobs(config: StackConfig) -> list[Knob]:
    """The thresholds a stack's recovery objectives imply, each with the config key it comes from."""
    days = config.objectives.backup_retention_days
    retention = "objectives.backup_retention_days"
    services: tuple[ServiceName, ...] = ("postgresql", "cosmos", "storage", "keyvault", "registry", "redis")
    knobs = [
        Knob("dr-rpo", f"{s}_rpo_minutes", config.objective(s).rpo_minutes, _tier_key(config, s, "rpo_minutes"))
        for s in services
    ]
    knobs += [
        Knob(
            "cosmos-backup",
            "rpo_minutes",
            config.objective("cosmos").rpo_minutes,
            _tier_key(config, "cosmos", "rpo_minutes"),
        ),
        Knob("pg-backup-retention", "min_days", days, retention),
        Knob("storage-blob-soft-delete", "min_days", days, retention),
        Knob("storage-container-soft-delete", "min_days", days, retention),
        Knob(
            "backup-ltr",
            "min_years",
            config.objectives.long_term_retention_years,
            "objectives.long_term_retention_years",
        ),
    ]
    alerting: tuple[ServiceName, ...] = ("postgresql", "cosmos", "redis")
    knobs += [
        Knob(
            "alert-thresholds", f"{s}_rpo_minutes", config.objective(s).rpo_minutes, _tier_key(config, s, "rpo_minutes")
        )
        for s in alerting
    ]
    knobs += [
        Knob(
            "alert-thresholds", f"{s}_rto_minutes", config.objective(s).rto_minutes, _tier_key(config, s, "rto_minutes")
        )
        for s in (*alerting, "routing")
    ]
    knobs += [
        Knob("aks-velero-schedule", "min_ttl_hours", days * 24, retention),
        Knob(
            "aks-velero-schedule",
            "max_interval_minutes",
            config.objective("compute").rpo_minutes,
            _tier_key(config, "compute", "rpo_minutes"),
        ),
    ]
    return knobs


def objectives_config(config: StackConfig) -> dict[str, dict[str, Any]]:
    """The thresholds a stack's objectives imply, as policy config (before the floors)."""
    found: dict[str, dict[str, Any]] = {}
    for knob in objective_knobs(config):
        found.setdefault(knob.rule, {})[knob.name] = knob.value
    return found


def read_policy_config(path: Path) -> dict[str, Any]:
    """A policy config file: a JSON object of rule id -> settings (or an enforcement level)."""
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PolicyConfigError(f"policy config {path}: {exc}") from None
    if not isinstance(config, dict):
        raise PolicyConfigError(f"policy config {path}: expected a JSON object of rule id -> settings")
    return config


def organisation_config(pack_dir: Path, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The policy config a check uses: ``given`` (``--policy-config``), else the pack's own file, else none."""
    if given is not None:
        return dict(given)
    path = pack_dir / POLICY_CONFIG_FILE
    return read_policy_config(path) if path.is_file() else {}


def stricter(direction: str | None, floor: Any, asked: Any) -> bool:
    """Whether ``asked`` is strictly tighter than ``floor`` in ``direction``."""
    if direction == "higher":
        return bool(asked > floor)
    if direction == "lower":
        return bool(asked < floor)
    return False


@dataclass(frozen=True)
class Loosened:
    """A stack objective looser than the organisation's floor for a threshold it feeds."""

    knob: Knob
    floor: Any


@dataclass(frozen=True)
class StackThresholds:
    """The policy config one stack is judged by, and the objectives of it that the floors overrode."""

    config: dict[str, Any]
    loosened: tuple[Loosened, ...]


def directions(policies: Sequence[PolicyInfo]) -> dict[tuple[str, str], str]:
    """``(rule, knob) -> "higher" | "lower"``: which way each threshold tightens, from the rules' schemas."""
    found = {}
    for policy in policies:
        for name, schema in policy.config_schema.get("properties", {}).items():
            direction = schema.get(STRICTER_KEYWORD) if isinstance(schema, Mapping) else None
            if direction in ("higher", "lower"):
                found[(policy.name, name)] = str(direction)
    return found


def stack_thresholds(
    policies: Sequence[PolicyInfo],
    initial: Mapping[str, Mapping[str, Any]],
    organisation: Mapping[str, Any],
    stack: StackConfig | None,
) -> StackThresholds:
    """The organisation's config with each objective-fed threshold tightened (never loosened) by ``stack``."""
    floors = effective_policy_config(policies, initial, organisation)
    way = directions(policies)
    config: dict[str, Any] = {
        name: dict(value) if isinstance(value, Mapping) else value for name, value in organisation.items()
    }
    loosened: list[Loosened] = []
    for knob in objective_knobs(stack) if stack is not None else []:
        direction = way.get((knob.rule, knob.name))
        if direction is None or knob.rule not in floors:
            continue
        floor = floors[knob.rule].get(knob.name)
        if floor is None or stricter(direction, knob.value, floor):  # the objective is looser than the floor
            if floor is not None:
                loosened.append(Loosened(knob, floor))
            continue
        if stricter(direction, floor, knob.value):
            entry = config.get(knob.rule)
            settings = {"enforcementLevel": entry} if isinstance(entry, str) else dict(entry or {})
            config[knob.rule] = {**settings, knob.name: knob.value}
    return StackThresholds(config, tuple(loosened))
