"""PostgreSQL long-term backups are kept at least the years the objectives promise (7 by default).

The policy's longest retention rule counts (``deleteAfter.duration`` as ISO 8601: P7Y, P84M, P365W, P2557D);
the 35-day point-in-time backups of the server itself cannot reach it.
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold, dig
from drpolicy.services import BACKUP_POLICY

PG_FLEX = "Microsoft.DBforPostgreSQL/flexibleServers"
_DAYS_PER = {"Y": 365.25, "M": 365.25 / 12, "W": 7.0, "D": 1.0}


def years(duration: Any) -> float | None:
    """Years in a ``P<n>Y|M|W|D`` duration, or None when it is not one."""
    found = re.fullmatch(r"P(\d+)([YMWD])", str(duration or ""))
    return int(found.group(1)) * _DAYS_PER[found.group(2)] / 365.25 if found else None


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    if PG_FLEX not in (dig(props, "properties.datasourceTypes") or []):
        return
    kept = [
        y
        for rule in dig(props, "properties.policyRules") or []
        if isinstance(rule, Mapping)
        for lifecycle in rule.get("lifecycles") or []
        if (y := years(dig(lifecycle, "deleteAfter.duration"))) is not None
    ]
    longest = max(kept, default=0.0)
    if longest + 1e-9 < settings["min_years"]:
        yield (
            f"the longest retention rule keeps backups {longest:.3g} years; keep them at least "
            f"{settings['min_years']} years (objectives.long_term_retention_years)"
        )


RULE = ResourceRule(
    Rule(
        id="backup-ltr",
        title="Long-term backups are kept for the objective's years",
        service="backup",
        objective="retention",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="none",
        thresholds=(Threshold("min_years", 7, "minimum long-term retention in years (objectives)", 1),),
    ),
    (BACKUP_POLICY,),
    check,
)
