"""``drctl drill``: the plan of a DR drill and the report to fill in while running it.

The plan comes from the offline plans of the pair: which Chaos Studio experiments the active stack declares
(``azure-dr:drills``), when the switch commands run (``drctl promote --planned``, then ``drctl failback``), and
for each service its objective, the alert that watches it and where to read the replication figures. The report
is the seed DR plan's "DR Test Report" template with a measured RTO and RPO field per service beside the
objective.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from azure_dr.components.drills import FAULTS
from azure_dr.components.facts.health_signals import SIGNAL_TAG, SIGNALS
from azure_dr.components.facts.paths import dig
from azure_dr.components.facts.regions import region
from azure_dr.components.stack.config import ServiceName, StackConfig

from ..engine import programs as engine
from ..engine.recording import RecordedResource, StackPlan
from ..report import posture
from ..stackfiles.files import load_stack

CHAOS_API = "2024-03-22-preview"  # the SDK's API version for Microsoft.Chaos (facts §11)

# Where to read each service's replication figure by hand, beside its alert (the commands are az CLI).
READ_BY_HAND: dict[ServiceName, str] = {
    "postgresql": "az monitor metrics list --resource <standby server id> "
    "--metric physical_replication_delay_in_seconds --aggregation Maximum --interval PT1M",
    "cosmos": "az monitor metrics list --resource <account id> --metric ReplicationLatency --aggregation Maximum; "
    "az cosmosdb show --query writeLocations[0].locationName",
    "storage": "az storage account show --name <account> --expand geoReplicationStats "
    "--query geoReplicationStats.lastSyncTime (no metric exists: Learn, 'Check the Last Sync Time property')",
    "redis": "az monitor metrics list --resource <geo-secondary id> --metric GeoReplicationConnectivityLag",
    "routing": "az monitor metrics list --resource <profile id> --metric OriginHealthPercentage --dimension Origin",
    "registry": "az acr replication list --registry <registry> --query [].status",
    "keyvault": "nothing replicates: both vaults hold the secrets (check the app reads the DR vault)",
    "compute": "velero backup get (the newest Completed backup's age is the RPO); kubectl get hpa -A (replicas "
    "scaled to the active count)",
}
SIGNALS_OF: dict[str, tuple[str, ...]] = {
    "postgresql": ("pg-replica-lag", "backup-age", "backup-job-failure"),
    "cosmos": ("cosmos-replication-latency", "cosmos-availability"),
    "redis": ("redis-link-health", "redis-link-lag"),
    "routing": ("frontdoor-origin-health",),
}


@dataclass(frozen=True)
class Watch:
    """One alert of the plans: the signal, its rule, what it is scoped to and its threshold."""

    stack: str
    signal: str
    rule: str
    scope: str
    threshold: float
    window: str

    def line(self) -> str:
        s = SIGNALS[self.signal]
        unit = {"rpo": f" {_unit(self.signal)}", "backup-interval": " h"}.get(s.judged_by, "")
        what = s.metric or "failed jobs"
        return (
            f"alert {self.rule} ({self.stack}): {what} {_op(s.operator)} {self.threshold:g}{unit} "
            f"over {self.window} on {self.scope}"
        )


def _unit(signal: str) -> str:
    return "ms" if SIGNALS[signal].unit_seconds == 0.001 else "s"


def _op(operator: str) -> str:
    return {"GreaterThan": ">", "LessThan": "<"}.get(operator, operator)


def _name(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_name(v) for v in value)
    return str(value).rstrip("/").rsplit("/", 1)[-1]


def watches(plans: Sequence[StackPlan]) -> list[Watch]:
    """The plans' alerts in the signal table's order (registration order varies with output resolution)."""
    found = []
    for plan in plans:
        for r in plan.resources:
            signal = dig(r.inputs, f"tags.{SIGNAL_TAG}")
            if r.type not in ("azure-native:monitor:MetricAlert", "azure-native:monitor:ScheduledQueryRule"):
                continue
            if signal not in SIGNALS:
                continue
            found.append(
                Watch(
                    plan.stack,
                    str(signal),
                    str(r.inputs.get("ruleName")),
                    _name(r.inputs.get("scopes") or []),
                    float(dig(r.inputs, "criteria.allOf.0.threshold") or 0),
                    str(r.inputs.get("windowSize")),
                )
            )
    order = list(SIGNALS)
    return sorted(found, key=lambda w: (order.index(w.signal), w.stack, w.rule))


def experiments(plans: Sequence[StackPlan]) -> list[tuple[StackPlan, RecordedResource]]:
    return [(p, r) for p in plans for r in p.of_type("azure-native:chaos:Experiment")]


def _fault(experiment: RecordedResource) -> str:
    urn = str(dig(experiment.inputs, "properties.steps.0.branches.0.actions.0.name"))
    return next((k for k, f in FAULTS.items() if f.urn == urn), urn)


def _start_command(plan: StackPlan, experiment: RecordedResource) -> str:
    path = (
        f"/subscriptions/$SUBSCRIPTION_ID/resourceGroups/{experiment.inputs.get('resourceGroupName')}"
        f"/providers/Microsoft.Chaos/experiments/{experiment.inputs.get('experimentName')}"
    )
    return f'az rest --method post --url "https://management.azure.com{path}/start?api-version={CHAOS_API}"'


@dataclass(frozen=True)
class Pair:
    active: StackPlan
    standby: StackPlan | None
    config: StackConfig


def _pair(root: Path, plans: Sequence[StackPlan]) -> Pair:
    judge = posture.objectives_stack(plans)
    if judge is None:
        raise ValueError("no stack planned without errors: nothing to drill")
    standby = next((p for p in plans if p.error is None and p is not judge), None)
    return Pair(judge, standby, posture.config_of(load_stack(root, judge.stack)))


def _where(plan: StackPlan | None) -> str:
    if plan is None:
        return "(none)"
    name = str(plan.outputs.get("region", ""))
    shown = region(name).display_name if name else "?"
    return f"{plan.stack} ({shown}, {plan.outputs.get('role')})"


def _fmt(minutes: float) -> str:
    return f"{minutes:g} min" if minutes < 120 else f"{minutes / 60:g} h"


def plan_text(root: Path, plans: Sequence[StackPlan]) -> str:
    """The drill plan: experiments, the switch commands in order, what to measure and where."""
    pair = _pair(root, plans)
    cfg, found = pair.config, experiments(plans)
    lines = [
        f"DR drill plan: {_where(pair.active)} -> {_where(pair.standby)}; objectives of {pair.active.stack}",
        "",
        "Experiments (Chaos Studio):",
    ]
    if found:
        for plan, experiment in found:
            fault = _fault(experiment)
            what = FAULTS[fault].what if fault in FAULTS else fault
            lines.append(f"  {fault:<16} {experiment.inputs.get('experimentName')}: {what}")
            lines.append(f"  {'':<16} start: {_start_command(plan, experiment)}")
    else:
        wanted = ", ".join(cfg.drills.experiments)
        lines.append(
            f"  none declared: set azure-dr:drills {{enabled: true}} on {pair.active.stack} (experiments: {wanted}) "
            "and pulumi up; or simulate the outage by hand (block the app's network, stop the app)"
        )
    lines += ["", "Steps:"]
    lines += [f"  {when:<7} {what}" for when, what in timeline(pair, found)]
    lines += ["", "Measure (objective; alert; read by hand):"]
    by_signal: dict[str, list[Watch]] = {}
    for w in watches(plans):
        by_signal.setdefault(w.signal, []).append(w)
    for row in posture.posture(plans, cfg):
        lines.append(
            f"  {row.service:<11} RPO {_fmt(row.objective_rpo)}, RTO {_fmt(row.objective_rto)} ({row.tier}); "
            f"modeled {row.mechanism.description if row.mechanism else 'no DR mechanism'}"
        )
        for signal in SIGNALS_OF.get(row.service, ()):
            lines += [f"  {'':<11} {w.line()}" for w in by_signal.get(signal, [])]
        lines.append(f"  {'':<11} read: {READ_BY_HAND[row.service]}")
    return "\n".join(lines)


def timeline(pair: Pair, found: Sequence[tuple[StackPlan, RecordedResource]]) -> list[tuple[str, str]]:
    """The drill's steps in order: when each experiment starts and when each switch command runs."""
    standby = pair.standby.stack if pair.standby else "the standby stack"
    faults = ", ".join(_fault(e) for _, e in found) or "the simulated outage"
    return [
        ("T-1d", "announce the drill; check every alert above is quiet and the last long-term backup succeeded"),
        ("T-5m", "write a marker row (id + UTC time) to each data store: the RPO is measured against it"),
        ("T+0", f"start {faults} (commands above); note the time"),
        ("T+0..", "wait for the alerts above to fire; note each alert's time (detection)"),
        (
            "T+det",
            f"run `drctl promote --planned` (the switch: {standby} becomes active) and follow its runbook, "
            "`pulumi up` in the order it prints",
        ),
        ("T+rec", "the app answers from the DR region through Front Door: note the time (RTO = T+rec - T+0)"),
        ("T+rec", "read the newest marker each store has in the DR region (RPO = marker gap per service)"),
        ("T+val", "run the integration tests against the DR region; stop the experiments if still running"),
        ("T+fb", "run `drctl failback` when the primary region is healthy again and follow its runbook"),
        ("T+end", "fill in the drill report (drctl drill --report FILE) and file the action items"),
    ]


