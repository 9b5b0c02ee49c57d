"""The DR operations layer: long-term backup, WORM compliance storage, objective-derived alerts, drills."""

from __future__ import annotations

import json
from typing import Any

import pytest

from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from azure_dr.cli.engine.replacement import deleted, replacements
from azure_dr.cli.report import posture, render
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.components import roles
from azure_dr.components.compliance import retention_days
from azure_dr.components.facts.health_signals import SIGNAL_TAG, SIGNALS, lag_limit, thresholds
from azure_dr.components.stack.config import ConfigError, parse_config
from tests.conftest import plan, plan_one
from tests.helpers import dig, named, promoted_pair, stack_value, with_block

VAULT = "azure-native:dataprotection:BackupVault"
POLICY = "azure-native:dataprotection:BackupPolicy"
INSTANCE = "azure-native:dataprotection:BackupInstance"
ROLE = "azure-native:authorization:RoleAssignment"
METRIC = "azure-native:monitor:MetricAlert"
LOG = "azure-native:monitor:ScheduledQueryRule"
GROUP = "azure-native:monitor:ActionGroup"
WORM = "azure-native:storage:BlobContainerImmutabilityPolicy"
CONTAINER = "azure-native:storage:BlobContainer"
SERVER = "azure-native:dbforpostgresql:Server"
LOCK = "azure-native:authorization:ManagementLockByScope"
EXPERIMENT = "azure-native:chaos:Experiment"
TARGET = "azure-native:chaos:Target"
CAPABILITY = "azure-native:chaos:Capability"
TIER = ("azure-dr:backup:", "azure-dr:alerts:", "azure-dr:compliance:", "azure-dr:drills:")


def alerts(p: StackPlan) -> dict[str, RecordedResource]:
    return {r.inputs["tags"][SIGNAL_TAG]: r for r in [*p.of_type(METRIC), *p.of_type(LOG)]}


def threshold(alert: RecordedResource) -> Any:
    return dig(alert.inputs, "criteria.allOf.0.threshold")


# ------------------------------------------------------------------------------------------------------------
# Long-term retention


def test_vault_is_geo_redundant_recoverable_protected_and_locked(primary: StackPlan, dr: StackPlan) -> None:
    for p in (primary, dr):
        vault = p.one(VAULT)
        props = vault.inputs["properties"]
        assert props["storageSettings"] == [{"datastoreType": "VaultStore", "type": "GeoRedundant"}]
        assert dig(props, "featureSettings.crossRegionRestoreSettings.state") == "Enabled"
        assert dig(props, "securitySettings.softDeleteSettings") == {"state": "On", "retentionDurationInDays": 14}
        assert dig(props, "securitySettings.immutabilitySettings.state") == "Unlocked"
        assert vault.inputs["identity"]["type"] == "SystemAssigned"
        assert vault.protect and vault.retain_on_delete
        assert any(lock.property_dependencies.get("scope") == (vault.urn,) for lock in p.of_type(LOCK))
        assert vault.inputs["location"] == p.outputs["region"]  # the vault must be in the server's region


def test_policy_takes_weekly_backups_kept_for_the_objective_years(primary: StackPlan) -> None:
    policy = primary.one(POLICY)
    assert policy.inputs["backupPolicyName"] == "pgflex-weekly-7y"
    backup_rule, retention = policy.inputs["properties"]["policyRules"]
    assert policy.inputs["properties"]["datasourceTypes"] == ["Microsoft.DBforPostgreSQL/flexibleServers"]
    assert dig(backup_rule, "trigger.schedule.repeatingTimeIntervals") == ["R/2024-01-07T02:00:00+00:00/P1W"]
    assert dig(backup_rule, "dataStore.dataStoreType") == "VaultStore"
    assert retention["isDefault"] and dig(retention, "lifecycles.0.deleteAfter.duration") == "P7Y"


