"""The ``drctl`` console script: ``azure_dr.cli.commands.main`` plus what a one-shot process can skip.

- With ``DRCTL_CACHE`` set, an unchanged project answers from ``engine.result_cache`` before pulumi is imported.
- A check (``check``, ``plan --check``, the lifecycle commands' checks) runs the policy pack's servicer in this
  process (``engine.pack_inprocess``: the same servicer, requests and answers, without a second interpreter
  importing pulumi and the rules, and a socket per call).
- ``pulumi.automation`` and ``pulumi.dynamic``, which ``import pulumi`` loads and an offline run never uses, load
  on first use (``sdk.lazy_pulumi``).
- The garbage collector is off from the start (the imports build ~800 modules' objects, which it would scan again
  and again): a one-shot run frees nearly everything by reference counting, and what the collector would find in
  cycles it keeps for the process's short life (the memory this costs is in ``benchmarks/README.md``); the
  process ends without tearing down its objects one by one (output flushed first).

``benchmarks/README.md`` has the figure of each. The tests call ``commands.main`` in-process and are unaffected.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
from collections.abc import Iterator, Sequence
from typing import NoReturn, TextIO

from .engine import result_cache
from .sdk import lazy_pulumi


class _Tee(io.TextIOBase):
    """Writes through to ``stream`` and keeps a copy for the result cache."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


@contextlib.contextmanager
def _recorded() -> Iterator[tuple[_Tee, _Tee]]:
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def _exit(status: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def ready_one_shot() -> None:
    """What this process can skip once it has imported drctl: the collector's scans (everything built so far is
    frozen out of them too, should anything turn the collector on), the pack's own process."""
    from .engine import analyzer
    from .engine.pack_inprocess import InProcessPack

    gc.disable()
    gc.freeze()
    analyzer.use_pack_kind(InProcessPack)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    gc.disable()
    args = list(sys.argv[1:] if argv is None else argv)
    cache = result_cache.for_invocation(args)
    if cache is not None and (hit := cache.load()) is not None:
        sys.stdout.write(hit.stdout)
        sys.stderr.write(hit.stderr)
        _exit(hit.status)

    lazy_pulumi.load_lazily()  # pulumi's Automation API and dynamic providers: loaded if a command uses them
    from . import commands as cli  # pulumi, pydantic, grpc and the config model

    ready_one_shot()
    if cache is None:
        status = cli.main(args)
    else:
        with _recorded() as (out, err):
            status = cli.main(args)
        cache.store(result_cache.Result(out.copy.getvalue(), err.copy.getvalue(), status))
    _exit(status)


if __name__ == "__main__":
    main()
