"""The stack rules of the DR operations layer, passing and failing, through the real pack process."""

from __future__ import annotations

from typing import Any

from azure_dr.cli.engine import check
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import RecordedResource
from azure_dr.cli.report import posture
from azure_dr.cli.stackfiles.files import load_stack
from tests.conftest import plan
from tests.helpers import with_block
from tests.policy_harness import analyze, make_resource

PG = "azure-native:dbforpostgresql:Server"
COSMOS = "azure-native:cosmosdb:DatabaseAccount"
REDIS = "azure-native:redis:Redis"
LINK = "azure-native:redis:LinkedServer"
METRIC = "azure-native:monitor:MetricAlert"
LOG = "azure-native:monitor:ScheduledQueryRule"
INSTANCE = "azure-native:dataprotection:BackupInstance"
SUB = "/subscriptions/s/resourceGroups/rg/providers"
SERVER_ID = f"{SUB}/Microsoft.DBforPostgreSQL/flexibleServers/psql-1"


def server() -> RecordedResource:
    return make_resource(PG, {"location": "ukwest", "createMode": "Replica", "id": SERVER_ID}, name="psql")


def metric_alert(
    signal: str, target: RecordedResource | None, metric: str, threshold: float, **changes: Any
) -> RecordedResource:
    props: dict[str, Any] = {
        "enabled": True,
        "windowSize": "PT5M",
        "scopes": [target.inputs.get("id", "x") if target else "/subscriptions/s/other"],
        "criteria": {"allOf": [{"metricName": metric, "operator": "GreaterThan", "threshold": threshold}]},
        "tags": {"azure-dr:signal": signal},
    }
    props.update(changes)
    deps = {"scopes": (target.urn,)} if target else {}
    return make_resource(METRIC, props, name=f"alert-{signal}", property_dependencies=deps)


def log_alert(signal: str, threshold: float, measure: str | None = None, **changes: Any) -> RecordedResource:
    condition = {"operator": "GreaterThan", "threshold": threshold, "timeAggregation": "Count"}
    if measure:
        condition["metricMeasureColumn"] = measure
    props = {"enabled": True, "windowSize": "P1D", "criteria": {"allOf": [condition]}}
    props.update({"tags": {"azure-dr:signal": signal}, **changes})
    return make_resource(LOG, props, name=f"log-{signal}")


def backed_up(target: RecordedResource) -> RecordedResource:
    props = {"properties": {"dataSourceInfo": {"resourceID": SERVER_ID}}}
    return make_resource(INSTANCE, props, name="bi", property_dependencies={"properties": (target.urn,)})


def messages(found: Any, rule: str) -> list[str]:
    return [v.message for v in found.violations(rule)]


# ------------------------------------------------------------------------------------------------------------
# alert-coverage


def test_replica_watched_for_lag_is_covered() -> None:
    pg = server()
    found = analyze([pg, metric_alert("pg-replica-lag", pg, "physical_replication_delay_in_seconds", 450)])
    assert messages(found, "alert-coverage") == []


def test_server_without_any_health_alert_is_reported() -> None:
    [message] = messages(analyze([server()]), "alert-coverage")
    assert "psql: no alert on its replication or backup health (neither backed up nor watched)" in message


def test_alert_scoped_elsewhere_or_disabled_does_not_count() -> None:
    pg = server()
    elsewhere = metric_alert("pg-replica-lag", None, "physical_replication_delay_in_seconds", 450)
    disabled = metric_alert("pg-replica-lag", pg, "physical_replication_delay_in_seconds", 450, enabled=False)
    for alert in (elsewhere, disabled):
        assert messages(analyze([pg, alert]), "alert-coverage")


WORKSPACE_ID = f"{SUB}/Microsoft.OperationalInsights/workspaces/log"
VAULT = "azure-native:dataprotection:BackupVault"
DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"


