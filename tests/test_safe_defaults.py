"""No unsafe SDK default reaches a resource (facts §0: the SDK fills some defaults with the unsafe value)."""

from __future__ import annotations

from typing import Any

import pytest

from drctl.recording import StackPlan
from tests.helpers import dig

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
]

# Fields the SDK leaves unset (or sets unsafely) that must be set explicitly.
REQUIRED: list[tuple[str, str]] = [
    ("azure-native:dbforpostgresql:Server", "authConfig.passwordAuth"),
    ("azure-native:dbforpostgresql:Server", "network.publicNetworkAccess"),
    ("azure-native:dbforpostgresql:Server", "backup.geoRedundantBackup"),
    ("azure-native:dbforpostgresql:Server", "highAvailability.mode"),
    ("azure-native:storage:StorageAccount", "minimumTlsVersion"),
    ("azure-native:storage:StorageAccount", "allowSharedKeyAccess"),
    ("azure-native:keyvault:Vault", "properties.enablePurgeProtection"),
    ("azure-native:keyvault:Vault", "properties.publicNetworkAccess"),
]


@pytest.mark.parametrize("stack", ["primary", "dr"])
@pytest.mark.parametrize(("type_", "path", "unsafe"), UNSAFE, ids=[f"{t.rsplit(':', 1)[1]}.{p}" for t, p, _ in UNSAFE])
def test_unsafe_value_never_reaches_a_resource(
    shipped: dict[str, StackPlan], stack: str, type_: str, path: str, unsafe: Any
) -> None:
    resources = shipped[stack].of_type(type_)
    assert resources
    for r in resources:
        assert dig(r.inputs, path) != unsafe, f"{r.urn}: {path}={unsafe!r}"


@pytest.mark.parametrize("stack", ["primary", "dr"])
@pytest.mark.parametrize(("type_", "path"), REQUIRED, ids=[f"{t.rsplit(':', 1)[1]}.{p}" for t, p in REQUIRED])
def test_security_relevant_field_is_set_explicitly(
    shipped: dict[str, StackPlan], stack: str, type_: str, path: str
) -> None:
    for r in shipped[stack].of_type(type_):
        assert dig(r.inputs, path) is not None, f"{r.urn}: {path} left to the SDK default"


def test_primary_geo_backup_is_not_the_sdk_default(shipped: dict[str, StackPlan]) -> None:
    server = shipped["primary"].one("azure-native:dbforpostgresql:Server")
    assert server.inputs["backup"]["geoRedundantBackup"] == "Enabled"
