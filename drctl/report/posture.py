"""The DR posture of a set of planned stacks: per service, the mechanism found in the plans, its modeled
RPO/RTO (azure_dr.components.facts.recovery) and the objective it is held to.

Mechanisms are read from the recorded resources of all stacks together, because a service's DR often spans
two stacks (the primary's server and the standby's replica).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from azure_dr.components.facts import recovery
from azure_dr.components.facts.paths import dig
from azure_dr.components.facts.recovery import GEO_REDUNDANT_STORAGE_SKUS, Mechanism
from azure_dr.components.facts.schedule import CronError, max_gap_minutes
from azure_dr.components.stack.config import ServiceName, StackConfig, parse_config

from ..engine.recording import RecordedResource, StackPlan
from ..stackfiles.files import StackFile


@dataclass(frozen=True)
class ServicePosture:
    service: ServiceName
    tier: str
    mechanism: Mechanism | None
    objective_rpo: int
    objective_rto: int

    @property
    def meets(self) -> bool:
        m = self.mechanism
        return m is not None and m.rpo_minutes <= self.objective_rpo and m.rto_minutes <= self.objective_rto

    def as_dict(self) -> dict[str, Any]:
        m = self.mechanism
        return {
            "service": self.service,
            "tier": self.tier,
            "mechanism": m.description if m else None,
            "rpo_minutes": m.rpo_minutes if m else None,
            "rto_minutes": m.rto_minutes if m else None,
            "objective_rpo_minutes": self.objective_rpo,
            "objective_rto_minutes": self.objective_rto,
            "meets": self.meets,
            "source": m.source if m else None,
        }


def _all(plans: Sequence[StackPlan], type_: str) -> list[RecordedResource]:
    return [r for p in plans for r in p.of_type(type_)]


# What a gap means where the lifecycle explains it: after a forced promotion the promoted server has neither a
# replica nor geo-redundant backup (create-only; a server created as a replica never has it).
GAP_HINTS: dict[str, str] = {
    "postgresql": "no live replica and no geo-redundant backup (a promoted replica never has it): "
    "`drctl rebuild STACK` creates the new replica",
}


def _current_servers(plans: Sequence[StackPlan]) -> list[tuple[StackPlan, RecordedResource]]:
    """Each stack's current server (retired generations kept until `drctl release` protect nothing)."""
    return [
        (p, s)
        for p in plans
        for s in p.of_type("azure-native:dbforpostgresql:Server")
        if s.inputs.get("serverName") == p.outputs.get("postgres_server_name")
    ]


def _postgres(plans: Sequence[StackPlan]) -> Mechanism | None:
    """A live replica (a stack whose current server replicates the other's current one), else geo-backup on
    the active server. A forced promotion leaves neither until `drctl rebuild` (geo-backup is create-only and a
    server created as a replica never has it): the posture then shows the gap."""
    current = _current_servers(plans)
    ids = {s.id for _, s in current}
    if any(p.outputs.get("postgres_state") in ("new", "replica") for p, _ in current) and any(
        s.inputs.get("sourceServerResourceId") in ids for _, s in current
    ):
        return recovery.MECHANISMS["postgres-replica"]
    active = [s for p, s in current if p.outputs.get("role") == "active"] or [s for _, s in current]
    if any(dig(s.inputs, "backup.geoRedundantBackup") == "Enabled" for s in active):
        return recovery.MECHANISMS["postgres-geo-backup"]
    return None


def _cosmos(plans: Sequence[StackPlan]) -> Mechanism | None:
    for account in _all(plans, "azure-native:cosmosdb:DatabaseAccount"):
        if len(account.inputs.get("locations") or []) >= 2 and account.inputs.get("enableAutomaticFailover"):
            strong = dig(account.inputs, "consistencyPolicy.defaultConsistencyLevel") == "Strong"
            return recovery.MECHANISMS["cosmos-strong-failover" if strong else "cosmos-service-managed-failover"]
    return None


