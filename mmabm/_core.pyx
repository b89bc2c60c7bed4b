# cython: language_level=3
"""Limit order book: price-time priority on integer ticks and lots.

One engine serves every CEX and the perpetual market; the venue layer converts USDT prices and
token sizes to ticks and lots. Each side is a `Ladder` (see _ladder.pxd): a dense window of
price levels with a bitmap of the non-empty ones, sliding as prices drift. Orders live in a pool
of slots and an order id packs (generation << 32 | slot), so cancel and reduce are O(1) and a
dead or made-up id is recognised, never followed.

Fills are appended to a C buffer and drained in bulk as a numpy structured array: no Python
object per fill on the hot path, and the core never calls back into Python.
"""
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
cimport cython
from libc.stdint cimport INT64_MAX, INT64_MIN, int8_t, int32_t, int64_t, uint32_t
from libc.string cimport memcpy, memset

import numpy as np

from mmabm._args cimport int_arg, side_arg
from mmabm._args import ladder_arrays
from mmabm._ladder cimport (Ladder, Level, ladder_add_level, ladder_alloc, ladder_drop_level,
                            ladder_dump, ladder_free, ladder_index, ladder_load, ladder_next,
                            ladder_step)
from mmabm._types cimport owner_t, price_t, qty_t

# ---- public constants -------------------------------------------------------------------------
BUY = 1
SELL = -1
#: Time in force: rest the remainder.
GTC = C_GTC
#: Time in force: drop the remainder.
IOC = C_IOC
#: Time in force: never take liquidity; rejected if it would cross.
POST_ONLY = C_POST_ONLY
#: Returned instead of an order id when a post-only order would have crossed.
REJECTED = C_REJECTED
#: best_bid() / best_ask() of an empty side (prices are at least 1 tick).
NO_PRICE = 0
MAX_PRICE_TICKS = 1 << 40
MAX_QTY_LOTS = 1 << 40
#: Owners lie in [0, MAX_OWNER) when the book tracks owners.
MAX_OWNER = 1 << 24

cdef int32_t NIL = -1
cdef int64_t SLOT_MASK = 0xFFFFFFFF     # low half of an order id (a typed constant: a bare
                                       # literal this large would be a Python int)

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


cdef inline bint crosses(int8_t side, price_t price, price_t opp_best) noexcept nogil:
    return price >= opp_best if side > 0 else price <= opp_best


cdef inline int64_t pack_id(uint32_t gen, int32_t slot) noexcept nogil:
    return (<int64_t>gen << 32) | slot


