"""Edit ``Pulumi.<stack>.yaml`` files in place, as a person would: comments, key order and quoting kept.

The switch commands change a handful of keys; a round-trip YAML library (ruamel.yaml) rewrites only those, so
the pull request that carries a promotion shows exactly the switch and nothing else.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .files import StackFile, project_name, stack_from_text

DELETE = object()  # an Edit value: remove the key


@dataclass(frozen=True)
class Edit:
    """Set (or, with ``DELETE``, remove) one config key of one stack: ``("postgres", "state")``."""

    stack: str
    path: tuple[str, ...]
    value: Any

    def describe(self) -> str:
        key = ".".join(self.path)
        return f"{self.stack}: {key} removed" if self.value is DELETE else f"{self.stack}: {key} = {_show(self.value)}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _yaml() -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


class StackDocument:
    """One stack file held as a round-trip document."""

    def __init__(self, root: Path, stack: str) -> None:
        self.root, self.stack = root, stack
        self.path = root / f"Pulumi.{stack}.yaml"
        self.namespace = project_name(root)
        self.doc: CommentedMap = _yaml().load(self.path.read_text()) or CommentedMap()
        if "config" not in self.doc or self.doc["config"] is None:
            self.doc["config"] = CommentedMap()

    def _key(self, top: str) -> str:
        return top if ":" in top else f"{self.namespace}:{top}"

    def get(self, path: Sequence[str]) -> Any:
        node: Any = self.doc["config"].get(self._key(path[0]))
        for part in path[1:]:
            if not isinstance(node, Mapping):
                return None
            node = node.get(part)
        return node

    def apply(self, edit: Edit) -> None:
        config: CommentedMap = self.doc["config"]
        top = self._key(edit.path[0])
        if len(edit.path) == 1:
            _set(config, top, edit.value)
            return
        node = config.get(top)
        if not isinstance(node, CommentedMap):
            node = CommentedMap()
            config[top] = node
        for part in edit.path[1:-1]:
            child = node.get(part)
            if not isinstance(child, CommentedMap):
                child = CommentedMap()
                node[part] = child
            node = child
        _set(node, edit.path[-1], edit.value)

    def text(self) -> str:
        out = io.StringIO()
        _yaml().dump(self.doc, out)
        return out.getvalue()

    def stack_file(self) -> StackFile:
        """The edited config as the engine hands it to the program (no file written)."""
        return stack_from_text(self.root, self.stack, self.text())

    def write(self) -> None:
        self.path.write_text(self.text())


def _set(node: CommentedMap, key: str, value: Any) -> None:
    if value is DELETE:
        node.pop(key, None)
        return
    value = _commented(value)
    if key in node:
        node[key] = value
    else:
        node.insert(len(node), key, value)


def _commented(value: Any) -> Any:
    """Plain dicts and lists as round-trip nodes (block style, like the rest of the file)."""
    if isinstance(value, CommentedMap | CommentedSeq):
        return value
    if isinstance(value, Mapping):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = _commented(v)
        return node
    if isinstance(value, list | tuple):
        seq = CommentedSeq()
        for v in value:
            seq.append(_commented(v))
        return seq
    return value


def plain(value: Any) -> Any:
    """A round-trip node as plain dicts and lists (to copy a block into another place)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return copy.copy(value)


def edited(root: Path, stacks: Sequence[str], edits: Sequence[Edit]) -> dict[str, StackDocument]:
    """Each stack's document with ``edits`` applied, in memory."""
    docs = {name: StackDocument(root, name) for name in stacks}
    for edit in edits:
        docs[edit.stack].apply(edit)
    return docs
