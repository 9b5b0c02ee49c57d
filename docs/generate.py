"""The generated parts of the docs: the rule reference, the command reference and every output block.

Nothing a reader sees in ``docs/`` is typed by hand when a program can say it:

- ``docs/rules.md`` comes from the pack's own metadata (``policies/drpolicy``: each rule's id, level, service,
  thresholds, why and how to fix), through the loader ``drctl rules`` and ``drctl explain`` use;
- ``docs/commands.md`` comes from drctl's argparse parser (every subcommand, argument and help line);
- a fenced block right after ``<!-- output: NAME -->`` in any page is the real output of the commands
  ``EXAMPLES[NAME]`` runs, each in a scratch copy of the shipped project (with the stack-file edit it names).

``./dev docs`` writes them (then builds the site); ``--check`` writes nothing and exits 1 naming each page that
is not current. ``tests/test_docs.py`` runs the same comparison, so a page cannot go stale.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from azure_dr.cli import commands
from azure_dr.cli.engine import programs
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.report import rulebook

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: The files a scratch copy of the project needs; the program imports the installed ``azure_dr`` and the pack
#: is linked, not copied.
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml", "__main__.py")
#: An output block: the marker, the opening fence, the body (lines up to the closing fence), the closing fence.
MARKER = re.compile(r"(<!-- output: (?P<name>[a-z0-9-]+) -->\n```[a-z]*\n)(?P<body>(?:(?!```)[^\n]*\n)*)(```)")


@dataclass(frozen=True)
class Edit:
    """Write ``target`` in the scratch copy: the shipped ``source`` stack file with ``old`` replaced by ``new``."""

    target: str
    source: str
    old: str
    new: str


@dataclass(frozen=True)
class Run:
    """One drctl command line, as a reader would type it at the project's root."""

    argv: tuple[str, ...]
    edits: tuple[Edit, ...] = ()
    #: Show stderr only (the one-line refusals), or both streams in the order a terminal shows them.
    stderr_only: bool = False
    #: A file the command writes, shown instead of its stdout (``drctl drill --report``).
    shows_file: str | None = None
    #: Print the ``$ drctl ...`` line before the output.
    prompt: bool = True


def _pg_edit(target: str, old: str, new: str) -> Edit:
    return Edit(target, "Pulumi.primary.yaml", old, new)


_BROKEN = "Pulumi.broken.yaml"

#: Every output block of the docs, by name.
EXAMPLES: dict[str, tuple[Run, ...]] = {
    "plan-check": (Run(("plan", "--check")),),
    "check-violations": (
        Run(
            ("check",),
            (
                _pg_edit(
                    "Pulumi.primary.yaml",
                    "    create_as: primary\n",
                    "    create_as: primary\n    geo_redundant_backup: Disabled\n    backup_retention_days: 7\n",
                ),
            ),
        ),
    ),
    "config-error": (
        Run(
            ("plan", "broken"),
            (_pg_edit(_BROKEN, "    backup_retention_days: 30\n", "    backup_retention_days: 60\n"),),
            stderr_only=True,
        ),
    ),
    "stackfile-errors": (
        Run(
            ("plan", "broken"),
            (_pg_edit(_BROKEN, "  azure-dr:role: active\n", "  azure-dr:role: active\n  azure-dr:role: standby\n"),),
            stderr_only=True,
        ),
        Run(
            ("plan", "broken"),
            (_pg_edit(_BROKEN, '  azure-dr:owns_global: "true"\n', "  azure-dr:owns_global: no\n"),),
            stderr_only=True,
        ),
        Run(
            ("plan", "broken"),
            (_pg_edit(_BROKEN, "    sku_name: Standard_D4ds_v5\n", "    sku_name: Standard_B1ms\n"),),
            stderr_only=True,
        ),
    ),
    "overlap-error": (
        Run(
            ("plan", "dr"),
            (Edit("Pulumi.dr.yaml", "Pulumi.dr.yaml", "address_space: 10.20.0.0/16", "address_space: 10.10.128.0/17"),),
            stderr_only=True,
        ),
    ),
    "explain": (Run(("explain", "storage-geo-redundancy")),),
    "diagram": (Run(("diagram",), prompt=False),),
    "status": (Run(("status",)),),
    "promote-forced": (Run(("promote", "--forced", "--dry-run")),),
    "drill": (Run(("drill",)),),
    "drill-report": (
        Run(("drill", "--report", "drill-report.md", "--date", "2026-12-01"), shows_file="drill-report.md"),
    ),
}

