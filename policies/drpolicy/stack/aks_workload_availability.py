"""Every workload has a PodDisruptionBudget, and runs enough replicas: full on the active stack, warm elsewhere.

A workload's replica count is its autoscaler's floor (``minReplicas``) when a HorizontalPodAutoscaler targets
it, else the Deployment's ``replicas`` (Kubernetes' default 1). The stack's role is where global routing sends
traffic: its own origin's priority (``drpolicy.facts.stack_role``); a stack with no origin is held to the warm
minimum. A budget counts when it selects the Deployment's pods in the same namespace.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from drpolicy.facts import number, of_type, stack_role
from drpolicy.framework import MANDATORY, Rule, StackRule, Threshold, dig
from drpolicy.services import K8S_DEPLOYMENT, K8S_HPA, K8S_PDB


def _ns(resource: PolicyResource) -> str:
    return str(dig(resource.props, "metadata.namespace") or "default")


def replicas(deployment: PolicyResource, autoscalers: list[PolicyResource]) -> float:
    """The pods the workload keeps: the autoscaler's floor when one targets it, else the Deployment's count."""
    name = dig(deployment.props, "metadata.name")
    for hpa in autoscalers:
        target = dig(hpa.props, "spec.scaleTargetRef") or {}
        if _ns(hpa) == _ns(deployment) and target.get("kind") == "Deployment" and target.get("name") == name:
            return number(dig(hpa.props, "spec.minReplicas"), 1)
    return number(dig(deployment.props, "spec.replicas"), 1)


def _budgeted(deployment: PolicyResource, budgets: list[PolicyResource]) -> bool:
    labels = dig(deployment.props, "spec.template.metadata.labels") or {}
    for pdb in budgets:
        selector = dig(pdb.props, "spec.selector.matchLabels") or {}
        if _ns(pdb) == _ns(deployment) and selector and all(labels.get(k) == v for k, v in selector.items()):
            return True
    return False


def check(args: StackValidationArgs, settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    autoscalers, budgets = of_type(args.resources, K8S_HPA), of_type(args.resources, K8S_PDB)
    active = stack_role(args.resources) == "active"
    minimum = settings["min_active_replicas"] if active else settings["min_warm_replicas"]
    for deployment in of_type(args.resources, K8S_DEPLOYMENT):
        if not _budgeted(deployment, budgets):
            yield f"{deployment.name} has no PodDisruptionBudget selecting its pods", deployment.urn
        count = replicas(deployment, autoscalers)
        if count < minimum:
            role = "the active stack" if active else "a standby stack (warm, not cold)"
            yield f"{deployment.name} runs {count:g} replica(s); {role} needs at least {minimum}", deployment.urn


RULE = StackRule(
    Rule(
        id="aks-workload-availability",
        title="Workloads have a PodDisruptionBudget and enough replicas for the stack's role",
        service="aks",
        objective="rto",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="none (Kubernetes linters check a PDB exists, not replicas by DR role)",
        thresholds=(
            Threshold("min_active_replicas", 2, "replicas each workload keeps on the active stack", 1),
            Threshold("min_warm_replicas", 1, "replicas each workload keeps on a standby stack", 0),
        ),
    ),
    check,
)
