"""Figures, not pass/fail: how long the offline engine takes and how fast the policy pack judges resources.

    .venv/bin/python benchmarks/bench_offline.py [--runs 3] [--write]

1. cold `drctl plan` and `drctl check` of both stacks, each in a fresh process (imports, program runs, pack
   start-up and analysis included), median of --runs;
2. policy throughput: resources per second through the full pack (Analyze per resource + AnalyzeStack) on a
   synthetic plan made of the shipped stacks' resources repeated to about 1,000 resources, pack already running;
3. library overhead: the program of one stack against a bare-SDK program registering the same number of
   azure-native resources directly (no config model, no components), both under the same mock engine.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from azure_dr.cli.engine import programs as engine  # noqa: E402
from azure_dr.cli.engine.analyzer import PolicyPackProcess  # noqa: E402
from azure_dr.cli.engine.recording import StackPlan  # noqa: E402
from azure_dr.cli.stackfiles.files import StackFile  # noqa: E402

BARE_PROGRAM = """
import pulumi
from pulumi_azure_native import resources
COUNT = {count}
for i in range(COUNT):
    resources.ResourceGroup(f"rg-{{i}}", resource_group_name=f"rg-bench-{{i}}", location="uksouth",
                            opts=pulumi.ResourceOptions(protect=True))
pulumi.export("count", COUNT)
"""


def timed_process(args: list[str], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "azure_dr.cli", "--root", str(ROOT), *args],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


def synthetic_plan(plans: list[StackPlan], target: int) -> StackPlan:
    """The shipped resources repeated (with distinct URNs) until the plan holds about ``target`` resources."""
    base = [r for p in plans for r in p.resources]
    copies = max(1, target // len(base))
    resources = [
        dataclasses.replace(r, urn=f"{r.urn}-{i}", parent=f"{r.parent}-{i}" if r.parent else None)
        for i in range(copies)
        for r in base
    ]
    return StackPlan(stack="bench", project="azure-dr", resources=resources, outputs={})


def throughput(plans: list[StackPlan], runs: int) -> tuple[int, float, float]:
    plan = synthetic_plan(plans, 1000)
    with PolicyPackProcess(ROOT / "policies", project="azure-dr", stack="bench") as pack:
        pack.info()
        pack.configure(None)
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            pack.analyze_stack(plan)
            samples.append(time.perf_counter() - start)
        startup = pack.startup_seconds
    analyzed = sum(1 for r in plan.resources if r.custom)
    return analyzed, analyzed / statistics.median(samples), startup


def overhead(runs: int) -> tuple[int, float, float]:
    stack = engine.load_stack(ROOT, "primary")
    engine.run_stack(stack, {}, ROOT)  # warm imports for both measurements
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        program = engine.run_stack(stack, {}, ROOT)
        samples.append(time.perf_counter() - start)
    count = sum(1 for r in program.resources if r.custom)
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp)
        (bare / "Pulumi.yaml").write_text("name: azure-dr\nruntime: python\n")
        (bare / "__main__.py").write_text(BARE_PROGRAM.format(count=count))
        bare_stack = StackFile("bare", bare / "Pulumi.bare.yaml", {})
        engine.run_stack(bare_stack, {}, bare)
        bare_samples = []
        for _ in range(runs):
            start = time.perf_counter()
            engine.run_stack(bare_stack, {}, bare)
            bare_samples.append(time.perf_counter() - start)
    return count, statistics.median(samples), statistics.median(bare_samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write benchmarks/results.md")
    args = parser.parse_args()
    plan_median, plan_best = timed_process(["plan"], args.runs)
    check_median, check_best = timed_process(["check"], args.runs)
    plans = engine.plan_stacks(None, ROOT)
    per_stack = {p.stack: sum(1 for r in p.resources if r.custom and not r.read) for p in plans}
    analyzed, per_second, startup = throughput(plans, args.runs)
    count, program_s, bare_s = overhead(args.runs)
    lines = [
        "# Offline engine figures",
        "",
        f"Machine: {sys.platform}, Python {sys.version.split()[0]}; median of {args.runs} runs.",
        "",
        "| measurement | figure |",
        "|---|---|",
        f"| resources per stack | {', '.join(f'{k} {v}' for k, v in per_stack.items())} |",
        f"| cold `drctl plan` (both stacks, fresh process) | {plan_median:.2f} s (best {plan_best:.2f} s) |",
        f"| cold `drctl check` (both stacks: plan + pack start + analysis) | {check_median:.2f} s "
        f"(best {check_best:.2f} s) |",
        f"| policy pack start-up (process to first gRPC answer) | {startup:.2f} s |",
        f"| policy throughput, full pack, {analyzed} resources | {per_second:.0f} resources/s |",
        f"| program run, one stack ({count} resources) | {program_s * 1000:.0f} ms |",
        f"| bare-SDK program, same resource count | {bare_s * 1000:.0f} ms |",
        f"| library overhead | {(program_s - bare_s) * 1000:+.0f} ms ({program_s / bare_s:.2f}x) |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        (ROOT / "benchmarks" / "results.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
