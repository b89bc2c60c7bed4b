"""The market maker's quoting ladders: two-sided depth that meets a venue's obligations.

A contract asks for `depth_usd` of bids and of asks within `band` of the mid, with the best bid
and ask at most `max_spread` apart. (Where the venue's tick is coarser than that spread — after
a large fall — the best quotes sit one tick apart, the tightest possible.) `obligation_ladder` builds, around a reference price, `levels`
rungs per side spread evenly from the best quote to just inside the band edge, each rung worth
the same USDT, with a small safety margin on top of the obligation. Inventory skew shifts both
sides' prices against the inventory (long tokens: quote lower, to sell more and buy less) and
leans the sizes the same way, without letting either side fall below its obligation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mmabm.agents._quoting import build, totals

_NUMBER = (int, float)
MARGIN = 0.05          # extra depth on top of the obligation (obligation_ladder's default)
LEAN = 0.25            # a full skew's shift of the centre, in max_spreads (its default)
SPREAD_USE = 0.9       # share of the allowed spread its best quotes span (its default)
REACH = 0.9            # share of the band its deepest rung reaches (its default)


@dataclass(frozen=True)
class Ladder:
    """Rungs per side, best first: prices in ticks, sizes in lots."""
    bid_prices: np.ndarray
    bid_lots: np.ndarray
    ask_prices: np.ndarray
    ask_lots: np.ndarray

    def notional_usd(self, tick_size: float, lot_size: float) -> tuple[float, float]:
        """(bid, ask) USDT value of the whole ladder."""
        k = tick_size * lot_size
        return (float(self.bid_prices @ self.bid_lots) * k, float(self.ask_prices @ self.ask_lots) * k)

    def totals(self, tick_size: float, lot_size: float) -> tuple[float, float, float, int, int]:
        """(bid USDT, ask USDT, ask lots, smallest bid rung, smallest ask rung), in one
        compiled pass: the notionals above, `ask_lots.sum()`, and each side's `lots.min()`."""
        return totals(self.bid_prices, self.bid_lots, self.ask_prices, self.ask_lots,
                      tick_size, lot_size)


def obligation_ladder(mid_usd: float, *, depth_usd: float, band: float, max_spread: float,
                      tick_size: float, lot_size: float, levels: int = 10, margin: float = MARGIN,
                      skew: float = 0.0, lean: float = LEAN, spread_use: float = SPREAD_USE,
                      reach: float = REACH, inner: int = 1) -> Ladder:
    """Ladders meeting `depth_usd` per side within `band` of `mid_usd` at spread <= max_spread.

    Args:
        skew: in [-1, 1]: +1 means fully long inventory (quote lower and sell more), -1 short.
            Prices shift by up to `lean` x the allowed spread (a quarter by default); sizes
            lean by up to 50%, the lighter side still at its obligation.
        lean: the centre's shift at full skew, in units of max_spread, in [0, 10].
        margin: extra depth on top of the obligation, so rounding and a small move of the mid
            do not break it.
        spread_use: the best bid and ask span this share of `max_spread` (rounded outwards
            to ticks), in (0, 1].
        reach: the deepest rung sits this share of `band` from the centre, in (0, 1].
        inner: rungs per side inside the allowed spread (spread evenly from half the best
            quotes' offset to it), so a fill of the best rung leaves the next one within the
            spread; the rest spread evenly to `reach`. In [1, levels].
    """
    for name, value, lo, hi in (("mid_usd", mid_usd, 0.0, math.inf), ("depth_usd", depth_usd, 0.0, math.inf),
                                ("band", band, 0.0, 0.5), ("max_spread", max_spread, 0.0, band),
                                ("tick_size", tick_size, 0.0, math.inf), ("lot_size", lot_size, 0.0, math.inf),
                                ("spread_use", spread_use, 0.0, 1.0), ("reach", reach, 0.0, 1.0)):
        if isinstance(value, bool) or not isinstance(value, _NUMBER) or not lo < value <= hi:
            raise ValueError(f"{name} must be in ({lo}, {hi}], got {value!r}")
    if not isinstance(levels, int) or not 1 <= levels <= 1000:
        raise ValueError(f"levels must be an integer in [1, 1000], got {levels!r}")
    if not (isinstance(skew, _NUMBER) and -1.0 <= skew <= 1.0):
        raise ValueError(f"skew must be in [-1, 1], got {skew!r}")
    if not (isinstance(margin, _NUMBER) and 0.0 <= margin <= 1.0):
        raise ValueError(f"margin must be in [0, 1], got {margin!r}")
    if not (isinstance(lean, _NUMBER) and 0.0 <= lean <= 10.0):
        raise ValueError(f"lean must be in [0, 10], got {lean!r}")
    if isinstance(inner, bool) or not isinstance(inner, int) or not 1 <= inner <= levels:
        raise ValueError(f"inner must be an integer in [1, levels = {levels}], got {inner!r}")
    return checked_ladder(mid_usd, depth_usd, band, max_spread, tick_size, lot_size, levels,
                          margin, skew, lean, spread_use, reach, inner)


def checked_ladder(mid_usd: float, depth_usd: float, band: float, max_spread: float,
                   tick_size: float, lot_size: float, levels: int, margin: float,
                   skew: float, lean: float = LEAN, spread_use: float = SPREAD_USE,
                   reach: float = REACH, inner: int = 1) -> Ladder:
    """`obligation_ladder` for arguments already checked: the market maker's terms are checked
    when the config loads, its mid and skew where it computes them, and it builds a ladder
    about every minute on each exchange in a volatile market."""
    half = max_spread / 2 * spread_use                       # best quotes strictly inside
    edge = band * reach                                      # deepest rung well inside the band
    below, above = _rungs(half, max(edge, half), levels, inner)
    # compiled (_quoting.pyx): the centre leaned against inventory by up to `lean` x the
    # spread, bids floored and asks ceiled to ticks, then lots for equal USDT per rung
    return Ladder(*build(mid_usd, skew, max_spread, below, above, tick_size, lot_size,
                         depth_usd, margin, lean))


@lru_cache(maxsize=256)
def _rungs(half: float, edge: float, levels: int,
           inner: int = 1) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(1 - offset, 1 + offset) per rung: `inner` offsets evenly from half of `half` up to
    `half` (one: `half` alone), then the rest evenly on to `edge` (a venue's terms fix them,
    so they are computed once)."""
    offsets = np.linspace(half, edge, levels - inner + 1)
    if inner > 1:
        offsets = np.concatenate([np.linspace(half / 2, half, inner)[:-1], offsets])
    return tuple((1 - offsets).tolist()), tuple((1 + offsets).tolist())
