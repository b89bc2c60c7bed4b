"""The config's machinery: fields that declare their range, and building a frozen tree from
TOML tables with errors that name the dotted key."""
from __future__ import annotations

import dataclasses
import datetime
import math
import tomllib
import typing
from dataclasses import field
from typing import Any, Literal


class ConfigError(ValueError):
    """A configuration value or key is not allowed; the message names the dotted key."""


def _field(default: Any, lo: float | None = None, hi: float | None = None, doc: str = "",
           **kwargs: Any) -> Any:
    return field(default=default, metadata={"lo": lo, "hi": hi, "doc": doc}, **kwargs)


def _build(cls: type, data: Any, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'} must be a table, got {data!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"unknown key {prefix + unknown[0]!r}; known keys here: "
                          f"{', '.join(sorted(fields))}")
    values = {}
    for name, value in data.items():
        values[name] = _value(hints[name], value, prefix + name, fields[name].metadata)
    return cls(**values)


def _value(hint: Any, value: Any, key: str, meta: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, key + ".")
    if origin is tuple and dataclasses.is_dataclass(args[0]):
        if not isinstance(value, list | tuple) or not value:
            raise ConfigError(f"{key} must be a non-empty list of tables, got {value!r}")
        return tuple(_build(args[0], v, f"{key}.{i}.") for i, v in enumerate(value))
    if origin is tuple:
        if not isinstance(value, list | tuple) or not value:
            raise ConfigError(f"{key} must be a non-empty list of numbers, got {value!r}")
        return tuple(_scalar(args[0], v, f"{key}.{i}", meta) for i, v in enumerate(value))
    if origin is dict:                            # a free table: its owner checks it
        if not isinstance(value, dict):
            raise ConfigError(f"{key} must be a table, got {value!r}")
        return dict(value)
    if origin is Literal:
        if value not in args:
            raise ConfigError(f"{key} must be one of {', '.join(map(repr, args))}, got {value!r}")
        return value
    return _scalar(hint, value, key, meta)


def _scalar(kind: type, value: Any, key: str, meta: Any) -> Any:
    lo, hi = meta.get("lo"), meta.get("hi")
    span = (f" in [{lo}, {hi}]" if kind is int else f" in [{lo:g}, {hi:g}]") \
        if lo is not None else ""
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, got {value!r}")
        return value
    if kind is str:
        if isinstance(value, datetime.date):              # a TOML date: listing_date
            return value.isoformat()
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{key} must be a non-empty string, got {value!r}")
        return value
    ok = isinstance(value, int) if kind is int else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or (kind is float and not math.isfinite(value)):
        raise ConfigError(f"{key} must be {'an integer' if kind is int else 'a number'}{span}, "
                          f"got {value!r}")
    if lo is not None and not lo <= value <= hi:
        raise ConfigError(f"{key} must be{span}, got {value!r}")
    return kind(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts, node = key.split("."), data
    for i, part in enumerate(parts[:-1]):
        where = ".".join(parts[:i + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f"{where}: index must be below {len(node)}, got {part!r}")
            node = node[int(part)]
        elif part in node and isinstance(node[part], dict | list):
            node = node[part]
        else:
            raise ConfigError(f"unknown key {where!r}; known keys here: {', '.join(sorted(node))}")
    last = parts[-1]
    if parts[:-1] == ["market_maker", "params"]:      # the strategy's table: it checks the keys
        node[last] = value
        return
    if isinstance(node, list) or last not in node:
        known = range(len(node)) if isinstance(node, list) else sorted(node)
        raise ConfigError(f"unknown key {key!r}; known keys here: {', '.join(map(str, known))}")
    node[last] = value


def _parse(text: str) -> Any:
    """A --set value as TOML would read it (numbers, booleans, lists), else the plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
