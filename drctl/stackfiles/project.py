"""Finding the project the way git and pulumi do (the nearest directory, upwards, that holds ``Pulumi.yaml``), and
the policy pack it is checked against."""

from __future__ import annotations

from pathlib import Path

PROJECT_FILE = "Pulumi.yaml"
#: A project's own policy pack: ``policies/`` beside ``Pulumi.yaml``.
PACK_DIR = "policies"
#: The pack azure-dr ships: ``azure_dr/policies`` in the wheel (pyproject.toml maps it there), and in a source
#: checkout (whose ``src/azure_dr/cli`` is a link to ``drctl/``) the checkout's own ``policies/``.
SHIPPED_PACK = Path(__file__).resolve().parents[2] / PACK_DIR


class ProjectNotFoundError(LookupError):
    """No ``Pulumi.yaml`` in the directory or any of its parents."""


def find_root(start: Path | str | None = None) -> Path:
    """The project directory at or above ``start`` (default: the current directory)."""
    origin = Path(start if start is not None else ".").resolve()
    if not origin.is_dir():
        raise ProjectNotFoundError(f"--root {start}: no such directory")
    for directory in (origin, *origin.parents):
        if (directory / PROJECT_FILE).is_file():
            return directory
    raise ProjectNotFoundError(
        f"no {PROJECT_FILE} in {origin} or any parent directory; run drctl inside the project or pass --root DIR"
    )


def policy_pack(root: Path) -> Path:
    """The pack ``check``, ``rules`` and SARIF use: the project's own ``policies/``, or the one azure-dr ships when
    the project has none (a consumer project uses the components and checks against azure-dr's rules)."""
    own = root / PACK_DIR
    return own if own.exists() or not SHIPPED_PACK.is_dir() else SHIPPED_PACK


def repository_root(start: Path | str) -> Path | None:
    """The git work tree holding ``start`` (its top level: the nearest directory upwards with a ``.git`` entry, a
    directory or, in a linked worktree or a submodule, a file), or None outside any repository."""
    origin = Path(start).resolve()
    for directory in (origin, *origin.parents):
        if (directory / ".git").exists():
            return directory
    return None


def repository_path(root: Path, file: Path | str) -> str:
    """``file`` (a path inside the project ``root``) as a POSIX path relative to the repository's top level, as
    code scanning and workflow annotations name files; relative to the project outside a repository."""
    path = (root / file).resolve()
    top = repository_root(root) or root.resolve()
    try:
        return path.relative_to(top).as_posix()
    except ValueError:
        return Path(file).as_posix()
