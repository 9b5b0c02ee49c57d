"""Where a config key is set in a stack file, by line, so a policy result can point at the line that broke it.

Self-contained: YAML node marks of ``Pulumi.<stack>.yaml`` (PyYAML's composer keeps the position of every key).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml


def locate(path: Path | str, key_path: Sequence[str]) -> tuple[int, int]:
    """``(line, depth)``: the 1-based line of the deepest key of ``key_path`` the file sets, and how many keys
    of the path matched (``len(key_path)`` when the whole path is set). ``(1, 0)`` when nothing matched or the
    file cannot be read."""
    try:
        node = yaml.compose(Path(path).read_text())
    except (OSError, yaml.YAMLError):
        return 1, 0
    line, depth = 1, 0
    for key in key_path:
        if not isinstance(node, yaml.MappingNode):
            break
        match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        if match is None:
            break
        key_node, node = match
        line, depth = key_node.start_mark.line + 1, depth + 1
    return line, depth


def line_of(path: Path | str, key_path: Sequence[str]) -> int:
    """The line that sets ``key_path`` (e.g. ``("config", "azure-dr:postgres", "sku_name")``), or, where the file
    leaves it to a default, the line of the nearest enclosing key that is set (the service block, ``config:``)."""
    return locate(path, key_path)[0]