def report_markdown(root: Path, plans: Sequence[StackPlan], when: datetime) -> str:
    """The seed's "DR Test Report" template with measured RTO/RPO fields per service beside the objective."""
    pair = _pair(root, plans)
    cfg, found = pair.config, experiments(plans)
    rows = posture.posture(plans, cfg)
    shortest_rto = min(r.objective_rto for r in rows)
    shortest_rpo = min(r.objective_rpo for r in rows)
    experiments_text = ", ".join(f"`{e.inputs.get('experimentName')}`" for _, e in found) or "none (outage simulated)"
    watch_by_service: dict[str, list[str]] = {}
    for w in watches(plans):
        watch_by_service.setdefault(SIGNALS[w.signal].service, []).append(f"`{w.rule}`")
    lines = [
        f"# DR Test Report - {when:%Y-%m-%d}",
        "",
        "## Test Details",
        "- Type: Full DR",
        f"- Date: {when:%Y-%m-%d %H:%M} UTC",
        "- Duration: _ hours _ minutes",
        "- Participants: [Names and roles]",
        f"- Pair: {_where(pair.active)} -> {_where(pair.standby)}",
        f"- Experiments: {experiments_text}",
        "",
        "## Objectives",
        *(f"- [ ] {r.service}: RTO {_fmt(r.objective_rto)}, RPO {_fmt(r.objective_rpo)} ({r.tier})" for r in rows),
        f"- [ ] Long-term backups: last weekly backup succeeded; kept {cfg.objectives.long_term_retention_years} years",
        "- [ ] Failback successful (`drctl failback`)",
        "",
        "## Timeline",
        "| Time | Event | Owner | Status |",
        "|------|-------|-------|--------|",
        *(f"| {t} | {what} | | ✅/❌ |" for t, what in timeline(pair, found)),
        "",
        "## Metrics",
        "| Service | Tier | RTO Target | RTO Achieved | RPO Target | RPO Achieved | Alerts | Read by hand |",
        "|---------|------|------------|--------------|------------|--------------|--------|--------------|",
        *(
            f"| {r.service} | {r.tier} | {_fmt(r.objective_rto)} | _ | {_fmt(r.objective_rpo)} | _ | "
            f"{', '.join(watch_by_service.get(r.service, [])) or '-'} | {READ_BY_HAND[r.service].split(' (')[0]} |"
            for r in rows
        ),
        "",
        f"- **RTO Target**: {_fmt(shortest_rto)} (strictest tier)",
        "- **RTO Achieved**: _",
        f"- **RPO Target**: {_fmt(shortest_rpo)} (strictest tier)",
        "- **RPO Achieved**: _",
        "",
        "## Issues Encountered",
        "1. Issue description",
        "   - Impact: ...",
        "   - Resolution: ...",
        "   - Action item: ...",
        "",
        "## Lessons Learned",
        "- ...",
        "",
        "## Action Items",
        "- [ ] Update runbook section X",
        "- [ ] Automate step Y",
        "- [ ] Train team on Z",
        "",
    ]
    return "\n".join(lines)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``drctl drill`` on the CLI's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "drill", help="print the DR drill plan; --report writes the drill report to fill in"
    )
    parser.add_argument("stacks", nargs="*", help="stacks of the pair (default: all, peers first)")
    parser.add_argument("--report", metavar="FILE", type=Path, help="write the Markdown drill report to FILE")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="the drill's date in the report (default: today)")
    return parser


def _when(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"--date {value!r}: expected YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    """Plan the pair, print the drill plan, write the report when asked."""
    try:
        when = _when(args.date)
    except ValueError as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 2
    if args.report is not None and not args.report.parent.is_dir():
        print(f"drctl: --report {args.report}: no such directory {args.report.parent}", file=sys.stderr)
        return 2
    plans = engine.plan_stacks(args.stacks or None, args.root)
    failed = [p for p in plans if p.error]
    for p in failed:
        print(f"drctl: stack {p.stack}: {p.error}", file=sys.stderr)
    if failed:
        return 1
    print(plan_text(args.root, plans))
    if args.report is not None:
        try:
            args.report.write_text(report_markdown(args.root, plans, when))
        except OSError as exc:
            print(f"drctl: --report {args.report}: {exc.strerror}", file=sys.stderr)
            return 2
        print(f"\ndrill report written to {args.report}")
    return 0
