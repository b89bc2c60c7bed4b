"""Seeded synthetic event streams for replay tests and the benchmark."""
import numpy as np

from mmabm import CANCEL, EVENT_DTYPE, LIMIT, MARKET, OrderBook


def make_stream(n, seed, *, p_limit=0.6, p_cancel=0.3, mid=10_000, spread=4, mean_offset=20,
                p_cross=0.05, drift_every=200, max_qty=100):
    """A stream of limits around a drifting mid, cancels of live orders, and market orders.

    Limits sit a geometric number of ticks behind the mid on their own side; a fraction
    `p_cross` are placed through the mid (marketable limits). Each cancel picks, uniformly,
    an order that is live at that point of the stream (found by running the stream through a
    book as it is drawn); a cancel drawn while the book is empty becomes a market order.
    Returns an EVENT_DTYPE array.
    """
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    kind = np.where(u < p_limit, LIMIT, np.where(u < p_limit + p_cancel, CANCEL, MARKET))
    side = rng.choice(np.array([-1, 1]), size=n)
    mids = mid + np.cumsum(rng.integers(-1, 2, size=n) * (rng.random(n) < 1.0 / drift_every))
    offset = spread // 2 + rng.geometric(1.0 / mean_offset, size=n) - 1
    offset = np.where(rng.random(n) < p_cross, -offset, offset)
    price = np.where(kind == LIMIT, np.maximum(mids - side * offset, 1), 0)
    qty = rng.integers(1, max_qty + 1, size=n)
    ref = np.zeros(n, dtype=np.int64)
    _pick_live_cancels(kind, side, price, qty, ref, rng.random(n))
    stream = np.empty(n, dtype=EVENT_DTYPE)
    for name, column in zip(EVENT_DTYPE.names, (kind, side, price, qty, ref)):
        stream[name] = column
    stream["side"][kind == CANCEL] = 0
    return stream


def _pick_live_cancels(kind, side, price, qty, ref, u):
    """Fill in `ref` for cancels so each names a live limit event (edits kind/ref in place)."""
    book = OrderBook(track_owners=False)
    live, slot_of, order_of = [], {}, {}        # live limit events; event -> index in live
    for i in range(len(kind)):
        if kind[i] == CANCEL and not live:
            kind[i] = MARKET
        if kind[i] == CANCEL:
            j = int(u[i] * len(live))
            event = live[j]
            ref[i] = event
            book.cancel(order_of.pop(event))
            _swap_remove(live, slot_of, event)
            continue
        if kind[i] == LIMIT:
            oid = book.limit(int(side[i]), int(price[i]), int(qty[i]), i)
        else:
            book.market(int(side[i]), int(qty[i]), i)
        for maker in book.drain_fills()[["maker_id", "maker_owner"]].tolist():
            if book.remaining(maker[0]) == 0:
                del order_of[maker[1]]
                _swap_remove(live, slot_of, maker[1])
        if kind[i] == LIMIT and book.remaining(oid) > 0:
            order_of[i] = oid
            slot_of[i] = len(live)
            live.append(i)


def _swap_remove(live, slot_of, event):
    j = slot_of.pop(event)
    last = live.pop()
    if last != event:
        live[j] = last
        slot_of[last] = j
