"""The declared DR mechanism achieves the RPO objective, by Azure's documented figures (facts.recovery)."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.azure_facts.recovery import MECHANISMS
from drpolicy.facts import mechanism, number, stateful
from drpolicy.framework import MANDATORY, Rule, StackRule, Threshold, dig
from drpolicy.services import COSMOS_ACCOUNT, KEY_VAULT, PG_SERVER, REDIS, REGISTRY, STORAGE_ACCOUNT

SERVICE = {
    PG_SERVER: "postgresql",
    COSMOS_ACCOUNT: "cosmos",
    STORAGE_ACCOUNT: "storage",
    REGISTRY: "registry",
    REDIS: "redis",
    KEY_VAULT: "keyvault",
}


def modeled_rpo(key: str, props: Mapping[str, Any]) -> float | None:
    """Minutes of data a region loss costs with this mechanism; RDB persistence loses one snapshot interval."""
    if key == "redis-persistence":
        return number(dig(props, "redisConfiguration.rdbBackupFrequency"), 1440)
    known = MECHANISMS.get(key)
    return known.rpo_minutes if known else None


def check(args: StackValidationArgs, settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for resource in stateful(args.resources):
        service = SERVICE.get(resource.resource_type)
        declared = mechanism(resource)
        if service is None or declared is None:
            continue  # dr-coverage reports a missing mechanism
        rpo = modeled_rpo(declared, resource.props)
        objective = settings[f"{service}_rpo_minutes"]
        if rpo is not None and rpo > objective:
            yield (
                f"{resource.name}: {declared} has a modeled RPO of {rpo:g} min; the {service} objective is "
                f"{objective:g} min",
                resource.urn,
            )


RULE = StackRule(
    Rule(
        id="dr-rpo",
        title="The configured DR mechanism achieves the declared RPO",
        service="all",
        objective="rpo",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Choose a mechanism whose documented RPO meets the objective (components/facts/recovery.py), or change the "
            "service's tier in azure-dr:objectives."
        ),
        config=("objectives.tiers", "objectives.service_tiers", "objectives"),
        thresholds=(
            Threshold("postgresql_rpo_minutes", 15, "PostgreSQL RPO objective (tier 1)", 0),
            Threshold("cosmos_rpo_minutes", 15, "Cosmos DB RPO objective (tier 1)", 0),
            Threshold("storage_rpo_minutes", 15, "storage RPO objective (tier 1)", 0),
            Threshold("keyvault_rpo_minutes", 15, "Key Vault RPO objective (tier 1)", 0),
            Threshold("registry_rpo_minutes", 60, "container registry RPO objective (tier 2)", 0),
            Threshold("redis_rpo_minutes", 60, "Redis RPO objective (tier 2)", 0),
        ),
    ),
    check,
)
