"""Alert thresholds are no looser than the recovery objectives.

Each alert names the signal it watches (tag ``azure-dr:signal``, table ``facts.health_signals``): a lag
alert must fire at or below the service's RPO (converted from the metric's unit), the backup-age alert within
one backup interval plus the reporting day, a health alert at or beyond its healthy line, and every alert's
window must be shorter than the service's RTO, or detection alone would break the objective. The metric or
measure must be the signal's own, so a tag cannot vouch for a different metric.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from drpolicy.azure_facts.health_signals import SIGNAL_TAG, SIGNALS, Signal, minutes_of
from drpolicy.facts import number, of_type
from drpolicy.framework import MANDATORY, Rule, StackRule, Threshold, dig
from drpolicy.services import LOG_ALERT, METRIC_ALERT

SERVICES = ("postgresql", "cosmos", "redis", "routing")


def _problems(alert: PolicyResource, signal: Signal, settings: Mapping[str, Any]) -> Iterator[str]:
    condition = dig(alert.props, "criteria.allOf.0") or {}
    measured = (
        condition.get("metricName") if alert.resource_type == METRIC_ALERT else condition.get("metricMeasureColumn")
    )
    if (measured or "") != signal.metric:
        yield f"measures {measured or 'nothing'}, not {signal.metric or 'a row count'} ({signal.key})"
    operator = str(condition.get("operator", ""))
    if operator.lower() not in (signal.operator.lower(), {"GreaterThan": "gt", "LessThan": "lt"}[signal.operator]):
        yield f"operator {operator or 'unset'}; {signal.key} alerts when {signal.operator}"
    threshold = number(condition.get("threshold"), float("nan"))
    if signal.judged_by == "rpo":
        rpo = settings[f"{signal.service}_rpo_minutes"]
        minutes = threshold * signal.unit_seconds / 60
        if not minutes <= rpo:
            yield f"threshold {threshold:g} is {minutes:g} min of lag; the {signal.service} RPO is {rpo:g} min"
    elif signal.judged_by == "backup-interval":
        limit = settings["max_backup_age_hours"]
        if not threshold <= limit:
            yield f"threshold {threshold:g} h of backup age; at most {limit:g} h (one interval plus a day)"
    else:
        line = signal.health_threshold
        looser = threshold < line if signal.operator == "LessThan" else threshold > line
        if looser or threshold != threshold:
            yield f"threshold {threshold:g}; {signal.key} must alert {signal.operator} {line:g}"
    window = minutes_of(str(alert.props.get("windowSize") or ""))
    rto = settings.get(f"{signal.service}_rto_minutes")
    if signal.judged_by != "backup-interval" and rto is not None and (window is None or window >= rto):
        yield (
            f"windowSize {alert.props.get('windowSize')}; detection must take less than the {signal.service} "
            f"RTO ({rto:g} min)"
        )


def check(args: StackValidationArgs, settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for alert in of_type(args.resources, METRIC_ALERT, LOG_ALERT):
        key = str((alert.props.get("tags") or {}).get(SIGNAL_TAG, ""))
        if not key:
            continue
        signal = SIGNALS.get(key)
        if signal is None:
            yield f"{alert.name}: unknown signal {key!r}; one of {', '.join(sorted(SIGNALS))}", alert.urn
            continue
        for problem in _problems(alert, signal, settings):
            yield f"{alert.name}: {problem}", alert.urn


RULE = StackRule(
    Rule(
        id="alert-thresholds",
        title="Alert thresholds are no looser than the objectives",
        service="all",
        objective="detection",
        severity=Severity.MEDIUM,
        level=MANDATORY,
        thresholds=(
            *(
                Threshold(f"{s}_rpo_minutes", d, f"{s} RPO objective", 0)
                for s, d in (("postgresql", 15), ("cosmos", 15), ("redis", 60))
            ),
            *(
                Threshold(f"{s}_rto_minutes", d, f"{s} RTO objective", 1)
                for s, d in (("postgresql", 120), ("cosmos", 120), ("redis", 240), ("routing", 120))
            ),
            Threshold("max_backup_age_hours", 192, "backup interval (weekly) plus the reporting day, in hours", 1),
        ),
    ),
    check,
)
