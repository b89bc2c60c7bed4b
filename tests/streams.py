"""Seeded synthetic event streams for replay tests and the benchmark."""
import numpy as np

from mmabm import CANCEL, EVENT_DTYPE, LIMIT, MARKET


def make_stream(n, seed, *, p_limit=0.6, p_cancel=0.3, mid=10_000, spread=4, mean_offset=20,
                p_cross=0.05, drift_every=200, max_qty=100, cancel_window=2_000):
    """A stream of limits around a drifting mid, cancels of recent limits, and market orders.

    Limits sit a geometric number of ticks behind the mid on their own side; a fraction
    `p_cross` are placed through the mid (marketable limits). Cancels pick one of the last
    `cancel_window` limit events (most still live). Returns an EVENT_DTYPE array.
    """
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    kind = np.where(u < p_limit, LIMIT, np.where(u < p_limit + p_cancel, CANCEL, MARKET))
    kind[0] = LIMIT
    side = rng.choice(np.array([-1, 1]), size=n)
    steps = rng.integers(-1, 2, size=n) * (rng.random(n) < 1.0 / drift_every)
    mids = mid + np.cumsum(steps)
    offset = spread // 2 + rng.geometric(1.0 / mean_offset, size=n) - 1
    offset = np.where(rng.random(n) < p_cross, -offset, offset)
    price = np.maximum(mids - side * offset, 1)
    qty = rng.integers(1, max_qty + 1, size=n)
    limit_idx = np.flatnonzero(kind == LIMIT)
    n_before = np.searchsorted(limit_idx, np.arange(n))         # limits strictly before i
    lo = np.maximum(n_before - cancel_window, 0)
    pick = lo + (rng.random(n) * np.maximum(n_before - lo, 1)).astype(np.int64)
    ref = np.where(kind == CANCEL, limit_idx[np.minimum(pick, len(limit_idx) - 1)], 0)
    stream = np.empty(n, dtype=EVENT_DTYPE)
    stream["kind"], stream["side"], stream["qty"], stream["ref"] = kind, side, qty, ref
    stream["price"] = np.where(kind == LIMIT, price, 0)
    stream["side"][kind == CANCEL] = 0
    return stream
