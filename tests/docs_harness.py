"""``docs/generate.py`` (the docs' generated parts), loaded by path: ``docs/`` is not a package."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from azure_dr.cli.engine.programs import ROOT


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("azure_dr_docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


generate = _load()
