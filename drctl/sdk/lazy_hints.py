"""A class's property types read when a property is looked up, not all of them on the class's first use.

``pulumi._types`` maps each Pulumi property name of a resource, input or output class to the return annotation
of its getter (``_raw_return_hints``), unwraps them (``_types_from_py_properties``) and merges them with the
class annotations (``resource_types``), each evaluated with ``typing.get_type_hints`` for every property the
first time the class is serialised or its outputs translated: 2,800 getters for the pair's 360 classes, a sixth
of a cold check (a Cosmos account declares ~60 output properties; its plan sets a few). The SDK reads these maps
only by key (``types.get(name)``) or by walking them whole; ``lazy_property_types`` gives it maps with the same
keys, values and order that evaluate a property's annotation when that property is read (all of them when the
map is walked). The values are computed by pulumi's own code: the same ``get_type_hints`` call, globals and
locals; ``unwrap_type``; the same precedence (a getter defined later wins, ``Output`` left out, properties over
class annotations). A getter without a return annotation has no entry, as before; an annotation that cannot be
evaluated fails when its property is read rather than when the class is first used.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import FunctionType
from typing import Any

_MISSING = object()
#: pulumi's own functions the lazy ones replace, by name (the tests compare the two).
STOCK: dict[str, Any] = {}


def _has_return_annotation(getter: Any) -> bool | None:
    """Whether ``get_type_hints(getter)`` would have a ``return`` entry (None: only evaluating it can say)."""
    if not isinstance(getter, FunctionType):
        return None
    return "return" in getter.__annotations__


class _LazyMap(Mapping[str, Any]):
    """A read-only map whose value for a name is computed on first read and kept; ``_MISSING`` means no entry."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def _names(self) -> Iterable[str]:
        """The names that may have an entry, in the map's order."""
        raise NotImplementedError

    def _compute(self, name: str) -> Any:
        raise NotImplementedError

    def _value(self, name: str) -> Any:
        if name not in self._values:
            self._values[name] = self._compute(name)
        return self._values[name]

    def __getitem__(self, name: str) -> Any:
        value = self._value(name)
        if value is _MISSING:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return (name for name in list(self._names()) if self._value(name) is not _MISSING)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class ReturnHints(_LazyMap):
    """``_raw_return_hints(cls)``: each Pulumi name's getter return annotation, evaluated when first read."""

    def __init__(self, cls: type, evaluate: Callable[[type, Any], Any], properties: Any) -> None:
        super().__init__()
        self._cls = cls
        self._evaluate = evaluate
        self._getters: dict[str, list[Any]] = {}
        for _, pulumi_name, prop in properties(cls):
            if _has_return_annotation(prop.fget) is not False:  # None: only evaluating it can say
                self._getters.setdefault(pulumi_name, []).append(prop.fget)

    def _names(self) -> Iterable[str]:
        return self._getters

    def _compute(self, name: str) -> Any:
        for getter in reversed(self._getters.get(name, ())):  # the last getter with an annotation wins
            hint = self._evaluate(self._cls, getter)
            if hint is not None:
                return hint
        return _MISSING


class PropertyTypes(_LazyMap):
    """``_types_from_py_properties(cls)``: each hint unwrapped when first read; ``Output`` itself left out."""

    def __init__(self, hints: Mapping[str, Any], unwrap: Callable[[Any], Any], output: type) -> None:
        super().__init__()
        self._hints = hints
        self._unwrap = unwrap
        self._output = output

    def _names(self) -> Iterable[str]:
        return self._hints

    def _compute(self, name: str) -> Any:
        hint = self._hints.get(name, _MISSING)
        typ = _MISSING if hint is _MISSING else self._unwrap(hint)
        return _MISSING if typ is self._output else typ


class ResourceTypes(_LazyMap):
    """``resource_types(cls)``: ``{**class annotations, **property types}``, the properties' read when asked."""

    def __init__(self, annotations: Mapping[str, type], properties: Mapping[str, type]) -> None:
        super().__init__()
        self._annotations = annotations
        self._properties = properties

    def _names(self) -> Iterable[str]:
        return {**dict.fromkeys(self._annotations), **dict.fromkeys(self._properties)}

    def _compute(self, name: str) -> Any:
        found = self._properties.get(name, _MISSING)
        return found if found is not _MISSING else self._annotations.get(name, _MISSING)


def lazy_property_types() -> None:
    """Install the lazy maps in ``pulumi._types`` (idempotent); pulumi's own functions compute every value."""
    from pulumi import Output
    from pulumi import _types as types_module

    _types: Any = types_module
    if getattr(_types._raw_return_hints, "lazy", False):
        return

    def evaluate(cls: type, getter: Any) -> Any:  # what _raw_return_hints computes for one getter
        globalns = _types._globals_for_cls(cls)
        localns = {"Output": Output, "T": type(None)}
        return _types.get_type_hints(getter, globalns=globalns, localns=localns).get("return")

    @functools.cache
    def raw_return_hints(cls: type) -> Mapping[str, Any]:
        return ReturnHints(cls, evaluate, _types._py_properties)

    @functools.cache
    def types_from_py_properties(cls: type) -> Mapping[str, type]:
        return PropertyTypes(_types._raw_return_hints(cls), _types.unwrap_type, Output)

    @functools.cache
    def resource_types(cls: type) -> Mapping[str, type]:
        return ResourceTypes(_types._types_from_annotations(cls), _types._types_from_py_properties(cls))

    raw_return_hints.lazy = True  # type: ignore[attr-defined]
    STOCK.update(
        _raw_return_hints=_types._raw_return_hints,
        _types_from_py_properties=_types._types_from_py_properties,
        resource_types=_types.resource_types,
    )
    _types._raw_return_hints = raw_return_hints
    _types._types_from_py_properties = types_from_py_properties
    _types.resource_types = resource_types
