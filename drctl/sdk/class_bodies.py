"""Offline runs build the generated SDKs' classes without evaluating their type annotations.

Most of the time an offline run spends importing ``pulumi_azure_native`` and ``pulumi_kubernetes`` goes to the
annotations of the classes they generate, not to the classes: every ``__init__`` parameter and property is
annotated ``pulumi.Input[Optional[Union[...]]]``, and Python evaluates each one while the class is built (tens of
thousands of ``typing`` subscriptions for the modules a program touches), then every ``*ArgsDict`` ``TypedDict``
checks each of its annotations again (``benchmarks/README.md`` has the figures).

``DeferredAnnotationsLoader`` compiles an SDK module as if it began with ``from __future__ import annotations``
(PEP 563: each annotation is kept as its source text) and builds its ``TypedDict`` classes with
:class:`DeferredTypedDict`, which keeps those texts instead of checking them. The classes, functions, enums and
values are the same; only annotations are strings. The one runtime reader of the SDK's annotations is
``pulumi._types``, which resolves them with ``typing.get_type_hints`` in the class's module (as it already does for
the quoted names the generator writes), so it reads the same types. ``tests/test_perf_engine.py`` compares plans
and the pack's answers with and without it.

The same loader builds the classes of ``_inputs``, ``outputs`` and ``_enums`` modules only when first asked for
(``sdk.lazy_classes``). The transformed code is cached beside the module as
``__pycache__/<name>.<tag>.opt-drctl2.pyc`` (the standard ``.pyc`` is left alone), written where Python would
write bytecode; without a cache entry and with bytecode writing switched off, the stock loader runs, so a
read-only install is never slower than without this module.
"""

from __future__ import annotations
import __future__

import importlib.machinery
import importlib.util
import marshal
import os
import re
import sys
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FunctionType, ModuleType
from typing import Any

from . import lazy_classes

#: The generated SDKs whose modules are compiled this way.
SDK_PACKAGES = ("pulumi_azure_native", "pulumi_kubernetes")
#: Part of the cache file's name; changes whenever the transformation does.
CACHE_TAG = "drctl2"
#: The name the transformed modules find :data:`DeferredTypedDict` under (set by the loader before the module runs).
STAND_IN = "_drctl_TypedDict"
_FLAGS = __future__.annotations.compiler_flag
_TypedDictMeta: Any = getattr(typing, "_TypedDictMeta", None)


def is_sdk_module(name: str) -> bool:
    """Whether ``name`` is one of the generated SDKs' modules."""
    return name.split(".", 1)[0] in SDK_PACKAGES


def _required(annotation: Any, total: bool) -> bool:
    text = annotation if isinstance(annotation, str) else ""
    if text.startswith(("NotRequired[", "typing.NotRequired[")):
        return False
    if text.startswith(("Required[", "typing.Required[")):
        return True
    return total


if _TypedDictMeta is not None:

    class _DeferredTypedDictMeta(_TypedDictMeta):  # type: ignore[misc]
        """``TypedDict``'s metaclass without the per-annotation check (the annotations are source text)."""

        def __new__(cls, name: str, bases: tuple[type, ...], ns: dict[str, Any], total: bool = True) -> Any:
            annotations: dict[str, Any] = {}
            required: set[str] = set()
            optional: set[str] = set()
            for base in bases:
                annotations.update(vars(base).get("__annotations__", {}))
                required.update(vars(base).get("__required_keys__", ()))
                optional.update(vars(base).get("__optional_keys__", ()))
            own: Mapping[str, Any] = ns.get("__annotations__", {})
            annotations.update(own)
            for key, annotation in own.items():
                (required if _required(annotation, total) else optional).add(key)
            made = type.__new__(cls, name, (dict,), ns)
            made.__annotations__ = annotations
            made.__required_keys__ = frozenset(required)
            made.__optional_keys__ = frozenset(optional)
            made.__total__ = total
            return made

    #: What ``class FooArgsDict(TypedDict)`` derives from in a transformed module: ``typing.is_typeddict`` holds for
    #: its classes, calling one gives a plain ``dict``, as with ``TypedDict``.
    DeferredTypedDict: Any = type.__new__(_DeferredTypedDictMeta, "TypedDict", (), {})
