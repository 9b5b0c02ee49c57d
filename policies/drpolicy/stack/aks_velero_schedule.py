"""A stack that runs a cluster backs it up with Velero: a Schedule that keeps backups long enough, often enough.

The Schedule's ``template.ttl`` must be at least the backup-retention objective, and the longest gap between
two runs of its cron (``facts.schedule``) at most the compute tier's RPO. A paused schedule does not count.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.azure_facts.schedule import CronError, max_gap_minutes, ttl_hours
from drpolicy.facts import of_type
from drpolicy.framework import MANDATORY, Rule, StackRule, Threshold, dig
from drpolicy.services import MANAGED_CLUSTER, VELERO_SCHEDULE


def _problems(props: Mapping[str, Any], settings: Mapping[str, Any]) -> list[str]:
    found = []
    ttl = str(dig(props, "spec.template.ttl") or "")
    hours = ttl_hours(ttl) if ttl else 720.0  # Velero's default TTL is 30 days
    if hours is None or hours < settings["min_ttl_hours"]:
        found.append(f"template.ttl is {ttl or 'unset'}; keep backups at least {settings['min_ttl_hours']}h")
    cron = str(dig(props, "spec.schedule") or "")
    try:
        gap = max_gap_minutes(cron)
    except CronError as exc:
        return [*found, f"schedule {cron!r} cannot be read ({exc})"]
    if gap > settings["max_interval_minutes"]:
        found.append(
            f"schedule {cron!r} leaves up to {gap} min between backups; the compute RPO is "
            f"{settings['max_interval_minutes']} min"
        )
    return found


def check(args: StackValidationArgs, settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    clusters = of_type(args.resources, MANAGED_CLUSTER)
    if not clusters:
        return
    schedules = [s for s in of_type(args.resources, VELERO_SCHEDULE) if dig(s.props, "spec.paused") is not True]
    if not schedules:
        yield f"{clusters[0].name} has no active Velero Schedule: its state could not be restored", clusters[0].urn
        return
    verdicts = {s.urn: _problems(s.props, settings) for s in schedules}
    if all(verdicts.values()):  # one good schedule is enough
        for schedule in schedules:
            for problem in verdicts[schedule.urn]:
                yield f"{schedule.name}: {problem}", schedule.urn


RULE = StackRule(
    Rule(
        id="aks-velero-schedule",
        title="Clusters have a Velero schedule meeting the retention and RPO objectives",
        service="aks",
        objective="rpo",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="none",
        thresholds=(
            Threshold("min_ttl_hours", 720, "backup TTL in hours (backup retention objective x 24)", 1),
            Threshold("max_interval_minutes", 1440, "longest gap between backups (compute RPO, tier 3)", 0),
        ),
    ),
    check,
)
