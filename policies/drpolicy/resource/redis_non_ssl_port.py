"""Redis caches keep the plain-text port 6379 closed."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REDIS


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enableNonSslPort") is True:
        yield "enableNonSslPort is true; set it to false so clients connect over TLS on 6380 only"


RULE = ResourceRule(
    Rule(
        id="redis-non-ssl-port",
        title="Redis caches disable the non-TLS port",
        service="redis",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set enableNonSslPort false; clients connect over TLS on port 6380.",
        config=("redis",),
        equivalents=(
            "Checkov CKV_AZURE_91; Azure Policy Only secure connections to your Azure Cache for Redis should be "
            "enabled; PSRule Azure.Redis.NonSslPort"
        ),
    ),
    (REDIS,),
    check,
)
