"""Every stateful service this stack replicates or backs up has an enabled alert on that replication or backup.

What counts, per resource (signals: ``drpolicy.azure_facts.health_signals``):

- a PostgreSQL server: a ``pg-replica-lag`` alert scoped to it, or a backup instance protecting it together with
  the ``backup-job-failure`` and ``backup-age`` log alerts, and a diagnostic setting that sends the Backup
  vault's logs to the workspace those alerts query (Learn, "Data model for Azure Backup diagnostics events": the
  ``AddonAzureBackupJobs`` and ``CoreAzureBackup`` tables are filled only by the vault's diagnostic setting);
  without it the log alerts watch an empty table and never fire;
- a Cosmos DB account: a ``cosmos-replication-latency`` alert scoped to it;
- a Redis cache that is this stack's geo-secondary (a linked server points at it): a ``redis-link-health``
  alert scoped to it (the geo-primary is watched from the peer, where the link lives).

Not required, and why: storage accounts (Azure publishes Last Sync Time only as an account property, no metric
or log: Learn, "Check the Last Sync Time property"; drills read it), caches with RDB persistence (no platform
signal for snapshot health), Key Vault and the registry (no replication lag to watch).
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from drpolicy.azure_facts.health_signals import SIGNAL_TAG
from drpolicy.facts import depends_on, known, of_type
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import (
    BACKUP_INSTANCE,
    BACKUP_VAULT,
    COSMOS_ACCOUNT,
    DIAGNOSTIC_SETTING,
    LOG_ALERT,
    METRIC_ALERT,
    PG_SERVER,
    REDIS,
    REDIS_LINK,
)

BACKUP_SIGNALS = ("backup-job-failure", "backup-age")


def _signal(alert: PolicyResource) -> str | None:
    tags = alert.props.get("tags") or {}
    return str(tags[SIGNAL_TAG]) if SIGNAL_TAG in tags else None


def _enabled(alert: PolicyResource) -> bool:
    return alert.props.get("enabled") is not False


def _targets(resource: PolicyResource, prop: str, value: Any, target: PolicyResource) -> bool:
    """``resource``'s ``prop`` was built from ``target`` (engine dependency) or names its id outright."""
    target_id = known(target.props, "id")
    return depends_on(resource, prop, target) or (target_id is not None and target_id in str(value or ""))


def _watched(target: PolicyResource, alerts: Sequence[PolicyResource], signal: str) -> bool:
    return any(
        _signal(a) == signal and _enabled(a) and _targets(a, "scopes", a.props.get("scopes"), target) for a in alerts
    )


def _fed(alert: PolicyResource, vaults: Sequence[PolicyResource], settings: Sequence[PolicyResource]) -> bool:
    """A Backup vault's diagnostic setting sends its logs to a workspace the log alert queries."""
    scopes = [str(s) for s in known(alert.props, "scopes") or []]
    for setting in settings:
        workspace = known(setting.props, "workspaceId")
        if workspace is None or not any(
            v for v in vaults if _targets(setting, "resourceUri", setting.props.get("resourceUri"), v)
        ):
            continue
        if not scopes or str(workspace) in scopes:
            return True
    return False


def _backup_logs(res: Sequence[PolicyResource]) -> tuple[set[str], set[str]]:
    """The backup signals with an enabled log alert, and those of them whose workspace receives the vault's logs."""
    alerts = [a for a in of_type(res, LOG_ALERT) if _enabled(a) and _signal(a)]
    vaults, settings = of_type(res, BACKUP_VAULT), of_type(res, DIAGNOSTIC_SETTING)
    present = {str(_signal(a)) for a in alerts}
    fed = {str(_signal(a)) for a in alerts if _fed(a, vaults, settings)}
    return present, fed


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    res = args.resources
    metric = of_type(res, METRIC_ALERT)
    logs, fed = _backup_logs(res)
    instances = of_type(res, BACKUP_INSTANCE)
    for server in of_type(res, PG_SERVER):
        if _watched(server, metric, "pg-replica-lag"):
            continue
        backed_up = any(
            _targets(i, "properties", dig(i.props, "properties.dataSourceInfo.resourceID"), server) for i in instances
        )
        missing = sorted(set(BACKUP_SIGNALS) - logs)
        blind = sorted(set(BACKUP_SIGNALS) - fed - set(missing))
        if backed_up and not missing and not blind:
            continue
        if not backed_up:
            why = "neither backed up nor watched"
        elif missing:
            why = f"backed up but no {', '.join(missing)} log alert"
        else:
            why = (
                f"backed up, but no diagnostic setting sends the Backup vault's logs to the workspace the "
                f"{', '.join(blind)} alert(s) query: they watch an empty table"
            )
        yield (
            f"{server.name}: no alert on its replication or backup health ({why}); add a pg-replica-lag alert "
            "or a backup instance with backup-job-failure and backup-age alerts",
            server.urn,
        )
    for account in of_type(res, COSMOS_ACCOUNT):
        if not _watched(account, metric, "cosmos-replication-latency"):
            yield f"{account.name}: no cosmos-replication-latency alert scoped to it", account.urn
    links = of_type(res, REDIS_LINK)
    for cache in of_type(res, REDIS):
        secondary = any(
            _targets(link, "linkedRedisCacheId", link.props.get("linkedRedisCacheId"), cache) for link in links
        )
        if secondary and not _watched(cache, metric, "redis-link-health"):
            yield f"{cache.name}: geo-secondary cache with no redis-link-health alert scoped to it", cache.urn


RULE = StackRule(
    Rule(
        id="alert-coverage",
        title="Every replicated or backed-up stateful service has a health alert",
        service="all",
        objective="detection",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Keep the alerts and what feeds them on: azure-dr:alerts.enabled true and azure-dr:monitoring.diagnostics "
            "true (the Backup vault's diagnostic setting fills the tables the backup alerts query)."
        ),
        config=("monitoring.diagnostics", "alerts.enabled", "alerts"),
    ),
    check,
)