def vault_feeding(workspace: str = WORKSPACE_ID) -> list[RecordedResource]:
    """A Backup vault and its diagnostic setting sending its logs to ``workspace``."""
    vault = make_resource(VAULT, {"id": f"{SUB}/Microsoft.DataProtection/backupVaults/bv"}, name="bv")
    props = {"resourceUri": vault.inputs["id"], "workspaceId": workspace, "logs": [{"categoryGroup": "allLogs"}]}
    setting = make_resource(DIAGNOSTICS, props, name="bv-diag", property_dependencies={"resourceUri": (vault.urn,)})
    return [vault, setting]


def test_backed_up_server_needs_both_backup_alerts_and_the_logs_they_query() -> None:
    pg = server()
    alerts = [
        log_alert("backup-job-failure", 0, scopes=[WORKSPACE_ID]),
        log_alert("backup-age", 192, "AgeHours", scopes=[WORKSPACE_ID]),
    ]
    complete = [pg, backed_up(pg), *alerts, *vault_feeding()]
    assert messages(analyze(complete), "alert-coverage") == []
    [message] = messages(analyze([pg, backed_up(pg), alerts[0], *vault_feeding()]), "alert-coverage")
    assert "backed up but no backup-age log alert" in message
    # Diagnostics off (azure-dr:monitoring.diagnostics false): the alerts query tables nothing fills.
    [blind] = messages(analyze([pg, backed_up(pg), *alerts]), "alert-coverage")
    assert "no diagnostic setting sends the Backup vault's logs" in blind
    elsewhere = vault_feeding(f"{SUB}/Microsoft.OperationalInsights/workspaces/another")
    assert messages(analyze([pg, backed_up(pg), *alerts, *elsewhere]), "alert-coverage")


def test_cosmos_and_geo_secondary_cache_need_their_alerts() -> None:
    account = make_resource(COSMOS, {"id": f"{SUB}/Microsoft.DocumentDB/databaseAccounts/c"}, name="cosmos")
    cache = make_resource(REDIS, {"id": f"{SUB}/Microsoft.Cache/redis/r"}, name="cache")
    link = make_resource(LINK, {"linkedRedisCacheId": cache.inputs["id"]}, name="link")
    found = messages(analyze([account, cache, link]), "alert-coverage")
    assert any("cosmos: no cosmos-replication-latency alert" in m for m in found)
    assert any("cache: geo-secondary cache with no redis-link-health alert" in m for m in found)
    watched = [
        account,
        cache,
        link,
        metric_alert("cosmos-replication-latency", account, "ReplicationLatency", 450000),
        metric_alert(
            "redis-link-health",
            cache,
            "GeoReplicationHealthy",
            1,
            **{
                "criteria": {"allOf": [{"metricName": "GeoReplicationHealthy", "operator": "LessThan", "threshold": 1}]}
            },
        ),
    ]
    assert messages(analyze(watched), "alert-coverage") == []
    # the geo-primary cache (no link pointing at it here) is watched from the peer stack
    assert messages(analyze([cache]), "alert-coverage") == []


# ------------------------------------------------------------------------------------------------------------
# alert-thresholds


def test_lag_threshold_within_the_rpo_passes_and_beyond_it_fails() -> None:
    pg = server()
    ok = metric_alert("pg-replica-lag", pg, "physical_replication_delay_in_seconds", 900)  # 15 min exactly
    assert messages(analyze([pg, ok]), "alert-thresholds") == []
    loose = metric_alert("pg-replica-lag", pg, "physical_replication_delay_in_seconds", 1200)
    [message] = messages(analyze([pg, loose]), "alert-thresholds")
    assert "threshold 1200 is 20 min of lag; the postgresql RPO is 15 min" in message


def test_thresholds_follow_the_stack_objectives_in_policy_config() -> None:
    pg = server()
    alert = metric_alert("pg-replica-lag", pg, "physical_replication_delay_in_seconds", 450)  # 7.5 min
    assert messages(analyze([pg, alert]), "alert-thresholds") == []
    tight = {"alert-thresholds": {"postgresql_rpo_minutes": 5}}
    assert messages(analyze([pg, alert], config=tight), "alert-thresholds")


