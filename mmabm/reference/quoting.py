"""The obligation ladder on numpy arrays: the reference of the ladder's body that
mmabm/agents/_quoting.pyx compiles (`build`), which does the same float operations in the same
order, so the ladders are the very same array for array (tests/test_quoting.py compares them). It covers the default geometry (lean 0.25,
spread_use and reach 0.9, one inner rung); mmabm.agents.quoting says what the ladder is.
"""
from __future__ import annotations

import math

import numpy as np


def numpy_ladder(mid_usd: float, *, depth_usd: float, band: float, max_spread: float,
                 tick_size: float, lot_size: float, levels: int = 10, margin: float = 0.05,
                 skew: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """obligation_ladder as first written, on numpy arrays, with the default geometry:
    (bid prices, bid lots, ask prices, ask lots), best first."""
    mid = mid_usd * (1.0 - skew * max_spread / 4)
    half = max_spread / 2 * 0.9
    edge = band * 0.9
    offsets = np.linspace(half, edge, levels)
    bid_prices = np.floor(mid * (1 - offsets) / tick_size).astype(np.int64)
    ask_prices = np.ceil(mid * (1 + offsets) / tick_size).astype(np.int64)
    gap = ask_prices[0] - bid_prices[0]
    if gap < 1 or gap > max_spread * mid / tick_size:
        bid_prices[0] = max(1, math.floor(mid / tick_size))
        ask_prices[0] = bid_prices[0] + 1
    bid_prices = np.unique(np.maximum(bid_prices, 1))[::-1]
    ask_prices = np.unique(ask_prices)
    bid_prices = bid_prices[bid_prices <= bid_prices[0]]
    want = depth_usd * (1 + margin)
    lean = 0.5 * skew
    bid_usd, ask_usd = want * (1 + max(0.0, -lean)), want * (1 + max(0.0, lean))

    def lots(prices, total_usd):
        return np.ceil(total_usd / len(prices) / (prices * tick_size * lot_size)).astype(np.int64)

    return bid_prices, lots(bid_prices, bid_usd), ask_prices, lots(ask_prices, ask_usd)
