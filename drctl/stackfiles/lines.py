"""Where a config key is set in a stack file, by line, so a policy result can point at the line that broke it.

The lines come from the strict reader (``stackfiles.yamlfile``), which keeps the line of every key it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .yamlfile import YamlFileError, read_yaml


def locate(path: Path | str, key_path: Sequence[str]) -> tuple[int, int]:
    """``(line, depth)``: the 1-based line of the deepest key of ``key_path`` the file sets, and how many keys
    of the path matched (``len(key_path)`` when the whole path is set). ``(1, 0)`` when nothing matched or the
    file cannot be read."""
    try:
        lines = read_yaml(Path(path)).lines
    except YamlFileError:
        return 1, 0
    for depth in range(len(key_path), 0, -1):
        line = lines.get(tuple(key_path[:depth]))
        if line is not None:
            return line, depth
    return 1, 0


def line_of(path: Path | str, key_path: Sequence[str]) -> int:
    """The line that sets ``key_path`` (e.g. ``("config", "azure-dr:postgres", "sku_name")``), or, where the file
    leaves it to a default, the line of the nearest enclosing key that is set (the service block, ``config:``)."""
    return locate(path, key_path)[0]
