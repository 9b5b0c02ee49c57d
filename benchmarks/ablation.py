"""``drctl`` with parts of ``azure_dr.cli.launch`` switched off, to measure each speed-up on its own.

    .venv/bin/python benchmarks/ablation.py [--no-gc] [--no-prestart] [--slow-exit] -- check

Does what ``azure_dr.cli.launch.main`` does (no result cache), leaving out what the flags say; ``bench_pr_check.py`` and
the before/after table in ``benchmarks/README.md`` use it.
"""

from __future__ import annotations

import argparse
import gc
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-gc", action="store_true", help="leave the garbage collector as Python sets it")
    parser.add_argument("--no-prestart", action="store_true", help="start the pack only when the check needs it")
    parser.add_argument("--slow-exit", action="store_true", help="let the interpreter tear everything down")
    parser.add_argument("drctl", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    argv = [a for a in args.drctl if a != "--"]

    from azure_dr.cli import commands as cli
    from azure_dr.cli import launch
    from azure_dr.cli.engine import analyzer

    if not args.no_gc:
        gc.freeze()
        gc.set_threshold(*launch.GC_THRESHOLDS)
    if not args.no_prestart:
        launch._prestart_pack(argv)
    try:
        status = cli.main(argv)
    finally:
        analyzer.discard_prestarted()
    if args.slow_exit:
        sys.exit(status)
    launch._exit(status)


if __name__ == "__main__":
    main()
