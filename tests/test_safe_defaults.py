"""No unsafe SDK default reaches a resource (facts §0: the SDK fills some defaults with the unsafe value)."""

from __future__ import annotations

from typing import Any

import pytest

from azure_dr.cli.engine.recording import StackPlan
from tests.helpers import dig

# Owned by the global-owner stack only: absent from the other stack by design.
GLOBAL = {"azure-native:containerregistry:Registry", "azure-native:cosmosdb:DatabaseAccount"}

# (type, input path, the SDK's unsafe default or an unsafe value that must never appear)
UNSAFE: list[tuple[str, str, Any]] = [
    ("azure-native:dbforpostgresql:Server", "authConfig.passwordAuth", "Enabled"),
    ("azure-native:dbforpostgresql:Server", "network.publicNetworkAccess", "Enabled"),
    ("azure-native:storage:StorageAccount", "networkRuleSet.defaultAction", "Allow"),
    ("azure-native:storage:StorageAccount", "publicNetworkAccess", "Enabled"),
    ("azure-native:storage:StorageAccount", "allowSharedKeyAccess", True),
    ("azure-native:storage:StorageAccount", "allowBlobPublicAccess", True),
    ("azure-native:keyvault:Vault", "properties.publicNetworkAccess", "enabled"),
    ("azure-native:keyvault:Vault", "properties.enableRbacAuthorization", False),
    ("azure-native:keyvault:Vault", "properties.networkAcls.defaultAction", "Allow"),
    ("azure-native:containerregistry:Registry", "publicNetworkAccess", "Enabled"),
    ("azure-native:containerregistry:Registry", "adminUserEnabled", True),
    ("azure-native:containerregistry:Registry", "networkRuleSet.defaultAction", "Allow"),
    ("azure-native:cosmosdb:DatabaseAccount", "publicNetworkAccess", "Enabled"),
    ("azure-native:cosmosdb:DatabaseAccount", "disableLocalAuth", False),
    ("azure-native:redis:Redis", "publicNetworkAccess", "Enabled"),
    ("azure-native:redis:Redis", "enableNonSslPort", True),
    ("azure-native:redis:Redis", "disableAccessKeyAuthentication", False),
]

# Fields the SDK leaves unset (or sets unsafely) that must be set explicitly.
INHERITED_BY_A_REPLICA = {"authConfig.passwordAuth", "backup.geoRedundantBackup", "highAvailability.mode"}

REQUIRED: list[tuple[str, str]] = [
    ("azure-native:dbforpostgresql:Server", "authConfig.passwordAuth"),
    ("azure-native:dbforpostgresql:Server", "network.publicNetworkAccess"),
    ("azure-native:dbforpostgresql:Server", "backup.geoRedundantBackup"),
    ("azure-native:dbforpostgresql:Server", "highAvailability.mode"),
    ("azure-native:storage:StorageAccount", "minimumTlsVersion"),
    ("azure-native:storage:StorageAccount", "allowSharedKeyAccess"),
    ("azure-native:keyvault:Vault", "properties.enablePurgeProtection"),
    ("azure-native:keyvault:Vault", "properties.publicNetworkAccess"),
    ("azure-native:containerregistry:Registry", "publicNetworkAccess"),
    ("azure-native:containerregistry:Registry", "zoneRedundancy"),
    ("azure-native:cosmosdb:DatabaseAccount", "disableLocalAuth"),
    ("azure-native:redis:Redis", "minimumTlsVersion"),
]


@pytest.mark.parametrize("stack", ["primary", "dr"])
@pytest.mark.parametrize(("type_", "path", "unsafe"), UNSAFE, ids=[f"{t.rsplit(':', 1)[1]}.{p}" for t, p, _ in UNSAFE])
def test_unsafe_value_never_reaches_a_resource(
    shipped: dict[str, StackPlan], stack: str, type_: str, path: str, unsafe: Any
) -> None:
    resources = shipped[stack].of_type(type_)
    if not resources:
        assert type_ in GLOBAL and not shipped[stack].outputs["owns_global"], f"no {type_} in {stack}"
    for r in resources:
        assert dig(r.inputs, path) != unsafe, f"{r.urn}: {path}={unsafe!r}"


@pytest.mark.parametrize("stack", ["primary", "dr"])
@pytest.mark.parametrize(("type_", "path"), REQUIRED, ids=[f"{t.rsplit(':', 1)[1]}.{p}" for t, p in REQUIRED])
def test_security_relevant_field_is_set_explicitly(
    shipped: dict[str, StackPlan], stack: str, type_: str, path: str
) -> None:
    resources = shipped[stack].of_type(type_)
    if not resources:
        assert type_ in GLOBAL and not shipped[stack].outputs["owns_global"], f"no {type_} in {stack}"
    for r in resources:
        if r.inputs.get("sourceServerResourceId") and path in INHERITED_BY_A_REPLICA:
            # Learn, "Read replicas": a replica inherits these from its source and the create sends none of them.
            assert path.split(".")[0] not in r.inputs, f"{r.urn}: a replica must not send {path}"
            continue
        assert dig(r.inputs, path) is not None, f"{r.urn}: {path} left to the SDK default"


def test_primary_geo_backup_is_not_the_sdk_default(shipped: dict[str, StackPlan]) -> None:
    server = shipped["primary"].one("azure-native:dbforpostgresql:Server")
    assert server.inputs["backup"]["geoRedundantBackup"] == "Enabled"
