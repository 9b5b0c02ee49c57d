"""``drctl`` with parts of what makes it fast switched off, to measure each speed-up on its own.

    .venv/bin/python benchmarks/ablation.py [--stock-sdk] [--pack-process] [--threaded-calls] [--gc] [--slow-exit]
        -- check

Does what ``azure_dr.cli.launch.main`` does (no result cache), leaving out what the flags say:
``--stock-sdk`` the SDK patches (``azure_dr.cli.sdk``: modules on demand with annotations as text, version
aliases, stack traces, output properties, the wait), ``--pack-process`` the in-process servicer (the pack runs in
its own process, as the library does), ``--threaded-calls`` the mock monitor called from the SDK's worker threads
(no ``sdk.inline_calls``), ``--gc`` the collector switched off, ``--slow-exit`` the fast exit.
``bench_pr_check.py`` and the tables in ``benchmarks/README.md`` use it.
"""

from __future__ import annotations

import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stock-sdk", action="store_true", help="run the stock SDK (no drctl.sdk patches)")
    parser.add_argument("--pack-process", action="store_true", help="the pack in its own process")
    parser.add_argument("--threaded-calls", action="store_true", help="the monitor's calls on worker threads")
    parser.add_argument("--gc", action="store_true", help="leave the garbage collector as Python sets it")
    parser.add_argument("--slow-exit", action="store_true", help="let the interpreter tear everything down")
    parser.add_argument("drctl", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    argv = [a for a in args.drctl if a != "--"]

    from azure_dr.cli import commands as cli
    from azure_dr.cli import launch
    from azure_dr.cli.engine import analyzer, programs
    from azure_dr.cli.engine.pack_inprocess import InProcessPack

    if args.stock_sdk:
        programs.patches_apply = lambda: False
    if args.threaded_calls:
        from contextlib import nullcontext

        programs.inline_calls = lambda loop, stock=False: nullcontext()  # type: ignore[assignment]
    if not args.gc:
        import gc

        gc.freeze()
        gc.disable()
    if not args.pack_process:
        analyzer.use_pack_kind(InProcessPack)
    status = cli.main(argv)
    if args.slow_exit:
        sys.exit(status)
    launch._exit(status)


if __name__ == "__main__":
    main()
