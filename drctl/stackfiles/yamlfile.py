"""A strict YAML reader for ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` that keeps every value's line.

PyYAML alone reads YAML 1.1: ``no``/``on`` become booleans, ``2024-01-01`` a date, ``!!python/...`` tags objects
(or errors), and a duplicate key silently keeps the last value. The Pulumi CLI reads stack files with a YAML 1.2
parser, so the same file could mean two things. This reader accepts only what means one thing: mappings with
string keys, lists, strings, integers, floats, ``true``/``false`` and null. Anything else (a syntax error, a
duplicate key, a tag, a date, an ambiguous YAML 1.1 boolean word, bytes that are not UTF-8) is a
:class:`YamlFileError` with one line ``file:line: what is wrong; allowed: ...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from azure_dr.components.stack.config import ConfigError

_TAG = "tag:yaml.org,2002:"
_YAML11_BOOL = "tag:azure-dr,2026:yaml11-bool"
_PLAIN_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null")}

#: More values than any stack file has; beyond it the file is refused rather than expanded.
MAX_VALUES = 100_000

#: A key path inside a file: mapping keys and list indexes from the top.
KeyPath = tuple[str | int, ...]


class YamlFileError(ConfigError):
    """A file drctl cannot read as unambiguous YAML: one line naming the file and line."""


class _StrictLoader(yaml.SafeLoader):
    """YAML 1.2 core-schema scalars, plus markers for the YAML 1.1 forms that would be read differently."""


_StrictLoader.yaml_implicit_resolvers = {}  # an own table: none of YAML 1.1's resolvers is inherited


def _resolver(tag: str, pattern: str, first: str) -> None:
    _StrictLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_resolver(f"{_TAG}bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolver(_YAML11_BOOL, r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$", "yYnNoO")
_resolver(f"{_TAG}int", r"^[-+]?[0-9]+$", "-+0123456789")
_resolver(
    f"{_TAG}float",
    r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$",
    "-+0123456789.",
)
_resolver(f"{_TAG}null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])  # type: ignore[arg-type]
_resolver(
    f"{_TAG}timestamp",
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$",
    "0123456789",
)


@dataclass(frozen=True)
class YamlDocument:
    """A file's plain value and the line (1-based) of every key and list item in it."""

    path: Path
    data: Any
    lines: dict[KeyPath, int]

    def line(self, key_path: KeyPath) -> int | None:
        """The line of ``key_path``, or of its nearest ancestor that has one."""
        for end in range(len(key_path), -1, -1):
            if key_path[:end] in self.lines:
                return self.lines[key_path[:end]]
        return None

    def fail(self, key_path: KeyPath, what: str, allowed: str) -> YamlFileError:
        return YamlFileError(f"{self.path.name}:{self.line(key_path) or 1}: {what}; allowed: {allowed}")


def _error(path: Path, line: int, what: str, allowed: str) -> YamlFileError:
    return YamlFileError(f"{path.name}:{line}: {what}; allowed: {allowed}")


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlFileError(f"{path.name}: cannot be read ({exc.strerror}); allowed: a readable file") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _error(path, line, f"byte 0x{raw[exc.start]:02x} is not UTF-8", "UTF-8 text") from None


