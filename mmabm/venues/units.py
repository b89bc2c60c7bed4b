"""Balance units: the one place that converts between USDT / tokens and integers.

Prices are integer ticks on a venue's book: `bid_ticks` / `ask_ticks` round a USDT price to
the tick a bid or an ask may rest at (never more generous than asked), `ticks_to_usd` goes
back (the compiled code does the same inline: mmabm/_types.pxd).

Every account balance is an integer number of micro-units (1e-6 USDT, 1e-6 token), so a fill
moves exact amounts and conservation holds to the unit, with no float drift over a year-long
run. A venue's tick (USDT per token) and lot (tokens) must be whole numbers of these units.
"""
from __future__ import annotations

import math

import numpy as np

USDT_UNIT = 1e-6   # USDT per balance unit
TOKEN_UNIT = 1e-6  # tokens per balance unit


def _whole_units(value: float, unit: float, name: str) -> int:
    units = value / unit
    whole = round(units)
    if whole < 1 or abs(units - whole) > 1e-9 * max(1.0, units):
        raise ValueError(f"{name} must be a positive whole number of {unit:g} units, got {value!r}")
    return whole


def lot_units(lot_size: float) -> int:
    """Token units in one lot."""
    _check_positive(lot_size, "lot_size")
    return _whole_units(lot_size, TOKEN_UNIT, "lot_size")


def quote_units_per_tick_lot(tick_size: float, lot_size: float) -> int:
    """USDT units that one tick of price is worth on one lot (the notional of tick x lot)."""
    _check_positive(tick_size, "tick_size")
    _check_positive(lot_size, "lot_size")
    return _whole_units(tick_size * lot_size, USDT_UNIT, "tick_size * lot_size")


def usdt_to_units(amount: float, name: str = "usdt") -> int:
    """A non-negative USDT amount as units (rounded to the nearest unit)."""
    return _amount_units(amount, USDT_UNIT, name)


def tokens_to_units(amount: float, name: str = "tokens") -> int:
    """A non-negative token amount as units (rounded to the nearest unit)."""
    return _amount_units(amount, TOKEN_UNIT, name)


def _amount_units(amount: float, unit: float, name: str) -> int:
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) and not hasattr(amount, "__float__"):
        raise TypeError(f"{name} must be a finite number >= 0, got {amount!r}")
    value = float(amount)
    if not math.isfinite(value) or value < 0 or value / unit >= 2**62:
        raise ValueError(f"{name} must be a finite number in [0, {2**62 * unit:g}], got {amount!r}")
    return round(value / unit)


def number_in(value: object, name: str, lo: float, hi: float) -> float:
    """A number in [lo, hi] (not a bool) as a float, else a named error."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number in [{lo}, {hi}], got {value!r}")
    return float(value)


def whole_units(value: object, name: str) -> int:
    """A whole number of units >= 0 (an int, not a float or bool), else a named error."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a whole number of units >= 0, got {value!r}")
    return value


def owner_id(value: object, name: str = "owner") -> int:
    """An agent id (an int >= 0), else a named error."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be an agent id (an int >= 0), got {value!r}")
    return value


def band_ticks(mid_ticks: float, band: float, side: int) -> tuple[int, int]:
    """The prices (ticks) within `band` (a fraction) of `mid_ticks` on `side`: [mid(1 - band),
    mid] for the bids (+1), [mid, mid(1 + band)] for the asks (-1), rounded inward; an empty
    range (lo > hi) when there is no mid. The compiled spot venue does the same inline."""
    if not mid_ticks == mid_ticks:
        return 1, 0
    if side > 0:
        return math.ceil(mid_ticks * (1.0 - band)), math.floor(mid_ticks)
    return math.ceil(mid_ticks), math.floor(mid_ticks * (1.0 + band))


def ticks_to_usd(ticks, tick_size: float):
    """A price in ticks (or an array of them) as USDT per token."""
    return ticks * tick_size


def bid_ticks(usd: float, tick_size: float) -> int:
    """A USDT price as the tick at or below it: a bid never pays more than it meant to."""
    return math.floor(usd / tick_size)


def ask_ticks(usd: float, tick_size: float) -> int:
    """A USDT price as the tick at or above it: an ask never sells for less."""
    return math.ceil(usd / tick_size)


def bid_ticks_array(usd: np.ndarray, tick_size: float) -> np.ndarray:
    """`bid_ticks` of each price (int64)."""
    return np.floor(usd / tick_size).astype(np.int64)


def ask_ticks_array(usd: np.ndarray, tick_size: float) -> np.ndarray:
    """`ask_ticks` of each price (int64)."""
    return np.ceil(usd / tick_size).astype(np.int64)


def _check_positive(value: float, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a finite number > 0, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
