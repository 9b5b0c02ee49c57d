"""``pulumi.automation`` and ``pulumi.dynamic`` loaded when first used, not by ``import pulumi``.

``pulumi/__init__.py`` imports both subpackages (``from . import runtime, dynamic, policy, automation``): the
Automation API (workspaces, stacks, the CLI wrapper) and dynamic providers, about 40 ms of every ``drctl`` start
(``benchmarks/README.md``), which an offline check never uses. ``load_lazily`` makes the import bind a module that
runs its real code on first attribute access (``importlib.util.LazyLoader``): ``pulumi.automation.LocalWorkspace``
is the same class either way, only later. The console script installs it (``azure_dr.cli.launch``) before anything
imports pulumi; where pulumi is loaded already it changes nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

#: The subpackages ``import pulumi`` loads that an offline run does not need.
DEFERRED = frozenset({"pulumi.automation", "pulumi.dynamic"})


class _LazyFinder(importlib.abc.MetaPathFinder):
    """Finds the deferred subpackages as the path finder would, with their loader wrapped in a ``LazyLoader``."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in DEFERRED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def load_lazily() -> None:
    """Defer the subpackages in :data:`DEFERRED` (idempotent; nothing to do once pulumi is imported)."""
    if "pulumi" in sys.modules or any(isinstance(f, _LazyFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _LazyFinder())
