"""Redis clients sign in with Entra identities rather than the cache's shared access keys.

The SDK sends ``disableAccessKeyAuthentication = false`` when it is not set.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import ADVISORY, ResourceRule, Rule
from drpolicy.services import REDIS


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("disableAccessKeyAuthentication") is not True:
        yield "disableAccessKeyAuthentication is not true; set it and use Entra authentication (access policies)"


RULE = ResourceRule(
    Rule(
        id="redis-access-keys",
        title="Redis caches disable access-key authentication",
        service="redis",
        objective="security",
        severity=Severity.MEDIUM,
        level=ADVISORY,
        fix="Set disableAccessKeyAuthentication true and give clients Entra access policy assignments.",
        config=("redis",),
        equivalents="Azure Policy Azure Cache for Redis should not use access keys for authentication",
    ),
    (REDIS,),
    check,
)
