# cython: language_level=3
"""The order book's memory and what can be read from it: the base class of OrderBook.

`BookState` owns the buffers (the pool of order slots, each owner's list of its resting orders,
the two `Ladder` sides, the fill and self-trade buffers) and answers the queries: best prices,
levels, depth, an owner's orders. The matching engine that changes them is OrderBook in _core.pyx;
the split keeps the engine's hot code in one module (its own calls are direct, and the helpers
it shares with this module are inline in _book_state.pxd).
"""
cimport cython
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from libc.stdint cimport INT64_MAX, INT64_MIN, int8_t, int32_t, int64_t
from libc.string cimport memcpy

import numpy as np

from mmabm._args cimport int_arg, side_arg
from mmabm._ladder cimport Ladder, ladder_alloc, ladder_free, ladder_next, ladder_step
from mmabm._types cimport owner_t, price_t, qty_t

# ---- the book's ranges and record layouts (public as mmabm._core's) --------------------------
#: best_bid() / best_ask() of an empty side (prices are at least 1 tick).
NO_PRICE = 0
MAX_PRICE_TICKS = 1 << 40
MAX_QTY_LOTS = 1 << 40
#: Owners lie in [0, MAX_OWNER) when the book tracks owners.
MAX_OWNER = 1 << 24

#: Drained fills, in execution order (the C struct Fill, field for field).
FILL_DTYPE = np.dtype([("taker_id", np.int64), ("maker_id", np.int64),
                       ("taker_owner", np.int64), ("maker_owner", np.int64),
                       ("price", np.int64), ("qty", np.int64), ("taker_side", np.int64)])
#: Resting orders removed by self-trade prevention (the C struct Expiry, field for field).
CANCEL_DTYPE = np.dtype([("id", np.int64), ("owner", np.int64), ("side", np.int64),
                         ("price", np.int64), ("qty", np.int64)])
#: Snapshots of resting orders.
ORDER_DTYPE = np.dtype([("id", np.int64), ("owner", np.int64), ("side", np.int8),
                        ("price", np.int64), ("qty", np.int64)])
#: Snapshots of price levels.
LEVEL_DTYPE = np.dtype([("price", np.int64), ("qty", np.int64), ("count", np.int64)])


cdef int grow(void** buf, int64_t* cap, size_t itemsize, int64_t need) except -1:
    """Double the capacity of a malloc'd buffer until it holds `need` items."""
    cdef int64_t new_cap = cap[0]
    cdef void* grown
    if need <= new_cap:
        return 0
    while new_cap < need:
        new_cap *= 2
    grown = PyMem_Realloc(buf[0], new_cap * itemsize)
    if grown == NULL:
        raise MemoryError()
    buf[0] = grown
    cap[0] = new_cap
    return 0


cdef object to_array(const void* src, int64_t n, object dtype):
    """A new numpy array of `n` records of `dtype`, copied from a C buffer of that layout."""
    out = np.empty(n, dtype=dtype)
    cdef unsigned char[::1] dst = out.view(np.uint8)
    if n:
        memcpy(&dst[0], src, n * dtype.itemsize)
    return out


cdef packed struct OrderRow:
    # One row of ORDER_DTYPE, byte for byte (numpy packs its fields: 8+8+1+8+8 bytes).
    int64_t id
    owner_t owner
    int8_t side
    price_t price
    qty_t qty


if sizeof(OrderRow) != ORDER_DTYPE.itemsize:
    raise ImportError("OrderRow does not match ORDER_DTYPE")