def test_cosmos_latency_is_converted_from_milliseconds() -> None:
    account = make_resource(COSMOS, {"id": "c"}, name="cosmos")
    ok = metric_alert("cosmos-replication-latency", account, "ReplicationLatency", 900_000)
    late = metric_alert("cosmos-replication-latency", account, "ReplicationLatency", 900_001)
    assert messages(analyze([account, ok]), "alert-thresholds") == []
    assert messages(analyze([account, late]), "alert-thresholds")


def test_a_tag_cannot_vouch_for_another_metric_or_operator() -> None:
    pg = server()
    wrong_metric = metric_alert("pg-replica-lag", pg, "cpu_percent", 80)
    assert any("measures cpu_percent" in m for m in messages(analyze([pg, wrong_metric]), "alert-thresholds"))
    wrong_way = metric_alert(
        "pg-replica-lag",
        pg,
        "",
        0,
        criteria={
            "allOf": [{"metricName": "physical_replication_delay_in_seconds", "operator": "LessThan", "threshold": 60}]
        },
    )
    assert any("operator LessThan" in m for m in messages(analyze([pg, wrong_way]), "alert-thresholds"))


def test_health_alert_looser_than_its_line_fails() -> None:
    criteria = {"allOf": [{"metricName": "OriginHealthPercentage", "operator": "LessThan", "threshold": 50}]}
    loose = metric_alert("frontdoor-origin-health", None, "", 0, criteria=criteria)
    [message] = messages(analyze([loose]), "alert-thresholds")
    assert "frontdoor-origin-health must alert LessThan 90" in message
    criteria["allOf"][0]["threshold"] = 95
    assert (
        messages(analyze([metric_alert("frontdoor-origin-health", None, "", 0, criteria=criteria)]), "alert-thresholds")
        == []
    )


def test_window_must_be_shorter_than_the_rto() -> None:
    pg = server()
    slow = metric_alert("pg-replica-lag", pg, "physical_replication_delay_in_seconds", 450, windowSize="P1D")
    [message] = messages(analyze([pg, slow]), "alert-thresholds")
    assert "windowSize P1D; detection must take less than the postgresql RTO (120 min)" in message


def test_backup_age_within_one_interval_and_a_day() -> None:
    assert messages(analyze([log_alert("backup-age", 192, "AgeHours")]), "alert-thresholds") == []
    [message] = messages(analyze([log_alert("backup-age", 336, "AgeHours")]), "alert-thresholds")
    assert "threshold 336 h of backup age; at most 192 h" in message


def test_unknown_signal_is_reported() -> None:
    [message] = messages(analyze([log_alert("backup-mood", 1)]), "alert-thresholds")
    assert "unknown signal 'backup-mood'" in message


def test_the_check_holds_each_stack_to_its_own_objectives() -> None:
    config = check.objectives_config(posture.config_of(load_stack(ROOT, "primary")))
    assert config["backup-ltr"] == {"min_years": 7}
    assert config["alert-thresholds"]["postgresql_rpo_minutes"] == 15
    assert config["alert-thresholds"]["redis_rpo_minutes"] == 60
    assert config["alert-thresholds"]["routing_rto_minutes"] == 120


def test_drctl_check_flags_a_stack_without_alerts_or_geo_redundant_backups() -> None:
    wrong = {
        **with_block("primary", "alerts", enabled=False),
        **with_block("primary", "backup", redundancy="LocallyRedundant", cross_region_restore=False),
    }
    plans = list(plan({"primary": wrong}, ["primary"]).values())
    stacks = {p.stack: posture.config_of(load_stack(ROOT, p.stack)) for p in plans}
    report = check.check_plans(plans, ROOT / "policies", None, stacks)
    found = {(r.policy_name, r.urn.rsplit("::", 1)[-1]) for r in report.mandatory}
    assert found == {
        ("alert-coverage", "qlp-uksouth-psql-server"),
        ("alert-coverage", "qlp-prod-global-cosmos-account"),
        ("backup-vault-redundancy", "qlp-uksouth-backup-vault"),
    }
