"""PostgreSQL servers accept Microsoft Entra sign-ins only: no password that can leak or outlive its owner.

The SDK fills in ``authConfig.passwordAuth = Enabled`` when it is not set, so an absent value is Enabled.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import created_as_replica
from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import PG_SERVER


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if created_as_replica(props) and "authConfig" not in props:
        return  # a replica inherits its source's authentication (Learn, "Read replicas")
    entra = dig(props, "authConfig.activeDirectoryAuth") or "Disabled"
    password = dig(props, "authConfig.passwordAuth") or "Enabled"  # the SDK's default
    if entra != "Enabled":
        yield f"authConfig.activeDirectoryAuth is {entra}; set it to Enabled and add an Entra administrator"
    if password != "Disabled":
        yield f"authConfig.passwordAuth is {password}; set it to Disabled so only Entra identities can sign in"


RULE = ResourceRule(
    Rule(
        id="pg-entra-only",
        title="PostgreSQL servers use Microsoft Entra authentication only",
        service="postgresql",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Keep Entra-only sign-in: name your DBA group in azure-dr:postgres.entra_admin; password authentication "
            "stays Disabled."
        ),
        config=("postgres.entra_admin", "postgres"),
        equivalents="Azure Policy [Preview] PostgreSQL flexible servers Entra-only authentication (audit)",
    ),
    (PG_SERVER,),
    check,
)
