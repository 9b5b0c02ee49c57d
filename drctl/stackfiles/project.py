"""Finding the project the way git and pulumi do: the nearest directory, upwards, that holds ``Pulumi.yaml``."""

from __future__ import annotations

from pathlib import Path

PROJECT_FILE = "Pulumi.yaml"


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
