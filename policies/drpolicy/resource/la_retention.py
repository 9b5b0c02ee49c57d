"""Log Analytics keeps logs long enough to investigate an incident and replay a recovery.

No other rule set checks workspace retention; Azure keeps 30 days when ``retentionInDays`` is unset.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import number
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold
from drpolicy.services import WORKSPACE


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    days = number(props.get("retentionInDays"), 30)  # Azure's default
    if days < settings["min_days"]:
        yield f"retentionInDays is {days:g}; set it to at least {settings['min_days']}"


RULE = ResourceRule(
    Rule(
        id="la-retention",
        title="Log Analytics workspaces retain logs for the objective",
        service="loganalytics",
        objective="retention",
        severity=Severity.MEDIUM,
        level=MANDATORY,
        fix="Raise azure-dr:monitoring.log_retention_days to at least min_days.",
        config=("monitoring.log_retention_days", "monitoring"),
        equivalents="none",
        thresholds=(Threshold("min_days", 90, "minimum workspace retention in days (objectives)", 30),),
    ),
    (WORKSPACE,),
    check,
)
