"""Read the project and its stacks from ``Pulumi.yaml`` / ``Pulumi.<stack>.yaml`` as the Pulumi CLI would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drctl.yaml_files import load_yaml

SECRET_PLACEHOLDER = "[secret: placeholder offline]"


@dataclass(frozen=True)
class StackFile:
    """One stack's config as the engine hands it to the program: fully qualified keys, string values."""

    name: str
    path: Path
    config: dict[str, str]
    secret_keys: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def value(self, key: str) -> str | None:
        return self.config.get(key)


def project_name(root: Path) -> str:
    data = load_yaml(root / "Pulumi.yaml")
    return str(data["name"])


def _as_config_string(value: Any) -> str:
    """Pulumi hands scalars over as strings and structured values as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _project_defaults(root: Path, project: str) -> dict[str, Any]:
    data = load_yaml(root / "Pulumi.yaml") or {}
    defaults: dict[str, Any] = {}
    for key, spec in (data.get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(spec, dict) and ("value" in spec or "default" in spec):
            defaults[full] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            defaults[full] = spec
    return defaults


def load_stack(root: Path, stack: str) -> StackFile:
    """The stack's effective config; ``secure:`` values become placeholders, each with a note."""
    project = project_name(root)
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no stack '{stack}': {path.name} does not exist")
    data = load_yaml(path) or {}
    raw: dict[str, Any] = {**_project_defaults(root, project), **(data.get("config") or {})}
    config: dict[str, str] = {}
    secrets: list[str] = []
    notes: list[str] = []
    for key, value in raw.items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            secrets.append(full)
            notes.append(f"{full} is a secret; offline it is a placeholder")
            config[full] = SECRET_PLACEHOLDER
        else:
            config[full] = _as_config_string(value)
    return StackFile(stack, path, config, tuple(secrets), tuple(notes))


def stack_names(root: Path) -> list[str]:
    """Every stack that has a ``Pulumi.<stack>.yaml`` beside ``Pulumi.yaml``."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
