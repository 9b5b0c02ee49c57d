"""Where a cold ``drctl check`` of the pair spends its time, phase by phase, for any version of the code.

    .venv/bin/python benchmarks/phases.py [--runs 5] [--root DIR]     (prints the table; bench_pr_check.py uses it)

Each run is a fresh process running the console script's own ``azure_dr.cli.launch.main(["check"])`` with
``-X importtime``, from the source tree at ``--root`` (its ``src/`` first on the path, so an older checkout can be
measured with this environment). The script marks the end of each step the console script takes, by wrapping the
functions every version has: the imports (until ``commands.main``, with the pack's prestart where a version has
one), each program run (``programs.run_stack``), the pack made ready (``PolicyPackProcess.start``: a prestarted
process waited for, or the servicer loaded in-process), each stack's analysis (``analyze_stack``), the report and
the exit (``launch._exit``). Marks go to stderr between Python's import-time lines, so each phase also says how
much of it was importing modules (the library, the SDK modules a program touches). The parent measures the whole
process from spawn to exit. Floors (separate fresh processes doing only the least a phase needs: the bare interpreter;
``import pulumi``; exactly the SDK resource modules of the plan's types; a bare mock run registering as many plain
resources; an empty pack's start and the same calls) are measured by ``measure_floors``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
EMPTY_PACK = """
from pulumi_policy import PolicyPack, ResourceValidationPolicy
noop = ResourceValidationPolicy(name="noop", description="noop", validate=lambda args, report: None)
PolicyPack(name="empty", policies=[noop])
"""

CHILD = r"""
import sys, time
def mark(name):
    sys.stderr.write(f"@@ {time.perf_counter():.6f} {name}\n")
    sys.stderr.flush()
mark("start")
from azure_dr.cli import launch
from azure_dr.cli.engine import analyzer, check, programs
def after(owner, name, label):
    original = getattr(owner, name)
    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        mark(label(*args, **kwargs))
        return result
    setattr(owner, name, wrapped)
from azure_dr.cli import commands
command = commands.main
def timed_command(argv):
    mark("imports")  # and, in versions that had one, the pack's prestart
    return command(argv)
commands.main = timed_command
after(programs, "run_stack", lambda stack, *a, **k: f"program {stack.name}")
kinds = [analyzer.PolicyPackProcess]
try:
    from azure_dr.cli.engine.pack_inprocess import InProcessPack
    kinds.append(InProcessPack)
except ImportError:
    pass
for kind in kinds:
    if "start" in vars(kind):
        after(kind, "start", lambda self: "pack ready")
after(analyzer.PolicyPackProcess, "analyze_stack", lambda self, plan: f"pack {plan.stack}")
exit_ = launch._exit
def timed_exit(status):
    mark("end")
    exit_(status)
