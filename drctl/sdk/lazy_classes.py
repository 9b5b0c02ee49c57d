"""Offline runs build an SDK module's input, output and enum classes when a program first reads them.

A subpackage's ``_inputs.py``, ``outputs.py`` and ``_enums.py`` define every type of the subpackage (azure-native's
``network`` alone: 618 input classes, 495 output types, 188 enums), and every resource module star-imports them,
so the first resource a program touches builds all of them; a plan reads a few dozen. In those three modules each
top-level class (with its decorators) is compiled on its own and built, in the module's namespace, the first time
the module is asked for it (``module.X``, ``from module import X``, a star import); the resource and function
modules no longer star-import them. Nothing but annotations named those classes in the modules that did (the
generated code is checked for it: ``tests/test_perf_engine.py``), and ``pulumi._types`` reads annotations through
:class:`SdkGlobals`, which finds a name the way the star imports bound it. The classes are the same.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import CodeType, ModuleType
from typing import Any

#: Module names (the last part) whose classes are built on first use.
LAZY_MODULES = frozenset({"_inputs", "outputs", "_enums"})
#: The module global naming the star imports a module no longer makes (relative names, in import order).
STARS = "_drctl_star_imports"
_STAR_IMPORT = re.compile(rb"^from \.(_enums|_inputs) import \*[ \t]*\r?$", re.MULTILINE)
_CLASS = re.compile(rb"class ([A-Za-z_][A-Za-z0-9_]*)")
_MISSING = object()


@dataclass(frozen=True)
class Split:
    """A module's source with its top-level class blocks cut out (left as blank lines) and the blocks by name, each
    with the 0-based index of its first line."""

    rest: bytes
    blocks: dict[str, tuple[int, bytes]]


def without_star_imports(source: bytes) -> tuple[bytes, tuple[str, ...]]:
    """``source`` with ``from ._enums import *`` and ``from ._inputs import *`` blanked, and which they were."""
    stars = tuple(match.group(1).decode() for match in _STAR_IMPORT.finditer(source))
    return _STAR_IMPORT.sub(b"", source), stars


def split_classes(source: bytes) -> Split:
    """Cut out each top-level ``class`` statement with the decorators right above it.

    A top-level line is one that starts in the first column outside a triple-quoted string; a class block ends at
    the next one. Generated code writes ``\"\"\"`` strings only, each line of them indented inside a class.
    """
    lines = source.splitlines(keepends=True)
    blocks: dict[str, tuple[int, bytes]] = {}
    spans: list[tuple[int, int]] = []
    in_string = False
    decorators: int | None = None
    current: tuple[int, str] | None = None
    for index, line in enumerate(lines):
        top = not in_string and line[:1] not in (b"", b" ", b"\t", b"\r", b"\n", b"#")
        if top:
            if current is not None:
                spans.append((current[0], index))
                blocks[current[1]] = (current[0], b"".join(lines[current[0] : index]))
                current = None
            found = _CLASS.match(line)
            if line.startswith(b"@"):
                decorators = index if decorators is None else decorators
            elif found:
                current = (index if decorators is None else decorators, found.group(1).decode())
                decorators = None
            else:
                decorators = None
        if line.count(b'"""') % 2:
            in_string = not in_string
    if current is not None:
        spans.append((current[0], len(lines)))
        blocks[current[1]] = (current[0], b"".join(lines[current[0] :]))
    rest = list(lines)
    for start, end in spans:
        for index in range(start, end):
            rest[index] = b"\n"
    return Split(b"".join(rest), blocks)


def attach(module: ModuleType, deferred: dict[str, CodeType]) -> None:
    """Give ``module`` the classes in ``deferred``, each built in its namespace when first asked for."""
    namespace = module.__dict__

    def __getattr__(name: str) -> Any:
        code = deferred.pop(name, None)
        if code is None:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        exec(code, namespace)
        return namespace[name]

    def __dir__() -> list[str]:
        return sorted({*namespace, *deferred})

    namespace["__getattr__"] = __getattr__
    namespace["__dir__"] = __dir__


def star_sources(module_names: Sequence[str], namespaces: Sequence[Mapping[str, Any]]) -> list[tuple[str, bool]]:
    """Where a name missing from the merged globals of these modules is found, first binding first: each module's
    own classes not built yet, then the modules it star-imported before ``without_star_imports`` (the later
    import first). ``(module, only what its __all__ exports)``."""
    found: list[tuple[str, bool]] = []
    for name, namespace in zip(module_names, namespaces, strict=True):
        if "__getattr__" in namespace and STARS in namespace:
            found.append((name, False))
        package = name.rsplit(".", 1)[0]
        found.extend((f"{package}.{star}", True) for star in reversed(namespace.get(STARS, ())))
    return found


class SdkGlobals(dict[str, Any]):
    """A class's merged module globals, as ``pulumi._types`` evaluates its annotations in, that can also find the
    names its modules used to star-import (``resolve``; built only when an annotation names them)."""

    def __init__(self, merged: Mapping[str, Any], sources: Sequence[tuple[str, bool]]) -> None:
        super().__init__(merged)
        self.sources = list(sources)

    def resolve(self, key: str) -> Any:
        """What ``key`` was bound to by a star import or is a class not built yet; KeyError if neither."""
        for source, exported_only in self.sources:
            module = sys.modules.get(source) or importlib.import_module(source)
            exported = getattr(module, "__all__", None) if exported_only else None
            if exported is not None and key not in exported:
                continue
            value = getattr(module, key, _MISSING)
            if value is not _MISSING:
                self[key] = value
                return value
        raise KeyError(key)


class SdkLocals(dict[str, Any]):
    """The locals ``pulumi._types`` evaluates annotations with, falling back to ``SdkGlobals.resolve`` for a name
    the globals lack. (``eval`` reads globals as a plain dict, but locals through ``__getitem__``; a name the
    globals have is left to them, so the module's own names win, as they did over the star imports.)"""

    def __init__(self, base: Mapping[str, Any], globalns: SdkGlobals) -> None:
        super().__init__(base)
        self.globalns = globalns

    def __missing__(self, key: str) -> Any:
        if dict.__contains__(self.globalns, key):
            raise KeyError(key)
        return self.globalns.resolve(key)
