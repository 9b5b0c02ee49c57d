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
