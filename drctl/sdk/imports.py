"""Offline runs load only the azure-native modules a program uses, not every module of each subpackage it touches.

``pulumi_azure_native`` makes each subpackage (``cosmosdb``, ``network``...) a lazy module, but the first attribute
read runs the subpackage's ``__init__.py``, which imports every resource and function module in it: ~560 modules
for the 14 subpackages the program uses, where its resources live in ~60 (``benchmarks/README.md`` has the cost).

``load_sdk_modules_on_demand`` gives each still-unloaded subpackage a loader that, instead of running
``__init__.py``, resolves a name when it is first read, in the order ``__init__`` binds names: the input types;
the module the generator names after the class (``SqlResourceSqlContainer`` and its ``...Args`` live in
``sql_resource_sql_container``, ``get_x`` in ``get_x``); the enums; else a submodule of that name (``outputs``).
Anything else (``__all__``, a star import, a name found nowhere) runs the real ``__init__.py`` in the same
module, so a name always resolves to the object the full import gives (``tests/test_perf_engine.py``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from pathlib import Path
from typing import Any

SDK = "pulumi_azure_native"
_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SUFFIXES = ("ArgsDict", "InitArgs", "Args")


def module_name_of(name: str) -> str:
    """The generator's module name for a class: ``SqlResourceSqlContainerArgs`` -> ``sql_resource_sql_container``."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and name != suffix:
            name = name[: -len(suffix)]
            break
    return _WORD_BREAK.sub("_", name).lower()


class _OnDemandPackage(importlib.abc.Loader):
    """Executes a subpackage as a name resolver; ``full`` runs its real ``__init__.py`` when a name needs it."""

    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def exec_module(self, module: types.ModuleType) -> None:
        package = module.__name__
        directory = Path(next(iter(module.__path__)))
        loader = self.real
        state = {"full": False}

        def full() -> None:
            if not state["full"]:
                state["full"] = True
                del module.__getattr__
                module.__spec__.loader = module.__loader__ = loader  # type: ignore[union-attr]
                loader.exec_module(module)

        def submodule(name: str) -> Any:
            return importlib.import_module(f"{package}.{name}")

        def resolve(name: str) -> Any:
            if not name.startswith("__") and not state["full"]:
                # ``__init__`` star-imports _enums, then each module, then _inputs: a later binding wins.
                for candidate in ("_inputs", module_name_of(name), "_enums"):
                    if (directory / f"{candidate}.py").is_file():
                        found = vars(submodule(candidate))
                        if candidate in found:  # ``get_x`` is the function, as after ``from .get_x import *``
                            setattr(module, candidate, found[candidate])
                        if name in found:
                            setattr(module, name, found[name])
                            return found[name]
                if (directory / f"{name}.py").is_file() or (directory / name / "__init__.py").is_file():
                    return submodule(name)  # ``outputs``, a version subpackage
            full()
            try:
                return vars(module)[name]
            except KeyError:
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

        module.__getattr__ = resolve  # type: ignore[method-assign]


def load_sdk_modules_on_demand() -> None:
    """Give every azure-native subpackage not loaded yet the on-demand loader (idempotent, cheap)."""
    importlib.import_module(SDK)  # creates the lazy subpackages
    for name, module in list(sys.modules.items()):
        if not name.startswith(f"{SDK}.") or name.count(".") != 1:
            continue
        if type(module).__name__ != "_LazyModule":
            continue  # already loaded (or not lazy): leave it alone
        spec = types.ModuleType.__getattribute__(module, "__spec__")
        real = spec.loader
        if isinstance(real, importlib.machinery.SourceFileLoader | importlib.machinery.SourcelessFileLoader):
            spec.loader = _OnDemandPackage(real)