launch._exit = timed_exit
launch.main(sys.argv[1:])
"""

_MARK = re.compile(r"^@@ (\S+) (.+)$")
_IMPORT = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \|")


def environment(root: Path) -> dict[str, str]:
    """The environment a variant runs in: its own ``src/`` first; no result cache; no bytecode written."""
    env = {k: v for k, v in os.environ.items() if k not in ("DRCTL_CACHE", "PYTHONPATH")}
    env["PYTHONPATH"] = str(root / "src")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _label(mark: str) -> str:
    """What the phase that ends at ``mark`` did."""
    if mark.startswith("program "):
        return f"program run: {mark.removeprefix('program ')}"
    if mark.startswith("pack ") and mark != "pack ready":
        return f"pack calls: {mark.removeprefix('pack ')}"
    return {
        "start": "interpreter start (python + site)",
        "imports": "import drctl (pulumi, pydantic, grpc, the config model, the commands; a prestart)",
        "pack ready": "pack start, or the wait for the prestarted one (and the check's set-up)",
        "end": "report",
        "exit": "interpreter exit",
    }.get(mark, mark)


def run_once(root: Path, args: tuple[str, ...] = ("check",)) -> list[tuple[str, float, float]]:
    """``[(phase, seconds, of which importing)]`` of one cold run, in order; the last is the whole process."""
    start = time.perf_counter()
    run = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", CHILD, "--root", str(root), *args],
        cwd=root,
        env=environment(root),
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.perf_counter() - start
    if run.returncode not in (0, 1):
        raise SystemExit(f"instrumented check failed ({run.returncode}):\n{run.stderr[-3000:]}")
    phases: list[tuple[str, float, float]] = []
    seen: Counter[str] = Counter()
    last, importing = start, 0.0
    for line in run.stderr.splitlines():
        if found := _IMPORT.match(line):
            importing += int(found.group(1)) / 1e6
        elif found := _MARK.match(line):
            at, mark = float(found.group(1)), found.group(2)
            seen[mark] += 1
            label = _label(mark) + (f" (pass {seen[mark]})" if mark.startswith("program ") else "")
            phases.append((label, at - last, importing))
            last, importing = at, 0.0
    phases.append((_label("exit"), start + total - last, importing))
    phases.append(("whole process (spawn to exit)", total, sum(p[2] for p in phases)))
    return phases


def measure(root: Path, runs: int) -> dict[str, Any]:
    """Medians over ``runs`` cold runs of each phase (seconds) and of the importing within it."""
    samples: dict[str, list[tuple[float, float]]] = {}
    for _ in range(runs):
        for name, seconds, importing in run_once(root):
            samples.setdefault(name, []).append((seconds, importing))
    return {"runs": runs, "phases": summarise(samples)}


def summarise(samples: dict[str, list[tuple[float, float]]]) -> list[dict[str, Any]]:
    """Each phase's median seconds and median importing, in the order the phases ran."""
    return [
        {
            "phase": name,
            "seconds": statistics.median(s for s, _ in values),
            "importing": statistics.median(i for _, i in values),
        }
        for name, values in samples.items()
    ]


def table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """One table, the phases of both versions side by side (a phase only one version has shows a dash)."""
    rows_before = {p["phase"]: p for p in before["phases"]}
    rows_after = {p["phase"]: p for p in after["phases"]}
    keys = [p["phase"] for p in before["phases"]]
    keys += [p["phase"] for p in after["phases"] if p["phase"] not in rows_before]
    keys.sort(key=lambda k: k.startswith("whole process"))

    def cell(row: dict[str, Any] | None) -> str:
        if row is None:
            return "— | —"
        importing = f"{row['importing']:.3f}" if row["importing"] >= 0.0005 else "—"
        return f"{row['seconds']:.3f} | {importing}"

    lines = [
        "| phase | before (s) | of which importing | after (s) | of which importing |",
        "|---|---|---|---|---|",
    ]
    for key in keys:
        bold = key.startswith("whole process")
        name = f"**{key}**" if bold else key
        lines.append(f"| {name} | {cell(rows_before.get(key))} | {cell(rows_after.get(key))} |")
    return "\n".join(lines)


# -- floors ------------------------------------------------------------------------------------------------------


def _resource_modules(types: list[str]) -> list[str]:
    """The modules that define the plan's resource classes, found by their ``class <Name>(`` line."""
    import pulumi_azure_native

    base = Path(pulumi_azure_native.__file__).parent
    found = []
    for token in sorted(set(types)):
        _, module, name = token.split(":")
        for path in sorted((base / module).glob("*.py")):
            if f"\nclass {name}(pulumi.CustomResource)" in path.read_text():
                found.append(f"pulumi_azure_native.{module}.{path.stem}")
                break
    return found


def floor_sdk(modules: list[str]) -> None:
    """Import exactly the resource modules (and the _enums/_inputs/outputs they import), not their packages."""
    import importlib
    import importlib.util
    import types

    import pulumi  # noqa: F401

    start = time.perf_counter()
    for module in modules:
        package = module.rsplit(".", 1)[0]
        if package not in sys.modules:
            spec = importlib.util.find_spec(package)
            assert spec is not None and spec.submodule_search_locations is not None
            stub = types.ModuleType(package)
            stub.__path__ = list(spec.submodule_search_locations)
            stub.__spec__ = spec
            stub.__package__ = package
            sys.modules[package] = stub
        importlib.import_module(module)
    print(json.dumps({"seconds": time.perf_counter() - start}))


