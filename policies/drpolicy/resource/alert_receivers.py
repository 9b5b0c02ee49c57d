"""An action group reaches at least one receiver: one with none pages nobody, so every DR alert routed to it fires
into the void (an outage, a replica falling behind, a failed backup) and is seen only when someone looks."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import ACTION_GROUP

#: The receiver lists of an action group (REST spec Microsoft.Insights actionGroups, ActionGroup properties).
RECEIVER_LISTS = (
    "emailReceivers",
    "smsReceivers",
    "webhookReceivers",
    "itsmReceivers",
    "azureAppPushReceivers",
    "automationRunbookReceivers",
    "voiceReceivers",
    "logicAppReceivers",
    "azureFunctionReceivers",
    "armRoleReceivers",
    "eventHubReceivers",
    "incidentReceivers",
)


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if not any(props.get(key) for key in RECEIVER_LISTS):
        yield "the action group has no receiver; add at least one e-mail or webhook receiver"


RULE = ResourceRule(
    Rule(
        id="alert-receivers",
        title="Action groups notify at least one receiver",
        service="monitoring",
        objective="rto",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set azure-dr:alerts.email_receivers or azure-dr:alerts.webhook_receivers (at least one receiver).",
        config=("alerts.email_receivers", "alerts.webhook_receivers"),
        equivalents="PSRule Azure.ActionGroup.Enable (enabled, not receivers); none for an empty receiver list",
    ),
    (ACTION_GROUP,),
    check,
)
