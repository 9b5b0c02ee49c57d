"""The ``drctl`` console script run in a forked copy of the test process: a real process of its own, which a test
can kill at a write boundary (``DRCTL_FAULT``) or pause while it holds the project's lock, without a fresh
interpreter importing pulumi, the SDKs and the rules again and planning what this worker has planned already.

The child runs ``azure_dr.cli.launch.main`` (the console script's entry: the garbage collector off, the pack's
servicer in-process, the fast exit) with its own stdout and stderr; the test process keeps its pack processes and
plan memo to itself (``tests/shared_runs.py``): the child gets the library's own ``open_pack`` back and never
touches a gRPC channel opened before the fork. A real interpreter still runs the console script elsewhere in these
tests (``test_stack_transactions``'s uninterrupted switch, ``test_launch``, ``test_cli_conventions``).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from typing import IO

from . import shared_runs


def _child(argv: Sequence[str], env: Mapping[str, str | None], out: IO[bytes], err: IO[bytes]) -> None:
    """In the child: fresh stdout/stderr, the given environment, then the console script. Never returns."""
    try:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shared_runs.unshare_packs()
        from azure_dr.cli import launch

        launch.main(list(argv))
    finally:
        os._exit(70)  # launch.main exits itself; anything else (an exception) is a failed child


class Forked:
    """A running forked ``drctl``: the few ``subprocess.Popen`` members the tests use."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str | None]) -> None:
        self.args = list(argv)
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 -- read by communicate(), closed with the object
        self._err = tempfile.TemporaryFile()  # noqa: SIM115
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(argv, env, self._out, self._err)
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                self.send_signal(signal.SIGKILL)
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self.wait(timeout)
        return self._read(self._out), self._read(self._err)

    @staticmethod
    def _read(file: IO[bytes]) -> str:
        file.seek(0)
        return file.read().decode()


def start(argv: Sequence[str], env: Mapping[str, str | None] | None = None) -> Forked:
    """``drctl ARGV`` started in a forked process (``env``: variables to set, or to remove with None)."""
    return Forked(argv, env or {})


def run(
    argv: Sequence[str], env: Mapping[str, str | None] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``drctl ARGV`` run to its end in a forked process: its exit code (negative: the signal that ended it)."""
    process = start(argv, env)
    out, err = process.communicate(timeout)
    assert process.returncode is not None
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
