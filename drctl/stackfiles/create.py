"""Create a new stack file, all or nothing: never a half-written file, never over an existing one.

One small function so the project's transactional stack-file writer can take its place: the text goes to a temporary
file beside the target, is flushed to disk (fsync), and is then moved into place (``os.link``: atomic, and refused
when the target exists, where ``os.replace`` would overwrite a file created meanwhile).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class FileExistsRefusal(FileExistsError):
    """The target exists: a new stack file never overwrites one."""


def create_file(path: Path, text: str) -> None:
    """Write ``text`` to the new file ``path`` atomically; FileExistsRefusal if it exists."""
    if path.exists():
        raise FileExistsRefusal(f"{path.name} exists; refusing to overwrite it")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise FileExistsRefusal(f"{path.name} exists; refusing to overwrite it") from None
    finally:
        os.unlink(tmp)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
