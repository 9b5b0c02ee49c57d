"""Writing stack files as one transaction: a project lock, an intent journal, compare-and-swap, atomic renames.

The stack files are the pair's source of truth, and a switch changes two of them. So a command that writes them:

1. holds the project's lock (``.drctl.lock``, an advisory ``flock`` the kernel drops when the process dies, so a
   killed holder never leaves a stale lock; the file names the holder's pid and command for the refusal);
2. refuses to start while an earlier switch's journal is there (it was interrupted: ``drctl recover``);
3. checks, before writing anything, that every file is writable and still holds the bytes the command read
   (a hand edit made while the command ran is never overwritten);
4. writes the journal (``.drctl-journal.json``: each file's old and new bytes), then each file to a temporary
   file in the same directory, fsynced and renamed over the original (POSIX ``rename`` is atomic: a reader sees
   the old file or the new one, never a part), then removes the journal.

A process killed at any point leaves every file either old or new, and the journal says which: the next
command reports it, and ``drctl recover finish`` / ``drctl recover rollback`` completes or undoes it.

``DRCTL_FAULT`` (tests only) stops the process at a named point: ``planned``, ``journal``, ``temp:<file>``,
``renamed:<file>``, ``written``; ``POINT`` (or ``POINT=kill``) kills it with SIGKILL, ``POINT=pause:<path>``
creates ``<path>.reached`` and waits until ``<path>`` exists.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

LOCK_FILE = ".drctl.lock"
JOURNAL_FILE = ".drctl-journal.json"
TEMP_SUFFIX = ".drctl-tmp"
FAULT_ENV = "DRCTL_FAULT"


class TransactionError(RuntimeError):
    """Stack files drctl will not write now (locked, interrupted, changed, unwritable): one line, exit 2."""


class Writable(Protocol):
    """A file a command wants written: where, the bytes it read, the bytes it wants there."""

    path: Path
    original: bytes

    def data(self) -> bytes: ...


@dataclass(frozen=True)
class FileChange:
    path: Path
    original: bytes
    new: bytes

    def data(self) -> bytes:
        return self.new


# --- fault injection ------------------------------------------------------------------------------------------


def fault(point: str) -> None:
    """Stop here if ``DRCTL_FAULT`` names this point (the fault-injection tests' hook; unset, it does nothing)."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    for entry in spec.split(","):
        name, _, action = entry.partition("=")
        if name != point:
            continue
        if action.startswith("pause:"):
            resume = Path(action.removeprefix("pause:"))
            resume.with_name(resume.name + ".reached").touch()
            deadline = time.monotonic() + 120
            while not resume.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)


# --- the lock -------------------------------------------------------------------------------------------------

_held: dict[Path, int] = {}


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - msvcrt's byte lock is released when the process ends too
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or "pid" not in info:
        return "another drctl process"
    return f"pid {info['pid']} ({info.get('command', 'drctl')}, since {info.get('since', '?')})"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextlib.contextmanager
def project_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the project's lock for the block; a second holder is refused with one line. Re-entrant in-process."""
    path = (root / LOCK_FILE).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise TransactionError(
                f"cannot create the project lock {path.name} in {root} ({exc.strerror}); the project directory "
                "must be writable"
            ) from None
        if not _try_lock(fd):
            os.close(fd)
            raise TransactionError(
                f"the project is locked by {_holder(path)}: another drctl command is changing the stack files; "
                "run this one when it has finished (the lock goes with its process)"
            )
        try:  # the file may have been removed by the holder we waited for: lock the one at the path
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "command": command, "since": _now()}).encode())
        _held[path] = 1
        yield
    finally:
        _held.pop(path, None)
        with contextlib.suppress(OSError):
            path.unlink()  # while still held: a process that opened it before sees another inode and retries
        os.close(fd)


def lock_holder(root: Path) -> str | None:
    """Who holds the project's lock now (another process), or None."""
    path = root / LOCK_FILE
    if not path.exists() or path.resolve() in _held:
        return None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            return None
        return _holder(path)
    finally:
        os.close(fd)


