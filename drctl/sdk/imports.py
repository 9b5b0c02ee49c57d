"""Offline runs load only the SDK modules a program uses, not every module of each subpackage it touches.

``pulumi_azure_native`` makes each subpackage (``cosmosdb``, ``network``...) a lazy module, and
``pulumi_kubernetes`` each API version (``core.v1``, ``helm.v3``...) a package, but the first name read runs the
package's ``__init__.py``, which imports every resource and function module in it: ~560 azure-native modules for
the subpackages the program uses, where its resources live in ~60, and all 52 of ``core.v1`` for two classes
(``helm.v3`` also brings ``requests``); ``benchmarks/README.md`` has the cost.

``load_sdk_modules_on_demand`` gives each SDK package not loaded yet a loader that, instead of running
``__init__.py``, resolves a name when it is first read, in the order ``__init__`` binds names: the input types;
the module the generator names after the class (azure-native: ``SqlResourceSqlContainer`` and its ``...Args`` live
in ``sql_resource_sql_container``, ``get_x`` and ``get_x_output`` in ``get_x``; Kubernetes: ``Deployment`` and
``DeploymentInitArgs`` in ``Deployment``); the enums; else a submodule of that name (``outputs``). Anything else
(``__all__``, a star import, a name found nowhere) runs the real ``__init__.py`` in the same module, so a name
always resolves to the object the full import gives (``tests/test_perf_engine.py``). Every SDK module is
compiled by ``sdk.class_bodies`` (annotations kept as text).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import class_bodies, lazy_hints
from .class_bodies import DeferredAnnotationsLoader, is_sdk_module

SDK = "pulumi_azure_native"
_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SUFFIXES = ("ArgsDict", "InitArgs", "Args")


def _without_suffix(name: str) -> str:
    """``FooArgs`` -> ``Foo``; ``get_foo_output`` -> ``get_foo`` (the function lives beside ``get_foo``)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and name != suffix:
            return name[: -len(suffix)]
    if name.endswith("_output") and name[:1].islower():
        return name.removesuffix("_output")
    return name


def module_name_of(name: str) -> str:
    """azure-native's module of a name: ``SqlResourceSqlContainerArgs`` -> ``sql_resource_sql_container``."""
    return _WORD_BREAK.sub("_", _without_suffix(name)).lower()


def module_candidates(name: str) -> list[str]:
    """Where ``__init__`` may have bound ``name`` from, the binding that wins first: ``_inputs`` (star-imported
    last), the module named after it (azure-native's snake case, or Kubernetes' class name), ``_enums`` (first)."""
    return list(dict.fromkeys(("_inputs", module_name_of(name), _without_suffix(name), "_enums")))


_MISSING = object()


def _exported(module: types.ModuleType, name: str) -> Any:
    """What ``from module import *`` binds ``name`` to (its ``__all__``, else its public names), or ``_MISSING``;
    read as an attribute, so a class ``sdk.lazy_classes`` builds on first use is built."""
    exported = getattr(module, "__all__", None)
    if exported is not None and name not in exported:
        return _MISSING
    if exported is None and name.startswith("_"):
        return _MISSING
    return getattr(module, name, _MISSING)


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
            full_name = f"{package}.{name}"
            __import__(full_name)  # the import statement's own path (``-X importtime`` reports it)
            return sys.modules[full_name]

        def resolve(name: str) -> Any:
            if not name.startswith("__") and not state["full"]:
                for candidate in module_candidates(name):
                    if (directory / f"{candidate}.py").is_file():
                        source = submodule(candidate)
                        function = _exported(source, candidate)
                        if function is not _MISSING:  # ``get_x`` is the function, as after ``from .get_x import *``
                            setattr(module, candidate, function)
                        found = _exported(source, name)
                        if found is not _MISSING:
                            setattr(module, name, found)
                            return found
                if (directory / f"{name}.py").is_file() or (directory / name / "__init__.py").is_file():
                    return submodule(name)  # ``outputs``, a version subpackage
            full()
            try:
                return vars(module)[name]
            except KeyError:
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

        module.__getattr__ = resolve  # type: ignore[method-assign]


def _compiled_by_us(name: str, loader: Any) -> Any:
    """The stock source loader of an SDK module, replaced by ``class_bodies``' one (anything else is kept)."""
    if type(loader) is importlib.machinery.SourceFileLoader:
        return DeferredAnnotationsLoader(name, loader.path)
    return loader


class _SdkFinder(importlib.abc.MetaPathFinder):
    """Finds SDK modules as the path finder does, and gives them the loaders above."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not is_sdk_module(fullname):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _compiled_by_us(fullname, spec.loader)
        if spec.submodule_search_locations is not None and "." in fullname:
            spec.loader = _OnDemandPackage(spec.loader)
        return spec


_FINDER = _SdkFinder()


def load_sdk_modules_on_demand() -> None:
    """Load SDK packages imported from now on by name, and every azure-native subpackage not loaded yet (all of
    them exist as lazy modules once ``pulumi_azure_native`` is imported). Idempotent and cheap."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
        class_bodies.install()
        lazy_hints.lazy_property_types()
    importlib.import_module(SDK)  # creates the lazy subpackages
    for name, module in list(sys.modules.items()):
        if not name.startswith(f"{SDK}.") or name.count(".") != 1:
            continue
        if type(module).__name__ != "_LazyModule":
            continue  # already loaded (or not lazy): leave it alone
        spec = types.ModuleType.__getattribute__(module, "__spec__")
        real = spec.loader
        if isinstance(real, importlib.machinery.SourceFileLoader | importlib.machinery.SourcelessFileLoader):
            spec.loader = _OnDemandPackage(_compiled_by_us(name, real))
