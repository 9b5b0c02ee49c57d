"""Long-term retention for PostgreSQL flexible servers: a regional Azure Backup vault, a weekly vaulted-backup
policy kept for years, and one backup instance per protected server.

Facts (Microsoft Learn, "Back up Azure Database for PostgreSQL flexible server" and "Azure Database for
PostgreSQL flexible server backup support matrix"; REST spec Microsoft.DataProtection 2025-01-01, the SDK's API
version): the vault must be in the server's region; backups are logical (``pg_dump``) and kept up to 10 years;
the vault's system identity needs "PostgreSQL Flexible Server Long Term Retention Backup Role" on the server and
Reader on its resource group (also the Az.DataProtection PGFlexServer manifest); an existing backup policy cannot
be updated ("Create a backup policy using REST API": create a new one and assign it), so the policy's name
carries its retention and a new retention is a new policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import pulumi
from pulumi_azure_native import authorization, dataprotection

from .interfaces import DataInterfaces, protect_data, stateful
from .roles import PG_FLEX_LTR_BACKUP, READER, grant

PG_FLEX = "Microsoft.DBforPostgreSQL/flexibleServers"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ANCHOR_MONDAY = date(2024, 1, 1)  # a fixed Monday: the schedule's start never moves between runs


@dataclass(frozen=True)
class ProtectedServer:
    """A PostgreSQL flexible server in the vault's region whose weekly backups the vault keeps."""

    server_name: str
    server_id: pulumi.Input[str]
    resource_group_id: pulumi.Input[str]


@dataclass(frozen=True)
class LongTermBackupArgs:
    """What the vault protects and how. Every default is the safe one; the irreversible settings are opt-in."""

    vault_name: str
    policy_name_prefix: str
    subscription_id: pulumi.Input[str]
    interfaces: DataInterfaces
    #: years each weekly backup is kept (Azure allows up to 10).
    retention_years: int = 7
    #: GeoRedundant keeps a copy in the paired region (needed for cross-region restore).
    redundancy: Literal["GeoRedundant", "ZoneRedundant", "LocallyRedundant"] = "GeoRedundant"
    #: restore in the paired region while this one is down; cannot be turned off once on [Learn, unverified].
    cross_region_restore: bool = True
    #: "AlwaysOn" cannot be turned off again.
    soft_delete: Literal["On", "AlwaysOn"] = "On"
    soft_delete_days: int = 14
    #: "Unlocked" blocks early deletion of recovery points but can still be disabled; "Locked" is permanent.
    immutability: Literal["Disabled", "Unlocked", "Locked"] = "Unlocked"
    weekly_backup_day: str = "Sunday"
    weekly_backup_hour_utc: int = 2
    #: the active server first, then servers whose earlier instance is retained until released.
    servers: Sequence[ProtectedServer] = field(default_factory=tuple)


def weekly_schedule(day: str, hour_utc: int) -> str:
    """The ISO 8601 repeating interval of a weekly backup, anchored on a fixed week so it never drifts."""
    start = _ANCHOR_MONDAY + timedelta(days=_WEEKDAYS.index(day))
    return f"R/{start.isoformat()}T{hour_utc:02d}:00:00+00:00/P1W"


def policy_name(prefix: str, years: int) -> str:
    """A policy cannot be updated in place, so its retention is part of its name."""
    return f"{prefix}-weekly-{years}y"


def instance_name(server_name: str) -> str:
    """The backup instance of a server, keyed by the server's name so it survives a change of roles."""
    return f"bi-{server_name}"