# --- the journal ----------------------------------------------------------------------------------------------


def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - directories cannot be opened for fsync there
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes, mode: int | None, point: str | None = None) -> None:
    """``data`` at ``path`` through a temporary file in the same directory: written, fsynced, renamed."""
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if mode is None else mode & 0o777)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if mode is not None:
        os.chmod(temp, mode & 0o7777)
    if point:
        fault(f"temp:{point}")
    os.replace(temp, path)
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class JournalFile:
    name: str
    old: bytes | None
    new: bytes

    def state(self, root: Path) -> Literal["old", "new", "changed", "missing"]:
        path = root / self.name
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            return "old" if self.old is None else "missing"
        if current == self.new:
            return "new"
        if current == self.old:
            return "old"
        return "changed"


@dataclass(frozen=True)
class Journal:
    """An interrupted write: the command, its process and every file's old and new bytes."""

    command: str
    pid: int
    started: str
    files: tuple[JournalFile, ...]

    def states(self, root: Path) -> dict[str, str]:
        return {f.name: f.state(root) for f in self.files}

    def summary(self, root: Path) -> str:
        states = self.states(root)
        done = [n for n, s in states.items() if s == "new"]
        todo = [n for n, s in states.items() if s != "new"]
        what = (
            f"wrote {', '.join(done)} but not {', '.join(todo)}"
            if done and todo
            else ("wrote every file but did not finish" if done else "wrote none of its files")
        )
        changed = [n for n, s in states.items() if s in ("changed", "missing")]
        hand = f"; {', '.join(changed)} changed since (neither old nor new)" if changed else ""
        return f"`{self.command}` (pid {self.pid}, {self.started}) was interrupted: it {what}{hand}"


RECOVER_HINT = "finish it with `drctl recover finish` or undo it with `drctl recover rollback`"


def read_journal(root: Path) -> Journal | None:
    """The journal an interrupted write left, or None."""
    path = root / JOURNAL_FILE
    try:
        raw = json.loads(path.read_text())
        files = tuple(
            JournalFile(
                f["name"],
                None if f["old"] is None else base64.b64decode(f["old"]),
                base64.b64decode(f["new"]),
            )
            for f in raw["files"]
        )
        return Journal(str(raw["command"]), int(raw["pid"]), str(raw["started"]), files)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TransactionError(
            f"{JOURNAL_FILE} cannot be read ({exc}); it records an interrupted switch: compare the stack files with "
            "git, then remove it"
        ) from None


def interrupted(root: Path) -> str | None:
    """One line about an interrupted write (with how to finish or undo it), or None. A journal whose command still
    holds the lock is a write in progress, said as such."""
    journal = read_journal(root)
    if journal is None:
        return None
    holder = lock_holder(root)
    if holder is not None:
        return f"`{journal.command}` is writing the stack files now ({holder}); run this again when it has finished"
    return f"{journal.summary(root)}; {RECOVER_HINT}"


def refuse_if_interrupted(root: Path) -> None:
    problem = interrupted(root)
    if problem is not None:
        raise TransactionError(f"the stack files are half-written: {problem}")


def _journal_document(command: str, changes: Sequence[FileChange]) -> dict[str, Any]:
    return {
        "version": 1,
        "command": command,
        "pid": os.getpid(),
        "started": _now(),
        "files": [
            {
                "name": c.path.name,
                "old": base64.b64encode(c.original).decode(),
                "new": base64.b64encode(c.new).decode(),
                "old_sha256": _sha(c.original),
                "new_sha256": _sha(c.new),
            }
            for c in changes
        ],
    }


# --- writing --------------------------------------------------------------------------------------------------


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None