def test_retention_years_and_schedule_come_from_config() -> None:
    objectives = dict(stack_value("primary", "objectives"), long_term_retention_years=10)
    p = plan(
        {
            "primary": {
                "azure-dr:objectives": json.dumps(objectives),
                **with_block(
                    "primary", "backup", weekly_backup_day="Wednesday", weekly_backup_hour_utc=23, immutability="Locked"
                ),
            }
        },
        ["primary"],
    )["primary"]
    policy = p.one(POLICY)
    # A policy cannot be updated in Azure: a new retention is a new policy, and the instance moves to it.
    assert policy.name.endswith("-policy-10y") and policy.inputs["backupPolicyName"] == "pgflex-weekly-10y"
    assert policy.retain_on_delete  # the old policy leaves the stack, not Azure (the vault lock refuses deletes)
    rules = policy.inputs["properties"]["policyRules"]
    assert dig(rules[1], "lifecycles.0.deleteAfter.duration") == "P10Y"
    assert dig(rules[0], "trigger.schedule.repeatingTimeIntervals") == ["R/2024-01-03T23:00:00+00:00/P1W"]
    assert dig(p.one(INSTANCE).inputs, "properties.policyInfo.policyId") == policy.id
    assert p.one(WORM).inputs["immutabilityPeriodSinceCreationInDays"] == retention_days(10) == 3653
    # the irreversible vault lock is opt-in
    assert dig(p.one(VAULT).inputs, "properties.securitySettings.immutabilitySettings.state") == "Locked"


def test_active_server_is_protected_with_the_vault_roles_it_needs(primary: StackPlan, dr: StackPlan) -> None:
    server, vault, instance = primary.one(SERVER), primary.one(VAULT), primary.one(INSTANCE)
    source = dig(instance.inputs, "properties.dataSourceInfo")
    assert source["resourceID"] == server.id and source["resourceName"] == "psql-qlp-prod-uks-1"
    assert source["datasourceType"] == source["resourceType"] == "Microsoft.DBforPostgreSQL/flexibleServers"
    assert dig(instance.inputs, "properties.dataSourceSetInfo.resourceID") == server.id
    assert instance.inputs["backupInstanceName"] == "bi-psql-qlp-prod-uks-1"
    assert instance.protect and instance.retain_on_delete
    principal = vault.outputs["identity"]["principalId"]
    granted = {
        (r.inputs["roleDefinitionId"].rsplit("/", 1)[-1], r.inputs["scope"], r.inputs["principalId"])
        for r in primary.of_type(ROLE)
        if "-backup-" in r.name
    }
    group_id = server.id.split("/providers/", 1)[0]
    assert granted == {(roles.PG_FLEX_LTR_BACKUP, server.id, principal), (roles.READER, group_id, principal)}
    # the instance is created after the grants, or Azure's validation refuses it
    grants = {r.urn for r in primary.of_type(ROLE) if "-backup-" in r.name}
    assert grants <= set(instance.dependencies)
    # the standby's vault protects nothing: its server is a replica
    assert dr.of_type(INSTANCE) == [] and dr.of_type(VAULT)


def test_retained_instance_stays_declared_after_a_switch(primary: StackPlan) -> None:
    retained = with_block("dr", "backup", retained_instances=["psql-qlp-prod-ukw-1", "psql-qlp-prod-ukw-0"])
    p = plan_one("dr", retained, {"primary": primary.outputs})
    names = sorted(dig(i.inputs, "properties.dataSourceInfo.resourceName") for i in p.of_type(INSTANCE))
    assert names == ["psql-qlp-prod-ukw-0", "psql-qlp-prod-ukw-1"]
    assert all(i.protect and i.retain_on_delete for i in p.of_type(INSTANCE))
    by_name = {dig(i.inputs, "properties.dataSourceInfo.resourceName"): i for i in p.of_type(INSTANCE)}
    assert dig(by_name["psql-qlp-prod-ukw-1"].inputs, "properties.dataSourceInfo.resourceID") == p.one(SERVER).id


