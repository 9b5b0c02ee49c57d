"""Alerts on the health of each DR mechanism, routed to one action group per region.

Metric alerts (API 2018-03-01) watch replication lag and link health where Azure publishes a platform metric;
log alerts (scheduled query rules, API 2025-01-01-preview) watch the Backup vault's job and recovery-point
reports in the region's Log Analytics workspace. Thresholds come from ``facts.health_signals``: this module
takes them as arguments and never invents one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import monitor

from .facts.health_signals import SIGNAL_TAG, SIGNALS, iso_minutes


@dataclass(frozen=True)
class MetricAlertSpec:
    """Alert when ``signal`` (a key of SIGNALS) on ``scope`` crosses ``threshold``."""

    signal: str
    scope: pulumi.Input[str]
    threshold: float
    window_minutes: int = 5
    severity: int = 1  # 0 critical … 4 verbose; DR signals are error-level by default


@dataclass(frozen=True)
class LogAlertSpec:
    """Alert when the KQL ``query`` over the workspace crosses ``threshold`` (of its measure, or its row count)."""

    signal: str
    query: str
    threshold: float
    window_minutes: int = 60
    frequency_minutes: int = 60
    severity: int = 1


@dataclass(frozen=True)
class Receiver:
    name: str
    target: pulumi.Input[str]  # an e-mail address or an https webhook URI


@dataclass(frozen=True)
class DrAlertsArgs:
    action_group_name: str
    #: at most 12 characters: shown in SMS and e-mail subjects.
    short_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    workspace_id: pulumi.Input[str] | None = None
    emails: Sequence[Receiver] = field(default_factory=tuple)
    webhooks: Sequence[Receiver] = field(default_factory=tuple)
    metric_alerts: Sequence[MetricAlertSpec] = field(default_factory=tuple)
    log_alerts: Sequence[LogAlertSpec] = field(default_factory=tuple)
    tags: Mapping[str, str] = field(default_factory=dict)


class DrAlerts(pulumi.ComponentResource):
    """An action group and the metric and log alerts that page it."""

    action_group: monitor.ActionGroup
    metric_alerts: dict[str, monitor.MetricAlert]
    log_alerts: dict[str, monitor.ScheduledQueryRule]

    def __init__(self, name: str, args: DrAlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:alerts:DrAlerts", name, None, opts)
        if len(args.short_name) > 12:
            raise ValueError(f"short_name={args.short_name!r}; expected at most 12 characters (Azure's limit)")
        named = {m.signal for m in args.metric_alerts} | {log.signal for log in args.log_alerts}
        unknown = sorted(named - SIGNALS.keys())
        if unknown:
            raise ValueError(f"signal {unknown[0]!r}; expected one of {', '.join(sorted(SIGNALS))}")
        child = pulumi.ResourceOptions(parent=self)
        self.action_group = monitor.ActionGroup(
            f"{name}-ag",
            action_group_name=args.action_group_name,
            group_short_name=args.short_name,
            resource_group_name=args.resource_group_name,
            location="global",
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=r.name, email_address=r.target, use_common_alert_schema=True
                )
                for r in args.emails
            ],
            webhook_receivers=[
                monitor.WebhookReceiverArgs(
                    name=r.name, service_uri=pulumi.Output.secret(r.target), use_common_alert_schema=True
                )
                for r in args.webhooks
            ],
            tags=dict(args.tags),
            opts=child,
        )
        self.metric_alerts = {}
        for spec in args.metric_alerts:
            signal = SIGNALS[spec.signal]
            self.metric_alerts[spec.signal] = monitor.MetricAlert(
                f"{name}-{spec.signal}",
                rule_name=f"{args.action_group_name}-{spec.signal}",
                resource_group_name=args.resource_group_name,
                location="global",
                description=f"azure-dr: {signal.description} ({signal.source})",
                enabled=True,
                scopes=[spec.scope],
                severity=spec.severity,
                evaluation_frequency="PT1M" if spec.window_minutes < 60 else "PT15M",
                window_size=iso_minutes(spec.window_minutes),
                auto_mitigate=True,
                criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                    odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                    all_of=[
                        monitor.MetricCriteriaArgs(
                            name=spec.signal,
                            criterion_type="StaticThresholdCriterion",
                            metric_namespace=signal.namespace,
                            metric_name=signal.metric,
                            time_aggregation=signal.aggregation,
                            operator=signal.operator,
                            threshold=spec.threshold,
                        )
                    ],
                ),
                actions=[monitor.MetricAlertActionArgs(action_group_id=self.action_group.id)],
                tags={**args.tags, SIGNAL_TAG: spec.signal},
                opts=child,
            )
        self.log_alerts = {}
        if args.log_alerts and args.workspace_id is None:
            raise ValueError("log alerts need workspace_id (the Log Analytics workspace they query)")
        for log in args.log_alerts:
            signal = SIGNALS[log.signal]
            self.log_alerts[log.signal] = monitor.ScheduledQueryRule(
                f"{name}-{log.signal}",
                rule_name=f"{args.action_group_name}-{log.signal}",
                resource_group_name=args.resource_group_name,
                location=args.location,
                kind="LogAlert",
                description=f"azure-dr: {signal.description} ({signal.source})",
                enabled=True,
                scopes=[args.workspace_id],  # type: ignore[list-item]  # checked above
                severity=log.severity,
                evaluation_frequency=iso_minutes(log.frequency_minutes),
                window_size=iso_minutes(log.window_minutes),
                auto_mitigate=True,
                # The Backup tables appear in the workspace with the vault's first report: validating the query
                # at creation would refuse a rule created together with the vault.
                skip_query_validation=True,
                criteria=monitor.ScheduledQueryRuleCriteriaArgs(
                    all_of=[
                        monitor.ConditionArgs(
                            query=log.query,
                            time_aggregation=signal.aggregation,
                            metric_measure_column=signal.metric or None,
                            operator=signal.operator,
                            threshold=log.threshold,
                            failing_periods=monitor.ConditionFailingPeriodsArgs(
                                number_of_evaluation_periods=1, min_failing_periods_to_alert=1
                            ),
                        )
                    ]
                ),
                actions=monitor.ActionsArgs(action_groups=[self.action_group.id]),
                tags={**args.tags, SIGNAL_TAG: log.signal},
                opts=child,
            )
        self.register_outputs(
            {
                "action_group_id": self.action_group.id,
                "alerts": sorted([*self.metric_alerts, *self.log_alerts]),
            }
        )


# KQL the backup alerts run (tables and columns: Learn, "Data model for Azure Backup diagnostics events").
BACKUP_FAILED_JOBS_QUERY = (
    'AddonAzureBackupJobs\n| where JobOperation == "Backup" and JobStatus == "Failed"\n'
    "| project TimeGenerated, BackupItemUniqueId, JobFailureCode"
)
BACKUP_AGE_QUERY = (
    'CoreAzureBackup\n| where OperationName == "BackupItem"\n'
    "| summarize arg_max(TimeGenerated, LatestRecoveryPointTime) by BackupItemUniqueId\n"
    "| extend AgeHours = datetime_diff('hour', now(), LatestRecoveryPointTime)"
)
