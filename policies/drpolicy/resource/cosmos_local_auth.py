"""Cosmos DB for NoSQL accounts accept Microsoft Entra identities only, never the account keys.

Only the NoSQL API (kind GlobalDocumentDB without the Gremlin, Cassandra or Table capability) offers Entra
data-plane authentication. The MongoDB, Gremlin, Cassandra and Table APIs have none, so disabling local auth
would lock every client out: those accounts are not judged (as Checkov's CKV_AZURE_140 does).
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import COSMOS_ACCOUNT

KEY_ONLY_CAPABILITIES = frozenset({"EnableGremlin", "EnableCassandra", "EnableTable"})


def is_nosql(props: Mapping[str, Any]) -> bool:
    if (props.get("kind") or "GlobalDocumentDB") != "GlobalDocumentDB":  # the SDK's default kind
        return False
    names = {c.get("name") for c in props.get("capabilities") or [] if isinstance(c, Mapping)}
    return not names & KEY_ONLY_CAPABILITIES


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if is_nosql(props) and props.get("disableLocalAuth") is not True:
        yield "disableLocalAuth is not true; set it so only Entra identities (RBAC) can use the data plane"


RULE = ResourceRule(
    Rule(
        id="cosmos-local-auth",
        title="Cosmos DB for NoSQL accounts disable key-based (local) authentication",
        service="cosmosdb",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Use the NoSQL API (azure-dr:cosmos.api) with disableLocalAuth true and grant data access with Cosmos DB "
            "RBAC roles."
        ),
        config=("cosmos.api", "cosmos"),
        equivalents=(
            "Checkov CKV_AZURE_140; Azure Policy Cosmos DB database accounts should have local authentication "
            "methods disabled; PSRule Azure.Cosmos.DisableLocalAuth"
        ),
    ),
    (COSMOS_ACCOUNT,),
    check,
)