@cython.final
cdef class OrderBook:
    """A price-time priority limit order book on integer ticks and lots.

    Args:
        track_owners: keep a list of each owner's resting orders (needed by `orders_of`,
            `cancel_all` and `replace_ladder`); owners must then lie in [0, MAX_OWNER).
            Without it any int64 owner is accepted (replay uses event indices as owners).
    """

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

    # -- slots and owners ---------------------------------------------------------------------
    cdef int32_t alloc_slot(self) except -1:
        cdef int32_t s = self._free_head
        cdef Order* grown
        if s != NIL:
            self._free_head = self._orders[s].next
            return s
        if self._n_slots == self._slot_cap:
            if self._slot_cap >= (1 << 30):
                raise MemoryError("the order book holds 2**30 orders, its maximum")
            grown = <Order*>PyMem_Realloc(self._orders, 2 * self._slot_cap * sizeof(Order))
            if grown == NULL:
                raise MemoryError()
            self._orders = grown
            self._slot_cap *= 2
        s = self._n_slots
        self._n_slots += 1
        self._orders[s].gen = 1
        self._orders[s].side = 0
        return s

    cdef void free_slot(self, int32_t s) noexcept:
        self._orders[s].side = 0
        self._orders[s].gen += 1
        self._orders[s].next = self._free_head
        self._free_head = s

    cdef int32_t live_slot(self, int64_t order_id) noexcept:
        """Slot of a resting order, or -1 if the id is unknown or the order is gone."""
        cdef int64_t s = order_id & SLOT_MASK
        if order_id <= 0 or s >= self._n_slots:
            return NIL
        if self._orders[s].side == 0 or self._orders[s].gen != <uint32_t>(order_id >> 32):
            return NIL
        return <int32_t>s

    cdef int owner_reserve(self, owner_t owner) except -1:
        cdef int64_t cap = max(64, self._owner_cap)
        cdef int32_t* grown
        if owner < self._owner_cap:
            return 0
        while cap <= owner:
            cap *= 2
        grown = <int32_t*>PyMem_Realloc(self._owner_head, cap * sizeof(int32_t))
        if grown == NULL:
            raise MemoryError()
        memset(grown + self._owner_cap, 0xFF, (cap - self._owner_cap) * sizeof(int32_t))
        self._owner_head = grown
        self._owner_cap = cap
        return 0

    cdef void owner_link(self, int32_t s) noexcept:
        cdef Order* o = &self._orders[s]
        cdef int32_t h = self._owner_head[o.owner]
        o.owner_prev = NIL
        o.owner_next = h
        if h != NIL:
            self._orders[h].owner_prev = s
        self._owner_head[o.owner] = s

    cdef void owner_unlink(self, int32_t s) noexcept:
        cdef Order* o = &self._orders[s]
        if o.owner_prev != NIL:
            self._orders[o.owner_prev].owner_next = o.owner_next
        else:
            self._owner_head[o.owner] = o.owner_next
        if o.owner_next != NIL:
            self._orders[o.owner_next].owner_prev = o.owner_prev

    cdef owner_t owner_arg(self, object owner) except? -1:
        if self._track_owners:
            return int_arg(owner, "owner", 0, MAX_OWNER - 1)
        return int_arg(owner, "owner", INT64_MIN, INT64_MAX)

    # -- resting orders ------------------------------------------------------------------------
    cdef Ladder* ladder(self, int8_t side) noexcept:
        return &self._bids if side > 0 else &self._asks

    cdef int rest(self, int32_t s) except -1:
        """Append slot s (side, price, qty and owner set) at the tail of its price level."""
        cdef Order* o = &self._orders[s]
        cdef Ladder* L = self.ladder(o.side)
        cdef int64_t i = ladder_index(L, o.price)
        cdef Level* lv = &L.levels[i]
        o.next = NIL
        if lv.count == 0:
            o.prev = NIL
            lv.head = s
            ladder_add_level(L, i)
        else:
            o.prev = lv.tail
            self._orders[lv.tail].next = s
        lv.tail = s
        lv.count += 1
        lv.qty += o.qty
        self._n_resting += 1
        if self._track_owners:
            self.owner_link(s)
        return 0

    cdef void unrest(self, int32_t s) noexcept:
        """Take resting slot s out of its level (and owner list) and free the slot."""
        cdef Order* o = &self._orders[s]
        cdef Ladder* L = self.ladder(o.side)
        cdef int64_t i = o.price - L.base
        cdef Level* lv = &L.levels[i]
        if o.prev != NIL:
            self._orders[o.prev].next = o.next
        else:
            lv.head = o.next
        if o.next != NIL:
            self._orders[o.next].prev = o.prev
        else:
            lv.tail = o.prev
        lv.count -= 1
        lv.qty -= o.qty
        self._n_resting -= 1
        if lv.count == 0:
            ladder_drop_level(L, i)
        if self._track_owners:
            self.owner_unlink(s)
        self.free_slot(s)

    # -- matching ------------------------------------------------------------------------------
    cdef int push_fill(self, int64_t taker_id, int32_t maker, owner_t taker_owner,
                       qty_t qty, int8_t side) except -1:
        cdef Fill* f
        cdef Order* m = &self._orders[maker]
        if self._n_fills == self._fill_cap:
            grow(<void**>&self._fills, &self._fill_cap, sizeof(Fill), self._n_fills + 1)
        f = &self._fills[self._n_fills]
        f.taker_id = taker_id
        f.maker_id = pack_id(m.gen, maker)
        f.taker_owner = taker_owner
        f.maker_owner = m.owner
        f.price = m.price
        f.qty = qty
        f.taker_side = side
        self._n_fills += 1
        return 0

    cdef int expire(self, int32_t s) except -1:
        """Remove resting slot s for self-trade prevention, recording it for the owner."""
        cdef Order* o = &self._orders[s]
        if self._n_expired == self._expired_cap:
            grow(<void**>&self._expired, &self._expired_cap, sizeof(Expiry), self._n_expired + 1)
        self._expired[self._n_expired] = Expiry(pack_id(o.gen, s), o.owner, o.side, o.price, o.qty)
        self._n_expired += 1
        self.unrest(s)
        return 0

    cdef qty_t match(self, int8_t side, price_t limit, qty_t qty, int64_t taker_id,
                     owner_t taker_owner, bint stp) except -1:
        """Trade `qty` against the other side at prices up to `limit`; return what is left.

        With `stp`, resting orders of the taker's own owner are removed instead of traded.
        """
        cdef Ladder* L = self.ladder(-side)
        cdef Level* lv
        cdef int32_t s
        cdef int64_t trade
        while qty > 0 and L.n_levels > 0 and crosses(side, limit, L.best):
            lv = &L.levels[L.best - L.base]
            while qty > 0 and lv.count > 0:
                s = lv.head
                if stp and self._orders[s].owner == taker_owner:
                    self.expire(s)
                    continue
                trade = min(qty, self._orders[s].qty)
                self.push_fill(taker_id, s, taker_owner, trade, side)
                qty -= trade
                if trade == self._orders[s].qty:
                    self.unrest(s)            # moves L.best on when the level empties
                else:
                    self._orders[s].qty -= trade
                    lv.qty -= trade
        return qty

    cdef int64_t submit(self, int8_t side, price_t price, qty_t qty, owner_t owner,
                        int tif, bint stp) except -2:
        """Match, then rest (GTC, POST_ONLY) or drop (IOC) the remainder; the id or REJECTED."""
        cdef int32_t s
        cdef int64_t oid, left
        if tif == C_POST_ONLY:
            if self.ladder(-side).n_levels > 0 and crosses(side, price, self.ladder(-side).best):
                return C_REJECTED
        if tif != C_IOC:
            # make room for the price and the owner before trading: a price the book cannot
            # hold is rejected with nothing changed
            ladder_index(self.ladder(side), price)
            if self._track_owners:
                self.owner_reserve(owner)
        s = self.alloc_slot()
        oid = pack_id(self._orders[s].gen, s)
        left = self.match(side, price, qty, oid, owner, stp)
        if left > 0 and tif != C_IOC:
            self._orders[s].side = side
            self._orders[s].price = price
            self._orders[s].qty = left
            self._orders[s].owner = owner
            self.rest(s)
        else:
            self.free_slot(s)
        return oid

    cdef qty_t cancel_id(self, int64_t order_id) except -1:
        cdef int32_t s = self.live_slot(order_id)
        cdef int64_t qty
        if s == NIL:
            return 0
        qty = self._orders[s].qty
        self.unrest(s)
        return qty

    # -- Python entry points: orders -----------------------------------------------------------
    def limit(self, side, price, qty, owner=0, tif=GTC, bint stp=False):
        """Submit a limit order; returns its id, or REJECTED for a crossing post-only order.

        `tif` is GTC (rest the remainder), IOC (drop it) or POST_ONLY (never take). A crossing
        order trades at the resting orders' prices, best first, oldest first within a price.
        With `stp` (self-trade prevention) the owner's own resting orders in the way are
        removed instead of traded; `drain_expired()` reports them.
        """
        cdef int8_t sd = side_arg(side)
        cdef int64_t p = int_arg(price, "price_ticks", 1, MAX_PRICE_TICKS)
        cdef int64_t q = int_arg(qty, "qty_lots", 1, MAX_QTY_LOTS)
        cdef int64_t o = self.owner_arg(owner)
        cdef int t = int_arg(tif, "tif", C_GTC, C_POST_ONLY)
        return self.submit(sd, p, q, o, t, stp)

    def market(self, side, qty, owner=0, bint stp=False):
        """Submit a market order; the unfilled remainder is dropped. Returns its id.

        `stp` as for `limit`.
        """
        cdef int8_t sd = side_arg(side)
        cdef int64_t q = int_arg(qty, "qty_lots", 1, MAX_QTY_LOTS)
        cdef int64_t o = self.owner_arg(owner)
        return self.submit(sd, INT64_MAX if sd > 0 else INT64_MIN, q, o, C_IOC, stp)

    def cancel(self, order_id):
        """Cancel a resting order; returns the lots cancelled, 0 (falsy) if the id is not live."""
        return self.cancel_id(int_arg(order_id, "order_id", INT64_MIN, INT64_MAX))

    def reduce(self, order_id, new_qty):
        """Shrink a resting order to `new_qty` lots, keeping its time priority.

        Returns the lots removed, 0 if the id is not live. Growing an order is an error: it
        would need a new place in the queue (cancel and resubmit instead).
        """
        cdef int64_t oid = int_arg(order_id, "order_id", INT64_MIN, INT64_MAX)
        cdef int64_t q = int_arg(new_qty, "new_qty", 1, MAX_QTY_LOTS)
        cdef int32_t s = self.live_slot(oid)
        cdef Ladder* L
        if s == NIL:
            return 0
        cdef Order* o = &self._orders[s]
        if q > o.qty:
            raise ValueError(f"new_qty must be in [1, {o.qty}] (the order's remaining lots), got {q}")
        L = self.ladder(o.side)
        L.levels[o.price - L.base].qty -= o.qty - q
        q, o.qty = o.qty - q, q
        return q

    def cancel_all(self, owner, side=0):
        """Cancel all of `owner`'s resting orders (one side if side is +1/-1).

        Returns them as an ORDER_DTYPE array (qty = the lots cancelled).
        """
        out = self.orders_of(owner, side)
        cdef const int64_t[:] ids = out["id"]
        cdef Py_ssize_t k
        for k in range(ids.shape[0]):
            self.cancel_id(ids[k])
        return out

    def replace_ladder(self, owner, side, prices, qtys, bint post_only=True):
        """Replace all of `owner`'s orders on `side` with a new ladder, in one call.

        Prices and sizes are all checked before anything is cancelled, so bad input leaves the
        book untouched. Returns (cancelled orders as ORDER_DTYPE, int64 array of new ids, with
        REJECTED where a post-only order would have crossed).
        """
        cdef int64_t o = self.owner_arg(owner)
        cdef int8_t sd = side_arg(side)
        p, q = ladder_arrays(prices, qtys, MAX_PRICE_TICKS, MAX_QTY_LOTS)
        cancelled = self.cancel_all(o, sd)
        ids = np.empty(p.shape[0], dtype=np.int64)
        cdef int64_t[:] idv = ids
        cdef const int64_t[:] pv = p, qv = q
        cdef Py_ssize_t k
        for k in range(pv.shape[0]):
            idv[k] = self.submit(sd, pv[k], qv[k], o, C_POST_ONLY if post_only else C_GTC, False)
        return cancelled, ids

    # -- fills ---------------------------------------------------------------------------------
    def drain_fills(self):
        """The fills since the last drain, as a FILL_DTYPE array in execution order; clears them."""
        out = self.peek_fills()
        self._n_fills = 0
        return out

    def drain_expired(self):
        """Orders removed by self-trade prevention since the last drain (CANCEL_DTYPE); clears."""
        out = to_array(self._expired, self._n_expired, CANCEL_DTYPE)
        self._n_expired = 0
        return out

    @property
    def n_pending_fills(self):
        """Fills recorded and not yet drained."""
        return self._n_fills

    def peek_fills(self):
        """The pending fills as a FILL_DTYPE array, without clearing them."""
        return to_array(self._fills, self._n_fills, FILL_DTYPE)

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

    def remaining(self, order_id):
        """Resting lots of an order, 0 if the id is not live."""
        cdef int32_t s = self.live_slot(int_arg(order_id, "order_id", INT64_MIN, INT64_MAX))
        return 0 if s == NIL else self._orders[s].qty

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

    cdef tuple row(self, int32_t s):
        cdef Order* o = &self._orders[s]
        return (pack_id(o.gen, s), o.owner, o.side, o.price, o.qty)

    def __repr__(self):
        return (f"OrderBook(best_bid={self.best_bid()}, best_ask={self.best_ask()}, "
                f"orders={self._n_resting}, levels={self._bids.n_levels}/{self._asks.n_levels})")

    # -- pickling: the raw state, so ids, priorities and pending fills survive ----------------
    def __reduce__(self):
        state = (self._track_owners, self._n_slots, self._free_head, self._n_resting,
                 (<char*>self._orders)[:self._n_slots * sizeof(Order)],
                 ladder_dump(&self._bids), ladder_dump(&self._asks),
                 (<char*>self._owner_head)[:self._owner_cap * sizeof(int32_t)],
                 (<char*>self._fills)[:self._n_fills * sizeof(Fill)],
                 (<char*>self._expired)[:self._n_expired * sizeof(Expiry)])
        return (_restore_book, state)


