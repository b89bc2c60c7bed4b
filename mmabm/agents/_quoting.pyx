# cython: language_level=3
"""The obligation ladder's rungs, compiled: the body of mmabm.agents.quoting.obligation_ladder.

The same float operations in the same order as the plain-Python version it replaced (which
mmabm/reference/quoting.py keeps as the numpy reference, compared with it array for array), so
the ladders are the very same. It exists because the market maker builds a ladder at almost
every requote (about one a minute per exchange when its quotes follow the news), and the
interpreted version cost ~20 us a ladder in list building, floors and sorts.
"""
from libc.math cimport ceil, floor
from libc.stdint cimport int64_t

import numpy as np

from mmabm._types cimport price_t, qty_t, ticks_to_usd, usd_to_ticks

cdef double TWO_62 = 4611686018427387904.0


cdef int64_t _unique(price_t[:] prices, int64_t n, int direction) except -1:
    """Sort the prices best first (`direction` -1: falling, bids; +1: rising, asks) and drop
    repeats, in place; the count left. Rung by rung they almost always come sorted already
    (the offsets grow): then this is one pass."""
    cdef int64_t k, m = 1
    for k in range(1, n):
        if (prices[k] - prices[k - 1]) * direction < 0:
            ordered = sorted(set(prices[:n]), reverse=direction < 0)   # (the rare case)
            for k in range(len(ordered)):
                prices[k] = ordered[k]
            return len(ordered)
    for k in range(1, n):
        if prices[k] != prices[m - 1]:
            prices[m] = prices[k]
            m += 1
    return m


def build(double mid_usd, double skew, double max_spread, tuple below, tuple above,
          double tick_size, double lot_size, double depth_usd, double margin, double lean):
    """(bid prices, bid lots, ask prices, ask lots) as int64 arrays, best first; `below` and
    `above` are the rungs' (1 - offset, 1 + offset) factors; a full skew moves the centre by
    `lean` x max_spread. The arguments are already checked (obligation_ladder does it)."""
    cdef Py_ssize_t levels = len(below), k
    cdef double mid = mid_usd * (1.0 - skew * max_spread * lean)
    bid_arr = np.empty(levels, dtype=np.int64)
    ask_arr = np.empty(levels, dtype=np.int64)
    cdef price_t[:] bids = bid_arr, asks = ask_arr
    cdef double top = usd_to_ticks(mid * <double>above[levels - 1], tick_size)
    if not top < TWO_62:
        raise ValueError(f"mid_usd / tick_size must be a price in ticks below 2**62, got "
                         f"{mid_usd!r} / {tick_size!r}")
    for k in range(levels):
        bids[k] = <price_t>floor(usd_to_ticks(mid * <double>below[k], tick_size))
        asks[k] = <price_t>ceil(usd_to_ticks(mid * <double>above[k], tick_size))
    cdef int64_t gap = asks[0] - bids[0]
    if gap < 1 or <double>gap > usd_to_ticks(max_spread * mid, tick_size):
        # the tick is too coarse for the spread: the tightest the venue allows, one tick
        bids[0] = <price_t>floor(usd_to_ticks(mid, tick_size))
        if bids[0] < 1:
            bids[0] = 1
        asks[0] = bids[0] + 1
    for k in range(levels):
        if bids[k] < 1:
            bids[k] = 1
    cdef int64_t n_bid = _unique(bids, levels, -1), n_ask = _unique(asks, levels, 1)
    bid_arr, ask_arr = bid_arr[:n_bid], ask_arr[:n_ask]
    cdef double want = depth_usd * (1 + margin)
    cdef double tilt = 0.5 * skew                       # the sizes' lean
    cdef double bid_usd = want * (1 + (-tilt if -tilt > 0.0 else 0.0))
    cdef double ask_usd = want * (1 + (tilt if tilt > 0.0 else 0.0))
    bid_lots = _lots(bids, n_bid, bid_usd, tick_size, lot_size)
    ask_lots = _lots(asks, n_ask, ask_usd, tick_size, lot_size)
    return bid_arr, bid_lots, ask_arr, ask_lots


def totals(bid_prices, bid_lots, ask_prices, ask_lots, double tick_size, double lot_size):
    """(bid USDT, ask USDT, ask lots, smallest bid rung, smallest ask rung) of a ladder: what
    numpy gives for `prices @ lots * tick * lot`, `lots.sum()` and `lots.min()` (int64 sums,
    then floats)."""
    cdef const int64_t[:] bp = bid_prices, bl = bid_lots, ap = ask_prices, al = ask_lots
    cdef int64_t bid_value = 0, ask_value = 0, ask_sum = 0, bid_min, ask_min
    cdef Py_ssize_t k
    if bl.shape[0] == 0 or al.shape[0] == 0:
        raise ValueError("a ladder side has no rungs")
    bid_min, ask_min = bl[0], al[0]
    for k in range(bp.shape[0]):
        bid_value += bp[k] * bl[k]
        if bl[k] < bid_min:
            bid_min = bl[k]
    for k in range(ap.shape[0]):
        ask_value += ap[k] * al[k]
        ask_sum += al[k]
        if al[k] < ask_min:
            ask_min = al[k]
    cdef double unit = tick_size * lot_size
    return (<double>bid_value * unit, <double>ask_value * unit, <double>ask_sum,
            bid_min, ask_min)


cdef _lots(price_t[:] prices, int64_t n, double total_usd, double tick_size, double lot_size):
    """Equal USDT per rung, rounded up to whole lots."""
    out = np.empty(n, dtype=np.int64)
    cdef qty_t[:] lots = out
    cdef double per_rung = total_usd / n
    cdef int64_t k
    for k in range(n):
        lots[k] = <qty_t>ceil(per_rung / (ticks_to_usd(prices[k], tick_size) * lot_size))
    return out
