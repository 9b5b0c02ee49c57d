"""The ``drctl`` console script: ``azure_dr.cli.commands.main`` plus what a one-shot process can skip or overlap.

- With ``DRCTL_CACHE`` set, an unchanged project answers from ``engine.result_cache`` before pulumi is imported.
- For ``check`` and ``plan --check`` the policy pack is spawned right after the imports, so its own start-up
  (an interpreter importing pulumi and the rules) runs while the programs do; ``azure_dr.cli.engine.analyzer.open_pack``
  adopts it only if it was launched exactly as it would be now.
- The objects the imports built are frozen out of the garbage collector's scans, young objects are scanned less
  often, and the process ends without tearing down its objects one by one (output flushed first).

``benchmarks/README.md`` has the figure of each. The tests call ``commands.main`` in-process and are unaffected.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from .engine import result_cache

#: The first generation is collected every 20,000 net allocations instead of 700: a plan allocates millions of
#: short-lived objects and frees nearly all by reference counting, so frequent scans only cost time.
GC_THRESHOLDS = (20_000, 20, 100)


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


def _prestart_pack(argv: Sequence[str]) -> None:
    """Spawn the pack ``check`` will use, if this command checks. Only an optimisation: any doubt or error is
    left to the command itself, which reports it in its own words."""
    from . import commands as cli
    from .engine import analyzer
    from .engine import programs as engine
    from .stackfiles.files import project_name
    from .stackfiles.transaction import JOURNAL_FILE

    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            args = cli._parser().parse_args(argv)
        if not (args.command == "check" or (args.command == "plan" and getattr(args, "check", False))):
            return
        root: Path = args.root
        if (root / JOURNAL_FILE).exists():  # a half-written pair: check fails before it would use the pack
            return
        order = engine.plan_order(root, args.stacks or None)
        analyzer.prestart(root / "policies", project=project_name(root), stack=order[0] if len(order) == 1 else "")
    except (Exception, SystemExit):
        return


def main(argv: Sequence[str] | None = None) -> NoReturn:
    args = list(sys.argv[1:] if argv is None else argv)
    cache = result_cache.for_invocation(args)
    if cache is not None and (hit := cache.load()) is not None:
        sys.stdout.write(hit.stdout)
        sys.stderr.write(hit.stderr)
        _exit(hit.status)

    from . import commands as cli
    from .engine import analyzer  # pulumi, pydantic, grpc and the config model

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    _prestart_pack(args)
    try:
        if cache is None:
            status = cli.main(args)
        else:
            with _recorded() as (out, err):
                status = cli.main(args)
            cache.store(result_cache.Result(out.copy.getvalue(), err.copy.getvalue(), status))
    finally:
        analyzer.discard_prestarted()
    _exit(status)


if __name__ == "__main__":
    main()