else:  # pragma: no cover - every supported Python has it; without it the SDK is compiled as shipped
    DeferredTypedDict = None


#: ``class FooArgsDict(TypedDict):``, as the generators write it (at module level or in an ``if`` block). Matched in
#: the source text, not in a syntax tree: parsing to one and compiling it takes four times as long as compiling the
#: text (0.8 s against 0.2 s for azure-native's largest module). A class this misses stays a ``TypedDict``.
_TYPEDDICT_CLASS = re.compile(rb"^([ \t]*class [A-Za-z_][A-Za-z0-9_]*\()TypedDict(\):)", re.MULTILINE)


def transformed_code(source: bytes, path: str) -> CodeType:
    """``source`` compiled with postponed annotations and :data:`STAND_IN` as the base of its ``TypedDict`` s."""
    text = _TYPEDDICT_CLASS.sub(rb"\g<1>" + STAND_IN.encode() + rb"\g<2>", source)
    code: CodeType = compile(text, path, "exec", flags=_FLAGS, dont_inherit=True)
    return code


@dataclass(frozen=True)
class Compiled:
    """An SDK module's transformed code: the module, the classes built on first use (``sdk.lazy_classes``), and
    the star imports it no longer makes."""

    code: CodeType
    deferred: dict[str, CodeType]
    stars: tuple[str, ...]


def transformed(source: bytes, path: str, *, lazy: bool, package: bool) -> Compiled:
    """:func:`transformed_code` of ``source``; outside a package's ``__init__``, without the star imports of
    ``_enums`` and ``_inputs``; with ``lazy``, its top-level classes compiled one by one. Code that does not split
    cleanly is compiled whole."""
    stars: tuple[str, ...] = ()
    if not package:
        source, stars = lazy_classes.without_star_imports(source)
    if lazy:
        try:
            split = lazy_classes.split_classes(source)
            deferred = {
                name: transformed_code(b"\n" * start + block, path) for name, (start, block) in split.blocks.items()
            }
            return Compiled(transformed_code(split.rest, path), deferred, stars)
        except SyntaxError:
            pass
    return Compiled(transformed_code(source, path), {}, stars)


def cache_path(source_path: str) -> str:
    """Where the transformed code of ``source_path`` is cached (never the standard ``.pyc``)."""
    return importlib.util.cache_from_source(source_path, optimization=CACHE_TAG)


def _header(source_path: str) -> bytes:
    stat = os.stat(source_path)
    mtime, size = int(stat.st_mtime) & 0xFFFFFFFF, stat.st_size & 0xFFFFFFFF
    return importlib.util.MAGIC_NUMBER + b"\0\0\0\0" + mtime.to_bytes(4, "little") + size.to_bytes(4, "little")


def _read_cache(source_path: str) -> Compiled | None:
    try:
        data = Path(cache_path(source_path)).read_bytes()
        if data[:16] != _header(source_path):
            return None
        code, deferred, stars = marshal.loads(data[16:])
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(code, CodeType) or not isinstance(deferred, dict) or not isinstance(stars, tuple):
        return None
    return Compiled(code, deferred, stars)


def _write_cache(source_path: str, compiled: Compiled) -> None:
    """Write atomically (a temporary file renamed), as the import system does; any failure is only a lost cache."""
    target = Path(cache_path(source_path))
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        payload = marshal.dumps((compiled.code, compiled.deferred, compiled.stars))
        temporary.write_bytes(_header(source_path) + payload)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)


def compile_module(source_path: str, module_name: str) -> Compiled:
    """The transformed code of one SDK module, from the cache or compiled (and cached, unless Python writes no
    bytecode)."""
    compiled = _read_cache(source_path)
    if compiled is None:
        package = Path(source_path).name == "__init__.py"
        lazy = not package and module_name.rsplit(".", 1)[-1] in lazy_classes.LAZY_MODULES
        compiled = transformed(Path(source_path).read_bytes(), source_path, lazy=lazy, package=package)
        if not sys.dont_write_bytecode:
            _write_cache(source_path, compiled)
    return compiled


