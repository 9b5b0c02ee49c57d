"""Every stateful resource declares a DR mechanism its own settings support.

The mechanism is the ``azure-dr:dr-mechanism`` tag the components set from config. Where the other half of a
mechanism lives in the peer stack (the primary's replica, the cache's geo-secondary), the peer's
``dr-peer-links`` rule verifies that half; this rule checks what this stack can see, whatever ``createMode`` a
server sends (``Replica`` or ``Create`` only in its creating deployment, ``Update`` for the rest of its life): a
server created as a replica names a PostgreSQL flexible server as its source.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from drpolicy.azure_facts.recovery import GEO_REDUNDANT_STORAGE_SKUS
from drpolicy.facts import created_as_replica, known, mechanism, stateful
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import (
    COSMOS_ACCOUNT,
    KEY_VAULT,
    MANAGED_CLUSTER,
    PG_SERVER,
    REDIS,
    REGISTRY,
    STORAGE_ACCOUNT,
)

Support = Callable[[Mapping[str, Any]], str | None]
PG_SERVER_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.DBforPostgreSQL/flexibleServers/[^/]+$", re.I
)


def _replica(p: Mapping[str, Any]) -> str | None:
    source = known(p, "sourceServerResourceId")
    if created_as_replica(p) and not source:
        return "a replica without sourceServerResourceId"
    if source and not PG_SERVER_ID.match(str(source)):
        return f"sourceServerResourceId {source!r} is not a PostgreSQL flexible server"
    return None


def _geo_backup(p: Mapping[str, Any]) -> str | None:
    return None if dig(p, "backup.geoRedundantBackup") == "Enabled" else "backup.geoRedundantBackup is not Enabled"


def _multi_region(p: Mapping[str, Any]) -> str | None:
    if len(p.get("locations") or []) < 2 or not p.get("enableAutomaticFailover"):
        return "needs two or more locations and enableAutomaticFailover"
    return None


def _geo_sku(p: Mapping[str, Any]) -> str | None:
    return (
        None
        if dig(p, "sku.name") in GEO_REDUNDANT_STORAGE_SKUS
        else f"sku {dig(p, 'sku.name')} does not replicate to the pair"
    )


def _premium(p: Mapping[str, Any]) -> str | None:
    return None if dig(p, "sku.name") == "Premium" else "geo-replication needs the Premium SKU"


def _no_persistence(p: Mapping[str, Any]) -> str | None:
    if (
        dig(p, "redisConfiguration.rdbBackupEnabled") == "true"
        or dig(p, "redisConfiguration.aofBackupEnabled") == "true"
    ):
        return "Azure refuses persistence on a geo-replicated cache"
    return _premium(p)


def _persistence(p: Mapping[str, Any]) -> str | None:
    enabled = dig(p, "redisConfiguration.rdbBackupEnabled") == "true"
    return None if enabled else "redisConfiguration.rdbBackupEnabled is not true"


def _recoverable_vault(p: Mapping[str, Any]) -> str | None:
    ok = dig(p, "properties.enableSoftDelete") is not False and dig(p, "properties.enablePurgeProtection") is True
    return None if ok else "needs soft delete and purge protection"


def _velero_identity(p: Mapping[str, Any]) -> str | None:
    """Velero signs in to the keyless storage account through workload identity, which needs the OIDC issuer."""
    if (
        dig(p, "oidcIssuerProfile.enabled") is not True
        or dig(p, "securityProfile.workloadIdentity.enabled") is not True
    ):
        return "Velero needs oidcIssuerProfile.enabled and securityProfile.workloadIdentity.enabled"
    return None


SUPPORTED: dict[str, dict[str, Support]] = {
    PG_SERVER: {"postgres-replica": _replica, "postgres-geo-backup": _geo_backup},
    COSMOS_ACCOUNT: {"cosmos-service-managed-failover": _multi_region, "cosmos-strong-failover": _multi_region},
    STORAGE_ACCOUNT: {"storage-geo-failover": _geo_sku},
    REGISTRY: {"acr-geo-replication": _premium},
    REDIS: {"redis-geo-replication": _no_persistence, "redis-persistence": _persistence},
    KEY_VAULT: {"keyvault-regional": _recoverable_vault},
    MANAGED_CLUSTER: {"aks-velero": _velero_identity},
}


def _problem(resource: PolicyResource) -> str | None:
    allowed = SUPPORTED.get(resource.resource_type)
    if allowed is None:
        return None
    declared = mechanism(resource)
    if declared is None:
        return f"declares no DR mechanism (tag azure-dr:dr-mechanism; one of {', '.join(sorted(allowed))})"
    if declared not in allowed:
        return f"declares {declared!r}, not a mechanism for this service ({', '.join(sorted(allowed))})"
    gap = allowed[declared](resource.props)
    return f"declares {declared!r} but {gap}" if gap else None


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for resource in stateful(args.resources):
        problem = _problem(resource)
        if problem:
            yield f"{resource.name}: {problem}", resource.urn


RULE = StackRule(
    Rule(
        id="dr-coverage",
        title="Every stateful service has a DR mechanism its settings support",
        service="all",
        objective="coverage",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Give the resource a DR mechanism its own settings support, chosen in the service's azure-dr block (e.g. "
            "azure-dr:redis.dr_mechanism, azure-dr:storage.sku, azure-dr:postgres.create_as)."
        ),
        config=(),
    ),
    check,
)