@pytest.mark.parametrize(
    ("block", "changes", "message"),
    [
        ("backup", {"redundancy": "LocallyRedundant"}, "azure-dr:backup.redundancy: 'LocallyRedundant' is not allowed"),
        ("backup", {"immutability": "Off"}, "azure-dr:backup.immutability: 'Off' is not allowed"),
        ("backup", {"soft_delete_days": 7}, "azure-dr:backup.soft_delete_days: 7 is not allowed; allowed: 14-180 days"),
        ("alerts", {"rpo_fraction": 1.5}, "azure-dr:alerts.rpo_fraction: 1.5 is not allowed"),
        ("drills", {"enabled": True, "experiments": ["aks-pod-chaos"]}, "azure-dr:drills.aks_cluster_id: required"),
        ("drills", {"experiments": ["vm-shutdown"]}, "azure-dr:drills.experiments[0]: 'vm-shutdown' is not allowed"),
    ],
)
def test_bad_operations_config_is_one_line_naming_the_key(block: str, changes: dict[str, Any], message: str) -> None:
    p = plan({"primary": with_block("primary", block, **changes)}, ["primary"])["primary"]
    assert p.error is not None and message in p.error and "\n" not in p.error
    assert p.resources == []


def test_compliance_container_keeps_blobs_seven_years(primary: StackPlan, dr: StackPlan) -> None:
    for p in (primary, dr):
        worm, container = p.one(WORM), named(p, CONTAINER, "compliance")
        assert worm.inputs["immutabilityPeriodSinceCreationInDays"] == 2557 == retention_days(7)
        assert worm.inputs["immutabilityPolicyName"] == "default"
        assert worm.inputs["allowProtectedAppendWrites"] is False
        assert container.inputs["containerName"] == "compliance" and container.inputs["publicAccess"] == "None"
        account = p.one("azure-native:storage:StorageAccount")
        assert container.inputs["accountName"] == worm.inputs["accountName"] == account.inputs["accountName"]
        assert all(r.protect and r.retain_on_delete for r in (worm, container))


def test_backup_can_be_turned_off_without_touching_anything_else(primary: StackPlan) -> None:
    p = plan({"primary": with_block("primary", "backup", enabled=False)}, ["primary"])["primary"]
    assert p.of_type(VAULT) == p.of_type(INSTANCE) == p.of_type(WORM) == []
    assert LOG not in {r.type for r in p.resources}  # no backups, no backup alerts
    assert replacements(primary, p) == []


# ------------------------------------------------------------------------------------------------------------
# Alerts from the objectives


def test_thresholds_are_derived_from_the_objectives(primary: StackPlan, dr: StackPlan) -> None:
    t = thresholds(postgres_rpo_minutes=15, cosmos_rpo_minutes=15, redis_rpo_minutes=60, shortest_rto_minutes=120)
    assert (t.pg_replica_lag_seconds, t.cosmos_replication_latency_ms, t.redis_link_lag_seconds) == (450, 450000, 1800)
    assert t.backup_age_hours == 7 * 24 + 24 and t.window_minutes == 5
    mine, theirs = alerts(dr), alerts(primary)
    assert threshold(mine["pg-replica-lag"]) == 450 and threshold(mine["redis-link-lag"]) == 1800
    assert threshold(mine["redis-link-health"]) == 1
    assert threshold(theirs["cosmos-replication-latency"]) == 450000
    assert threshold(theirs["backup-age"]) == 192 and threshold(theirs["backup-job-failure"]) == 0
    assert theirs["cosmos-availability"].inputs["windowSize"] == "PT1H"  # the metric's one-hour grain
    assert lag_limit(SIGNALS["pg-replica-lag"], 15) == 900


def test_a_tighter_objective_tightens_every_lag_alert(primary: StackPlan) -> None:
    objectives = stack_value("primary", "objectives")
    objectives["tiers"]["tier1"] = {"rpo_minutes": 5, "rto_minutes": 60}
    objectives["tiers"]["tier2"] = {"rpo_minutes": 10, "rto_minutes": 60}
    tighter = {"azure-dr:objectives": json.dumps(objectives), **with_block("dr", "alerts", rpo_fraction=1)}
    mine = alerts(plan_one("dr", tighter, {"primary": primary.outputs}))
    assert threshold(mine["pg-replica-lag"]) == 5 * 60 and threshold(mine["redis-link-lag"]) == 10 * 60


