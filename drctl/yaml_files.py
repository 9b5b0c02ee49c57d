"""YAML files read once per process: a plan of N stacks reads each stack file ~10 times (order, peers, posture).

Parsed with LibYAML's safe loader where PyYAML has it (same results as ``yaml.safe_load``, ~10x faster), and
kept per file content, so an edited file is parsed again. Callers get their own copy.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_parsed: dict[str, Any] = {}


def load_yaml(path: Path) -> Any:
    """``yaml.safe_load`` of the file at ``path``."""
    text = path.read_text()
    if text not in _parsed:
        _parsed[text] = yaml.load(text, Loader=_LOADER)  # a safe loader
    return copy.deepcopy(_parsed[text])
