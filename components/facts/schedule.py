"""Backup schedules as cron expressions: how long the longest gap between two runs is.

A schedule's RPO is its longest gap, not its average: ``0 2 * * *`` loses up to 24 h, ``0 2 * * 1-5`` up to
72 h over a weekend. Velero reads standard five-field cron (minute hour day-of-month month day-of-week; Velero
docs, "Schedule API type"); this module understands the subset a backup schedule needs: ``*``, ``*/n``, values,
ranges and lists in the minute, hour and day-of-week fields, with day-of-month and month left at ``*`` (a
schedule that skips whole months is not a DR backup schedule).
"""

from __future__ import annotations

from itertools import pairwise

WEEK_MINUTES = 7 * 24 * 60


class CronError(ValueError):
    """A schedule this module cannot read; the message says which field and what is allowed."""


def _field(text: str, lo: int, hi: int, name: str) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise CronError(f"{name} step {step_text!r} is not a positive number")
        if body == "*":
            start, end = lo, hi
        elif "-" in body:
            a, _, b = body.partition("-")
            if not (a.isdigit() and b.isdigit()):
                raise CronError(f"{name} range {body!r} is not two numbers")
            start, end = int(a), int(b)
        elif body.isdigit():
            start = end = int(body)
            if step is not None:
                end = hi
        else:
            raise CronError(f"{name} {body!r} is not *, a number, a range or a list")
        if not lo <= start <= end <= hi:
            raise CronError(f"{name} {body!r} is outside {lo}-{hi}")
        values.update(range(start, end + 1, step or 1))
    return values


def max_gap_minutes(expression: str) -> int:
    """The longest time between two consecutive runs of ``expression``, in minutes (CronError if unreadable)."""
    fields = expression.split()
    if len(fields) != 5:
        raise CronError("expected five fields: minute hour day-of-month month day-of-week")
    minute, hour, dom, month, dow = fields
    if dom != "*" or month != "*":
        raise CronError("day-of-month and month must be * (run at least weekly)")
    minutes = _field(minute, 0, 59, "minute")
    hours = _field(hour, 0, 23, "hour")
    days = {d % 7 for d in _field(dow, 0, 7, "day-of-week")}  # 0 and 7 are both Sunday
    runs = sorted(d * 1440 + h * 60 + m for d in days for h in hours for m in minutes)
    gaps = [b - a for a, b in pairwise(runs)] + [runs[0] + WEEK_MINUTES - runs[-1]]
    return max(gaps)


def ttl_hours(ttl: str) -> float | None:
    """A Go duration as Velero writes TTLs (``720h0m0s``, ``72h``, ``90m``) in hours; None if unreadable."""
    total, number = 0.0, ""
    units = {"h": 1.0, "m": 1 / 60, "s": 1 / 3600}
    for char in ttl.strip():
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total += float(number) * units[char]
            number = ""
        else:
            return None
    return total if not number and ttl.strip() else None


def velero_ttl(hours: int) -> str:
    """Velero's spelling of a TTL of ``hours`` (``720h0m0s``)."""
    return f"{hours}h0m0s"