def test_alerts_page_the_action_group_with_receivers_from_config() -> None:
    receivers = with_block(
        "primary",
        "alerts",
        email_receivers=[{"name": "oncall", "address": "oncall@example.com"}],
        webhook_receivers=[{"name": "pagerduty", "uri": "https://events.pagerduty.com/x"}],
    )
    p = plan({"primary": receivers}, ["primary"])["primary"]
    group = p.one(GROUP)
    assert group.inputs["emailReceivers"] == [
        {"name": "oncall", "emailAddress": "oncall@example.com", "useCommonAlertSchema": True}
    ]
    assert group.inputs["webhookReceivers"] == "[secret]"  # a webhook URI can carry a key: the list is secret
    assert len(group.inputs["groupShortName"]) <= 12
    for alert in p.of_type(METRIC):
        assert alert.inputs["actions"] == [{"actionGroupId": group.id}] and alert.inputs["enabled"]
    for alert in p.of_type(LOG):
        assert alert.inputs["actions"]["actionGroups"] == [group.id]
        assert alert.inputs["scopes"] == [p.outputs["log_analytics_workspace_id"]]


def test_alert_scopes_are_the_watched_resources(primary: StackPlan, dr: StackPlan) -> None:
    mine = alerts(dr)
    assert mine["pg-replica-lag"].inputs["scopes"] == [dr.one(SERVER).id]
    assert mine["redis-link-health"].inputs["scopes"] == [dr.one("azure-native:redis:Redis").id]
    theirs = alerts(primary)
    assert theirs["cosmos-replication-latency"].inputs["scopes"] == [
        primary.one("azure-native:cosmosdb:DatabaseAccount").id
    ]
    assert theirs["frontdoor-origin-health"].inputs["scopes"] == [primary.one("azure-native:cdn:Profile").id]
    assert set(mine) == {"pg-replica-lag", "redis-link-health", "redis-link-lag"}
    assert set(theirs) == {
        "cosmos-replication-latency",
        "cosmos-availability",
        "frontdoor-origin-health",
        "backup-job-failure",
        "backup-age",
    }


# ------------------------------------------------------------------------------------------------------------
# Promotion: the backup instance and the alert scopes move, nothing else in this layer changes


PROMOTED = promoted_pair()


def tier(p: StackPlan) -> dict[str, RecordedResource]:
    return {r.urn: r for r in p.resources if r.custom and any(t in r.urn for t in TIER)}


