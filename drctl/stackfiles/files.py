"""Read the project and its stacks from ``Pulumi.yaml`` / ``Pulumi.<stack>.yaml`` as the Pulumi CLI would.

Every file goes through :func:`stackfiles.yamlfile.read_yaml` (strict YAML, line numbers kept), then its shape is
checked here: the top level and ``config:`` are mappings, every config value is set, ``secure:`` values are
well formed. A problem is one line ``file:line: what is wrong; allowed: ...`` (a :class:`YamlFileError`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .yamlfile import KeyPath, YamlDocument, YamlFileError, parse_bytes, read_yaml

#: What a ``secure:`` value is offline: shaped like a host name under the reserved ``.invalid`` TLD (RFC 2606),
#: so a secret host name still validates, and it can never resolve or be mistaken for a real value.
SECRET_PLACEHOLDER = "secret-placeholder.invalid"

#: Pulumi's own limits on names: letters, digits, ``-``, ``_``, ``.``; at most 100 characters.
NAME_PATTERN = r"[A-Za-z0-9_.-]{1,100}"
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")


@dataclass(frozen=True)
class StackFile:
    """One stack's config as the engine hands it to the program: fully qualified keys, string values.

    ``lines`` maps each config key path (``azure-dr:postgres.sku_name``, ``azure-dr:cosmos.databases[0].name``)
    to its line in ``path``; :func:`config_line` looks one up. ``written`` is the file's own ``config:`` as
    written, keys qualified, a secret still ``{"secure": <ciphertext>}``: what a switch copies from (``config``
    holds the offline placeholders, which must never reach a file).
    """

    name: str
    path: Path
    config: dict[str, str]
    secret_keys: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    project: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)
    written: Mapping[str, Any] = field(default_factory=dict)

    def value(self, key: str) -> str | None:
        return self.config.get(key)


def is_stack_name(name: str) -> bool:
    """A stack reference Pulumi accepts: ``stack``, ``org/stack`` or ``org/project/stack``, each part a name."""
    return re.fullmatch(rf"{NAME_PATTERN}(/{NAME_PATTERN}){{0,2}}", name) is not None


def _dotted(key_path: KeyPath) -> str:
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def config_line(stack: StackFile, key: str) -> int | None:
    """The line of a config key path in the stack's file (``postgres.sku_name`` or ``azure-dr:postgres.sku_name``;
    list items as ``cosmos.databases[0].name``), or of its nearest enclosing key; None if not in the file."""
    full = key if ":" in key.split(".", 1)[0] else f"{stack.project}:{key}"
    while full:
        if full in stack.lines:
            return stack.lines[full]
        cut = max(full.rfind("."), full.rfind("["))
        full = full[:cut] if cut > 0 else ""
    return None


def error_line(stack: StackFile | None, message: str) -> int:
    """The line of the stack file a one-line error points at: the ``file:line:`` it starts with, or the line of
    the ``<project>:<key>`` it names; 1 when it names neither."""
    match = re.search(r"Pulumi\.[A-Za-z0-9_.-]+\.yaml:([0-9]+):", message)
    if match:
        return int(match.group(1))
    if stack is not None:
        match = re.search(rf"{re.escape(stack.project)}:(\S+?): ", message)
        if match:
            return config_line(stack, match.group(1)) or 1
        for other in re.finditer(r"\b([A-Za-z0-9_.-]+:[A-Za-z0-9_.\[\]-]+): ", message):  # another namespace's key
            if other.group(1).split(".", 1)[0] in stack.lines:
                return config_line(stack, other.group(1)) or 1
    return 1


def _project_document(root: Path) -> tuple[YamlDocument, str]:
    path = root / "Pulumi.yaml"
    if not path.exists():
        raise YamlFileError(f"Pulumi.yaml: not found in {root}; allowed: a Pulumi project directory")
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise doc.fail((), f"the top level is {_kind(doc.data)}", "a mapping with name:, runtime: ...")
    name = doc.data.get("name")
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        raise doc.fail(("name",), f"name {name!r} is not a project name", "1-100 letters, digits, '-', '_', '.'")
    return doc, name


def project_name(root: Path) -> str:
    """The project's ``name``: the namespace of its config keys."""
    return _project_document(root)[1]


