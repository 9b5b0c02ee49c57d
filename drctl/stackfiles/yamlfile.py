"""A strict YAML reader for ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` that keeps every value's line.

ruamel.yaml composes the node tree (the C composer of ruamel.yaml.clib where it is installed, the pure-Python one
otherwise); the tree is read here under YAML 1.2's core schema, as the Pulumi CLI reads stack files. A YAML 1.1
reader (PyYAML's) reads ``no``/``on`` as booleans, ``2024-01-01`` as a date and ``!!python/...`` tags as objects,
and any reader silently keeps the last of two equal keys, so the same file could mean two things. This reader
accepts only what means one thing: mappings with string keys, lists, strings, integers, floats, ``true``/``false``
and null. Anything else (a syntax error, a duplicate key, a tag, a date, an ambiguous YAML 1.1 boolean word, bytes
that are not UTF-8) is a :class:`YamlFileError` with one line ``file:line: what is wrong; allowed: ...``.

The document keeps the composed nodes and the text, so ``stackfiles.edit`` can change a value in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import Reader, ReaderError
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.scanner import Scanner

from azure_dr.components.stack.config import ConfigError

try:  # ruamel.yaml.clib: libyaml's scanner, parser and composer in C (about 10x faster than pure Python)
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a platform with no wheel of it: the pure-Python composer reads the same
    CParser = None

_TAG = "tag:yaml.org,2002:"
_YAML11_BOOL = "tag:azure-dr,2026:yaml11-bool"
_PLAIN_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null")}

#: More values than any stack file has; beyond it the file is refused rather than expanded.
MAX_VALUES = 100_000
#: Deeper than any stack file nests; beyond it the file is refused (the C composer has no depth limit of its own).
MAX_DEPTH = 200

#: A key path inside a file: mapping keys and list indexes from the top.
KeyPath = tuple[str | int, ...]


class YamlFileError(ConfigError):
    """A file drctl cannot read as unambiguous YAML: one line naming the file and line."""


class StrictResolver(BaseResolver):
    """YAML 1.2 core-schema scalars, plus markers for the YAML 1.1 forms that would be read differently."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - an own table, none of ruamel's resolvers
    processing_version = (1, 2)


def _resolver(tag: str, pattern: str, first: str | list[str]) -> None:
    StrictResolver.add_implicit_resolver_base(tag, re.compile(pattern, re.X), list(first))


_resolver(f"{_TAG}bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolver(_YAML11_BOOL, r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$", "yYnNoO")
_resolver(f"{_TAG}int", r"^[-+]?[0-9]+$", "-+0123456789")
_resolver(
    f"{_TAG}float",
    r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$",
    "-+0123456789.",
)
_resolver(f"{_TAG}null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])
_resolver(
    f"{_TAG}timestamp",
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$",
    "0123456789",
)


class _PyLoader(Reader, Scanner, Parser, Composer, StrictResolver):
    """ruamel.yaml's pure-Python reader, scanner, parser and composer with the strict resolver."""

    def __init__(self, text: str) -> None:
        self.comment_handling = None
        Reader.__init__(self, text, loader=self)
        Scanner.__init__(self, loader=self)
        Parser.__init__(self, loader=self)
        Composer.__init__(self, loader=self)
        StrictResolver.__init__(self, loadumper=self)
        self.warn_double_anchors = False  # a reused anchor name is legal YAML: the later one applies
        self.max_depth = MAX_DEPTH


if CParser is not None:

    class _CLoader(CParser, StrictResolver):  # type: ignore[misc]
        """ruamel.yaml.clib's C parser and composer with the strict resolver (it calls ``resolve`` per node)."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            self._parser = self._composer = self
            StrictResolver.__init__(self, loadumper=self)


def compose(text: str, pure: bool = False) -> Node | None:
    """The single document's node tree (None for an empty file); ruamel.yaml errors propagate."""
    if not pure and CParser is not None:
        try:
            return _compose_with(_CLoader(text))
        except YAMLError:
            # libyaml follows YAML 1.1 where the pure composer (like Pulumi's own reader) follows 1.2: a flow
            # mapping key such as ``{ns:key: v}`` is refused by the one and read by the others. Only a document
            # the pure composer refuses too is an error, in its words.
            pass
    return _compose_with(_PyLoader(text))


def _compose_with(loader: Any) -> Node | None:
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


#: The composer used by :func:`read_yaml`: the C one when available. Tests switch it to check both agree.
PURE_PYTHON = CParser is None


@dataclass(frozen=True)
class YamlDocument:
    """A file's plain value, the line (1-based) of every key and list item in it, its text and node tree."""

    path: Path
    data: Any
    lines: dict[KeyPath, int]
    text: str = ""
    root: Node | None = None
    bom: bool = False

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


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise YamlFileError(f"{path.name}: cannot be read ({exc.strerror}); allowed: a readable file") from None


def decode(path: Path, raw: bytes) -> str:
    """UTF-8 text (a BOM is not part of it)."""
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
        if len(active) > MAX_DEPTH:
            raise _error(self.path, 1, "values nested too deeply", "a stack-sized file")
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
            f"YAML tag {str(node.tag).replace(_TAG, '!!')} is not allowed",
            "plain strings, numbers, true/false, lists and mappings (quote a value to keep it a string)",
        )

    def _scalar(self, node: ScalarNode) -> Any:
        line = node.start_mark.line + 1
        tag = str(node.tag)
        if tag == _YAML11_BOOL:
            raise _error(
                self.path,
                line,
                f"{node.value!r} is a boolean in YAML 1.1 but a string in YAML 1.2",
                f'true or false for a boolean, or "{node.value}" (quoted) for a string',
            )
        if tag == f"{_TAG}timestamp":
            raise _error(self.path, line, f"{node.value!r} is a YAML date", f'"{node.value}" (quoted) for a string')
        if tag not in _PLAIN_TAGS:
            raise self._tag(node)
        if tag == f"{_TAG}str":
            return str(node.value)
        if str(_RESOLVER.resolve(ScalarNode, node.value, (True, False))) != tag:
            raise _error(
                self.path, line, f"{node.value!r} does not fit its tag {tag.replace(_TAG, '!!')}", "a plain value"
            )
        return _plain(node)

    def _mapping(self, node: MappingNode, key_path: KeyPath, active: frozenset[int]) -> dict[str, Any]:
        if node.tag != f"{_TAG}map":
            raise self._tag(node)
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if isinstance(key_node, ScalarNode) and key_node.value == "<<" and not key_node.style:
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