def _cheap_empty_function_check() -> None:
    """``pulumi._utils.is_empty_function`` (run for every property of every SDK class built) compares a function's
    constants before its code; nearly no function is empty, and comparing the code first rules it out at once. The
    same answer for every function, with the constants compared only when the code matches."""
    from pulumi import _utils

    check: Any = _utils.is_empty_function
    if getattr(check, "code_first", False):
        return
    empty_codes = {f.__code__.co_code for f in (_utils._empty, _utils._empty_doc, _utils._empty_lambda)}
    empty_codes.add(_utils._empty_lambda_doc.__code__.co_code)

    def is_empty_function(fn: Any) -> bool:
        return fn.__code__.co_code in empty_codes and bool(check(fn))

    is_empty_function.code_first = True  # type: ignore[attr-defined]
    _utils.is_empty_function = is_empty_function


def _annotations_read_once() -> None:
    """``pulumi._types`` reads a class's annotations with ``typing.get_type_hints`` in the merged globals of the
    modules of the class and its bases (``_globals_for_cls``: a fresh copy for every class). For an SDK class those
    globals are the same for every class of its module, and there the same annotation text names the same types
    (the module's names are all bound once it is imported): so the copy is made once per module and base modules
    (an ``SdkGlobals``, which also finds the names the module used to star-import), and each distinct set of a
    function's annotation texts is evaluated once in it. Other classes, and anything but a function's text
    annotations, are read as before."""
    from pulumi import _types as types_module

    _types: Any = types_module
    read: Any = _types.get_type_hints
    if getattr(read, "read_once", False):
        return
    merged = _types._globals_for_cls
    shared: dict[tuple[str, ...], Any] = {}
    shared_ids: set[int] = set()
    hints: dict[tuple[Any, ...], dict[str, Any]] = {}

    def globals_for_cls(cls: type) -> Any:
        if not is_sdk_module(cls.__module__):
            return merged(cls)
        modules = tuple(base.__module__ for base in cls.__mro__)
        found = shared.get(modules)
        if found is None:
            names = [name for name in dict.fromkeys(modules) if name in sys.modules]
            sources = lazy_classes.star_sources(names, [vars(sys.modules[name]) for name in names])
            found = shared[modules] = lazy_classes.SdkGlobals(merged(cls), sources)
            shared_ids.add(id(found))
        return found

    def get_type_hints(obj: Any, globalns: Any = None, localns: Any = None, include_extras: bool = False) -> Any:
        if id(globalns) not in shared_ids:
            return read(obj, globalns, localns, include_extras)
        names = lazy_classes.SdkLocals(localns or {}, globalns)
        texts = getattr(obj, "__annotations__", None) if isinstance(obj, FunctionType) else None
        if not isinstance(texts, dict) or not all(map(_is_text, texts.values())):
            return read(obj, globalns, names, include_extras)
        key = (id(globalns), tuple(texts.items()), tuple((localns or {}).items()), include_extras)
        found = hints.get(key)
        if found is None:
            found = hints[key] = read(obj, globalns, names, include_extras)
        return dict(found)

    get_type_hints.read_once = True  # type: ignore[attr-defined]
    _types._globals_for_cls = globals_for_cls
    _types.get_type_hints = get_type_hints


def _is_text(annotation: Any) -> bool:
    return isinstance(annotation, str)


def install() -> None:
    """Make SDK classes cheaper to build and to read from now on (``sdk.imports`` installs the loader above): the
    empty-function check, each annotation text evaluated once per module."""
    _cheap_empty_function_check()
    _annotations_read_once()


class DeferredAnnotationsLoader(importlib.machinery.SourceFileLoader):
    """Loads an SDK module with :func:`transformed` (cached), or as shipped when it cannot cache it."""

    def _transformed(self) -> bool:
        return DeferredTypedDict is not None and (not sys.dont_write_bytecode or os.path.exists(cache_path(self.path)))

    def get_code(self, fullname: str) -> CodeType | None:
        if not self._transformed():
            return super().get_code(fullname)
        return compile_module(self.path, fullname).code

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__[STAND_IN] = DeferredTypedDict
        if not self._transformed():
            super().exec_module(module)
            return
        compiled = compile_module(self.path, module.__name__)
        module.__dict__[lazy_classes.STARS] = compiled.stars
        if compiled.deferred:
            lazy_classes.attach(module, dict(compiled.deferred))
        exec(compiled.code, module.__dict__)