def check_writable(root: Path, paths: Sequence[Path]) -> None:
    """Refuse, before anything is planned or written, a file (or the directory) that cannot or must not be
    written. A file without any write permission bit is read-only by its owner's choice: refused even for root,
    who could write it anyway."""
    if not os.access(root, os.W_OK | os.X_OK):
        raise TransactionError(f"{root} is not writable; nothing written")
    for path in paths:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        if not os.access(path, os.W_OK) or not mode & 0o222:
            raise TransactionError(f"{path.name} is not writable; nothing written (make it writable and run again)")


def _preflight(root: Path, changes: Sequence[FileChange]) -> None:
    """Every file writable and unchanged since it was read, before anything is written."""
    check_writable(root, [c.path for c in changes])
    for change in changes:
        _compare(change)


def _compare(change: FileChange) -> None:
    try:
        current = change.path.read_bytes()
    except OSError as exc:
        raise TransactionError(f"{change.path.name} cannot be read ({exc.strerror}); nothing written") from None
    if current != change.original:
        raise TransactionError(
            f"{change.path.name} changed while drctl was working (edited by hand or by another tool); nothing "
            "written: run the command again on the new file"
        )


def write_files(root: Path, documents: Sequence[Writable], command: str) -> list[Path]:
    """Write each document whose bytes changed, as one transaction; the paths written."""
    changes = [FileChange(d.path, d.original, d.data()) for d in documents if d.data() != d.original]
    with project_lock(root, command):
        refuse_if_interrupted(root)
        fault("planned")
        if not changes:
            return []
        _preflight(root, changes)
        modes = {c.path: _mode(c.path) for c in changes}
        journal = root / JOURNAL_FILE
        data = json.dumps(_journal_document(command, changes), indent=1).encode()
        try:
            _atomic_write(journal, data, modes[changes[0].path])
        except OSError as exc:
            _remove_temps(root)
            raise TransactionError(f"cannot write {JOURNAL_FILE} ({exc.strerror}); nothing written") from None
        fault("journal")
        try:
            for change in changes:
                _compare(change)  # once more, just before its rename
                _atomic_write(change.path, change.new, modes[change.path], change.path.name)
                fault(f"renamed:{change.path.name}")
        except OSError as exc:
            raise TransactionError(
                f"writing {change.path.name} failed ({exc.strerror}); {RECOVER_HINT} once the cause is fixed"
            ) from None
        fault("written")
        journal.unlink()
        _fsync_dir(root)
    return [c.path for c in changes]


def _remove_temps(root: Path) -> None:
    for temp in root.glob(f".*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            temp.unlink()


def recover(root: Path, how: Literal["finish", "rollback"], command: str) -> list[str]:
    """Complete (``finish``) or undo (``rollback``) the interrupted write; the lines to print."""
    with project_lock(root, command):
        journal = read_journal(root)
        if journal is None:
            return ["nothing to recover: no interrupted switch"]
        states = journal.states(root)
        changed = [n for n, s in states.items() if s in ("changed", "missing")]
        if changed:
            raise TransactionError(
                f"{', '.join(changed)} changed since `{journal.command}` was interrupted (neither its old nor its "
                f"new version); nothing written: compare with {JOURNAL_FILE} (old and new, base64) and fix by hand"
            )
        check_writable(root, [root / f.name for f in journal.files])
        lines = []
        for f in journal.files:
            target = f.new if how == "finish" else f.old
            path = root / f.name
            if states[f.name] == ("new" if how == "finish" else "old"):
                lines.append(f"{f.name}: already {'new' if how == 'finish' else 'old'}")
                continue
            try:
                if target is None:
                    path.unlink()
                else:
                    _atomic_write(path, target, _mode(path))
            except OSError as exc:
                again = f"run `drctl recover {how}` again"
                raise TransactionError(f"writing {f.name} failed ({exc.strerror}); {again}") from None
            lines.append(f"{f.name}: {'written' if how == 'finish' else 'restored'}")
        _remove_temps(root)
        (root / JOURNAL_FILE).unlink()
        _fsync_dir(root)
        verb = "finished" if how == "finish" else "rolled back"
        lines.append(f"{verb} `{journal.command}`")
        return lines
