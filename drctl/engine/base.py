"""The other side of a pull request: the plans of a git ref (``drctl diff --base REF``), or of a saved
``drctl plan --json`` (``--plan FILE``).

A ref is planned as it would be deployed: its files are taken from git (``git archive``, read-only: no work tree,
no checkout, nothing left behind) into a temporary directory and planned there. When the ref carries the library's
own source (``src/azure_dr``, this repository), ``drctl plan --json`` runs there in a process of its own that
imports the ref's library, so a change to a component shows in the diff as it would deploy. Otherwise (a project
that installs azure-dr) the installed library plans both sides, so the ref is planned in this process, as the work
tree is (``programs.program_directory`` keeps one program's own modules from reaching the other's run): no second
interpreter importing pulumi and the SDKs again (~1.5 s). Either way both sides cross the same JSON document, so
what is compared is exactly what ``plan --json`` records.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from azure_dr.components.stack.config import ConfigError

from ..report import schemas
from ..report.render import plan_json
from . import programs
from .recording import RecordedResource, StackPlan

LIBRARY_SOURCE = "src/azure_dr/__init__.py"
#: Planning a ref runs both stacks' programs; a cold process takes seconds, a hung one is an error.
PLAN_TIMEOUT_SECONDS = 600


class BaseError(ValueError):
    """The base cannot be read or planned: one line, exit 2."""


def _resource(entry: Mapping[str, Any]) -> RecordedResource:
    return RecordedResource(
        urn=str(entry["urn"]),
        type=str(entry["type"]),
        name=str(entry["name"]),
        custom=bool(entry["custom"]),
        inputs=dict(entry.get("inputs") or {}),
        outputs={},
        id=entry.get("id"),
        parent=entry.get("parent"),
        dependencies=tuple(entry.get("dependencies") or ()),
        protect=bool(entry.get("protect")),
        ignore_changes=tuple(entry.get("ignore_changes") or ()),
        retain_on_delete=bool(entry.get("retain_on_delete")),
        read=bool(entry.get("read")),
    )


def plans_from_document(document: Any, source: str) -> list[StackPlan]:
    """The stack plans of a ``drctl plan --json`` document."""
    if not isinstance(document, Mapping) or document.get("schema") != schemas.PLAN_ID:
        found = document.get("schema") if isinstance(document, Mapping) else type(document).__name__
        raise BaseError(f"{source}: not a `drctl plan --json` document (schema {found!r}; expected {schemas.PLAN_ID})")
    plans = []
    try:
        for stack in document["stacks"]:
            resources = [_resource(r) for r in stack.get("resources") or []]
            project = next((r.urn.split("::")[1] for r in resources if r.urn.count("::") >= 3), "")
            plans.append(
                StackPlan(
                    stack=str(stack["stack"]),
                    project=project,
                    resources=resources,
                    outputs=dict(stack.get("outputs") or {}),
                    error=stack.get("error"),
                )
            )
    except (KeyError, TypeError) as exc:
        raise BaseError(f"{source}: a stack entry lacks {exc}; expected the `drctl plan --json` shape") from None
    return plans


def as_recorded(plans: Sequence[StackPlan]) -> list[StackPlan]:
    """``plans`` as a ``plan --json`` document records them, so both sides of a diff compare like for like."""
    document = {"schema": schemas.PLAN_ID, "stacks": json.loads(json.dumps(plan_json(plans)))}
    return plans_from_document(document, "plan")


def read_plan_file(path: str) -> list[StackPlan]:
    """A saved ``drctl plan --json`` (``-``: standard input)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
        document = json.loads(text)
    except OSError as exc:
        raise BaseError(f"--plan {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaseError(f"--plan {path}: not JSON ({exc})") from None
    return plans_from_document(document, f"--plan {path}")


def _git(top: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess[Any]:
    git = shutil.which("git")
    if git is None:
        raise BaseError("--base needs git on PATH")
    return subprocess.run([git, "-C", str(top), *args], capture_output=True, text=not binary, check=False)


def repository_top(root: Path) -> Path:
    run = _git(root, "rev-parse", "--show-toplevel")
    if run.returncode != 0:
        raise BaseError(f"--base: {root} is not inside a git repository")
    return Path(run.stdout.strip()).resolve()


def _inside(member: tarfile.TarInfo, target: str) -> tarfile.TarInfo | None:
    """Python's ``data`` filter (nothing written outside ``target``), skipping a link that leaves the tree (a
    checkout-specific absolute link, say) instead of refusing the whole tree: the program cannot rely on it."""
    try:
        return tarfile.data_filter(member, target)
    except tarfile.FilterError:
        return None


def _extract(top: Path, ref: str, target: Path) -> str:
    """The ref's tree into ``target``; returns the commit it names."""
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise BaseError(f"--base {ref}: not a commit of this repository (fetch it first, e.g. git fetch origin {ref})")
    sha = str(commit.stdout).strip()
    archive = _git(top, "archive", "--format=tar", sha, binary=True)
    if archive.returncode != 0:
        raise BaseError(f"--base {ref}: git archive failed: {archive.stderr.decode(errors='replace').strip()}")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(target, filter=_inside)
    except tarfile.TarError as exc:
        raise BaseError(f"--base {ref}: its tree cannot be unpacked safely: {exc}") from None
    return sha


def plans_at(root: Path, ref: str) -> tuple[list[StackPlan], str]:
    """The plans of the project at ``ref`` and the commit ``ref`` names (``root`` is the project's directory in
    the work tree; the same directory is planned in the ref)."""
    top = repository_top(root)
    relative = root.resolve().relative_to(top)
    with tempfile.TemporaryDirectory(prefix="drctl-base-") as tmp:
        tree = Path(tmp)
        sha = _extract(top, ref, tree)
        project = tree / relative
        if not (project / "Pulumi.yaml").is_file():
            where = relative.as_posix() if str(relative) != "." else "the repository root"
            raise BaseError(f"--base {ref}: has no Pulumi.yaml at {where}; nothing to compare against")
        if (tree / LIBRARY_SOURCE).is_file():  # the ref carries the library: plan it with its own code
            return plans_from_document(_plan_with_its_library(tree, project, ref), f"--base {ref}"), sha
        return _plan_here(project, ref), sha


def _plan_with_its_library(tree: Path, project: Path, ref: str) -> Any:
    """``drctl plan --json`` of ``project`` in a process importing the library of ``tree`` (the ref's)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tree / "src"), env.get("PYTHONPATH", "")) if p)
    env.pop("DRCTL_CACHE", None)
    command = [sys.executable, "-m", "azure_dr.cli", "--root", str(project), "plan", "--json"]
    try:
        run = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=PLAN_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise BaseError(f"--base {ref}: planning took more than {PLAN_TIMEOUT_SECONDS}s") from None
    try:
        return json.loads(run.stdout)
    except ValueError:
        why = (run.stderr.strip().splitlines() or [f"exit {run.returncode}, no output"])[-1]
        raise BaseError(f"--base {ref}: could not be planned: {why}") from None


def _plan_here(project: Path, ref: str) -> list[StackPlan]:
    """The ref's project planned by the installed library in this process, recorded as ``plan --json`` would."""
    try:
        return as_recorded(programs.plan_stacks(None, project))
    except (programs.ProgramError, ConfigError, LookupError, ValueError, OSError) as exc:  # commands.main's one-liners
        raise BaseError(f"--base {ref}: could not be planned: {str(exc).strip().splitlines()[0]}") from None