#: Whole files written from a command's output.
FILES: dict[str, Run] = {
    "docs/assets/pair.svg": Run(("diagram", "--format", "svg", "-o", "pair.svg"), shows_file="pair.svg"),
}


def _copy(root: Path, edits: Sequence[Edit]) -> None:
    """The shipped project's program and stack files in ``root``, edited; the pack linked."""
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, root / name)
    (root / "policies").symlink_to(ROOT / "policies", target_is_directory=True)
    for edit in edits:
        text = (ROOT / edit.source).read_text()
        if edit.old not in text:
            raise SystemExit(f"docs/generate.py: {edit.source} no longer holds {edit.old!r}: update EXAMPLES")
        (root / edit.target).write_text(text.replace(edit.old, edit.new, 1))


class Session:
    """Runs examples: one scratch copy per set of edits, and each copy's stacks planned once.

    Every command plans through ``programs.plan_stacks``; runs in the same unedited copy would plan the same files
    again (no example writes a stack file), so the session answers a repeated call from the first one. That is
    only a saving: each output is what the command prints in a fresh process.
    """

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._roots: dict[tuple[Edit, ...], Path] = {}
        self._plans: dict[tuple[Path, tuple[str, ...]], list[StackPlan]] = {}
        planner = programs.plan_stacks

        def plan_once(
            stacks: Sequence[str] | None = None,
            root: Path = programs.ROOT,
            overrides: Mapping[str, Mapping[str, str]] | None = None,
        ) -> list[StackPlan]:
            if overrides:
                return planner(stacks, root, overrides)
            key = (Path(root).resolve(), tuple(stacks or ()))
            if key not in self._plans:
                self._plans[key] = planner(stacks, root)
            return list(self._plans[key])

        stack.enter_context(_patched(programs, "plan_stacks", plan_once))

    def root(self, edits: tuple[Edit, ...]) -> Path:
        if edits not in self._roots:
            root = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="azure-dr-docs-")))
            _copy(root, edits)
            self._roots[edits] = root
        return self._roots[edits]

    def run(self, example: Run) -> str:
        """What the reader sees: the command line and its output."""
        root = self.root(example.edits)
        both, err = io.StringIO(), io.StringIO()
        with (
            contextlib.chdir(root),
            contextlib.redirect_stdout(both),
            contextlib.redirect_stderr(err if example.stderr_only else both),
        ):
            commands.main(list(example.argv))
        text = err.getvalue() if example.stderr_only else both.getvalue()
        if example.shows_file:
            text = (root / example.shows_file).read_text()
        prompt = f"$ drctl {' '.join(example.argv)}\n" if example.prompt and not example.shows_file else ""
        return prompt + text.rstrip("\n")

    def output(self, name: str) -> str:
        """The block ``<!-- output: name -->`` holds."""
        if name not in EXAMPLES:
            raise SystemExit(f"docs/generate.py: no example named {name!r} (known: {', '.join(EXAMPLES)})")
        return "\n".join(self.run(example) for example in EXAMPLES[name])


@contextlib.contextmanager
def _patched(owner: object, name: str, value: object) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextlib.contextmanager
def session() -> Iterator[Session]:
    with contextlib.ExitStack() as stack:
        yield Session(stack)


