"""The DR health signals Azure publishes, and every alert threshold derived from the recovery objectives.

One table (``SIGNALS``) says which metric or log a signal is read from, in which unit, and what it is held to;
``thresholds`` turns the objectives into the numbers the alerts use. The alert component, the plan printer, the
drill plan and the policy pack (``alert-thresholds``) all read this module, so a threshold is typed nowhere else.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

# Tag on every alert: which signal it watches (a key of SIGNALS); the policy pack judges the threshold by it.
SIGNAL_TAG = "azure-dr:signal"

# The weekly long-term backup (azure_dr.components.backup) repeats every 168 h; a backup alert allows one more day,
# because a pg_dump-based job can run for hours and Azure Backup reports recovery points once a day.
BACKUP_INTERVAL_HOURS = 7 * 24
BACKUP_REPORT_GRACE_HOURS = 24

# Metric alert windows Azure accepts (Learn, "Create or edit a metric alert rule": window size values).
METRIC_WINDOWS_MINUTES = (1, 5, 15, 30, 60, 360, 720, 1440)

Judged = Literal["rpo", "backup-interval", "health"]


@dataclass(frozen=True)
class Signal:
    """One thing Azure measures that says whether a DR mechanism still works."""

    key: str
    service: str
    kind: Literal["metric", "log"]
    namespace: str  # metric namespace (resource type) or the Log Analytics table
    metric: str  # metric name, or the measured column of the log query
    aggregation: Literal["Average", "Minimum", "Maximum", "Total", "Count"]
    operator: Literal["GreaterThan", "LessThan"]
    judged_by: Judged
    unit_seconds: float  # seconds per unit of a lag signal (ms: 0.001); 0 for health signals
    description: str
    source: str
    health_threshold: float = 0.0  # the fixed line of a health signal (healthy = 1, availability %)
    scope_kind: str = ""  # what the alert is scoped to, for the plan and the drill


SIGNALS: dict[str, Signal] = {
    s.key: s
    for s in (
        Signal(
            "pg-replica-lag",
            "postgresql",
            "metric",
            "Microsoft.DBforPostgreSQL/flexibleServers",
            "physical_replication_delay_in_seconds",
            "Maximum",
            "GreaterThan",
            "rpo",
            1.0,
            "read replica lag (seconds) on the standby's replica",
            "Learn, 'Supported metrics for Microsoft.DBforPostgreSQL/flexibleServers': Read Replica Lag, "
            "physical_replication_delay_in_seconds, emitted by the replica",
            scope_kind="standby PostgreSQL server",
        ),
        Signal(
            "cosmos-replication-latency",
            "cosmos",
            "metric",
            "Microsoft.DocumentDB/databaseAccounts",
            "ReplicationLatency",
            "Maximum",
            "GreaterThan",
            "rpo",
            0.001,
            "P99 replication latency between regions (ms)",
            "Learn, 'Supported metrics for Microsoft.DocumentDB/databaseAccounts': ReplicationLatency "
            "(MilliSeconds, dimensions SourceRegion, TargetRegion)",
            scope_kind="Cosmos DB account",
        ),
        Signal(
            "cosmos-availability",
            "cosmos",
            "metric",
            "Microsoft.DocumentDB/databaseAccounts",
            "ServiceAvailability",
            "Average",
            "LessThan",
            "health",
            0.0,
            "account request availability (%, hourly grain)",
            "Learn, same page: ServiceAvailability, Percent, one-hour granularity",
            health_threshold=99.99,  # the multi-region account's read SLA is 99.999 %: any real loss shows here
            scope_kind="Cosmos DB account",
        ),
        Signal(
            "redis-link-health",
            "redis",
            "metric",
            "Microsoft.Cache/redis",
            "GeoReplicationHealthy",
            "Minimum",
            "LessThan",
            "health",
            0.0,
            "geo-replication link healthy (1) or disconnected (0)",
            "Learn, 'Supported metrics for Microsoft.Cache/redis': GeoReplicationHealthy, 1 healthy, 0 "
            "disconnected or unhealthy (aka.ms/redis/georeplicationmetrics)",
            health_threshold=1.0,
            scope_kind="geo-secondary cache",
        ),
        Signal(
            "redis-link-lag",
            "redis",
            "metric",
            "Microsoft.Cache/redis",
            "GeoReplicationConnectivityLag",
            "Maximum",
            "GreaterThan",
            "rpo",
            1.0,
            "seconds since the geo-secondary last synchronized with the geo-primary",
            "Learn, same page: GeoReplicationConnectivityLag, Seconds, grows while the link is down",
            scope_kind="geo-secondary cache",
        ),
        Signal(
            "frontdoor-origin-health",
            "routing",
            "metric",
            "Microsoft.Cdn/profiles",
            "OriginHealthPercentage",
            "Average",
            "LessThan",
            "health",
            0.0,
            "share of successful health probes per origin (%)",
            "Learn, 'Supported metrics for Microsoft.Cdn/profiles': OriginHealthPercentage (dimensions Origin, "
            "OriginGroup)",
            health_threshold=90.0,  # most probes of an origin failing: failover is imminent or has happened
            scope_kind="Front Door profile",
        ),
        Signal(
            "backup-job-failure",
            "postgresql",
            "log",
            "AddonAzureBackupJobs",
            "",
            "Count",
            "GreaterThan",
            "health",
            0.0,
            "failed long-term backup jobs of the region's Backup vault",
            "Learn, 'Data model for Azure Backup diagnostics events': AddonAzureBackupJobs (JobOperation, "
            "JobStatus), sent by the vault's diagnostic setting [unverified for PostgreSQL flexible]",
            health_threshold=0.0,
            scope_kind="Log Analytics workspace",
        ),
        Signal(
            "backup-age",
            "postgresql",
            "log",
            "CoreAzureBackup",
            "AgeHours",
            "Maximum",
            "GreaterThan",
            "backup-interval",
            3600.0,
            "hours since the newest recovery point of each protected server",
            "Learn, same page: CoreAzureBackup BackupItem rows carry LatestRecoveryPointTime (reported daily) "
            "[unverified for PostgreSQL flexible]",
            scope_kind="Log Analytics workspace",
        ),
    )
}


@dataclass(frozen=True)
class Thresholds:
    """Every alert number of one stack, derived from its objectives (see ``thresholds``)."""

    pg_replica_lag_seconds: int
    cosmos_replication_latency_ms: int
    redis_link_lag_seconds: int
    backup_age_hours: int
    window_minutes: int

    def for_signal(self, key: str) -> float:
        """The threshold of a signal: derived for lag and backup signals, the fixed health line otherwise."""
        derived: dict[str, float] = {
            "pg-replica-lag": self.pg_replica_lag_seconds,
            "cosmos-replication-latency": self.cosmos_replication_latency_ms,
            "redis-link-lag": self.redis_link_lag_seconds,
            "backup-age": self.backup_age_hours,
        }
        return derived.get(key, SIGNALS[key].health_threshold)


def lag_limit(signal: Signal, rpo_minutes: float, fraction: float = 1.0) -> int:
    """The largest lag, in the signal's own unit, that keeps within ``fraction`` of the RPO (rounded down)."""
    return max(1, math.floor(rpo_minutes * 60 * fraction / signal.unit_seconds))


