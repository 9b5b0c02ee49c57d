"""What the suite shares between tests so that each distinct planned state is planned at most once per session.

- **Plans by input.** ``engine.run_stack`` is a function of the program, the stack's file and config, the peer's
  outputs and the overrides; the suite plans the same ~200 states ~400 times (the unchanged pair alone about a
  hundred times, every lifecycle test replaying the same first steps in its own copy of the project).
  ``memoize_plans`` answers a repeated call from a memo keyed by all of those by content (the program's and the
  project file's text, the modules beside the program, the stack's config, secret keys, notes and key lines as
  ``run_stack`` reads them; not where the copy lives: no test's program reads anything else), with a fresh copy
  each time, so a test may change what it gets. A call that raises is not kept. Tests that spy on the
  engine's internals plan programs of their own (another key), so they still see the run. The workers of one
  session share what they planned through a directory of the session (``PLANS_ENV``, set by ``tests/conftest.py``
  before the workers start): a state one worker planned is read by the other, not planned again. Before the
  workers start, that directory is seeded with the recorded plans of the shipped program when they were recorded
  by this very library (``tests/recorded_plans.py``); the states a session plans are what ``--record-plans``
  records.
- **Packs.** ``check.check_plans`` starts a pack process per call; ``share_packs`` keeps one pack per pack
  content (a project's copy of the shipped pack is answered by any identical copy), interpreter and launch
  environment for the session (the pack is sent ``Configure`` and ``ConfigureStack`` before every stack, so no
  call depends on an earlier one): the shipped pack's servicer in-process, any other pack in its own process,
  stopped at exit.

Both change how often things run, never what a test sees: ``tests/test_perf_engine.py`` plans and checks with
and without the engine's speed-ups and compares.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import pickle
import sys
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from azure_dr.cli.engine import analyzer, check
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.pack_inprocess import InProcessPack
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.stackfiles.files import StackFile

from . import recorded_plans

_plans: dict[str, bytes] = {}
_stats = {"runs": 0, "hits": 0}
#: The session's directory of planned states, shared by its workers (``<key>.pickle``).
PLANS_ENV = "AZURE_DR_TEST_PLANS"


def _shared(key: str) -> Path | None:
    directory = os.environ.get(PLANS_ENV)
    return Path(directory) / f"{key}.pickle" if directory else None


def _recall(key: str) -> bytes | None:
    """A state planned earlier in this session, by this worker or another."""
    if key in _plans:
        return _plans[key]
    shared = _shared(key)
    if shared is not None and shared.is_file():
        _plans[key] = shared.read_bytes()
        return _plans[key]
    return None


def _write(path: Path, data: bytes) -> None:
    """Written whole, then renamed: another worker never reads half a file."""
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.write_bytes(data)
    os.replace(partial, path)


def _keep(key: str, planned: bytes, inputs: recorded_plans.Inputs | None) -> None:
    """``inputs``: given for a state of the shipped program, which ``--record-plans`` may record."""
    _plans[key] = planned
    shared = _shared(key)
    if shared is not None:
        if inputs is not None:  # first: a plan file found means its inputs are there too
            _write(recorded_plans.inputs_file(shared), pickle.dumps(inputs))
        _write(shared, planned)


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def plan_key(
    stack: StackFile,
    peer_outputs: Mapping[str, Mapping[str, Any]] | None,
    root: Path,
    overrides: Mapping[str, str] | None,
    stock_sdk: bool,
    unreachable: Collection[str] = (),
) -> str:
    """Everything a run of ``__main__.py`` for ``stack`` depends on, as one string."""
    parts = {
        "program": {path.name: _text(path) for path in sorted(root.glob("*.py"))},  # and the modules beside it
        "project": _text(root / "Pulumi.yaml"),
        "stack": [stack.name, stack.path.name, stack.project],  # the file's text reaches the run only as these
        "config": sorted(stack.config.items()),
        "secrets": list(stack.secret_keys),
        "notes": list(stack.notes),
        "lines": sorted(stack.lines.items()),
        "peers": peer_outputs or {},
        "overrides": sorted((overrides or {}).items()),
        "stock": stock_sdk,
        "unreachable": sorted(unreachable),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=repr).encode()).hexdigest()


def memoize_plans() -> None:
    """Route every ``engine.run_stack`` call through the memo (idempotent)."""
    run = engine.run_stack
    if getattr(run, "memoized", False):
        return

    def run_stack(
        stack: StackFile,
        peer_outputs: Mapping[str, Mapping[str, Any]] | None = None,
        root: Path = engine.ROOT,
        config_overrides: Mapping[str, str] | None = None,
        stock_sdk: bool = False,
        unreachable: Collection[str] = (),
    ) -> StackPlan:
        key = plan_key(stack, peer_outputs, root, config_overrides, stock_sdk, unreachable)
        planned = _recall(key)
        if planned is not None:
            _stats["hits"] += 1
        else:
            _stats["runs"] += 1
            planned = pickle.dumps(run(stack, peer_outputs, root, config_overrides, stock_sdk, unreachable))
            project_file = _text(root / "Pulumi.yaml")
            inputs = None
            if recorded_plans.recordable(root, project_file):
                peers = peer_outputs or None
                inputs = recorded_plans.Inputs(stack, peers, project_file, config_overrides, stock_sdk, unreachable)
            _keep(key, planned, inputs)
        plan: StackPlan = pickle.loads(planned)
        return plan

    run_stack.memoized = True  # type: ignore[attr-defined]
    run_stack.original = run  # type: ignore[attr-defined]
    engine.run_stack = run_stack


class _Shared:
    """``with open_pack(...) as pack`` for a pack the session keeps running."""

    def __init__(self, pack: analyzer.PolicyPackProcess) -> None:
        self.pack = pack

    def __enter__(self) -> analyzer.PolicyPackProcess:
        return self.pack

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        return None


def pack_content(pack_dir: Path) -> str:
    """Every file of a pack directory (links followed; bytecode and virtual environments left out), as a digest:
    the tests copy the shipped pack into each project they build, and identical copies answer identically."""
    files = recorded_plans.files_under(pack_dir, {"__pycache__", "venv", ".venv"})
    digest: str = recorded_plans.add_files(hashlib.sha256(), files).hexdigest()
    return digest


def _alive(pack: analyzer.PolicyPackProcess | None) -> bool:
    if pack is None or pack._stub is None:
        return False
    return pack._proc is None or pack._proc.poll() is None  # no process: its servicer runs in this one


def share_packs() -> None:
    """Give ``check.check_plans`` one running pack per pack content, interpreter and environment (idempotent).
    A copy of the shipped pack runs in-process (``InProcessPack``, as the console script runs it; its answers are
    the process's, byte for byte: ``tests/test_perf_engine.py``): one pack's modules per process, so any other pack
    (a test's own, an edited copy) gets a process of its own."""
    open_pack: Callable[..., Any] = check.open_pack
    if getattr(open_pack, "shared", False):
        return
    packs: dict[tuple[str, str, str], analyzer.PolicyPackProcess] = {}
    shipped: list[str] = []

    def shared(pack_dir: Path | str, *, project: str = "", stack: str = "") -> _Shared:
        wanted = analyzer.PolicyPackProcess(pack_dir, project=project, stack=stack)
        content = pack_content(wanted.pack_dir)
        key = (content, str(wanted.python), json.dumps(wanted._env(), sort_keys=True))
        pack = packs.get(key)
        if not _alive(pack):
            shipped[:] = shipped or [pack_content(engine.ROOT / "policies")]
            if content == shipped[0] and wanted.python == sys.executable:
                wanted = InProcessPack(pack_dir, project=project, stack=stack)
            pack = packs[key] = wanted
            pack.start()
            atexit.register(pack.close)
        assert pack is not None
        return _Shared(pack)

    shared.shared = True  # type: ignore[attr-defined]
    shared.original = open_pack  # type: ignore[attr-defined]
    check.open_pack = shared  # type: ignore[assignment]


def unshare_packs() -> None:
    """The library's own ``open_pack`` back (a forked child: the session's pack processes are its parent's)."""
    check.open_pack = getattr(check.open_pack, "original", check.open_pack)


def stats() -> dict[str, int]:
    """How many runs the memo made and answered (for the session summary)."""
    return dict(_stats)