def _fill(page: str, outputs: dict[str, str], runner: Session) -> str:
    def body(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in outputs:
            outputs[name] = runner.output(name)
        return match.group(1) + outputs[name] + "\n" + match.group(4)

    return MARKER.sub(body, page)


def rules_page() -> str:
    """``docs/rules.md``: every rule of the pack, from its own metadata."""
    docs = rulebook.load(ROOT / "policies")
    kinds = [d.policy_type for d in docs.values()]
    levels = [d.level for d in docs.values()]
    lines = [
        "# Rule reference",
        "",
        "<!-- Generated by docs/generate.py from the pack's metadata (policies/drpolicy); do not edit. -->",
        "",
        f"The pack has **{len(docs)} rules**: {kinds.count('resource')} on single resources, {kinds.count('stack')} "
        f"on the whole stack; {levels.count('mandatory')} mandatory, {levels.count('advisory')} advisory. "
        "`drctl rules` lists them and `drctl explain RULE` prints one rule's help, from the same metadata; "
        "[The policy check](plan-and-check.md#the-policy-check) explains thresholds, exemptions and the rules "
        "that span both stacks.",
        "",
        "**How to exempt a resource from a rule** (every rule): tag it `azure-dr:policy-exempt: <rule id>` "
        "(several rules comma-separated) and `azure-dr:policy-exempt-reason: <why>`; for every resource of a "
        "stack set both in `azure-dr:tags`. An exempted violation is still reported, as EXEMPT with its reason; "
        "without a reason it is not exempt.",
        "",
        "| rule | service | level | what it checks |",
        "|---|---|---|---|",
    ]
    lines += [f"| [{d.id}](#rule-{d.id}) | {d.service} | {d.level} | {d.title} |" for d in docs.values()]
    service = None
    for d in sorted(docs.values(), key=lambda d: d.service):
        if d.service != service:
            service = d.service
            lines += ["", f"## {service}"]
        lines += ["", f'<a id="rule-{d.id}"></a>', "", f"### {d.id}", "", f"**{d.title}.**", ""]
        facts = f"{d.level}, {d.severity} severity, protects {d.objective}; a {d.policy_type} rule"
        if d.resource_types:
            facts += " over " + ", ".join(f"`{t}`" for t in d.resource_types)
        lines += [f"- *Level*: {facts}.", f"- *Why*: {d.why}", f"- *How to fix*: {d.fix}"]
        if d.config:
            lines.append("- *Stack config*: " + ", ".join(f"`azure-dr:{k}`" for k in d.config))
        for name, default, description in d.thresholds:
            lines.append(f"- *Threshold* `{name}` (policy config, default `{default}`): {description}")
        lines.append(f"- *Existing equivalents*: {d.equivalents}")
    return "\n".join(lines) + "\n"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """drctl's subcommands in the order ``drctl --help`` lists them: name -> (help, parser)."""
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
    return {name: (helps[name], sub) for name, sub in action.choices.items()}


def subcommands() -> list[str]:
    """The names of drctl's subcommands, from its parser."""
    return list(_subcommands(commands._parser()))


def _argument(action: argparse.Action) -> str:
    if action.option_strings:
        name = ", ".join(action.option_strings)
        if action.nargs != 0:
            name += f" {action.metavar or action.dest.upper()}"
    else:
        name = str(action.metavar or action.dest)
        name += " ..." if action.nargs in ("*", "+") else ""
    choices = f" (one of: {', '.join(map(str, action.choices))})" if action.choices else ""
    return f"`{name}`{choices}"


def commands_page() -> str:
    """``docs/commands.md``: every drctl subcommand and its arguments, from the parser."""
    parser = commands._parser()
    lines = [
        "# drctl commands",
        "",
        "<!-- Generated by docs/generate.py from drctl's argparse parser; do not edit. -->",
        "",
        "`drctl` (or `python -m azure_dr.cli`, or `./dev drctl` in this repository) finds the project like git and "
        "pulumi do, walking up from the current directory to `Pulumi.yaml`, or from `--root DIR`. Exit codes: 0 "
        "clean, 1 a mandatory violation, a refused stack config or an unsafe switch, 2 a usage error. `--json` "
        "prints one JSON document on stdout; `-` as a file name means stdout.",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    subs = _subcommands(parser)
    lines += [f"| [`{name}`](#{name}) | {text} |" for name, (text, _) in subs.items()]
    for name, (text, sub) in subs.items():
        lines += ["", f"## {name}", "", f"{text[0].upper()}{text[1:]}.", ""]
        arguments = [a for a in sub._actions if not isinstance(a, argparse._HelpAction)]
        lines += [f"- {_argument(a)}" + (f": {a.help}" if a.help else "") for a in arguments] or ["No arguments."]
    return "\n".join(lines) + "\n"


def pages() -> dict[Path, str]:
    """Every generated page and file, and every page holding an output block, as this would write them."""
    found: dict[Path, str] = {DOCS / "rules.md": rules_page(), DOCS / "commands.md": commands_page()}
    outputs: dict[str, str] = {}
    with session() as runner:
        found |= {ROOT / name: runner.run(example) + "\n" for name, example in FILES.items()}
        for path in sorted(DOCS.rglob("*.md")):
            if path not in found and MARKER.search(text := path.read_text()):
                found[path] = _fill(text, outputs, runner)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the generated parts of docs/ (see the module docstring).")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page is not current")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_COLOR", "1")
    stale = []
    for path, text in pages().items():
        if not path.exists() or path.read_text() != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    verb = "not current" if args.check else "written"
    for path in stale:
        print(f"docs/generate.py: {path} {verb}", file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