cdef class BookState:
    """The memory of an OrderBook and its queries; used only as OrderBook's base."""

    def __cinit__(self, bint track_owners=True):
        self._track_owners = track_owners
        self._slot_cap = 1024
        self._fill_cap = 1024
        self._free_head = NIL
        self._expired_cap = 64
        self._orders = <Order*>PyMem_Malloc(self._slot_cap * sizeof(Order))
        self._fills = <Fill*>PyMem_Malloc(self._fill_cap * sizeof(Fill))
        self._expired = <Expiry*>PyMem_Malloc(self._expired_cap * sizeof(Expiry))
        if self._orders == NULL or self._fills == NULL or self._expired == NULL:
            raise MemoryError()
        ladder_alloc(&self._bids, 4096, 0)
        ladder_alloc(&self._asks, 4096, 0)
        self._bids.side = 1
        self._asks.side = -1

    def __dealloc__(self):
        PyMem_Free(self._orders)
        PyMem_Free(self._fills)
        PyMem_Free(self._expired)
        PyMem_Free(self._owner_head)
        ladder_free(&self._bids)
        ladder_free(&self._asks)

    @cython.final
    cdef owner_t owner_arg(self, object owner) except? -1:
        """An owner argument, checked: in [0, MAX_OWNER) if the book tracks owners."""
        if self._track_owners:
            return int_arg(owner, "owner", 0, MAX_OWNER - 1)
        return int_arg(owner, "owner", INT64_MIN, INT64_MAX)

    # -- queries -------------------------------------------------------------------------------
    def best_bid(self):
        """Best bid in ticks, or NO_PRICE (0) if there are no bids."""
        return self._bids.best if self._bids.n_levels else NO_PRICE

    def best_ask(self):
        """Best ask in ticks, or NO_PRICE (0) if there are no asks."""
        return self._asks.best if self._asks.n_levels else NO_PRICE

    def mid(self):
        """Mid price in ticks (a float), NaN if either side is empty."""
        if self._bids.n_levels == 0 or self._asks.n_levels == 0:
            return float("nan")
        return 0.5 * (self._bids.best + self._asks.best)

    def spread(self):
        """Best ask minus best bid in ticks, or -1 if either side is empty."""
        if self._bids.n_levels == 0 or self._asks.n_levels == 0:
            return -1
        return self._asks.best - self._bids.best

    @property
    def n_orders(self):
        """Resting orders on both sides."""
        return self._n_resting

    def n_levels(self, side):
        """Non-empty price levels on one side."""
        return self.ladder(side_arg(side)).n_levels

    def depth(self, side, min_price, max_price):
        """(lots, notional) resting on `side` at prices in [min_price, max_price] ticks.

        The notional is sum(price * qty) in tick-lots, as a float (the ±2% depth in quote
        currency once the venue scales it).
        """
        cdef int8_t sd = side_arg(side)
        cdef int64_t lo = int_arg(min_price, "min_price", INT64_MIN, INT64_MAX)
        cdef int64_t hi = int_arg(max_price, "max_price", INT64_MIN, INT64_MAX)
        cdef int64_t qty = 0
        cdef double notional = self.depth_between(sd, lo, hi, &qty)
        return qty, notional

    @cython.final
    cdef double depth_between(self, int8_t side, price_t lo, price_t hi,
                              qty_t* qty) noexcept:
        """`depth` without the Python call: the notional, and the lots into `qty`."""
        cdef Ladder* L = self.ladder(side)
        cdef int64_t i, last
        cdef double notional = 0.0
        qty[0] = 0
        if L.n_levels == 0 or hi < lo or hi < L.base or lo - L.base >= L.cap:
            return 0.0
        i = ladder_next(L, max(lo - L.base, 0))
        last = min(hi - L.base, L.cap - 1)
        while 0 <= i <= last:
            qty[0] += L.levels[i].qty
            notional += <double>L.levels[i].qty * <double>(i + L.base)
            i = ladder_next(L, i + 1)
        return notional

    @cython.final
    cdef double owner_depth_between(self, owner_t owner, int8_t side, price_t lo, price_t hi,
                                    price_t* best) noexcept:
        """`owner`'s own notional (tick-lots) resting on `side` at prices in [lo, hi], from its
        list of orders (O(its orders)); its best price on that side into `best` (0: none).
        Needs track_owners (else: nothing)."""
        cdef int32_t s = (self._owner_head[owner]
                          if self._track_owners and 0 <= owner < self._owner_cap else NIL)
        cdef Order* o
        cdef double notional = 0.0
        best[0] = 0
        while s != NIL:
            o = &self._orders[s]
            if o.side == side:
                if lo <= o.price <= hi:
                    notional += <double>o.qty * <double>o.price
                if best[0] == 0 or (o.price > best[0] if side > 0 else o.price < best[0]):
                    best[0] = o.price
            s = o.owner_next
        return notional

    def levels(self, side, n=None):
        """The top `n` levels (all if None) of one side, best first, as a LEVEL_DTYPE array."""
        cdef Ladder* L = self.ladder(side_arg(side))
        cdef int64_t want = L.n_levels if n is None else min(int_arg(n, "n", 0, INT64_MAX), L.n_levels)
        out = np.empty(want, dtype=LEVEL_DTYPE)
        cdef int64_t[::1] flat = out.view(np.int64)      # (price, qty, count) per level
        cdef int64_t k, i = L.best - L.base
        for k in range(want):
            flat[3 * k] = i + L.base
            flat[3 * k + 1] = L.levels[i].qty
            flat[3 * k + 2] = L.levels[i].count
            i = ladder_step(L, i)
        return out

    def worst_price(self, side, qty):
        """The deepest price (ticks) a market order of `qty` lots on `side` would reach: the
        first level of the other side, best first, where its cumulative lots reach `qty`, else
        its last level; 0 if that side is empty."""
        return self.reach(side_arg(side), int_arg(qty, "qty_lots", 1, MAX_QTY_LOTS))

    @cython.final
    cdef price_t reach(self, int8_t side, qty_t qty) noexcept:
        """`worst_price` for checked arguments (C callers: the spot venue's market orders)."""
        cdef Ladder* L = self.ladder(-side)
        cdef int64_t i, price = 0, seen = 0
        if L.n_levels == 0:
            return 0
        i = L.best - L.base
        while i >= 0 and seen < qty:
            price = i + L.base
            seen += L.levels[i].qty
            i = ladder_step(L, i)
        return price

    def top(self, side):
        """(price ticks, lots) of the best level of one side, (0, 0) if it is empty: the first
        row of `levels(side, 1)` without building an array."""
        cdef Ladder* L = self.ladder(side_arg(side))
        if L.n_levels == 0:
            return (0, 0)
        return (L.best, L.levels[L.best - L.base].qty)

    def orders(self, side=0):
        """Every resting order (one side if side is +1/-1) in priority order, as ORDER_DTYPE."""
        cdef list rows = []
        cdef int8_t sd
        cdef int64_t i
        cdef int32_t s
        cdef Ladder* L
        cdef list sides = [1, -1] if side == 0 else [side_arg(side)]
        for sd in sides:
            L = self.ladder(sd)
            i = (L.best - L.base) if L.n_levels else -1
            while i >= 0:
                s = L.levels[i].head
                while s != NIL:
                    rows.append(self.row(s))
                    s = self._orders[s].next
                i = ladder_step(L, i)
        return np.array(rows, dtype=ORDER_DTYPE)

    def has_orders(self, owner):
        """Whether `owner` has any resting order (O(1); `orders_of` builds an array)."""
        if not self._track_owners:
            raise ValueError("has_orders needs track_owners=True")
        cdef int64_t o = self.owner_arg(owner)
        return o < self._owner_cap and self._owner_head[o] != NIL

    def orders_of(self, owner, side=0):
        """`owner`'s resting orders (one side if side is +1/-1), newest first, as ORDER_DTYPE."""
        if not self._track_owners:
            raise ValueError("orders_of, cancel_all and replace_ladder need track_owners=True")
        cdef int64_t o = self.owner_arg(owner)
        cdef int8_t sd = 0 if side == 0 else side_arg(side)
        cdef int32_t head = self._owner_head[o] if o < self._owner_cap else NIL
        cdef int32_t s = head
        cdef int64_t n = 0
        while s != NIL:
            if sd == 0 or self._orders[s].side == sd:
                n += 1
            s = self._orders[s].owner_next
        out = np.empty(n, dtype=ORDER_DTYPE)
        if n == 0:
            return out
        cdef unsigned char[::1] raw = out.view(np.uint8)
        cdef OrderRow* rows = <OrderRow*>&raw[0]
        cdef Order* r
        n = 0
        s = head
        while s != NIL:
            r = &self._orders[s]
            if sd == 0 or r.side == sd:
                rows[n] = OrderRow(pack_id(r.gen, s), r.owner, r.side, r.price, r.qty)
                n += 1
            s = r.owner_next
        return out

    @cython.final
    cdef tuple row(self, int32_t s):
        cdef Order* o = &self._orders[s]
        return (pack_id(o.gen, s), o.owner, o.side, o.price, o.qty)

    def __repr__(self):
        return (f"OrderBook(best_bid={self.best_bid()}, best_ask={self.best_ask()}, "
                f"orders={self._n_resting}, levels={self._bids.n_levels}/{self._asks.n_levels})")