class _Builder:
    """Turns a composed node tree into plain values, refusing anything with two readings."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[KeyPath, int] = {}
        self.count = 0

    def build(self, node: Node, key_path: KeyPath, active: frozenset[int]) -> Any:
        line = node.start_mark.line + 1
        self.count += 1
        if self.count > MAX_VALUES:  # aliases can expand a small file exponentially ("billion laughs")
            raise _error(self.path, line, f"more than {MAX_VALUES} values (aliases expanded)", "a stack-sized file")
        self.lines.setdefault(key_path, line)
        if id(node) in active:
            raise _error(self.path, line, "a YAML alias refers to itself", "values without recursive aliases")
        if isinstance(node, MappingNode):
            return self._mapping(node, key_path, active | {id(node)})
        if isinstance(node, SequenceNode):
            if node.tag != f"{_TAG}seq":
                raise self._tag(node)
            inner = active | {id(node)}
            return [self.build(item, (*key_path, i), inner) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node)

    def _tag(self, node: Node) -> YamlFileError:
        return _error(
            self.path,
            node.start_mark.line + 1,
            f"YAML tag {node.tag.replace(_TAG, '!!')} is not allowed",
            "plain strings, numbers, true/false, lists and mappings (quote a value to keep it a string)",
        )

    def _scalar(self, node: ScalarNode) -> Any:
        line = node.start_mark.line + 1
        if node.tag == _YAML11_BOOL:
            raise _error(
                self.path,
                line,
                f"{node.value!r} is a boolean in YAML 1.1 but a string in YAML 1.2",
                f'true or false for a boolean, or "{node.value}" (quoted) for a string',
            )
        if node.tag == f"{_TAG}timestamp":
            raise _error(self.path, line, f"{node.value!r} is a YAML date", f'"{node.value}" (quoted) for a string')
        if node.tag not in _PLAIN_TAGS:
            raise self._tag(node)
        if node.tag == f"{_TAG}str":
            return str(node.value)
        if _LOADER_STUB.resolve(ScalarNode, node.value, (True, False)) != node.tag:  # type: ignore[no-untyped-call]
            raise _error(
                self.path, line, f"{node.value!r} does not fit its tag {node.tag.replace(_TAG, '!!')}", "a plain value"
            )
        return _plain(node)

    def _mapping(self, node: MappingNode, key_path: KeyPath, active: frozenset[int]) -> dict[str, Any]:
        if node.tag != f"{_TAG}map":
            raise self._tag(node)
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if isinstance(key_node, ScalarNode) and key_node.value == "<<" and key_node.style is None:
                raise _error(self.path, line, "YAML merge keys (<<) are not supported", "the keys written out")
            if not isinstance(key_node, ScalarNode) or key_node.tag != f"{_TAG}str":
                shown = repr(key_node.value) if isinstance(key_node, ScalarNode) else "that is a list or mapping"
                raise _error(self.path, line, f"key {shown} is not a string", "string keys (quote it)")
            key = str(key_node.value)
            if key in first_line:
                raise _error(
                    self.path,
                    line,
                    f"duplicate key {key!r} (first on line {first_line[key]})",
                    "each key once",
                )
            first_line[key] = line
            self.lines[(*key_path, key)] = line
            result[key] = self.build(value_node, (*key_path, key), active)
        return result


_LOADER_STUB = _StrictLoader("")


def _plain(node: ScalarNode) -> Any:
    value = str(node.value)
    if node.tag == f"{_TAG}bool":
        return value.lower() == "true"
    if node.tag == f"{_TAG}int":
        return int(value)
    if node.tag == f"{_TAG}float":
        return float(value)
    return None


#: Documents already read, by path and text: one command reads each stack file several times (plan order, each
#: planning pass, the pair checks) and the strict reader is pure Python (~30 ms a stack file). Keyed by the text,
#: so an edited file is read again; callers never change a document.
_READ: dict[tuple[str, str], YamlDocument] = {}


def read_yaml(path: Path) -> YamlDocument:
    """Read one YAML file strictly; an empty file is an empty mapping."""
    text = _decode(path)
    key = (str(path), text)
    if key not in _READ:
        _READ[key] = _parse(path, text)
    return _READ[key]


def _parse(path: Path, text: str) -> YamlDocument:
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        raise _syntax(path, exc, text) from None
    try:
        root = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if "single document" in f"{exc.context} {exc.problem}":
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            raise _error(path, line, "a second YAML document (---)", "one document per file") from None
        raise _syntax(path, exc, text) from None
    except yaml.YAMLError as exc:
        raise _syntax(path, exc, text) from None
    except RecursionError:
        raise _error(path, 1, "values nested too deeply", "a stack-sized file") from None
    finally:
        loader.dispose()
    if root is None:
        return YamlDocument(path, {}, {})
    builder = _Builder(path)
    try:
        data = builder.build(root, (), frozenset())
    except RecursionError:
        raise _error(path, 1, "values nested too deeply", "a stack-sized file") from None
    return YamlDocument(path, {} if data is None else data, builder.lines)


def _syntax(path: Path, exc: yaml.YAMLError, text: str) -> YamlFileError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        return _error(path, line, f"character U+{exc.character:04X} is not allowed in YAML", "printable UTF-8 text")
    problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
    context = getattr(exc, "context", None)
    what = f"YAML syntax error: {problem}" + (f" ({' '.join(str(context).split())})" if context else "")
    allowed = "spaces for indentation (YAML forbids tabs)" if "\\t" in what or "\t" in what else "valid YAML"
    return _error(path, line, what, allowed)