PROGRAM_FILE = "__main__.py"


def program_path(root: Path) -> Path:
    """The program ``pulumi up`` runs: ``Pulumi.yaml``'s ``main`` (a directory holding ``__main__.py``, or a ``.py``
    file; relative to ``Pulumi.yaml``), by default the project directory (Pulumi docs, "Pulumi project file
    reference": ``main``)."""
    doc, _ = _project_document(root)
    main = doc.data.get("main")
    if main is None:
        return root / PROGRAM_FILE
    if not isinstance(main, str) or not main.strip():
        raise doc.fail(("main",), f"main {main!r} is not a path", "a directory holding __main__.py, or a .py file")
    target = (root / main).resolve()
    if target.is_dir() and (target / PROGRAM_FILE).is_file():
        return target / PROGRAM_FILE
    if target.is_file() and target.suffix == ".py":
        return target
    raise doc.fail(
        ("main",),
        f"main {main!r} is neither a directory holding {PROGRAM_FILE} nor a .py file",
        "a path relative to Pulumi.yaml",
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), "empty"
    )


def _as_config_string(value: Any) -> str:
    """Pulumi hands scalars over as strings and structured values as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


#: Namespaces of the providers this program uses and of Pulumi itself: never mistaken for a misspelt project name.
KNOWN_NAMESPACES = frozenset(
    {"pulumi", "azure-native", "azure", "azuread", "azuredevops", "kubernetes", "random", "tls"}
)


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def namespace_typo(namespace: str, project: str) -> bool:
    """Whether a config namespace looks like a misspelling of the project's (``azuredr`` for ``azure-dr``): Pulumi
    would hand such keys to no program at all, so the value the author meant to set is silently not set."""
    if namespace == project or namespace in KNOWN_NAMESPACES:
        return False
    plain = re.sub(r"[^a-z0-9]", "", namespace.lower())
    if plain == re.sub(r"[^a-z0-9]", "", project.lower()):
        return True
    return _distance(namespace.lower(), project.lower()) <= max(1, len(project) // 4)


def _qualified(doc: YamlDocument, key: str, project: str, bare_ok: bool = False) -> str:
    """``<namespace>:<name>``. Only ``Pulumi.yaml`` may leave out the namespace (its own project's); the Pulumi
    CLI refuses a stack-file key without one ("configuration keys should be of the form <namespace>:<name>")."""
    namespace, _, name = key.rpartition(":")
    if (namespace and not re.fullmatch(NAME_PATTERN, namespace)) or not name:
        raise doc.fail(("config", key), f"config key {key!r} is not a key", f"<namespace>:<name>, e.g. {project}:role")
    if not namespace and not bare_ok:
        raise doc.fail(("config", key), f"config key {key!r} has no namespace", f"{project}:{key}")
    if namespace and namespace_typo(namespace, project):
        raise doc.fail(
            ("config", key),
            f"config key {key!r} is in namespace {namespace!r}, a misspelling of this project's ({project!r}): "
            "no program reads it",
            f"{project}:{name}",
        )
    return key if namespace else f"{project}:{key}"


class _Secrets:
    """Replaces ``secure:`` values (at the top or nested, as ``pulumi config set --secret --path`` writes them)
    with the placeholder and notes each one."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.paths: list[str] = []

    def replace(self, value: Any, key_path: KeyPath, full: str) -> Any:
        if isinstance(value, dict) and "secure" in value:
            if set(value) != {"secure"} or not isinstance(value["secure"], str):
                raise self.doc.fail(
                    key_path, "a secure value must be exactly `secure: <ciphertext>`", "as `pulumi config set --secret`"
                )
            self.paths.append(full)
            return SECRET_PLACEHOLDER
        if isinstance(value, dict):
            return {k: self.replace(v, (*key_path, k), f"{full}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self.replace(v, (*key_path, i), f"{full}[{i}]") for i, v in enumerate(value)]
        return value


def _project_defaults(doc: YamlDocument, project: str) -> dict[str, Any]:
    section = doc.data.get("config")
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise doc.fail(("config",), f"config is {_kind(section)}", "a mapping of config keys")
    defaults: dict[str, Any] = {}
    for key, spec in section.items():
        full = _qualified(doc, key, project, bare_ok=True)
        if isinstance(spec, dict) and ("value" in spec or "default" in spec):
            defaults[full] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            defaults[full] = spec
    return defaults


def declared_config(root: Path) -> dict[str, dict[str, Any]]:
    """``Pulumi.yaml``'s declaration of each of the project's own config keys (by name, without the namespace):
    ``type``, ``description``, ``default`` or ``value`` as written; a bare value reads as ``{"value": ...}``."""
    doc, project = _project_document(root)
    _project_defaults(doc, project)  # the section's shape, refused in the same words
    declared: dict[str, dict[str, Any]] = {}
    for key, spec in (doc.data.get("config") or {}).items():
        namespace, _, name = _qualified(doc, key, project, bare_ok=True).rpartition(":")
        if namespace == project:
            declared[name] = dict(spec) if isinstance(spec, dict) else {"value": spec}
    return declared


def load_stack(root: Path, stack: str, raw: bytes | None = None) -> StackFile:
    """The stack's effective config; ``secure:`` values become placeholders, each with a note. With ``raw``, the
    file's content is ``raw`` (an edited file before it is written)."""
    if not re.fullmatch(NAME_PATTERN, stack):
        raise YamlFileError(f"stack {stack[:60]!r}: not a stack name; allowed: 1-100 letters, digits, '-', '_', '.'")
    project_doc, project = _project_document(root)
    path = root / f"Pulumi.{stack}.yaml"
    if raw is None and not path.exists():
        raise FileNotFoundError(f"no stack '{stack}': {path.name} does not exist")
    doc = read_yaml(path) if raw is None else parse_bytes(path, raw)
    if not isinstance(doc.data, dict):
        raise doc.fail((), f"the top level is {_kind(doc.data)}", "a mapping with a config: key")
    for key in doc.data:
        if key not in STACK_FILE_KEYS:
            raise doc.fail((key,), f"unknown top-level key {key!r}", ", ".join(STACK_FILE_KEYS))
    section = doc.data.get("config")
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise doc.fail(("config",), f"config is {_kind(section)}", f"a mapping of {project}:<key>: <value>")
    config: dict[str, str] = {}
    written: dict[str, Any] = {}
    secrets: list[str] = []
    notes: list[str] = []
    lines: dict[str, int] = {}
    for full, value in _project_defaults(project_doc, project).items():
        config[full] = _as_config_string(value)
    for key, value in section.items():
        full = _qualified(doc, key, project)
        if value is None:
            raise doc.fail(("config", key), f"{full} has no value", "a value, or remove the key")
        written[full] = value
        replacer = _Secrets(doc)
        value = replacer.replace(value, ("config", key), full)
        if replacer.paths:
            secrets.append(full)
            notes.extend(f"{p} is a secret; offline it is a placeholder" for p in replacer.paths)
        config[full] = _as_config_string(value)
    for key_path, line in doc.lines.items():
        if len(key_path) >= 2 and key_path[0] == "config" and isinstance(key_path[1], str):
            lines[_dotted((_qualified(doc, key_path[1], project), *key_path[2:]))] = line
    return StackFile(stack, path, config, tuple(secrets), tuple(notes), project, lines, written)


def stack_names(root: Path) -> list[str]:
    """Every stack that has a ``Pulumi.<stack>.yaml`` beside ``Pulumi.yaml``."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