class LongTermBackup(pulumi.ComponentResource):
    """One region's Backup vault (protected, locked), its weekly LTR policy and the servers' backup instances.

    A server's instance stays declared while the server is listed in ``servers``: after a promotion the old
    active server's instance is kept (its recovery points are data) until a config release, and even then
    ``retain_on_delete`` leaves it in Azure for ``az dataprotection backup-instance stop-protection``.
    """

    vault: dataprotection.BackupVault
    policy: dataprotection.BackupPolicy
    instances: dict[str, dataprotection.BackupInstance]
    role_assignments: list[authorization.RoleAssignment]
    vault_id: pulumi.Output[str]
    vault_principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: LongTermBackupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:backup:LongTermBackup", name, None, opts)
        if not 1 <= args.retention_years <= 10:
            raise ValueError(f"retention_years={args.retention_years}; expected 1-10 (Azure keeps LTR up to 10)")
        if args.cross_region_restore and args.redundancy != "GeoRedundant":
            raise ValueError("cross_region_restore needs redundancy=GeoRedundant")
        i = args.interfaces
        vault = dataprotection.BackupVault(
            f"{name}-vault",
            vault_name=args.vault_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            identity=dataprotection.DppIdentityDetailsArgs(type="SystemAssigned"),
            properties=dataprotection.BackupVaultArgs(
                storage_settings=[dataprotection.StorageSettingArgs(datastore_type="VaultStore", type=args.redundancy)],
                feature_settings=dataprotection.FeatureSettingsArgs(
                    cross_region_restore_settings=dataprotection.CrossRegionRestoreSettingsArgs(
                        state="Enabled" if args.cross_region_restore else "Disabled"
                    )
                ),
                security_settings=dataprotection.SecuritySettingsArgs(
                    soft_delete_settings=dataprotection.SoftDeleteSettingsArgs(
                        state=args.soft_delete, retention_duration_in_days=args.soft_delete_days
                    ),
                    immutability_settings=dataprotection.ImmutabilitySettingsArgs(state=args.immutability),
                ),
                # Built-in Azure Monitor alerts for every failed job (facts §9, MonitoringSettings).
                monitoring_settings=dataprotection.MonitoringSettingsArgs(
                    azure_monitor_alert_settings=dataprotection.AzureMonitorAlertSettingsArgs(
                        alerts_for_all_job_failures="Enabled"
                    )
                ),
            ),
            tags=dict(i.tags),
            opts=stateful(self, removal_policy=i.removal_policy),
        )
        protect_data(self, name, vault, i)
        policy = dataprotection.BackupPolicy(
            f"{name}-policy-{args.retention_years}y",
            backup_policy_name=policy_name(args.policy_name_prefix, args.retention_years),
            vault_name=vault.name,
            resource_group_name=i.resource_group_name,
            properties=dataprotection.BackupPolicyArgs(
                object_type="BackupPolicy",
                datasource_types=[PG_FLEX],
                policy_rules=[
                    dataprotection.AzureBackupRuleArgs(
                        name="BackupWeekly",
                        object_type="AzureBackupRule",
                        data_store=dataprotection.DataStoreInfoBaseArgs(
                            data_store_type="VaultStore", object_type="DataStoreInfoBase"
                        ),
                        backup_parameters=dataprotection.AzureBackupParamsArgs(
                            backup_type="Full", object_type="AzureBackupParams"
                        ),
                        trigger=dataprotection.ScheduleBasedTriggerContextArgs(
                            object_type="ScheduleBasedTriggerContext",
                            schedule=dataprotection.BackupScheduleArgs(
                                repeating_time_intervals=[
                                    weekly_schedule(args.weekly_backup_day, args.weekly_backup_hour_utc)
                                ],
                                time_zone="UTC",
                            ),
                            tagging_criteria=[
                                dataprotection.TaggingCriteriaArgs(
                                    is_default=True,
                                    tagging_priority=99,
                                    tag_info=dataprotection.RetentionTagArgs(tag_name="Default"),
                                )
                            ],
                        ),
                    ),
                    # Every backup is weekly, so the default rule is the weekly retention.
                    dataprotection.AzureRetentionRuleArgs(
                        name="Default",
                        object_type="AzureRetentionRule",
                        is_default=True,
                        lifecycles=[
                            dataprotection.SourceLifeCycleArgs(
                                source_data_store=dataprotection.DataStoreInfoBaseArgs(
                                    data_store_type="VaultStore", object_type="DataStoreInfoBase"
                                ),
                                delete_after=dataprotection.AbsoluteDeleteOptionArgs(
                                    duration=f"P{args.retention_years}Y", object_type="AbsoluteDeleteOption"
                                ),
                            )
                        ],
                    ),
                ],
            ),
            # A new retention is a new policy; the old one is then dropped from the stack but kept in Azure: the
            # vault's CanNotDelete lock (inherited by its children) would refuse the delete, and nothing is lost.
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )
        principal = vault.identity.apply(lambda identity: identity.principal_id if identity else None)
        self.instances = {}
        self.role_assignments = []
        for server in args.servers:
            grants = [
                grant(
                    f"{name}-{server.server_name}-ltr-role",
                    role=PG_FLEX_LTR_BACKUP,
                    scope=server.server_id,
                    principal_id=principal.apply(lambda p: p or ""),
                    subscription_id=args.subscription_id,
                    parent=self,
                ),
                grant(
                    f"{name}-{server.server_name}-rg-reader",
                    role=READER,
                    scope=server.resource_group_id,
                    principal_id=principal.apply(lambda p: p or ""),
                    subscription_id=args.subscription_id,
                    parent=self,
                ),
            ]
            self.role_assignments.extend(grants)
            datasource: dict[str, Any] = dict(
                resource_id=server.server_id,
                datasource_type=PG_FLEX,
                object_type="Datasource",
                resource_location=i.location,
                resource_name=server.server_name,
                resource_type=PG_FLEX,
            )
            self.instances[server.server_name] = dataprotection.BackupInstance(
                f"{name}-{server.server_name}",
                backup_instance_name=instance_name(server.server_name),
                vault_name=vault.name,
                resource_group_name=i.resource_group_name,
                properties=dataprotection.BackupInstanceArgs(
                    object_type="BackupInstance",
                    friendly_name=server.server_name,
                    data_source_info=dataprotection.DatasourceArgs(**datasource),
                    data_source_set_info=dataprotection.DatasourceSetArgs(**datasource),
                    policy_info=dataprotection.PolicyInfoArgs(policy_id=policy.id),
                ),
                tags=dict(i.tags),
                # Recovery points are data: never deleted by a switch, released only on purpose.
                opts=pulumi.ResourceOptions.merge(
                    stateful(self, removal_policy=i.removal_policy), pulumi.ResourceOptions(depends_on=grants)
                ),
            )
        self.vault, self.policy = vault, policy
        self.vault_id = vault.id
        self.vault_principal_id = principal.apply(lambda p: p or "")
        self.register_outputs(
            {
                "vault_id": self.vault_id,
                "policy_id": policy.id,
                "instances": {k: v.id for k, v in self.instances.items()},
            }
        )