def _storage(plans: Sequence[StackPlan]) -> Mechanism | None:
    accounts = _all(plans, "azure-native:storage:StorageAccount")
    if accounts and all(dig(a.inputs, "sku.name") in GEO_REDUNDANT_STORAGE_SKUS for a in accounts):
        return recovery.MECHANISMS["storage-geo-failover"]
    return None


def _registry(plans: Sequence[StackPlan]) -> Mechanism | None:
    registries = _all(plans, "azure-native:containerregistry:Registry")
    regions = {r.inputs.get("location") for r in registries}
    replicas = {r.inputs.get("location") for r in _all(plans, "azure-native:containerregistry:Replication")}
    if registries and replicas - regions:
        return recovery.MECHANISMS["acr-geo-replication"]
    return None


def _redis(plans: Sequence[StackPlan]) -> Mechanism | None:
    if _all(plans, "azure-native:redis:LinkedServer"):
        return recovery.MECHANISMS["redis-geo-replication"]
    frequencies = [
        int(str(dig(c.inputs, "redisConfiguration.rdbBackupFrequency")))
        for c in _all(plans, "azure-native:redis:Redis")
        if dig(c.inputs, "redisConfiguration.rdbBackupEnabled") == "true"
    ]
    return recovery.redis_persistence(max(frequencies)) if frequencies else None


def _routing(plans: Sequence[StackPlan]) -> Mechanism | None:
    origins = _all(plans, "azure-native:cdn:AFDOrigin")
    groups = _all(plans, "azure-native:cdn:AFDOriginGroup")
    if len({o.inputs.get("hostName") for o in origins}) >= 2 and groups:
        interval = int(dig(groups[0].inputs, "healthProbeSettings.probeIntervalInSeconds") or 240)
        return recovery.frontdoor_failover(interval)
    profiles = _all(plans, "azure-native:trafficmanager:Profile")
    if len(_all(plans, "azure-native:trafficmanager:Endpoint")) >= 2 and profiles:
        interval = int(dig(profiles[0].inputs, "monitorConfig.intervalInSeconds") or 30)
        return recovery.trafficmanager_failover(interval)
    return None


def _keyvault(plans: Sequence[StackPlan]) -> Mechanism | None:
    vaults = _all(plans, "azure-native:keyvault:Vault")
    return recovery.MECHANISMS["keyvault-regional"] if len(vaults) >= 2 else None


def _compute(plans: Sequence[StackPlan]) -> Mechanism | None:
    """Clusters in two regions, and scheduled Velero backups: the longest backup gap is the RPO."""
    clusters = _all(plans, "azure-native:containerservice:ManagedCluster")
    gaps = []
    for schedule in _all(plans, "kubernetes:velero.io/v1:Schedule"):
        if dig(schedule.inputs, "spec.paused") is True:
            continue
        try:
            gaps.append(max_gap_minutes(str(dig(schedule.inputs, "spec.schedule"))))
        except CronError:
            continue
    if len({c.inputs.get("location") for c in clusters}) < 2 or not gaps:
        return None
    return recovery.aks_warm_standby(max(gaps))


Detector = Callable[[Sequence[StackPlan]], Mechanism | None]

DETECTORS: dict[ServiceName, Detector] = {
    "postgresql": _postgres,
    "cosmos": _cosmos,
    "storage": _storage,
    "registry": _registry,
    "redis": _redis,
    "routing": _routing,
    "keyvault": _keyvault,
    "compute": _compute,
}


def config_of(stack: StackFile) -> StackConfig:
    """The stack's validated config, read under its project's namespace exactly as the program reads it."""
    prefix = f"{stack.project}:"
    secrets = {k[len(prefix) :] for k in stack.secret_keys if k.startswith(prefix)}
    return parse_config(
        {k[len(prefix) :]: v for k, v in stack.config.items() if k.startswith(prefix)}, stack.project, secrets
    )


def objectives_stack(plans: Sequence[StackPlan]) -> StackPlan | None:
    """The plan whose objectives the posture is held to: the active stack's (the first plan otherwise)."""
    usable = [p for p in plans if p.error is None]
    return next((p for p in usable if p.outputs.get("role") == "active"), usable[0] if usable else None)


