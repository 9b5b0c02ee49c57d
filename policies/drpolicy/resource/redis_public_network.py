"""Redis caches are reachable only over private endpoints, never from the internet."""

from pulumi_policy import Severity

from drpolicy.checks import public_network_disabled
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REDIS

RULE = ResourceRule(
    Rule(
        id="redis-public-network",
        title="Redis caches disable public network access",
        service="redis",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Set publicNetworkAccess Disabled and reach the cache through a private endpoint (azure-"
            "dr:redis.private_endpoint)."
        ),
        config=("redis.private_endpoint", "redis"),
        equivalents=(
            "Checkov CKV_AZURE_89; Azure Policy Azure Cache for Redis should disable public network access; "
            "PSRule Azure.Redis.PublicNetworkAccess"
        ),
    ),
    (REDIS,),
    public_network_disabled(),
)
