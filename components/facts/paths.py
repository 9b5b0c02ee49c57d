"""Reading nested property bags by dotted path: the one helper the plan printer, the replacement check, the
policy rules and the tests share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def dig(values: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted camelCase path (``backup.geoRedundantBackup``), or None where any step is missing.

    A numeric step indexes a list (``properties.policyRules.0.name``)."""
    current: Any = values
    for part in path.split("."):
        if isinstance(current, Sequence) and not isinstance(current, str) and part.isdigit():
            current = current[int(part)] if int(part) < len(current) else None
            continue
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current
