"""Redis caches refuse clients older than TLS 1.2. An unset ``minimumTlsVersion`` is not trusted to mean 1.2."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REDIS


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    version = props.get("minimumTlsVersion")
    if version != "1.2":
        yield f"minimumTlsVersion is {version or 'unset'}; set it to 1.2"


RULE = ResourceRule(
    Rule(
        id="redis-tls",
        title="Redis caches require TLS 1.2",
        service="redis",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set minimumTlsVersion to 1.2.",
        config=("redis",),
        equivalents="Checkov CKV_AZURE_148; PSRule Azure.Redis.MinTLS",
    ),
    (REDIS,),
    check,
)