def _restore_book(bint track_owners, int32_t n_slots, int32_t free_head, int64_t n_resting,
                  bytes orders, bytes bids, bytes asks, bytes owners, bytes fills,
                  bytes expired):
    """Unpickle an OrderBook from the state written by __reduce__."""
    cdef OrderBook book = OrderBook(track_owners)
    while book._n_slots < n_slots:
        book.alloc_slot()
    memcpy(book._orders, <const char*>orders, len(orders))
    book._free_head = free_head
    book._n_resting = n_resting
    ladder_load(&book._bids, bids)
    ladder_load(&book._asks, asks)
    if owners:
        book.owner_reserve(len(owners) // sizeof(int32_t) - 1)
        memcpy(book._owner_head, <const char*>owners, len(owners))
    cdef int64_t n_fills = len(fills) // sizeof(Fill)
    cdef int64_t n_expired = len(expired) // sizeof(Expiry)
    grow(<void**>&book._fills, &book._fill_cap, sizeof(Fill), n_fills)
    memcpy(book._fills, <const char*>fills, len(fills))
    book._n_fills = n_fills
    grow(<void**>&book._expired, &book._expired_cap, sizeof(Expiry), n_expired)
    memcpy(book._expired, <const char*>expired, len(expired))
    book._n_expired = n_expired
    return book
