"""Recorded plans: the shipped program's planned states kept between sessions, as golden data keyed by the library.

A session plans ~330 distinct states of the shipped program (the pair in each lifecycle step, with each config
edit the tests make); planning them is about half of the suite's time. Where a plan is only a test's input, it is
read from ``tests/data/recorded-plans.xz`` instead, when, and only when, that store was recorded by this very
library: its ``fingerprint`` covers every file of the installed ``azure_dr`` package (components, engine, mocks,
stack-file reader), every installed distribution and version (pulumi, both SDKs, pydantic, ruamel.yaml, ...) and
Python's version. Any change to any of them and the store is stale: every state is planned live, as before, and
the session's summary says so. Each entry is looked up by the same content key as the session memo
(``shared_runs.plan_key``), so a state is answered only for exactly the inputs it was planned from.

Only the shipped program's states are recorded (``recordable``): a test that plans a program of its own (to spy on
the engine, say) always runs it. ``tests/test_recorded_plans.py`` re-plans recorded states live in every session
and compares them field by field, and the shipped pair is always among them, so the store cannot drift from what
the library plans now. After a change to the library, refresh the store (it is planned live meanwhile)::

    ./dev test --record-plans
"""

from __future__ import annotations

import dataclasses
import hashlib
import lzma
import os
import pickle
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import azure_dr
from azure_dr.cli.engine import result_cache
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.stackfiles.files import StackFile

STORE = Path(__file__).resolve().parent / "data" / "recorded-plans.xz"
RECORD = "./dev test --record-plans"
#: Bumped when what an entry holds changes: an older store is then stale.
FORMAT = 1
SHIPPED_PROGRAM = (ROOT / "__main__.py").read_text()


class Inputs(NamedTuple):
    """What ``engine.run_stack`` was given (the project's file as text: the copy it ran in is gone)."""

    stack: StackFile
    peer_outputs: Mapping[str, Mapping[str, Any]] | None
    project_file: str
    overrides: Mapping[str, str] | None
    stock_sdk: bool
    unreachable: Collection[str]


def recordable(root: Path, project_file: str) -> bool:
    """Whether a run at ``root`` runs the shipped program and nothing else of its own (no module beside it, no
    ``main:`` pointing elsewhere): only such runs are recorded, and answered from the store."""
    if "main:" in project_file:
        return False
    beside = list(root.glob("*.py"))
    return [p.name for p in beside] == ["__main__.py"] and beside[0].read_text() == SHIPPED_PROGRAM


def files_under(directory: Path, skipped: Collection[str] = ("__pycache__",)) -> Iterator[tuple[str, Path]]:
    """Every file under ``directory`` but bytecode, in a stable order: its name relative to ``directory`` and where
    it is (links followed: the package's ``cli``/``components`` and the pack's facts are links), ``skipped``
    directories left out."""
    for folder, subdirectories, files in os.walk(directory, followlinks=True):
        subdirectories[:] = sorted(d for d in subdirectories if d not in skipped)
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                path = Path(folder) / name
                yield path.relative_to(directory).as_posix(), path


def add_files(digest: Any, files: Iterable[tuple[str, Path]]) -> Any:
    """``digest`` updated with each file's name and content (the tests' digests of a library or a pack)."""
    for name, path in files:
        digest.update(f"{name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest


def _library_files() -> Iterator[tuple[str, Path]]:
    """Every file of the installed package."""
    return files_under(Path(azure_dr.__file__).parent)


def fingerprint() -> str:
    """The library, its dependencies and Python, as one digest (a store recorded under another is stale)."""
    digest = hashlib.sha256(f"format {FORMAT}; python {sys.version_info[:2]}\n".encode())
    add_files(digest, _library_files())
    digest.update("\n".join(result_cache._installed()).encode())  # every distribution's name and version
    return digest.hexdigest()


@dataclasses.dataclass
class Store:
    """The recorded entries: content key -> (pickled ``Inputs``, pickled ``StackPlan``)."""

    fingerprint: str
    entries: dict[str, tuple[bytes, bytes]]

    @classmethod
    def read(cls, path: Path | None = None) -> Store | None:
        path = path or STORE
        if not path.is_file():
            return None
        loaded = pickle.loads(lzma.decompress(path.read_bytes()))
        return cls(loaded["fingerprint"], loaded["entries"])

    def write(self, path: Path | None = None) -> None:
        path = path or STORE
        data = pickle.dumps({"fingerprint": self.fingerprint, "entries": dict(sorted(self.entries.items()))})
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_bytes(lzma.compress(data, preset=9))  # the states share most bytes: 40 MB -> ~0.3 MB
        os.replace(partial, path)


def inputs_file(plan_file: Path) -> Path:
    """Beside a recordable state's plan in the session directory: what it was planned from."""
    return plan_file.with_name(plan_file.name.replace(".pickle", ".inputs.pickle"))


def seed(directory: Path) -> str:
    """Put the store's plans where the session's workers look first; returns the session summary's line."""
    store = Store.read()
    if store is None:
        return f"recorded plans: none ({STORE.name} missing): every state planned live; `{RECORD}` records them"
    if store.fingerprint != fingerprint():
        return (
            f"recorded plans: stale (the library or its dependencies changed since {STORE.name} was recorded): "
            f"every state planned live; `{RECORD}` refreshes them"
        )
    for key, (inputs, plan) in store.entries.items():
        (directory / f"{key}.pickle").write_bytes(plan)
        inputs_file(directory / f"{key}.pickle").write_bytes(inputs)
    return read_line(len(store.entries))


def read_line(states: int) -> str:
    """The session's line when the store is current (the README shows it)."""
    return f"recorded plans: {states} states read from {STORE.name} (recorded by this library)"


def record(directory: Path) -> str:
    """The session's recordable states (each with its inputs) as the new store; returns the summary's line."""
    entries = {}
    for inputs in sorted(directory.glob("*.inputs.pickle")):
        key = inputs.name.removesuffix(".inputs.pickle")
        entries[key] = (inputs.read_bytes(), (directory / f"{key}.pickle").read_bytes())
    Store(fingerprint(), entries).write()
    size = STORE.stat().st_size
    return f"recorded plans: {len(entries)} states written to {STORE.relative_to(ROOT)} ({size:,} bytes)"
