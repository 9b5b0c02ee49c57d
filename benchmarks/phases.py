"""Where a cold ``drctl check`` of the pair spends its time, phase by phase, against the floor of each phase.

    .venv/bin/python benchmarks/phases.py [--runs 5]      (prints JSON; bench_pr_check.py writes the report)

Each run is a fresh process doing what ``drctl check`` does (``azure_dr.cli.launch``: imports, gc settings, pack
prestarted, each stack's program, the pack's calls, the report), with a timestamp after each step; the parent
measures the whole process from spawn to exit. The floors are separate fresh processes doing only the least the
phase needs: the bare interpreter; ``import pulumi``; exactly the SDK resource modules the plan's types live in
(not their whole subpackages); a bare mock run registering as many plain ``CustomResource`` s; an empty pack's
start-up and the same gRPC calls answered by it. Medians of ``--runs``, runs alternating between the real thing
and the floors.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import io
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
EMPTY_PACK = """
from pulumi_policy import PolicyPack, ResourceValidationPolicy
noop = ResourceValidationPolicy(name="noop", description="noop", validate=lambda args, report: None)
PolicyPack(name="empty", policies=[noop])
"""


def child_check(types: list[str]) -> dict[str, float]:
    """The steps of ``drctl check`` (as ``azure_dr.cli.launch`` runs it), each timestamped."""
    marks = {"start": time.time()}
    from azure_dr.cli import launch
    from azure_dr.cli.engine import (
        analyzer,
        check,
    )
    from azure_dr.cli.engine import programs as engine
    from azure_dr.cli.report import posture
    from azure_dr.cli.stackfiles.files import load_stack

    marks["imports"] = time.time()
    from azure_dr.cli.sdk.imports import load_sdk_modules_on_demand

    load_sdk_modules_on_demand()  # as the engine does before the program imports the library
    import azure_dr.components.stack.region  # noqa: F401

    marks["components"] = time.time()
    gc.freeze()
    gc.set_threshold(*launch.GC_THRESHOLDS)
    launch._prestart_pack(["--root", str(ROOT), "check"])
    marks["prestart"] = time.time()
    for token in types:  # the plan's classes, read as the program will read them
        _, module, name = token.split(":")
        getattr(importlib.import_module(f"pulumi_azure_native.{module}"), name)
    marks["sdk"] = time.time()
    plans = []
    outputs: dict[str, Any] = {}
    for name in engine.plan_order(ROOT):
        plan = engine.run_stack(load_stack(ROOT, name), outputs, ROOT)
        outputs[name] = plan.outputs
        plans.append(plan)
        marks[f"program {name}"] = time.time()
    objectives = {p.stack: posture.config_of(load_stack(ROOT, p.stack)) for p in plans}
    with analyzer.open_pack(ROOT / "policies", project=plans[0].project, stack=check.pack_stack(plans)) as pack:
        marks["pack wait"] = time.time()
        name_, version, policies, _ = pack.info()
        report = analyzer.PackReport(pack_name=name_, pack_version=version, policies=policies)
        for plan in plans:
            pack.configure(check.objectives_config(objectives[plan.stack]))
            results, skipped = pack.analyze_stack(plan)
            report.results.extend(results)
            report.not_applicable.extend(skipped)
        marks["grpc"] = time.time()
    text = check.report_text(plans, report)
    marks["render"] = time.time()
    registered = {p.stack: len(p.resources) for p in plans}
    verdict = text.splitlines()[-1]
    print(json.dumps({"marks": marks, "verdict": verdict, "resources": _counts(plans), "registered": registered}))
    sys.stdout.flush()
    os._exit(0)


def _counts(plans: list[Any]) -> dict[str, int]:
    return {p.stack: sum(1 for r in p.resources if r.custom and not r.read) for p in plans}


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
    import importlib.util
    import types

    import pulumi  # noqa: F401

    start = time.time()
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
    print(json.dumps({"seconds": time.time() - start}))


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
        start = time.time()
        mocks.set_mocks(Plain(), project="azure-dr", stack=stack, preview=False)
        settings.ROOT.set(None)

        def program(n: int = count) -> None:
            for i in range(n):
                pulumi.CustomResource("azure-native:resources:ResourceGroup", f"r{i}", {"location": "uksouth"})

        pulumi.runtime.sync_await._sync_await(pulumi.runtime.stack.run_in_stack(program))
        seconds[stack] = time.time() - start
    print(json.dumps(seconds))


def floor_pack(counts: dict[str, int]) -> None:
    """An empty pack: its start-up, and the same number of Analyze + AnalyzeStack calls."""
    from azure_dr.cli.engine.analyzer import PolicyPackProcess
    from azure_dr.cli.engine.recording import RecordedResource, StackPlan

    with tempfile.TemporaryDirectory() as tmp:
        pack_dir = Path(tmp)
        (pack_dir / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
        (pack_dir / "__main__.py").write_text(EMPTY_PACK)
        start = time.time()
        with PolicyPackProcess(pack_dir, project="azure-dr") as pack:
            started = time.time()
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
            done = time.time()
    print(json.dumps({"start": started - start, "grpc": done - started}))


def _run(args: list[str]) -> tuple[float, dict[str, Any]]:
    start = time.time()
    run = subprocess.run([PYTHON, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    total = time.time() - start
    return total, {"spawn": start, **json.loads(run.stdout.strip().splitlines()[-1])}


def measure(runs: int) -> dict[str, Any]:
    me = str(Path(__file__).resolve())
    samples: dict[str, list[float]] = {}
    floors: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    registered: dict[str, int] = {}
    verdict = ""

    def add(store: dict[str, list[float]], key: str, value: float) -> None:
        store.setdefault(key, []).append(value)

    types = _plan_types()
    for _ in range(runs):
        total, out = _run([me, "--child", "check", json.dumps(types)])
        marks = out["marks"]
        counts, registered, verdict = out["resources"], out["registered"], out["verdict"]
        order = list(marks)
        add(samples, "interpreter start", marks["start"] - out["spawn"])
        for previous, step in itertools.pairwise(order):
            add(samples, step, marks[step] - marks[previous])
        add(samples, "exit", out["spawn"] + total - marks[order[-1]])
        add(samples, "total", total)
        floor_total, _ = _run(["-c", "print('{}')"])
        add(floors, "interpreter start", floor_total)
        _, out = _run(["-c", "import time,json;s=time.time();import pulumi;print(json.dumps({'s':time.time()-s}))"])
        add(floors, "imports", out["s"])
        _, out = _run([me, "--child", "floor-sdk", json.dumps(_resource_modules_cached(types))])
        add(floors, "sdk", out["seconds"])
        _, out = _run([me, "--child", "floor-programs", json.dumps(registered)])
        for stack, seconds in out.items():
            if stack not in {"spawn"}:
                add(floors, f"program {stack}", seconds)
        _, out = _run([me, "--child", "floor-pack", json.dumps(counts)])
        add(floors, "pack start (empty pack)", out["start"])
        add(floors, "grpc", out["grpc"])
    return {
        "runs": runs,
        "resources": counts,
        "registrations": registered,
        "verdict": verdict,
        "phases": {k: statistics.median(v) for k, v in samples.items()},
        "floors": {k: statistics.median(v) for k, v in floors.items()},
    }


_MODULES: list[str] = []


def _resource_modules_cached(types: list[str]) -> list[str]:
    if not _MODULES:
        _MODULES.extend(_resource_modules(types))
    return _MODULES


def _plan_types() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from azure_dr.cli.engine import programs as engine

    with contextlib.redirect_stdout(io.StringIO()):
        plans = engine.plan_stacks(None, ROOT)
    return sorted({r.type for p in plans for r in p.resources if r.custom and r.type.startswith("azure-native:")})


LABELS = {
    "interpreter start": ("interpreter start (python + site)", "interpreter start"),
    "imports": ("import drctl (pulumi, pydantic, grpc, yaml, config model)", "imports"),
    "components": ("import components (the library)", None),
    "prestart": ("gc settings + pack spawned (it starts in parallel)", None),
    "sdk": ("load the azure-native modules of the plan's classes (on demand)", "sdk"),
    "program primary": ("program run, primary", "program primary"),
    "program dr": ("program run, dr", "program dr"),
    "pack wait": ("pack start not hidden by the programs", "pack start (empty pack)"),
    "grpc": ("gRPC calls (GetAnalyzerInfo, Configure, Analyze, AnalyzeStack)", "grpc"),
    "render": ("report rendering", None),
    "exit": ("interpreter exit", None),
}
FLOOR_NOTES = {
    "interpreter start": "`python -c pass`",
    "imports": "`import pulumi` alone",
    "sdk": "exactly the resource modules of the plan's types",
    "program primary": "bare mock run, as many plain CustomResources as the program registers",
    "program dr": "bare mock run, as many plain CustomResources as the program registers",
    "pack start (empty pack)": "an empty pack's whole start-up (spawn to ready)",
    "grpc": "the same calls answered by an empty pack",
}


def table(result: dict[str, Any]) -> str:
    phases, floors = result["phases"], result["floors"]
    total = phases["total"]
    lines = ["| phase | seconds | share | floor (s) | floor is |", "|---|---|---|---|---|"]
    for key, (label, floor_key) in LABELS.items():
        if key not in phases:
            continue
        floor = f"{floors[floor_key]:.3f}" if floor_key in floors else "—"
        note = FLOOR_NOTES.get(floor_key or "", "—")
        lines.append(f"| {label} | {phases[key]:.3f} | {phases[key] / total:.0%} | {floor} | {note} |")
    lines.append(f"| **whole process (spawn to exit)** | **{total:.3f}** | 100% | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        kind, *rest = args.child
        if kind == "check":
            child_check(json.loads(rest[0]))
        elif kind == "floor-sdk":
            floor_sdk(json.loads(rest[0]))
        elif kind == "floor-programs":
            floor_programs(json.loads(rest[0]))
        elif kind == "floor-pack":
            floor_pack(json.loads(rest[0]))
        return
    result = measure(args.runs)
    print(json.dumps(result, indent=2))
    print(table(result))


if __name__ == "__main__":
    main()