def without_tags(inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs minus tags (every resource's ``dr-role`` tag follows the role: metadata, not a move)."""
    return {k: v for k, v in inputs.items() if k != "tags"}


def test_promotion_moves_only_the_backup_instance_and_alert_scopes(shipped: dict[str, StackPlan]) -> None:
    promoted = plan(PROMOTED)
    assert [p.error for p in promoted.values()] == [None, None]
    moved: dict[str, dict[str, set[str]]] = {}
    for name in ("primary", "dr"):
        before, after = tier(shipped[name]), tier(promoted[name])
        changed = {
            u for u in before.keys() & after.keys() if without_tags(before[u].inputs) != without_tags(after[u].inputs)
        }
        assert changed == set(), f"{name}: updated in place {changed}"
        assert replacements(shipped[name], promoted[name]) == []
        moved[name] = {
            "created": {after[u].type for u in after.keys() - before.keys()},
            "deleted": {before[u].type for u in before.keys() - after.keys()},
        }
    # the new active region protects its server; the old instance stays, unchanged, retained
    assert moved["dr"] == {"created": {INSTANCE, ROLE, LOG}, "deleted": {METRIC}}
    # the old vault still holds the retained instance, so its backup alerts stay until the release
    assert moved["primary"] == {"created": {METRIC}, "deleted": set()}
    new = promoted["dr"].one(INSTANCE)
    assert dig(new.inputs, "properties.dataSourceInfo.resourceID") == promoted["dr"].one(SERVER).id
    assert without_tags(promoted["primary"].one(INSTANCE).inputs) == without_tags(
        shipped["primary"].one(INSTANCE).inputs
    )
    # alert scopes follow the roles: replica lag watches the new standby, backups watch the new active vault
    assert alerts(promoted["primary"])["pg-replica-lag"].inputs["scopes"] == [promoted["primary"].one(SERVER).id]
    assert set(alerts(promoted["dr"])) >= {"backup-age", "backup-job-failure"}


def test_promotion_without_retention_keeps_the_old_instance_protected(shipped: dict[str, StackPlan]) -> None:
    """Forgetting `retained_instances` cannot lose recovery points: protect stops `pulumi up`, retain keeps them."""
    demoted = plan_one(
        "primary", {"azure-dr:role": "standby", "azure-dr:peer_stack": "dr"}, {"dr": shipped["dr"].outputs}
    )
    [gone] = [r for r in deleted(shipped["primary"], demoted) if r.type == INSTANCE]
    assert gone.protect and gone.retain_on_delete


# ------------------------------------------------------------------------------------------------------------
# Drills


def test_drills_are_off_by_default(primary: StackPlan, dr: StackPlan) -> None:
    for p in (primary, dr):
        assert not [r for r in p.resources if r.type.startswith("azure-native:chaos:")]


NSG = "/subscriptions/s/resourceGroups/rg-app-uks/providers/Microsoft.Network/networkSecurityGroups/nsg-app-uks"
DRILLS = {"enabled": True, "experiments": ["cosmos-failover", "redis-reboot", "nsg-block"], "app_nsg_id": NSG}


def test_enabled_drills_declare_targets_capabilities_experiments_and_roles() -> None:
    p = plan({"primary": {"azure-dr:drills": json.dumps(DRILLS)}}, ["primary"])["primary"]
    experiments = {dig(e.inputs, "properties.steps.0.branches.0.actions.0.name"): e for e in p.of_type(EXPERIMENT)}
    assert set(experiments) == {
        "urn:csci:microsoft:cosmosDB:failover/1.0",
        "urn:csci:microsoft:azureClusteredCacheForRedis:reboot/1.0",
        "urn:csci:microsoft:networkSecurityGroup:securityRule/1.0",
    }
    targets = {t.inputs["targetName"]: t for t in p.of_type(TARGET)}
    assert set(targets) == {
        "Microsoft-CosmosDB",
        "Microsoft-AzureClusteredCacheForRedis",
        "Microsoft-NetworkSecurityGroup",
    }
    assert {c.inputs["capabilityName"] for c in p.of_type(CAPABILITY)} == {
        "Failover-1.0",
        "Reboot-1.0",
        "SecurityRule-1.0",
    }
    assert targets["Microsoft-NetworkSecurityGroup"].inputs["parentResourceName"] == "nsg-app-uks"
    assert targets["Microsoft-NetworkSecurityGroup"].inputs["resourceGroupName"] == "rg-app-uks"
    nsg_action = dig(experiments["urn:csci:microsoft:networkSecurityGroup:securityRule/1.0"].inputs, "properties")
    nsg_parameters = {kv["key"]: kv["value"] for kv in dig(nsg_action, "steps.0.branches.0.actions.0.parameters")}
    assert (nsg_parameters["action"], nsg_parameters["direction"], nsg_parameters["sourceAddresses"]) == (
        "Deny",
        "Inbound",
        '["*"]',
    )
    cosmos = experiments["urn:csci:microsoft:cosmosDB:failover/1.0"]
    action = dig(cosmos.inputs, "properties.steps.0.branches.0.actions.0")
    assert action["type"] == "continuous" and action["duration"] == "PT15M"
    assert {"key": "readRegion", "value": "UK West"} in action["parameters"]
    assert dig(cosmos.inputs, "properties.selectors.0.targets.0.id") == targets["Microsoft-CosmosDB"].id
    # each experiment's own identity gets the fault's role on its target, nothing broader
    granted = {
        (r.inputs["roleDefinitionId"].rsplit("/", 1)[-1], r.inputs["scope"], r.inputs["principalId"])
        for r in p.of_type(ROLE)
        if "-drills-" in r.name
    }
    principal = {
        e.name.rsplit("-", 2)[-2] + "-" + e.name.rsplit("-", 1)[-1]: e.outputs["identity"]["principalId"]
        for e in p.of_type(EXPERIMENT)
    }
    assert granted == {
        (roles.COSMOS_DB_OPERATOR, p.one("azure-native:cosmosdb:DatabaseAccount").id, principal["cosmos-failover"]),
        (roles.REDIS_CACHE_CONTRIBUTOR, p.one("azure-native:redis:Redis").id, principal["redis-reboot"]),
        (roles.NETWORK_CONTRIBUTOR, NSG, principal["nsg-block"]),
    }
    assert all(e.inputs["identity"]["type"] == "SystemAssigned" for e in p.of_type(EXPERIMENT))
    assert (
        "chaos:Experiment qlp-uksouth-drills-cosmos-failover  fault=urn:csci:microsoft:cosmosDB:failover/1.0 "
        "duration=PT15M"
    ) in render.plan_text(p)


def test_drills_fault_only_the_active_region(primary: StackPlan) -> None:
    p = plan_one("dr", {"azure-dr:drills": json.dumps(DRILLS)}, {"primary": primary.outputs})
    assert p.error is None and p.of_type(EXPERIMENT) == []


def test_config_refuses_a_network_drill_without_its_nsg() -> None:
    with pytest.raises(ConfigError, match=r"azure-dr:drills.app_nsg_id: required but not set"):
        parse_config(
            {
                "workload": "qlp",
                "role": "active",
                "region": "uksouth",
                "owns_global": "true",
                "peer_region": "ukwest",
                "postgres": json.dumps(stack_value("primary", "postgres")),
                "routing": json.dumps(stack_value("primary", "routing")),
                "drills": json.dumps({"enabled": True, "experiments": ["nsg-block"]}),
            }
        )


# ------------------------------------------------------------------------------------------------------------
# What the plan shows


def test_plan_text_shows_vault_policy_instance_and_alert_thresholds(primary: StackPlan, dr: StackPlan) -> None:
    text = render.plan_text(primary)
    assert (
        "dataprotection:BackupVault qlp-uksouth-backup-vault [protected, locked]  storage=VaultStore:GeoRedundant "
        "crossRegionRestore=Enabled softDelete=On softDeleteDays=14 immutability=Unlocked"
    ) in text
    assert (
        "dataprotection:BackupPolicy qlp-uksouth-backup-policy-7y  schedule=R/2024-01-07T02:00:00+00:00/P1W keep=P7Y"
        in text
    )
    assert "server=psql-qlp-prod-uks-1 policy=pgflex-weekly-7y (id)" in text
    assert "storage:BlobContainerImmutabilityPolicy qlp-uksouth-compliance-worm [protected]  wormDays=2557" in text
    assert "signal=backup-age measure=AgeHours when=GreaterThan threshold=192 window=P1D" in text
    assert (
        "monitor:MetricAlert qlp-ukwest-alerts-pg-replica-lag  metric=physical_replication_delay_in_seconds "
        "when=GreaterThan threshold=450 window=PT5M scope=psql-qlp-prod-ukw-1 (id)"
    ) in render.plan_text(dr)


def test_posture_adds_the_long_term_retention_line(shipped: dict[str, StackPlan]) -> None:
    objectives = posture.config_of(load_stack(ROOT, "primary"))
    ltr = posture.long_term_retention(list(shipped.values()), objectives)
    assert (ltr.kept_years, ltr.objective_years, ltr.protected_servers, ltr.meets) == (
        7,
        7,
        ("psql-qlp-prod-uks-1",),
        True,
    )
    assert "LTR" in posture.retention_text(ltr) and " ok  weekly backups kept 7 y" in posture.retention_text(ltr)
    off = plan_one("primary", with_block("primary", "backup", enabled=False))
    gap = posture.long_term_retention([off, shipped["dr"]], objectives)
    # dr's vault still has the policy, but no server is protected any more
    assert not gap.meets and "GAP weekly backups kept 7 y in the Backup vault (GeoRedundant): no server protected" in (
        posture.retention_text(gap)
    )
