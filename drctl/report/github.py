"""GitHub Actions output for ``drctl check --github``: annotations and a job summary, for repositories without code
scanning (a private repository without GitHub Advanced Security cannot upload SARIF).

Both are rendered from the SARIF log, so a result is placed on the same file and line either way:

- each result becomes a workflow command (``::error file=...,line=...,title=...::message``; GitHub Docs, "Workflow
  commands for GitHub Actions": error, warning and notice annotations, with ``%``, ``\\r``, ``\\n`` escaped in the
  message and also ``:`` and ``,`` in a property), shown on the pull request's changed lines;
- the job summary (Markdown appended to the file ``$GITHUB_STEP_SUMMARY`` names; same page, "Adding a job
  summary") lists every result, every exemption with its reason and expiry, and every rule not evaluated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
_COMMAND = {"error": "error", "warning": "warning", "note": "notice", "none": "notice"}


def _escape(text: str, property_: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_ else text


def _command(kind: str, message: str, file: str = "", line: int = 0, title: str = "") -> str:
    props = []
    if file:
        props.append(f"file={_escape(file, True)}")
        if line:
            props.append(f"line={line}")
    if title:
        props.append(f"title={_escape(title, True)}")
    return f"::{kind} {','.join(props)}::{_escape(message)}" if props else f"::{kind}::{_escape(message)}"


def _where(result: Mapping[str, Any]) -> tuple[str, int]:
    physical = (result.get("locations") or [{}])[0].get("physicalLocation", {})
    return str(physical.get("artifactLocation", {}).get("uri", "")), int(physical.get("region", {}).get("startLine", 0))


def workflow_commands(sarif: Mapping[str, Any]) -> list[str]:
    """One workflow command per result, exemption and rule not evaluated."""
    run = sarif["runs"][0]
    lines = []
    for result in run["results"]:
        file, line = _where(result)
        kind = _COMMAND.get(str(result.get("level", "note")), "notice")
        lines.append(_command(kind, result["message"]["text"], file, line, str(result["ruleId"])))
    for e in run.get("properties", {}).get("exemptions", []):
        until = f", expires {e['expires']}" if e.get("expires") else ""
        message = f"[stack {e['stack']}] exempt: {e['reason']} ({e.get('source') or 'exempt'}{until}) {e['urn']}"
        lines.append(
            _command("notice", message.strip(), e.get("file", ""), int(e.get("line", 0)), f"exempt {e['rule']}")
        )
    for n in run.get("properties", {}).get("notEvaluated", []):
        lines.append(_command("notice", f"[stack {n['stack']}] {n['reason']}", title=f"not evaluated {n['rule']}"))
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary(sarif: Mapping[str, Any], verdict: str) -> str:
    """The job summary: the verdict, then a table of results, exemptions and rules not evaluated."""
    run = sarif["runs"][0]
    lines = ["## drctl check", "", f"**{verdict}**", ""]
    if run["results"]:
        lines += ["| level | rule | where | message |", "|---|---|---|---|"]
        for result in run["results"]:
            file, line = _where(result)
            lines.append(
                f"| {result.get('level', '')} | `{result['ruleId']}` | `{file}:{line}` | "
                f"{_cell(result['message']['text'])} |"
            )
        lines.append("")
    exemptions = run.get("properties", {}).get("exemptions", [])
    if exemptions:
        lines += [
            "### Exemptions",
            "",
            "| stack | rule | resource | reason | where | expires |",
            "|---|---|---|---|---|---|",
        ]
        for e in exemptions:
            resource = e["urn"].rsplit("::", 1)[-1] if e["urn"] else "(stack)"
            lines.append(
                f"| {e['stack']} | `{e['rule']}` | {resource} | {_cell(e['reason'])} | {e.get('source', '')} | "
                f"{e.get('expires', '')} |"
            )
        lines.append("")
    skipped = run.get("properties", {}).get("notEvaluated", [])
    if skipped:
        lines += ["### Not evaluated", ""]
        lines += [f"- {n['stack']}: `{n['rule']}`: {_cell(n['reason'])}" for n in skipped]
        lines.append("")
    return "\n".join(lines)


def write_summary(text: str) -> Path | None:
    """Append ``text`` to the job summary file, when running in GitHub Actions; the file it wrote, or None."""
    target = os.environ.get(SUMMARY_ENV)
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text + "\n")
    return path