def floor_programs(counts: dict[str, int]) -> None:
    """A bare mock run per stack registering the same number of plain custom resources."""
    import pulumi
    from pulumi.runtime import mocks, settings

    class Plain(mocks.Mocks):
        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
            return {}, []

    seconds = {}
    for stack, count in counts.items():
        start = time.perf_counter()
        mocks.set_mocks(Plain(), project="azure-dr", stack=stack, preview=False)
        settings.ROOT.set(None)

        def program(n: int = count) -> None:
            for i in range(n):
                pulumi.CustomResource("azure-native:resources:ResourceGroup", f"r{i}", {"location": "uksouth"})

        pulumi.runtime.sync_await._sync_await(pulumi.runtime.stack.run_in_stack(program))
        seconds[stack] = time.perf_counter() - start
    print(json.dumps(seconds))


def floor_pack(counts: dict[str, int]) -> None:
    """An empty pack: its start-up, and the same number of Analyze + AnalyzeStack calls."""
    from azure_dr.cli.engine.analyzer import PolicyPackProcess
    from azure_dr.cli.engine.recording import RecordedResource, StackPlan

    with tempfile.TemporaryDirectory() as tmp:
        pack_dir = Path(tmp)
        (pack_dir / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
        (pack_dir / "__main__.py").write_text(EMPTY_PACK)
        start = time.perf_counter()
        with PolicyPackProcess(pack_dir, project="azure-dr") as pack:
            started = time.perf_counter()
            pack.info()
            pack.configure(None)
            for stack, count in counts.items():
                resources = [
                    RecordedResource(
                        urn=f"urn:pulumi:{stack}::azure-dr::azure-native:resources:ResourceGroup::r{i}",
                        type="azure-native:resources:ResourceGroup",
                        name=f"r{i}",
                        custom=True,
                        inputs={"location": "uksouth"},
                        outputs={"location": "uksouth"},
                    )
                    for i in range(count)
                ]
                pack.analyze_stack(StackPlan(stack=stack, project="azure-dr", resources=resources, outputs={}))
            done = time.perf_counter()
    print(json.dumps({"start": started - start, "grpc": done - started}))


def _child(kind: str, argument: Any) -> dict[str, Any]:
    run = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--child", kind, json.dumps(argument)],
        cwd=ROOT,
        env=environment(ROOT),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def measure_floors(runs: int) -> dict[str, float]:
    """The least each phase needs, medians of ``runs`` fresh processes each."""
    sys.path.insert(0, str(ROOT / "src"))
    from azure_dr.cli.engine import programs as engine

    plans = engine.plan_stacks(None, ROOT)
    types = sorted({r.type for p in plans for r in p.resources if r.custom and r.type.startswith("azure-native:")})
    counts = {p.stack: sum(1 for r in p.resources if r.custom and not r.read) for p in plans}
    registered = {p.stack: len(p.resources) for p in plans}
    modules = _resource_modules(types)
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", "pass"], check=True, env=environment(ROOT))
        samples.setdefault("interpreter start (`python -c pass`)", []).append(time.perf_counter() - start)
        code = (
            "import time,json;s=time.perf_counter();import pulumi;print(json.dumps({'seconds':time.perf_counter()-s}))"
        )
        out = json.loads(subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout)
        samples.setdefault("`import pulumi` alone", []).append(out["seconds"])
        found = _child("floor-sdk", modules)
        samples.setdefault(f"exactly the {len(modules)} SDK modules of the plan's resource types", []).append(
            found["seconds"]
        )
        for stack, seconds in _child("floor-programs", registered).items():
            samples.setdefault(f"bare mock run, {registered[stack]} plain resources ({stack})", []).append(seconds)
        pack = _child("floor-pack", counts)
        samples.setdefault("an empty pack's whole start-up (its own process)", []).append(pack["start"])
        samples.setdefault("the same calls answered by an empty pack", []).append(pack["grpc"])
    return {k: statistics.median(v) for k, v in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        kind, argument = args.child
        {"floor-sdk": floor_sdk, "floor-programs": floor_programs, "floor-pack": floor_pack}[kind](json.loads(argument))
        return
    result = measure(args.root.resolve(), args.runs)
    print(json.dumps(result, indent=2))
    print(table(result, result))


if __name__ == "__main__":
    main()
