"""The JSON schema of a stack file (``Pulumi.<stack>.yaml``), generated from ``StackConfig``.

Editors read it (yaml-language-server's ``# yaml-language-server: $schema=...``) to complete keys and flag a typo
while it is typed; ``drctl schema stack`` prints it for the running project and the shipped copy
(``stack-file.schema.json`` beside this module) is tested to be exactly what this module generates. The schema
describes what ``parse_config`` accepts as a stack file writes it: keys under the project's namespace, top-level
booleans and integers also as the strings Pulumi hands over, ``secure:`` values where they decrypt to something
the model reads, and an empty value for an unset optional key. Cross-field rules (a standby needs
``peer_stack``...) and value checks in validators (known regions, ranges) stay with the model.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from .config import DEFAULT_NAMESPACE, UNSET, StackConfig

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: The annotations a wrapper keeps at its own level, so an editor still shows them on hover.
_ANNOTATIONS = ("title", "description", "default", "examples")
_SECRET_REF: dict[str, Any] = {"$ref": "#/$defs/Secret"}
_SECRET: dict[str, Any] = {
    "description": "A secret, as `pulumi config set --secret` writes it (drctl never shows its value).",
    "type": "object",
    "properties": {"secure": {"type": "string"}},
    "required": ["secure"],
    "additionalProperties": False,
}
#: Pulumi hands every top-level scalar over as a string; ``config._from_pulumi`` reads these strings strictly.
_AS_PULUMI_STRING: dict[str, dict[str, Any]] = {
    "boolean": {"type": "string", "enum": ["true", "false"]},
    "integer": {"type": "string", "pattern": "^-?[0-9]{1,9}$"},
}


def _types(node: Mapping[str, Any]) -> set[str]:
    found = {node["type"]} if isinstance(node.get("type"), str) else set()
    for option in node.get("anyOf", []):
        found |= _types(option)
    return found


def _or(node: Mapping[str, Any], *alternatives: Mapping[str, Any]) -> dict[str, Any]:
    """``node`` or any of ``alternatives``, with ``node``'s annotations kept on the outside."""
    outer = {k: node[k] for k in _ANNOTATIONS if k in node}
    inner = {k: v for k, v in node.items() if k not in _ANNOTATIONS}
    return {**outer, "anyOf": [inner, *alternatives]}


def _secret_strings(node: Mapping[str, Any]) -> dict[str, Any]:
    """Inside a block, a string may be a ``secure:`` value (``pulumi config set --secret --path``): it decrypts to
    a string, so only where a string is accepted."""
    out = dict(node)
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _secret_string(out[key])
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _secret_string(v) for k, v in out["properties"].items()}
    if isinstance(out.get("anyOf"), list):
        out["anyOf"] = [_secret_strings(option) for option in out["anyOf"]]
    return out


def _secret_string(node: Mapping[str, Any]) -> dict[str, Any]:
    inner = _secret_strings(node)
    return _or(inner, _SECRET_REF) if "string" in _types(inner) else inner


def _top_level(node: Mapping[str, Any], optional: bool, description: str | None) -> dict[str, Any]:
    """A key of the stack: also as the string Pulumi hands over, or a secret (any value decrypts to its string or
    JSON, which ``config._from_pulumi`` reads), or empty when optional."""
    alternatives: list[dict[str, Any]] = [_AS_PULUMI_STRING[t] for t in sorted(_types(node)) if t in _AS_PULUMI_STRING]
    if optional:
        alternatives.append({"enum": list(UNSET)})  # the project's declared "unset" defaults
    keyed = _or(node, *alternatives, _SECRET_REF)
    if description:
        keyed["description"] = description
    return keyed


def stack_file_schema(
    namespace: str = DEFAULT_NAMESPACE,
    descriptions: Mapping[str, str] | None = None,
    project_defaults: Collection[str] = (),
) -> dict[str, Any]:
    """The schema of ``Pulumi.<stack>.yaml`` for a project named ``namespace``.

    ``descriptions`` (by key, without the namespace) are what ``Pulumi.yaml`` declares for each key; a key in
    ``project_defaults`` has a value there, so a stack file need not set it.
    """
    model = StackConfig.model_json_schema()
    definitions = {name: _secret_strings(node) for name, node in model["$defs"].items()}
    definitions["Secret"] = _SECRET
    required = [k for k in model["required"] if k not in project_defaults]
    keys = {
        f"{namespace}:{name}": _top_level(_secret_strings(node), name not in required, (descriptions or {}).get(name))
        for name, node in model["properties"].items()
    }
    ours = re.escape(f"{namespace}:")
    return {
        "$schema": DIALECT,
        "title": f"Pulumi.<stack>.yaml of the {namespace} project",
        "description": (
            f"A stack's config: the {namespace}: keys the program reads (StackConfig), checked as `drctl plan` "
            "checks them; keys of other namespaces (azure-native:, pulumi:...) are left to their owners."
        ),
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": keys,
                "required": [f"{namespace}:{name}" for name in required],
                # A key of this project that the model does not know is a typo; other namespaces pass.
                "propertyNames": {"anyOf": [{"enum": sorted(keys)}, {"not": {"pattern": f"^{ours}"}}]},
            },
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
        },
        "$defs": definitions,
    }
