"""The pull-request check against Checkov, where its time goes, and how it grows. Figures, not pass/fail.

    .venv/bin/python benchmarks/bench_pr_check.py [--runs 7] [--phase-runs 5] [--scale 1,10,50] [--write]

1. ``drctl check`` of both shipped stacks, a cold process each time (the console script, no result cache), and
   Checkov scanning the seed's Terraform (``fixtures/seed000_terraform``), in ONE loop alternating the two.
   Checkov lives in this benchmark's own environment (``benchmarks/.venv-checkov``, git-ignored), never in the
   project's dependencies; it is installed on first use with the project's uv.
2. The phase table of a cold check against each phase's floor (``phases.py``).
3. Scale: a temporary copy of the project grown to 10x and 50x the shipped resources, half by more Cosmos
   databases and containers in the primary stack, half by more standby stacks of the same program in other
   regions; cold ``drctl plan`` and ``drctl check`` of all its stacks, seconds per resource.

``--write`` writes ``pr_check.md`` and ``pr_check.json`` beside this file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import phases  # noqa: E402

CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = HERE / ".venv-checkov"
TERRAFORM = HERE / "fixtures" / "seed000_terraform"
DRCTL = ROOT / ".venv" / "bin" / "drctl"
#: Regions a standby copy of the dr stack can live in (each gets its own names; primary stays UK South).
STANDBY_REGIONS = [
    *("northeurope", "westeurope", "francecentral", "germanywestcentral", "swedencentral", "switzerlandnorth"),
    *("norwayeast", "eastus", "westus", "eastus2", "centralus", "westus2", "westus3", "southcentralus"),
    *("canadacentral", "australiaeast", "japaneast", "southeastasia", "centralindia", "brazilsouth"),
    *("italynorth", "polandcentral", "spaincentral", "francesouth"),
]
CONTAINERS_PER_DATABASE = 20


def checkov() -> Path:
    binary = CHECKOV_VENV / "bin" / "checkov"
    if not binary.exists():
        uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
        subprocess.run([uv, "venv", "-q", str(CHECKOV_VENV), "--python", sys.executable], check=True)
        subprocess.run(
            [
                uv,
                "pip",
                "install",
                "-q",
                "--compile-bytecode",
                "--python",
                str(CHECKOV_VENV / "bin" / "python"),
                f"checkov=={CHECKOV_VERSION}",
            ],
            check=True,
        )
    return binary


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (the process and everything it waited for), exit status, stdout."""
    env = {k: v for k, v in os.environ.items() if k != "DRCTL_CACHE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, run.returncode, run.stdout


def versus_checkov(runs: int) -> dict[str, Any]:
    binary = checkov()
    ours = [str(DRCTL), "--root", str(ROOT), "check"]
    theirs = [str(binary), "-d", str(TERRAFORM), "--compact", "--quiet", "--skip-download"]
    samples: dict[str, list[tuple[float, float]]] = {"drctl check": [], "checkov": []}
    summary = json.loads(
        subprocess.run([*theirs[:3], "-o", "json", "--skip-download"], capture_output=True, text=True).stdout
    )["summary"]
    for _ in range(runs):
        for name, command in (("drctl check", ours), ("checkov", theirs)):
            wall, cpu, status, _ = timed(command)
            if name == "drctl check" and status != 0:
                raise SystemExit(f"drctl check failed with {status}")
            samples[name].append((wall, cpu))
    result: dict[str, Any] = {"runs": runs, "checkov_scan": {"version": CHECKOV_VERSION, **summary}}
    for name, values in samples.items():
        walls = [w for w, _ in values]
        result[name] = {
            "wall_median": statistics.median(walls),
            "wall_min": min(walls),
            "cpu_median": statistics.median(c for _, c in values),
            "walls": walls,
        }
    result["ratio_wall_median"] = result["drctl check"]["wall_median"] / result["checkov"]["wall_median"]
    result["ratio_cpu_median"] = result["drctl check"]["cpu_median"] / result["checkov"]["cpu_median"]
    return result


# -- scale -------------------------------------------------------------------------------------------------------


def _yaml() -> YAML:
    """Round-trip YAML: keys in their order, strings that look like booleans kept quoted."""
    return YAML()


def _dump(document: Any, path: Path) -> None:
    with path.open("w") as out:
        _yaml().dump(document, out)


def grow(dest: Path, factor: int, base: int) -> None:
    """The shipped project, grown to about ``factor`` times its ``base`` analysed resources."""
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / name, dest / name)
    (dest / "policies").symlink_to(ROOT / "policies")
    if factor == 1:
        return
    extra = base * (factor - 1)
    dr = _yaml().load((ROOT / "Pulumi.dr.yaml").read_text())
    standby_size = 20
    stacks = min(len(STANDBY_REGIONS), extra // 2 // standby_size)
    for region in STANDBY_REGIONS[:stacks]:
        config = json.loads(json.dumps(dr))
        values = config["config"]
        values["azure-native:location"] = values["azure-dr:region"] = region
        values["azure-dr:routing"]["origin_host"] = f"app-qlp-prod-{region}.azurewebsites.net"
        _dump(config, dest / f"Pulumi.dr-{region}.yaml")
    remaining = extra - stacks * standby_size
    databases = math.ceil(remaining / (CONTAINERS_PER_DATABASE + 1))
    primary = _yaml().load((ROOT / "Pulumi.primary.yaml").read_text())
    cosmos = primary["config"]["azure-dr:cosmos"]
    for index in range(databases):
        containers = [{"name": f"c{c:02d}", "partition_key": "/tenantId"} for c in range(CONTAINERS_PER_DATABASE)]
        cosmos["databases"].append({"name": f"db{index:03d}", "containers": containers})
    _dump(primary, dest / "Pulumi.primary.yaml")


def _analysed(check_output: str) -> int:
    """Resources the check analysed, from its ``stack NAME: N resources`` lines."""
    return sum(
        int(line.split(": ", 1)[1].split()[0])
        for line in check_output.splitlines()
        if line.startswith("stack ") and " resources," in line
    )


def scale(factors: list[int], runs: int) -> list[dict[str, Any]]:
    rows = []
    for factor in factors:
        with tempfile.TemporaryDirectory(prefix=f"drctl-scale-{factor}x-") as tmp:
            root = Path(tmp)
            grow(root, factor, base=52)
            stacks = len(list(root.glob("Pulumi.*.yaml")))
            samples: dict[str, list[float]] = {"plan": [], "check": []}
            analysed = 0
            for _ in range(runs):
                for command in ("plan", "check"):
                    wall, _, status, out = timed([str(DRCTL), "--root", str(root), command])
                    if status not in (0, 1):
                        raise SystemExit(f"drctl {command} at {factor}x failed with {status}")
                    samples[command].append(wall)
                    if command == "check":
                        analysed = _analysed(out)
            plan_s, check_s = statistics.median(samples["plan"]), statistics.median(samples["check"])
            rows.append(
                {
                    "factor": factor,
                    "stacks": stacks,
                    "resources": analysed,
                    "plan_seconds": plan_s,
                    "check_seconds": check_s,
                    "plan_ms_per_resource": 1000 * plan_s / analysed,
                    "check_ms_per_resource": 1000 * check_s / analysed,
                }
            )
            print(rows[-1], flush=True)
    return rows


# -- report ------------------------------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    vs, ph, rows = result["versus_checkov"], result["phases"], result["scale"]
    ours, theirs = vs["drctl check"], vs["checkov"]
    lines = [
        "# The pull-request check: figures",
        "",
        f"Machine: {result['machine']}; measured {result['when']}, load average {result['load_average_at_start']:.1f}",
        "at the start (the machine is shared by other jobs: compare ratios from the same loop, not seconds across",
        "runs). `benchmarks/bench_pr_check.py --write` re-measures.",
        "",
        f"## `drctl check` (both stacks, cold process) against Checkov {vs['checkov_scan']['version']}",
        "",
        f"One loop of {vs['runs']} rounds alternating the two. Checkov scans the seed's Terraform "
        f"(`fixtures/seed000_terraform`: {vs['checkov_scan']['resource_count']} resources, "
        f"{vs['checkov_scan']['passed'] + vs['checkov_scan']['failed']} checks); drctl plans "
        f"{sum(ph['resources'].values())} "
        "resources in two stacks and runs the 48-rule pack over them through the analyzer protocol.",
        "",
        "| | wall median (s) | wall best (s) | CPU median (s) |",
        "|---|---|---|---|",
        f"| `drctl check` | {ours['wall_median']:.2f} | {ours['wall_min']:.2f} | {ours['cpu_median']:.2f} |",
        f"| Checkov | {theirs['wall_median']:.2f} | {theirs['wall_min']:.2f} | {theirs['cpu_median']:.2f} |",
        f"| ratio | **{vs['ratio_wall_median']:.2f}x** | | {vs['ratio_cpu_median']:.2f}x |",
        "",
        f"## Where a cold `drctl check` goes (median of {ph['runs']} runs, alternating with the floors)",
        "",
        phases.table(ph),
        "",
        "## Scale: the pair grown to 10x and 50x its resources",
        "",
        "Half of the growth is Cosmos databases of 20 containers in the primary stack, half is standby copies of",
        "the dr stack in other regions; each figure is a cold process over all the stacks.",
        "",
        "| size | stacks | resources | `drctl plan` (s) | ms/resource | `drctl check` (s) | ms/resource |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['factor']}x | {row['stacks']} | {row['resources']} | {row['plan_seconds']:.2f} | "
            f"{row['plan_ms_per_resource']:.1f} | {row['check_seconds']:.2f} | {row['check_ms_per_resource']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--phase-runs", type=int, default=5)
    parser.add_argument("--scale", default="1,10,50")
    parser.add_argument("--scale-runs", type=int, default=1)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores"
    result = {
        "machine": f"{machine}, Python {platform.python_version()}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average_at_start": os.getloadavg()[0],
        "versus_checkov": versus_checkov(args.runs),
    }
    print(json.dumps(result["versus_checkov"], indent=2), flush=True)
    result["phases"] = phases.measure(args.phase_runs)
    print(phases.table(result["phases"]), flush=True)
    result["scale"] = scale([int(f) for f in args.scale.split(",")], args.scale_runs)
    if args.write:
        (HERE / "pr_check.json").write_text(json.dumps(result, indent=2) + "\n")
    text = markdown(result)
    print(text)
    if args.write:
        (HERE / "pr_check.md").write_text(text)


if __name__ == "__main__":
    main()
