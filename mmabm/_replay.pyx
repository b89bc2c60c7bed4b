# cython: language_level=3
"""Replay an event stream through a fresh order book in one compiled loop."""
from collections import namedtuple

import numpy as np
from libc.stdint cimport INT64_MAX, INT64_MIN, int8_t, int64_t

from mmabm._core cimport C_GTC, C_IOC, OrderBook
from mmabm._types cimport price_t, qty_t

from mmabm._core import FILL_DTYPE

cdef price_t C_MAX_PRICE = 1 << 40   # MAX_PRICE_TICKS and MAX_QTY_LOTS of _core
cdef qty_t C_MAX_QTY = 1 << 40

cdef enum:
    K_LIMIT = 0
    K_MARKET = 1
    K_CANCEL = 2

#: Event kinds of a replay stream.
LIMIT, MARKET, CANCEL = K_LIMIT, K_MARKET, K_CANCEL
#: A replay stream as one structured array.
EVENT_DTYPE = np.dtype([("kind", np.int8), ("side", np.int8), ("price", np.int64),
                        ("qty", np.int64), ("ref", np.int64)])
#: Replay fills: events are indices into the stream. A view of the book's FILL_DTYPE buffer
#: (owners are event indices in a replay), so no copy is made.
REPLAY_FILL_DTYPE = np.dtype({
    "names": ["taker_event", "maker_event", "price", "qty"],
    "formats": [np.int64] * 4,
    "offsets": [FILL_DTYPE.fields[f][1] for f in ("taker_owner", "maker_owner", "price", "qty")],
    "itemsize": FILL_DTYPE.itemsize})

ReplayResult = namedtuple("ReplayResult", ["fills", "bids", "asks", "book"])
ReplayResult.__doc__ = """What `replay` returns.

fills: REPLAY_FILL_DTYPE array in execution order. bids, asks: the final book per side as
LEVEL_DTYPE arrays (price, total qty, order count), best first. book: the final OrderBook.
"""


cdef packed struct Event:
    # Field for field the layout of EVENT_DTYPE, so a structured stream is read without copying.
    int8_t kind
    int8_t side
    price_t price
    qty_t qty
    int64_t ref


def _as_events(kind, side, price, qty, ref):
    """The stream as an EVENT_DTYPE array: as given if it already is one, else assembled."""
    if getattr(kind, "dtype", None) is not None and kind.dtype.names is not None:
        if any(c is not None for c in (side, price, qty, ref)):
            raise TypeError("pass either one structured array or five column arrays, not both")
        missing = [f for f in EVENT_DTYPE.names if f not in kind.dtype.names]
        if missing:
            raise ValueError(f"the event array lacks the field(s) {missing}")
        if kind.dtype == EVENT_DTYPE and kind.ndim == 1 and kind.flags.c_contiguous:
            return kind
        columns = [kind[f] for f in EVENT_DTYPE.names]
    else:
        columns = [kind, side, price, qty, ref]
    arrays = {}
    for name, values in zip(EVENT_DTYPE.names, columns):
        if values is None:
            raise TypeError(f"replay needs the column {name!r}")
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-d array, got shape {arr.shape}")
        if arr.size and not (np.issubdtype(arr.dtype, np.integer) and arr.dtype != np.bool_):
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
        arrays[name] = arr
    lengths = {name: a.shape[0] for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"the columns must have equal lengths, got {lengths}")
    for name in ("kind", "side"):   # checked before the cast to int8 could wrap them
        a = arrays[name]
        bad = np.flatnonzero((a < -1) | (a > 2))
        if bad.size:
            raise ValueError(f"event {bad[0]}: {name} out of range, got {a[bad[0]]}")
    events = np.empty(lengths["kind"], dtype=EVENT_DTYPE)
    for name, arr in arrays.items():
        events[name] = arr
    return events


cdef str bad_event(const Event* e, Py_ssize_t i, const Event* ev):
    """Why event i is invalid, or None. Cancels must point at an earlier limit event."""
    if e.kind < K_LIMIT or e.kind > K_CANCEL:
        return f"kind must be 0 (limit), 1 (market) or 2 (cancel), got {e.kind}"
    if e.kind == K_CANCEL:
        if e.ref < 0 or e.ref >= i or ev[e.ref].kind != K_LIMIT:
            return f"ref must be the index of an earlier limit event, got {e.ref}"
        return None
    if e.side != 1 and e.side != -1:
        return f"side must be +1 (buy) or -1 (sell), got {e.side}"
    if e.qty < 1 or e.qty > C_MAX_QTY:
        return f"qty must be in [1, {C_MAX_QTY}], got {e.qty}"
    if e.kind == K_LIMIT and (e.price < 1 or e.price > C_MAX_PRICE):
        return f"price must be in [1, {C_MAX_PRICE}], got {e.price}"
    return None


def replay(kind, side=None, price=None, qty=None, ref=None):
    """Run a whole event stream through a fresh book and return its fills and final state.

    The stream is five equal-length integer arrays, or one structured array with these fields
    (EVENT_DTYPE): `kind` 0 limit GTC, 1 market, 2 cancel; `side` +1 buy, -1 sell; `price` in
    ticks (limits); `qty` in lots; `ref` (cancels) the index of the earlier limit event whose
    order to cancel, a no-op if that order is gone. A crossing limit trades at the makers'
    prices and rests its remainder; a market order's remainder is dropped; there is no
    self-trade prevention. Returns a ReplayResult.
    """
    events = _as_events(kind, side, price, qty, ref)
    cdef const Event[::1] ev = events
    cdef const Event* e
    cdef Py_ssize_t i, n = ev.shape[0]
    cdef OrderBook book = OrderBook(track_owners=False)
    ids_arr = np.zeros(n, dtype=np.int64)
    cdef int64_t[::1] ids = ids_arr
    cdef str why
    try:
        for i in range(n):
            e = &ev[i]
            if (e.kind == K_LIMIT and e.side * e.side == 1 and 1 <= e.price <= C_MAX_PRICE
                    and 1 <= e.qty <= C_MAX_QTY):
                ids[i] = book.submit(e.side, e.price, e.qty, i, C_GTC, False)
            elif e.kind == K_CANCEL and 0 <= e.ref < i and ids[e.ref] > 0:
                # only limit events get an id (> 0), so this is also the "earlier limit" check
                book.cancel_id(ids[e.ref])
            elif e.kind == K_MARKET and e.side * e.side == 1 and 1 <= e.qty <= C_MAX_QTY:
                book.submit(e.side, INT64_MAX if e.side > 0 else INT64_MIN, e.qty, i, C_IOC, False)
            else:
                raise ValueError(bad_event(e, i, &ev[0]))
    except ValueError as err:
        raise ValueError(f"event {i}: {err}") from None
    fills = book.drain_fills().view(REPLAY_FILL_DTYPE)
    return ReplayResult(fills, book.levels(1), book.levels(-1), book)
