"""Blob versioning is on, so an overwritten or corrupted blob can be rolled back to an earlier version."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import BLOB_SERVICE


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("isVersioningEnabled") is not True:
        yield "isVersioningEnabled is not true; set it on the account's BlobServiceProperties"


RULE = ResourceRule(
    Rule(
        id="storage-versioning",
        title="Storage accounts keep blob versions",
        service="storage",
        objective="recoverability",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set isVersioningEnabled true on the account's BlobServiceProperties.",
        config=("storage",),
        equivalents="Azure Policy Configure your Storage account to enable blob versioning",
    ),
    (BLOB_SERVICE,),
    check,
)
