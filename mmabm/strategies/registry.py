"""Finding a strategy by name: a built-in by its name, or a user's class by 'module:Class' (an
importable module) or 'path/to/file.py:Class' (a file, relative to the working directory)."""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from mmabm.strategies.base import Strategy
from mmabm.strategies.builtin import BUILTIN

KEY = "market_maker.strategy"


class StrategyError(ValueError):
    """The strategy named cannot be used; the message names the key and what is wrong."""


def resolve(spec: str) -> type[Strategy]:
    """The Strategy class `spec` names, or a StrategyError in one line."""
    if spec in BUILTIN:
        return BUILTIN[spec]
    if not isinstance(spec, str) or spec.count(":") != 1 or not all(spec.split(":")):
        raise StrategyError(f"{KEY} must be a built-in strategy ({', '.join(sorted(BUILTIN))}) "
                            f"or a class as 'module:Class' or 'path/file.py:Class', got {spec!r}")
    where, name = spec.split(":")
    module = _module(where, spec)
    cls = getattr(module, name, None)
    if cls is None:
        raise StrategyError(f"{KEY} = {spec!r}: {where} has no {name!r}")
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise StrategyError(f"{KEY} = {spec!r}: {name} does not implement the strategy "
                            f"interface (a subclass of mmabm.strategies.Strategy)")
    if cls.hedge_target is Strategy.hedge_target:
        raise StrategyError(f"{KEY} = {spec!r}: {name} does not define hedge_target")
    if cls.sale_execution not in ("immediate", "twap", "pov", "none"):
        raise StrategyError(f"{KEY} = {spec!r}: {name}.sale_execution must be one of "
                            f"'immediate', 'twap', 'pov', 'none', got {cls.sale_execution!r}")
    return cls


def _module(where: str, spec: str):
    """The module `where` names: a .py file (loaded once under a name of its own) or an
    importable module."""
    try:
        if where.endswith(".py"):
            path = Path(where).resolve()
            name = f"mmabm_user_{path.stem}_{abs(hash(str(path))) % 10**8}"
            if name in sys.modules:
                return sys.modules[name]
            if not path.is_file():
                raise StrategyError(f"{KEY} = {spec!r}: no file {where}")
            loader = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(loader)
            sys.modules[name] = module
            try:
                loader.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
            return module
        return importlib.import_module(where)
    except StrategyError:
        raise
    except Exception as err:                          # the user's code: say what it raised
        raise StrategyError(f"{KEY} = {spec!r}: cannot load {where}: "
                            f"{type(err).__name__}: {err}") from None


def describe() -> list[tuple[str, str]]:
    """(name, one line) of each built-in strategy."""
    return [(name, cls.description) for name, cls in sorted(BUILTIN.items())]
