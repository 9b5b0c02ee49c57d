"""The pull-request check against Checkov, before and after a change, in one run. Figures, not pass/fail.

    .venv/bin/python benchmarks/bench_pr_check.py [--baseline REV] [--runs 7] [--phase-runs 5]
        [--scale 1,10,50] [--scale-runs 1] [--first-run-rounds 1] [--suite] [--ablation-runs 5] [--write]

The "after" variant is this working tree; the "before" variant is ``--baseline`` (a commit of the same
repository, default ``main``), extracted with ``git archive`` and run with this environment (its ``src/`` first on
the path). Both are warmed first (their bytecode written, as their first run would). Then, each section one loop
alternating its variants:

1. ``drctl check`` of both shipped stacks, a cold process each time (the console script, no result cache): before,
   after, and Checkov scanning the seed's Terraform (``fixtures/seed000_terraform``). Checkov lives in this
   benchmark's own environment (``benchmarks/.venv-checkov``, git-ignored), installed on first use with uv.
2. The phase table of a cold check, before and after (``phases.py``), and the floors.
3. Scale: a temporary copy of the project grown to 10x and 50x the shipped resources (half more Cosmos databases
   and containers in the primary stack, half more standby stacks in other regions); cold ``drctl check`` of all
   its stacks, before and after: seconds, milliseconds per resource, peak memory.
4. Cold first run: a fresh ``git clone`` of each variant, then its ``./dev plan`` (uv installed, the environment
   synced from the normal uv cache, bytecode as that version writes it, the plan and check).
5. ``--suite``: ``./dev test`` in those fresh clones, twice (the first run writes the new environment's bytecode).
6. Ablation: the after variant with each speed-up switched off in turn (``ablation.py``).

Every figure is wall and CPU seconds (the process and everything it waited for: the pack's process, Checkov's
workers, pip and uv), with the load average at the start of each section: the machine is shared, so compare
variants within a section, not seconds across runs. ``--write`` writes ``pr_check.md`` and ``pr_check.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import phases  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = HERE / ".venv-checkov"
TERRAFORM = HERE / "fixtures" / "seed000_terraform"
CONSOLE_SCRIPT = "from azure_dr.cli.launch import main; main()"
#: Regions a standby copy of the dr stack can live in (each gets its own names; primary stays UK South).
STANDBY_REGIONS = [
    *("northeurope", "westeurope", "francecentral", "germanywestcentral", "swedencentral", "switzerlandnorth"),
    *("norwayeast", "eastus", "westus", "eastus2", "centralus", "westus2", "westus3", "southcentralus"),
    *("canadacentral", "australiaeast", "japaneast", "southeastasia", "centralindia", "brazilsouth"),
    *("italynorth", "polandcentral", "spaincentral", "francesouth"),
]
CONTAINERS_PER_DATABASE = 20


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    peak_mb: float
    status: int
    stdout: str


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """One process: wall seconds, CPU seconds and peak memory of it and everything it waited for, its output."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, text)


def summary(samples: list[Sample]) -> dict[str, Any]:
    return {
        "wall_median": statistics.median(s.wall for s in samples),
        "wall_min": min(s.wall for s in samples),
        "cpu_median": statistics.median(s.cpu for s in samples),
        "peak_mb_median": statistics.median(s.peak_mb for s in samples),
        "walls": [round(s.wall, 3) for s in samples],
        "cpus": [round(s.cpu, 3) for s in samples],
    }


def load() -> float:
    return os.getloadavg()[0]


# -- variants ----------------------------------------------------------------------------------------------------