def alert_window(rto_minutes: float) -> int:
    """The metric window (minutes): the largest Azure accepts within a tenth of the RTO, at least 5 minutes.

    A tier with a 2 h RTO gets 5-minute windows; detection has to leave the runbook most of the RTO.
    """
    fitting = [w for w in METRIC_WINDOWS_MINUTES if w <= rto_minutes / 10]
    return max([5, *fitting[-1:]]) if fitting else 5


def thresholds(
    *,
    postgres_rpo_minutes: float,
    cosmos_rpo_minutes: float,
    redis_rpo_minutes: float,
    shortest_rto_minutes: float,
    rpo_fraction: float = 0.5,
) -> Thresholds:
    """Alert thresholds for one stack: lags alert at ``rpo_fraction`` of each service's RPO, the backup age one
    interval (plus the reporting grace) after the last recovery point."""
    return Thresholds(
        pg_replica_lag_seconds=lag_limit(SIGNALS["pg-replica-lag"], postgres_rpo_minutes, rpo_fraction),
        cosmos_replication_latency_ms=lag_limit(
            SIGNALS["cosmos-replication-latency"], cosmos_rpo_minutes, rpo_fraction
        ),
        redis_link_lag_seconds=lag_limit(SIGNALS["redis-link-lag"], redis_rpo_minutes, rpo_fraction),
        backup_age_hours=BACKUP_INTERVAL_HOURS + BACKUP_REPORT_GRACE_HOURS,
        window_minutes=min(60, alert_window(shortest_rto_minutes)),
    )


def iso_minutes(minutes: int) -> str:
    """``PT5M``, ``PT1H``, ``P1D``: the ISO 8601 duration Azure Monitor expects."""
    if minutes % 1440 == 0:
        return f"P{minutes // 1440}D"
    if minutes % 60 == 0:
        return f"PT{minutes // 60}H"
    return f"PT{minutes}M"


def minutes_of(duration: str) -> float | None:
    """Minutes in an ISO 8601 duration of days, hours and minutes (``PT15M``, ``PT1H``, ``P1D``), else None."""
    found = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", duration or "")
    if not found or duration in ("P", "PT"):
        return None
    days, hours, minutes = (int(g) if g else 0 for g in found.groups())
    return days * 1440 + hours * 60 + minutes
