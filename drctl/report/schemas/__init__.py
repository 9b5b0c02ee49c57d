"""The JSON schemas of drctl's machine-readable output, versioned: a document names its schema in ``schema``.

A change that removes or retypes a field is a new version (``/v2``) with a new schema file; adding an optional
field keeps the version.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

PLAN_ID = "drctl-plan/v1"
CHECK_ID = "drctl-check/v1"
DIFF_ID = "drctl-diff/v1"
STATUS_ID = "drctl-status/v1"
SWITCH_ID = "drctl-switch/v1"
RULES_ID = "drctl-rules/v1"

#: ``drctl schema NAME`` -> the schema file shipped in this package.
SCHEMAS = {
    "plan": "plan-v1.schema.json",
    "check": "check-v1.schema.json",
    "diff": "diff-v1.schema.json",
    "status": "status-v1.schema.json",
    "switch": "switch-v1.schema.json",
    "rules": "rules-v1.schema.json",
}


def load(name: str) -> dict[str, Any]:
    """The JSON schema of the ``--json`` document of ``drctl plan``, ``check``, ``diff``, ``status``, a switch
    (``promote``, ``rebuild``, ``release``, ``failback``, ``settle``) or ``rules``/``explain``."""
    text = resources.files(__package__).joinpath(SCHEMAS[name]).read_text()
    document: dict[str, Any] = json.loads(text)
    return document
