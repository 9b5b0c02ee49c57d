"""Edit ``Pulumi.<stack>.yaml`` in place, as a person would: only the edited keys' text changes.

The switch commands change a handful of keys. Each edit is spliced into the file's own text at the position
ruamel.yaml's composer reports for the key (``stackfiles.yamlfile`` keeps the node tree), so every other byte —
comments, key order, quoting, flow style, indentation, CRLF line ends, a UTF-8 BOM, ``secure:`` ciphertext —
stays as it was, and the pull request that carries a switch shows exactly the switch. A value is only touched
where it changes: setting a block to a new mapping deletes, replaces and adds single keys; extending a list
appends items. After the edits the text is read back by the strict reader and must hold exactly the expected
values, or nothing is written (:class:`EditError`).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .files import SECRET_PLACEHOLDER, StackFile, load_stack, project_name
from .yamlfile import KeyPath, YamlDocument, YamlFileError, parse_bytes, read_bytes, reads_as_string

DELETE = object()  # an Edit value: remove the key
BOM = b"\xef\xbb\xbf"


class EditError(ValueError):
    """An edit drctl cannot make in place without changing what else the file says: one line, nothing written."""


@dataclass(frozen=True)
class Edit:
    """Set (or, with ``DELETE``, remove) one config key of one stack: ``("postgres", "state")``."""

    stack: str
    path: tuple[str, ...]
    value: Any

    def describe(self) -> str:
        key = ".".join(self.path)
        return f"{self.stack}: {key} removed" if self.value is DELETE else f"{self.stack}: {key} = {_show(self.value)}"


def is_secret(value: Any) -> bool:
    """A ``secure:`` value as the file holds it (``pulumi config set --secret``)."""
    return isinstance(value, Mapping) and set(value) == {"secure"}


def _show(value: Any) -> str:
    if is_secret(value):
        return "[secret]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types (``True`` is not ``1``, ``1`` is not ``1.0``), as the file would read; a
    mapping's key order does not count (a new key goes at the end of its block)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


# --- rendering new values -------------------------------------------------------------------------------------

#: What this writer leaves unquoted: a conservative subset of YAML's plain scalars (no spaces, no flow or comment
#: indicators, no ``: ``), and only where the strict reader reads it back as the same string.
_PLAIN = re.compile(r"[A-Za-z0-9_./@+=][A-Za-z0-9_./@+=:-]*")
#: YAML 1.2 core-schema numbers the strict reader refuses to guess at but the Pulumi CLI reads as numbers.
_CORE_NUMBER = re.compile(r"[-+]?(?:0x[0-9a-fA-F]+|0o[0-7]+|\.(?:inf|Inf|INF|nan|NaN|NAN))")


def scalar(value: Any, style: str | None = None, flow: bool = False) -> str:
    """One scalar as YAML the strict reader reads back as ``value``; a string keeps ``style`` (``'`` or ``"``).
    Inside a flow collection (``flow``) a string with ``:`` is quoted (libyaml refuses it plain there)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise EditError(f"{value} cannot be written as a stack-file number")
        return repr(value)
    if not isinstance(value, str):
        raise EditError(f"a {type(value).__name__} cannot be written into a stack file")
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    plain = bool(_PLAIN.fullmatch(value)) and not _CORE_NUMBER.fullmatch(value)
    plain = plain and not value.endswith(":") and not (flow and ":" in value)
    if style != '"' and plain and reads_as_string(value):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _flow(value: Any, inner: bool = False) -> str:
    """``value`` in flow style (``inner``: inside a flow collection already)."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{scalar(str(k), flow=True)}: {_flow(v, True)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v, True) for v in value) + "]"
    return scalar(value, flow=inner)


@dataclass(frozen=True)
class Layout:
    """How the file indents: a mapping's keys ``mapping`` columns right of its parent key, a block list's dashes
    ``sequence`` columns right of its key (0 = at the key's own column, as ``pulumi config`` writes them)."""

    mapping: int = 2
    sequence: int = 2


def block(key: str, value: Any, column: int, layout: Layout) -> list[str]:
    """``key: value`` at ``column`` in block style (a new key of a block mapping)."""
    head = " " * column + f"{scalar(key)}:"
    if isinstance(value, Mapping) and value:
        return [head, *_mapping_lines(value, column + layout.mapping, layout)]
    if isinstance(value, list | tuple) and value:
        return [head, *_sequence_lines(value, column + layout.sequence, layout)]
    return [f"{head} {_flow(value)}"]


def _mapping_lines(value: Mapping[str, Any], column: int, layout: Layout) -> list[str]:
    return [line for k, v in value.items() for line in block(str(k), v, column, layout)]


def _sequence_lines(items: Sequence[Any], column: int, layout: Layout) -> list[str]:
    lines: list[str] = []
    for item in items:
        if isinstance(item, Mapping) and item:
            inner = _mapping_lines(item, column + 2, layout)
            lines += [" " * column + "- " + inner[0][column + 2 :], *inner[1:]]
        elif isinstance(item, list | tuple) and item:
            lines.append(" " * column + "- " + _flow(item))
        else:
            lines.append(" " * column + "- " + _flow(item))
    return lines


# --- the document ---------------------------------------------------------------------------------------------


class StackDocument:
    """One stack file: the bytes read, and the text after the edits applied so far."""

    def __init__(self, root: Path, stack: str, raw: bytes | None = None) -> None:
        self.root, self.stack = root, stack
        self.path = root / f"Pulumi.{stack}.yaml"
        self.namespace = project_name(root)
        self.original = read_bytes(self.path) if raw is None else raw
        self.bom = self.original.startswith(BOM)
        self._doc = parse_bytes(self.path, self.original)
        self.text = self._doc.text
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        self.layout = _layout(self._doc.root, self.text)
        self.expected: Any = copy.deepcopy(self._doc.data)

    # -- reading

    def _key(self, top: str) -> str:
        return top if ":" in top else f"{self.namespace}:{top}"

    def _full(self, path: Sequence[str]) -> KeyPath:
        return ("config", self._key(path[0]), *path[1:])

    def get(self, path: Sequence[str]) -> Any:
        """The value as written (a secret as ``{"secure": ciphertext}``), or None."""
        node: Any = self._doc.data
        for part in self._full(path):
            if not isinstance(node, Mapping):
                return None
            node = node.get(part)
        return node

    def data(self) -> bytes:
        return (BOM if self.bom else b"") + self.text.encode()

    @property
    def changed(self) -> bool:
        return self.data() != self.original

    def stack_file(self) -> StackFile:
        """The edited config as the engine hands it to the program (no file written)."""
        return load_stack(self.root, self.stack, self.data())

    # -- editing

    def apply(self, edit: Edit) -> None:
        """Apply one edit to the text; EditError (nothing changed) if it cannot be made in place."""
        saved = (self.text, self._doc, copy.deepcopy(self.expected))
        path = self._full(edit.path)
        try:
            _expect(self.expected, path, edit.value)
            self._set(path, edit.value)
            if not same(self._doc.data, self.expected):
                raise EditError("the file would not read back as edited")
            if SECRET_PLACEHOLDER in self.text and SECRET_PLACEHOLDER.encode() not in self.original:
                raise EditError("it would write the offline secret placeholder; a secret stays `secure:` ciphertext")
        except (EditError, YamlFileError) as exc:
            self.text, self._doc, self.expected = saved
            raise EditError(f"{self.path.name}: cannot edit {'.'.join(edit.path)} in place ({exc})") from None

    def _reparse(self, text: str) -> None:
        self.text = text
        self._doc = parse_bytes(self.path, (BOM if self.bom else b"") + text.encode())

    def _splice(self, start: int, end: int, new: str) -> None:
        self._reparse(self.text[:start] + new + self.text[end:])

    def _set(self, path: KeyPath, value: Any) -> None:
        """Make the node at ``path`` hold ``value``, touching only what differs."""
        found = _walk(self._doc, path)
        if found.node is None:  # the key is missing: add it (or nothing to delete)
            if value is not DELETE:
                self._insert(found, path, value)
            return
        if found.parent is None or found.key is None:
            raise EditError("the top of the file cannot be replaced")
        if value is DELETE:
            self._delete(path, found.parent, found.key)
            return
        old = _data_at(self._doc.data, path)
        if same(old, value):
            return
        if isinstance(old, Mapping) and isinstance(value, Mapping) and not is_secret(value) and not is_secret(old):
            for key in list(old):
                if key not in value:
                    self._set((*path, key), DELETE)
            for key, item in value.items():
                self._set((*path, str(key)), item)
            return
        if isinstance(old, list) and isinstance(value, list | tuple) and _extends(old, value):
            for item in value[len(old) :]:
                self._append(path, item)
            return
        self._replace(found, value)

    # -- primitive splices (each re-reads the text)

    def _index(self, line: int, column: int) -> int:
        return _line_starts(self.text)[line] + column

    def _start(self, node: Node) -> int:
        return self._index(node.start_mark.line, node.start_mark.column)

    def _end(self, node: Node) -> int:
        """Where ``node``'s own text ends (a block collection: its last item's)."""
        while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
            last = node.value[-1]
            node = last[1] if isinstance(node, MappingNode) else last
        end = self._index(node.end_mark.line, node.end_mark.column)
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):  # its text ends with its line break
            while end > 0 and self.text[end - 1] in "\r\n":
                end -= 1
        return end

    def _line_end(self, index: int) -> int:
        """The start of the line after the one ``index`` is on (the end of the text if it has no newline)."""
        cut = self.text.find("\n", index)
        return len(self.text) if cut < 0 else cut + 1

    def _break(self, index: int) -> int:
        """Where the line ``index`` is on ends, before its line break (``\\r\\n`` or ``\\n``)."""
        cut = self.text.find("\n", index)
        if cut < 0:
            return len(self.text)
        return cut - 1 if cut > 0 and self.text[cut - 1] == "\r" else cut

    def _lines(self, lines: list[str]) -> str:
        return "".join(line + self.newline for line in lines)

    def _insert(self, found: _Found, path: KeyPath, value: Any) -> None:
        """Add the missing keys of ``path`` (with ``value`` at the end) to the deepest mapping that exists."""
        depth = len(found.path)
        nested: Any = value
        for key in reversed(path[depth + 1 :]):
            nested = {key: nested}
        key = str(path[depth])
        holder = found.holder
        if holder is None:  # an empty file, or no mapping at all
            if found.path:
                raise EditError(f"{'.'.join(map(str, found.path))} is not a mapping")
            prefix = "" if not self.text or self.text.endswith("\n") else self.newline
            self._reparse(self.text + prefix + self._lines(block(key, nested, 0, self.layout)))
            return
        if not isinstance(holder, MappingNode):
            raise EditError(f"{'.'.join(map(str, found.path))} is not a mapping")
        if holder.flow_style:
            item = f"{scalar(key, flow=True)}: {_flow(nested, True)}"
            if holder.value:
                at = self._end(holder.value[-1][1])
                self._splice(at, at, f", {item}")
            else:
                close = self.text.rindex("}", 0, self._index(holder.end_mark.line, holder.end_mark.column))
                self._splice(close, close, item)
            return
        if not holder.value:
            raise EditError("an empty block mapping")
        column = holder.value[0][0].start_mark.column
        at = self._line_end(self._end(holder))
        prefix = "" if at == 0 or self.text[at - 1] == "\n" else self.newline
        self._splice(at, at, prefix + self._lines(block(key, nested, column, self.layout)))

    def _delete(self, path: KeyPath, holder: MappingNode, key: str) -> None:
        pairs = holder.value
        index = next(i for i, (k, _) in enumerate(pairs) if k.value == key)
        key_node, value_node = pairs[index]
        if len(pairs) == 1:  # the mapping would be empty (and an emptied block would read as null): {}
            if holder.flow_style:
                self._splice(self._start(key_node), self._end(value_node), "")
                return
            above = _walk(self._doc, path[:-1])
            if above.key_node is None:
                raise EditError("the last key of the file")
            self._replace(above, {})
            return
        if holder.flow_style:
            if index == 0:
                self._splice(self._start(key_node), self._start(pairs[1][0]), "")
            else:
                self._splice(self._end(pairs[index - 1][1]), self._end(value_node), "")
            return
        start = self._start(key_node)
        line_start = self.text.rfind("\n", 0, start) + 1
        if self.text[line_start:start].strip():  # `- key: ...`: the next key takes its place after the dash
            if index + 1 == len(pairs):
                raise EditError("the last key of a list item")
            self._splice(start, self._start(pairs[index + 1][0]), "")
            return
        self._splice(line_start, self._line_end(self._end(value_node)), "")

    def _append(self, path: KeyPath, item: Any) -> None:
        found = _walk(self._doc, path)
        seq = found.node
        assert isinstance(seq, SequenceNode)
        if seq.flow_style or not seq.value:
            if seq.value:
                at = self._end(seq.value[-1])
                self._splice(at, at, f", {_flow(item, True)}")
            else:
                close = self.text.rindex("]", 0, self._index(seq.end_mark.line, seq.end_mark.column))
                self._splice(close, close, _flow(item, True))
            return
        first = self._start(seq.value[0])
        dash = self.text.rfind("-", 0, first)
        column = dash - (self.text.rfind("\n", 0, dash) + 1)
        at = self._line_end(self._end(seq))
        prefix = "" if self.text[at - 1] == "\n" else self.newline
        self._splice(at, at, prefix + self._lines(_sequence_lines([item], column, self.layout)))

    def _replace(self, found: _Found, value: Any) -> None:
        node = found.node
        assert node is not None and found.key_node is not None
        if self._start(node) < self._start(found.key_node):
            raise EditError("the value is a YAML alias")
        if isinstance(node, ScalarNode) or (isinstance(node, MappingNode | SequenceNode) and node.flow_style):
            style = node.style if isinstance(node, ScalarNode) and isinstance(value, str) else None
            inner = found.parent is not None and bool(found.parent.flow_style)
            if isinstance(value, Mapping | list | tuple):
                new = _flow(value, inner)
            else:
                new = scalar(value, style or None, inner)
            self._splice(self._start(node), self._end(node), new)
            return
        # A block collection: the new value is written in block style at the same place.
        column = node.start_mark.column
        if isinstance(node, SequenceNode):
            first = self._start(node.value[0])
            dash = self.text.rfind("-", 0, first)
            column = dash - (self.text.rfind("\n", 0, dash) + 1)
        start = self.text.rfind("\n", 0, self._start(node) if isinstance(node, MappingNode) else dash) + 1
        end = self._line_end(self._end(node))
        if isinstance(value, Mapping) and value:
            lines = _mapping_lines(value, column, self.layout)
        elif isinstance(value, list | tuple) and value:
            lines = _sequence_lines(value, column, self.layout)
        else:  # a scalar or an empty collection after the key's colon
            colon = self.text.index(":", self._end(found.key_node))
            self._splice(colon + 1, self._break(self._end(node)), f" {_flow(value)}")
            return
        self._splice(start, end, self._lines(lines))

    # -- writing

    def write(self) -> None:
        """Write this one file as a transaction (see ``stackfiles.transaction``)."""
        from .transaction import write_files

        write_files(self.root, [self], f"edit {self.path.name}")


@dataclass(frozen=True)
class _Found:
    """Where a key path leads in a node tree: the deepest ``path`` that exists, its node, and the mapping the
    next key would go into."""

    path: KeyPath
    node: Node | None
    parent: MappingNode | None = None
    key: str | None = None
    key_node: Node | None = None
    holder: Node | None = None


def _walk(doc: YamlDocument, path: KeyPath) -> _Found:
    node = doc.root
    if node is None:
        return _Found((), None)
    parent: MappingNode | None = None
    key_node: Node | None = None
    for depth, part in enumerate(path):
        if not isinstance(node, MappingNode):
            return _Found(path[:depth], None, holder=node)
        pair = next(((k, v) for k, v in node.value if k.value == part), None)
        if pair is None:
            return _Found(path[:depth], None, holder=node)
        parent, key_node, node = node, pair[0], pair[1]
    return _Found(path, node, parent, str(path[-1]) if path else None, key_node)


def _data_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _expect(data: Any, path: KeyPath, value: Any) -> None:
    """What the file must read as after the edit: ``data`` with ``value`` at ``path`` (mappings created)."""
    for part in path[:-1]:
        if not isinstance(data.get(part), dict):
            if value is DELETE:
                return
            data[part] = {}
        data = data[part]
    if value is DELETE:
        data.pop(path[-1], None)
    else:
        data[path[-1]] = _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _extends(old: list[Any], new: Sequence[Any]) -> bool:
    return len(new) > len(old) and all(same(a, b) for a, b in zip(old, new[: len(old)], strict=True))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [m.end() for m in re.finditer("\n", text)]
    return starts


def _layout(root: Node | None, text: str) -> Layout:
    """The file's own indentation, from its first nested mapping and its first block list."""
    mapping = sequence = None
    stack: list[tuple[Node, int]] = [(root, 0)] if root is not None else []
    while stack and (mapping is None or sequence is None):
        node, column = stack.pop(0)
        if isinstance(node, MappingNode) and not node.flow_style:
            for key, value in node.value:
                if isinstance(value, MappingNode) and not value.flow_style and value.value and mapping is None:
                    mapping = value.value[0][0].start_mark.column - key.start_mark.column
                if isinstance(value, SequenceNode) and not value.flow_style and value.value and sequence is None:
                    lines = text.splitlines()
                    first = value.value[0].start_mark
                    dash = lines[first.line].rfind("-", 0, first.column)
                    if dash >= 0:
                        sequence = dash - key.start_mark.column
                stack.append((value, key.start_mark.column))
        elif isinstance(node, SequenceNode) and not node.flow_style:
            stack.extend((item, column) for item in node.value)
    mapping = mapping if mapping and mapping > 0 else 2
    return Layout(mapping, sequence if sequence is not None else mapping)  # no list yet: lists indent like mappings


def plain(value: Any) -> Any:
    """A value as plain dicts and lists (to copy a block into another place)."""
    return _plain(copy.deepcopy(value))


def edited(
    root: Path, stacks: Sequence[str], edits: Sequence[Edit], raw: Mapping[str, bytes] | None = None
) -> dict[str, StackDocument]:
    """Each stack's document (from ``raw``, its bytes as read, where given) with ``edits`` applied, in memory."""
    docs = {name: StackDocument(root, name, (raw or {}).get(name)) for name in stacks}
    for edit in edits:
        docs[edit.stack].apply(edit)
    return docs