def extract(revision: str, dest: Path) -> Path:
    """The tree of ``revision`` of this repository at ``dest`` (``git archive``: no worktree, no checkout)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="fully_trusted")
    return dest


def warm(root: Path) -> None:
    """Bytecode for the variant's own packages and for what a check imports, as its first run writes it."""
    env = {**phases.environment(root)}
    env.pop("PYTHONDONTWRITEBYTECODE")
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", "components", "drctl", "src", "policies"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    subprocess.run(
        [PYTHON, "-c", CONSOLE_SCRIPT, "--root", str(root), "check"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def drctl(root: Path, project: Path, *args: str) -> Sample:
    return timed([PYTHON, "-c", CONSOLE_SCRIPT, "--root", str(project), *args], project, phases.environment(root))


def checkov() -> Path:
    binary = CHECKOV_VENV / "bin" / "checkov"
    if not binary.exists():
        uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
        subprocess.run([uv, "venv", "-q", str(CHECKOV_VENV), "--python", sys.executable], check=True)
        python = str(CHECKOV_VENV / "bin" / "python")
        install = [uv, "pip", "install", "-q", "--compile-bytecode", "--python", python, f"checkov=={CHECKOV_VERSION}"]
        subprocess.run(install, check=True)
    return binary


# -- 1. versus Checkov -------------------------------------------------------------------------------------------


def versus_checkov(variants: dict[str, Path], runs: int) -> dict[str, Any]:
    binary = checkov()
    theirs = [str(binary), "-d", str(TERRAFORM), "--compact", "--quiet", "--skip-download"]
    scan = subprocess.run([*theirs[:3], "-o", "json", "--skip-download"], capture_output=True, text=True).stdout
    samples: dict[str, list[Sample]] = {f"drctl check ({name})": [] for name in variants} | {"checkov": []}
    result: dict[str, Any] = {"runs": runs, "load_average_at_start": load()}
    for _ in range(runs):
        for name, root in variants.items():
            sample = drctl(root, root, "check")
            if sample.status != 0:
                raise SystemExit(f"drctl check ({name}) failed with {sample.status}")
            samples[f"drctl check ({name})"].append(sample)
        samples["checkov"].append(timed(theirs, ROOT))
    result["load_average_at_end"] = load()
    result["checkov_scan"] = {"version": CHECKOV_VERSION, **json.loads(scan)["summary"]}
    result |= {name: summary(values) for name, values in samples.items()}
    for name in variants:
        ours = result[f"drctl check ({name})"]
        result[f"ratio ({name})"] = {
            "wall": ours["wall_median"] / result["checkov"]["wall_median"],
            "cpu": ours["cpu_median"] / result["checkov"]["cpu_median"],
        }
    return result


# -- 2. phases ---------------------------------------------------------------------------------------------------


def phase_tables(variants: dict[str, Path], runs: int) -> dict[str, Any]:
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {name: {} for name in variants}
    start = load()
    for _ in range(runs):
        for name, root in variants.items():
            for phase, seconds, importing in phases.run_once(root):
                samples[name].setdefault(phase, []).append((seconds, importing))
    result: dict[str, Any] = {"runs": runs, "load_average_at_start": start}
    result |= {name: {"phases": phases.summarise(values)} for name, values in samples.items()}
    result["floors"] = phases.measure_floors(max(1, runs // 2))
    return result


# -- 3. scale ----------------------------------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    return yaml


def grow(source: Path, dest: Path, factor: int, base: int) -> None:
    """``source``'s project, grown to about ``factor`` times its ``base`` analysed resources."""
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(source / name, dest / name)
    (dest / "policies").symlink_to(source / "policies")
    if factor == 1:
        return
    yaml = _yaml()
    extra = base * (factor - 1)
    dr = yaml.load((source / "Pulumi.dr.yaml").read_text())
    standby_size = 73  # the dr stack's analysed resources
    stacks = min(len(STANDBY_REGIONS), extra // 2 // standby_size)
    for region in STANDBY_REGIONS[:stacks]:
        config = json.loads(json.dumps(dr))
        values = config["config"]
        values["azure-native:location"] = values["azure-dr:region"] = region
        values["azure-dr:routing"]["origin_host"] = f"app-qlp-prod-{region}.azurewebsites.net"
        _dump(yaml, config, dest / f"Pulumi.dr-{region}.yaml")
    remaining = extra - stacks * standby_size
    databases = math.ceil(remaining / (CONTAINERS_PER_DATABASE + 1))
    primary = yaml.load((source / "Pulumi.primary.yaml").read_text())
    cosmos = primary["config"]["azure-dr:cosmos"]
    for index in range(databases):
        containers = [{"name": f"c{c:02d}", "partition_key": "/tenantId"} for c in range(CONTAINERS_PER_DATABASE)]
        cosmos["databases"].append({"name": f"db{index:03d}", "containers": containers})
    _dump(yaml, primary, dest / "Pulumi.primary.yaml")


def _dump(yaml: YAML, document: Any, path: Path) -> None:
    text = StringIO()
    yaml.dump(document, text)
    path.write_text(text.getvalue())


def _analysed(check_output: str) -> int:
    """Resources the check analysed, from its ``stack NAME: N resources`` lines."""
    return sum(
        int(line.split(": ", 1)[1].split()[0])
        for line in check_output.splitlines()
        if line.startswith("stack ") and " resources," in line
    )


def scale(variants: dict[str, Path], factors: list[int], runs: int) -> list[dict[str, Any]]:
    rows = []
    for factor in factors:
        with tempfile.TemporaryDirectory(prefix=f"drctl-scale-{factor}x-") as tmp:
            projects = {}
            for name, root in variants.items():
                projects[name] = Path(tmp) / name
                projects[name].mkdir()
                grow(root, projects[name], factor, base=179)
            samples: dict[str, list[Sample]] = {name: [] for name in variants}
            start = load()
            for _ in range(runs):
                for name, root in variants.items():
                    sample = drctl(root, projects[name], "check")
                    if sample.status not in (0, 1):
                        raise SystemExit(f"drctl check ({name}) at {factor}x failed with {sample.status}")
                    samples[name].append(sample)
            for name, values in samples.items():
                analysed = _analysed(values[-1].stdout)
                figures = summary(values)
                rows.append(
                    {
                        "factor": factor,
                        "variant": name,
                        "stacks": len(list(projects[name].glob("Pulumi.*.yaml"))),
                        "resources": analysed,
                        "load_average_at_start": start,
                        **figures,
                        "ms_per_resource": 1000 * figures["wall_median"] / analysed,
                        "cpu_ms_per_resource": 1000 * figures["cpu_median"] / analysed,
                    }
                )
                print(rows[-1], flush=True)
    return rows


# -- 4. and 5. a fresh clone -------------------------------------------------------------------------------------


def _clone(revision: str, dest: Path) -> None:
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", revision], check=True)


def _dev_env() -> dict[str, str]:
    """The environment a newcomer has: no result cache, no project paths; the machine's own settings kept."""
    return {k: v for k, v in os.environ.items() if k not in ("DRCTL_CACHE", "PYTHONPATH", "VIRTUAL_ENV")}


def first_runs(revisions: dict[str, str], rounds: int, tmp: Path) -> dict[str, Any]:
    """``./dev plan`` in a fresh clone of each revision, alternating; the last clones are kept for the suite."""
    samples: dict[str, list[Sample]] = {name: [] for name in revisions}
    clones: dict[str, Path] = {}
    start = load()
    for round_ in range(rounds):
        for name, revision in revisions.items():
            clone = tmp / f"{name}-{round_}"
            _clone(revision, clone)
            sample = timed([str(clone / "dev"), "plan"], clone, _dev_env())
            if sample.status != 0:
                raise SystemExit(f"./dev plan ({name}) in a fresh clone failed with {sample.status}")
            samples[name].append(sample)
            if name in clones:
                shutil.rmtree(clones[name], ignore_errors=True)
            clones[name] = clone
    result: dict[str, Any] = {"rounds": rounds, "load_average_at_start": start}
    result |= {name: summary(values) for name, values in samples.items()}
    result["clones"] = {name: str(path) for name, path in clones.items()}
    return result


#: The suite's runs in each clone: its first (it writes the bytecode and the SDK's class-body caches of a new
#: environment for every module the tests import) and a run after it, as on any later day.
SUITE_RUNS = ("first run", "run again")


def suites(clones: dict[str, str]) -> dict[str, Any]:
    """``./dev test`` twice in each fresh clone (already set up by its first ``./dev plan``), alternating."""
    result: dict[str, Any] = {"load_average_at_start": load()}
    for run in SUITE_RUNS:
        for name, clone in clones.items():
            sample = timed([str(Path(clone) / "dev"), "test"], Path(clone), _dev_env())
            last = [line for line in sample.stdout.splitlines() if line.strip()][-1:]
            key = f"{name}, {run}"
            result[key] = {"wall": sample.wall, "cpu": sample.cpu, "status": sample.status, "summary": last}
            print(key, result[key], flush=True)
    return result


# -- 6. ablation -------------------------------------------------------------------------------------------------

ABLATION = {
    "all speed-ups": [],
    "stock SDK (no drctl.sdk patches)": ["--stock-sdk"],
    "pack in its own process": ["--pack-process"],
    "monitor calls on worker threads (the SDK's executor)": ["--threaded-calls"],
    "collector on": ["--gc"],
    "interpreter teardown at exit": ["--slow-exit"],
}


def ablation(runs: int) -> dict[str, Any]:
    samples: dict[str, list[Sample]] = {name: [] for name in ABLATION}
    start = load()
    for _ in range(runs):
        for name, flags in ABLATION.items():
            command = [PYTHON, str(HERE / "ablation.py"), *flags, "--", "--root", str(ROOT), "check"]
            samples[name].append(timed(command, ROOT, phases.environment(ROOT)))
    return {"runs": runs, "load_average_at_start": start} | {name: summary(v) for name, v in samples.items()}


# -- report ------------------------------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    vs = result["versus_checkov"]
    names = list(result["variants"])
    lines = [
        "# The pull-request check: figures",
        "",
        f"Machine: {result['machine']}; measured {result['when']} in one run of `benchmarks/bench_pr_check.py`",
        f"(before = `{result['baseline']}`, after = this tree at `{result['head']}`). The machine is shared by other",
        "jobs: each section is one loop alternating its variants, with the load average at its start; compare",
        "variants within a section, and CPU beside wall (CPU includes every process waited for: the pack's, Checkov's",
        "workers, pip and uv).",
        "",
        f"## `drctl check` of the pair against Checkov {vs['checkov_scan']['version']}",
        "",
        f"{vs['runs']} rounds alternating before, after and Checkov (load average {vs['load_average_at_start']:.1f}"
        f" at the start, {vs['load_average_at_end']:.1f} at the end). Checkov scans the seed's Terraform"
        f" (`fixtures/seed000_terraform`: {vs['checkov_scan']['resource_count']} resources,"
        f" {vs['checkov_scan']['passed'] + vs['checkov_scan']['failed']} checks); drctl plans and checks the shipped"
        " pair.",
        "",
        "| | wall median (s) | wall best (s) | CPU median (s) | peak memory (MB) | ratio to Checkov (wall / CPU) |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        row, ratio = vs[f"drctl check ({name})"], vs[f"ratio ({name})"]
        lines.append(
            f"| `drctl check` ({name}) | {row['wall_median']:.2f} | {row['wall_min']:.2f} | {row['cpu_median']:.2f} | "
            f"{row['peak_mb_median']:.0f} | **{ratio['wall']:.2f}x** / {ratio['cpu']:.2f}x |"
        )
    row = vs["checkov"]
    lines.append(
        f"| Checkov | {row['wall_median']:.2f} | {row['wall_min']:.2f} | {row['cpu_median']:.2f} | "
        f"{row['peak_mb_median']:.0f} | 1 |"
    )
    ph = result["phases"]
    lines += [
        "",
        f"## Where a cold `drctl check` goes, before and after ({ph['runs']} rounds alternating, medians; load"
        f" average {ph['load_average_at_start']:.1f})",
        "",
        'Each phase ends at a mark the instrumented console script writes (`phases.py`); "of which importing" is',
        "what Python's `-X importtime` counted inside it (the library's and the SDK's modules).",
        "",
        phases.table(ph[names[0]], ph[names[-1]]),
        "",
        "Floors (each a fresh process doing only the least a phase needs):",
        "",
        "| floor | seconds |",
        "|---|---|",
        *(f"| {name} | {seconds:.3f} |" for name, seconds in ph["floors"].items()),
    ]
    if result.get("ablation"):
        ab = result["ablation"]
        lines += [
            "",
            f"## Each speed-up switched off in turn ({ab['runs']} rounds alternating; load average"
            f" {ab['load_average_at_start']:.1f})",
            "",
            "| variant | wall median (s) | CPU median (s) | peak memory (MB) |",
            "|---|---|---|---|",
        ]
        for name in ABLATION:
            row = ab[name]
            lines.append(
                f"| {name} | {row['wall_median']:.2f} | {row['cpu_median']:.2f} | {row['peak_mb_median']:.0f} |"
            )
    lines += [
        "",
        "## Scale: the pair grown to several times its resources",
        "",
        "Half of the growth is Cosmos databases of 20 containers in the primary stack, half standby copies of the dr",
        "stack in other regions; each figure is a cold `drctl check` of all the stacks.",
        "",
        "| size | variant | stacks | resources | wall (s) | ms/resource | CPU (s) | CPU ms/resource | peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["scale"]:
        lines.append(
            f"| {row['factor']}x | {row['variant']} | {row['stacks']} | {row['resources']} | "
            f"{row['wall_median']:.2f} | {row['ms_per_resource']:.1f} | {row['cpu_median']:.2f} | "
            f"{row['cpu_ms_per_resource']:.1f} | {row['peak_mb_median']:.0f} |"
        )
    if result.get("first_run"):
        fr = result["first_run"]
        lines += [
            "",
            f"## A fresh clone's first `./dev plan` ({fr['rounds']} round(s) alternating; load average"
            f" {fr['load_average_at_start']:.1f})",
            "",
            "`git clone`, then `./dev plan`: uv installed into `.tools/`, the locked environment synced from the",
            "normal (warm) uv cache, bytecode as that version writes it, then the plan and check of the pair.",
            "",
            "| variant | wall (s) | CPU (s) |",
            "|---|---|---|",
            *(f"| {name} | {fr[name]['wall_median']:.1f} | {fr[name]['cpu_median']:.1f} |" for name in names),
        ]
    if result.get("suite"):
        su = result["suite"]
        lines += [
            "",
            f"## `./dev test` in those clones (load average {su['load_average_at_start']:.1f})",
            "",
            "| variant | wall (s) | CPU (s) | result |",
            "|---|---|---|---|",
            *(
                f"| {key} | {su[key]['wall']:.0f} | {su[key]['cpu']:.0f} | {' '.join(su[key]['summary'])} |"
                for run in SUITE_RUNS
                for key in (f"{name}, {run}" for name in names)
                if key in su
            ),
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default="main", help="the commit 'before' is (default: main)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--phase-runs", type=int, default=5)
    parser.add_argument("--scale", default="1,5,10,15", help="sizes, in multiples of the pair (15x: ~2,700)")
    parser.add_argument("--scale-runs", type=int, default=1)
    parser.add_argument("--first-run-rounds", type=int, default=1)
    parser.add_argument("--suite", action="store_true", help="also ./dev test in the fresh clones")
    parser.add_argument("--ablation-runs", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    def revision(name: str) -> str:
        found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", name], capture_output=True, text=True)
        return found.stdout.strip()

    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores"
    result: dict[str, Any] = {
        "machine": f"{machine}, Python {platform.python_version()}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "baseline": revision(args.baseline),
        "head": revision("HEAD"),
    }
    with tempfile.TemporaryDirectory(prefix="drctl-bench-") as tmp:
        variants = {"before": extract(args.baseline, Path(tmp) / "before"), "after": ROOT}
        result["variants"] = {name: str(path) for name, path in variants.items()}
        for root in variants.values():
            warm(root)
        result["versus_checkov"] = versus_checkov(variants, args.runs)
        print(json.dumps(result["versus_checkov"], indent=2), flush=True)
        result["phases"] = phase_tables(variants, args.phase_runs)
        print(phases.table(result["phases"]["before"], result["phases"]["after"]), flush=True)
        if args.ablation_runs:
            result["ablation"] = ablation(args.ablation_runs)
        result["scale"] = scale(variants, [int(f) for f in args.scale.split(",")], args.scale_runs)
        if args.first_run_rounds:
            revisions = {"before": args.baseline, "after": "HEAD"}
            result["first_run"] = first_runs(revisions, args.first_run_rounds, Path(tmp))
            print(json.dumps(result["first_run"], indent=2), flush=True)
            if args.suite:
                result["suite"] = suites(result["first_run"]["clones"])
    if args.write:
        (HERE / "pr_check.json").write_text(json.dumps(result, indent=2) + "\n")
    text = markdown(result)
    print(text)
    if args.write:
        (HERE / "pr_check.md").write_text(text)


if __name__ == "__main__":
    main()