_RESOLVER = StrictResolver()


def reads_as_string(plain: str) -> bool:
    """Whether ``plain``, written unquoted, reads back as that string (not a number, boolean, null or date)."""
    return str(_RESOLVER.resolve(ScalarNode, plain, (True, False))) == f"{_TAG}str"


def _plain(node: ScalarNode) -> Any:
    value = str(node.value)
    tag = str(node.tag)
    if tag == f"{_TAG}bool":
        return value.lower() == "true"
    if tag == f"{_TAG}int":
        return int(value)
    if tag == f"{_TAG}float":
        return float(value)
    return None


#: Documents already read, by path and text: one command reads each stack file several times (plan order, each
#: planning pass, the pair checks). Keyed by the text, so an edited file is read again; callers never change a
#: document. A file that cannot be read is kept as its one-line error (the same bytes fail the same way), so a
#: broken or hostile file is composed once per command, not once per look (a deeply nested one costs ~0.3 s).
_READ: dict[tuple[str, bytes], YamlDocument | str] = {}


def read_yaml(path: Path) -> YamlDocument:
    """Read one YAML file strictly; an empty file is an empty mapping."""
    return parse_bytes(path, read_bytes(path))


def parse_bytes(path: Path, raw: bytes) -> YamlDocument:
    """A file's bytes read strictly, as if they were at ``path`` (an edited file before it is written)."""
    key = (str(path), raw)
    if key not in _READ:
        try:
            _READ[key] = _parse(path, decode(path, raw), raw.startswith(b"\xef\xbb\xbf"))
        except YamlFileError as exc:
            _READ[key] = str(exc)
    read = _READ[key]
    if isinstance(read, str):
        raise YamlFileError(read)
    return read


def _parse(path: Path, text: str, bom: bool) -> YamlDocument:
    try:
        root = compose(text, PURE_PYTHON)
    except ComposerError as exc:
        if "single document" in f"{exc.context} {exc.problem}":
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            raise _error(path, line, "a second YAML document (---)", "one document per file") from None
        raise _syntax(path, exc, text) from None
    except MaxDepthExceededError:
        raise _error(path, 1, "values nested too deeply", "a stack-sized file") from None
    except YAMLError as exc:
        raise _syntax(path, exc, text) from None
    except RecursionError:
        raise _error(path, 1, "values nested too deeply", "a stack-sized file") from None
    if root is None:
        return YamlDocument(path, {}, {}, text, None, bom)
    builder = _Builder(path)
    try:
        data = builder.build(root, (), frozenset())
    except RecursionError:
        raise _error(path, 1, "values nested too deeply", "a stack-sized file") from None
    return YamlDocument(path, {} if data is None else data, builder.lines, text, root, bom)


def _syntax(path: Path, exc: YAMLError, text: str) -> YamlFileError:
    if isinstance(exc, ReaderError):
        line = text[: exc.position].count("\n") + 1
        return _error(path, line, f"character U+{exc.character:04X} is not allowed in YAML", "printable UTF-8 text")
    mark = (
        (getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None))
        if isinstance(exc, MarkedYAMLError)
        else None
    )
    line = mark.line + 1 if mark is not None else 1
    problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
    context = getattr(exc, "context", None)
    what = f"YAML syntax error: {problem}" + (f" ({' '.join(str(context).split())})" if context else "")
    tab = mark is not None and "\t" in (text.splitlines()[mark.line : mark.line + 1] or [""])[0][: mark.column + 1]
    allowed = "spaces for indentation (YAML forbids tabs)" if tab or "\\t" in what or "\t" in what else "valid YAML"
    return _error(path, line, what, allowed)