def posture(plans: Sequence[StackPlan], objectives: StackConfig) -> list[ServicePosture]:
    """Every service's posture across ``plans``, held to the objectives of ``objectives`` (the active stack)."""
    usable = [p for p in plans if p.error is None]
    rows = []
    for service, detect in DETECTORS.items():
        tier = objectives.objectives.service_tiers.get(service, "tier1")
        target = objectives.objective(service)
        rows.append(ServicePosture(service, tier, detect(usable), target.rpo_minutes, target.rto_minutes))
    return rows


def posture_text(rows: Sequence[ServicePosture], title: str) -> str:
    def fmt(value: float | None) -> str:
        if value is None:
            return "-"
        return f"{value:g} min" if value < 120 else f"{value / 60:g} h"

    lines = [title, f"  {'service':<11} {'tier':<6} {'RPO':>8} {'RTO':>8}   {'objective':<17} mechanism"]
    for r in rows:
        m = r.mechanism
        status = "ok " if r.meets else "GAP"
        rpo, rto = (fmt(m.rpo_minutes), fmt(m.rto_minutes)) if m else ("-", "-")
        lines.append(
            f"  {r.service:<11} {r.tier:<6} {rpo:>8} {rto:>8}"
            f"   {fmt(r.objective_rpo) + ' / ' + fmt(r.objective_rto):<17} {status} "
            f"{m.description if m else GAP_HINTS.get(r.service, 'no DR mechanism found')}"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class RetentionPosture:
    """Long-term retention of PostgreSQL backups across the plans, against ``long_term_retention_years``."""

    kept_years: int | None
    objective_years: int
    protected_servers: tuple[str, ...]
    redundancy: str | None

    @property
    def meets(self) -> bool:
        return self.kept_years is not None and self.kept_years >= self.objective_years and bool(self.protected_servers)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kept_years": self.kept_years,
            "objective_years": self.objective_years,
            "protected_servers": list(self.protected_servers),
            "vault_redundancy": self.redundancy,
            "meets": self.meets,
        }


def _years(duration: Any) -> int | None:
    text = str(duration or "")
    return int(text[1:-1]) if text.startswith("P") and text.endswith("Y") and text[1:-1].isdigit() else None


def long_term_retention(plans: Sequence[StackPlan], objectives: StackConfig) -> RetentionPosture:
    """The longest weekly retention any plan's PostgreSQL backup policy keeps, and the servers it protects."""
    usable = [p for p in plans if p.error is None]
    kept = [
        y
        for policy in _all(usable, "azure-native:dataprotection:BackupPolicy")
        for rule in dig(policy.inputs, "properties.policyRules") or []
        for lifecycle in (rule.get("lifecycles") or [] if isinstance(rule, dict) else [])
        if (y := _years(dig(lifecycle, "deleteAfter.duration"))) is not None
    ]
    servers = tuple(
        sorted(
            str(dig(i.inputs, "properties.dataSourceInfo.resourceName"))
            for i in _all(usable, "azure-native:dataprotection:BackupInstance")
        )
    )
    vaults = _all(usable, "azure-native:dataprotection:BackupVault")
    redundancy = str(dig(vaults[0].inputs, "properties.storageSettings.0.type")) if vaults else None
    return RetentionPosture(
        max(kept) if kept else None, objectives.objectives.long_term_retention_years, servers, redundancy
    )


def retention_text(ltr: RetentionPosture) -> str:
    """The posture table's LTR line: weekly vaulted backups kept N years against the objective."""
    kept = f"{ltr.kept_years} y" if ltr.kept_years is not None else "-"
    status = "ok " if ltr.meets else "GAP"
    where = ", ".join(ltr.protected_servers) or "no server protected"
    return (
        f"  {'LTR':<11} {'weekly':<6} {'-':>8} {'-':>8}   {'keep ' + str(ltr.objective_years) + ' y':<17} {status} "
        f"weekly backups kept {kept} in the Backup vault ({ltr.redundancy or 'none'}): {where}"
    )
