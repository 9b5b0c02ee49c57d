"""An optional cache of whole ``drctl plan``/``check`` results, keyed on hashes of everything that decides them.

Set ``DRCTL_CACHE`` to a directory to turn it on. The key covers the command line, the interpreter, the installed
distributions (names and versions), ``PULUMI_*``/``DRCTL_*`` environment variables, every file named on the command
line, and the content of every source, stack and pack file under the project root (``__main__.py``,
``Pulumi*.yaml``, ``components/``, ``policies/``...) and of the project's own packages wherever installed. It is
looked up before pulumi is imported, so an unchanged project answers in a few hundredths of a second; any changed
byte re-runs.
Commands that write files (``--sarif``, ``--github``'s job summary) are never cached, nor runs that could not finish
(exit status 2). The date is part of the key: a policy-config exemption stops applying the day after it expires.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import sysconfig
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..stackfiles.project import SHIPPED_PACK

FORMAT = 1
ENV_VAR = "DRCTL_CACHE"
SUFFIXES = {".py", ".yaml", ".yml", ".json", ".toml", ".txt", ".lock"}
#: Directories under the root that no plan or check reads.
SKIPPED_DIRS = {"__pycache__", "tests", "benchmarks", "out", "node_modules", "venv"}  # venv: the pack's, by Pulumi
CACHED_COMMANDS = {"plan", "check"}
#: The packages of this project's wheel (``pyproject.toml``), hashed wherever they are installed from (an editable
#: install's links resolved to the folders), and the pack shipped with them, which a project without its own
#: ``policies/`` is checked against.
PROJECT_PACKAGES = ("azure_dr.components", "azure_dr.cli")
CACHED_STATUSES = {0, 1}


@dataclass(frozen=True)
class Result:
    """What the command printed and how it exited."""

    stdout: str
    stderr: str
    status: int


def _root_of(argv: Sequence[str]) -> Path:
    for index, token in enumerate(argv):
        if token == "--root" and index + 1 < len(argv):
            return Path(argv[index + 1]).resolve()
        if token.startswith("--root="):
            return Path(token.split("=", 1)[1]).resolve()
    return Path.cwd()


def _input_files(directory: Path) -> Iterator[Path]:
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            if (
                not entry.name.startswith(".")
                and entry.name not in SKIPPED_DIRS
                and not entry.name.endswith(".egg-info")
            ):
                yield from _input_files(Path(entry.path))
        elif entry.is_file() and Path(entry.name).suffix in SUFFIXES:
            yield Path(entry.path)


def _installed() -> list[str]:
    site = Path(sysconfig.get_path("purelib"))
    return sorted(name for name in os.listdir(site) if name.endswith(".dist-info")) if site.is_dir() else []


def _project_packages() -> list[Path]:
    """Where this project's own packages are installed from (a program under another root still imports them)."""
    found: list[Path] = []
    for name in PROJECT_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            found.extend(Path(p).resolve() for p in spec.submodule_search_locations)
    return [*found, SHIPPED_PACK]


def invocation_key(argv: Sequence[str], root: Path) -> str:
    """The hash of everything that decides the result of ``drctl <argv>`` run on ``root``."""
    digest = hashlib.blake2b(digest_size=20)

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("format", str(FORMAT).encode())
    add("argv", json.dumps(list(argv)).encode())
    add("root", str(root).encode())
    add("date", datetime.now(UTC).date().isoformat().encode())  # exemptions expire
    add("python", f"{sys.executable} {sys.version}".encode())
    add("installed", "\n".join(_installed()).encode())
    env = {k: v for k, v in os.environ.items() if k.startswith(("PULUMI_", "DRCTL_")) and k != ENV_VAR}
    add("env", json.dumps(env, sort_keys=True).encode())
    for token in argv:
        if not token.startswith("-") and os.path.isfile(token):
            add(f"arg-file:{token}", Path(token).read_bytes())
    sources = list(_input_files(root))
    for package in _project_packages():
        if not package.is_relative_to(root):
            sources += list(_input_files(package))
    for path in sources:
        add(f"file:{path}", path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ResultCache:
    """The cache entry of one invocation."""

    path: Path

    def load(self) -> Result | None:
        try:
            data = json.loads(self.path.read_text())
            return Result(str(data["stdout"]), str(data["stderr"]), int(data["status"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, result: Result) -> None:
        if result.status not in CACHED_STATUSES:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({"stdout": result.stdout, "stderr": result.stderr, "status": result.status}))
        partial.replace(self.path)


def for_invocation(argv: Sequence[str]) -> ResultCache | None:
    """The cache entry for ``drctl <argv>``, or None when caching is off or the command is not cacheable."""
    directory = os.environ.get(ENV_VAR)
    writes = any(t.startswith(("--sarif", "--github")) for t in argv)
    if not directory or not CACHED_COMMANDS.intersection(argv) or writes:
        return None
    root = _root_of(argv)
    if not (root / "Pulumi.yaml").is_file():
        return None
    try:
        key = invocation_key(argv, root)
    except OSError:
        return None
    return ResultCache(Path(directory) / f"{key}.json")
