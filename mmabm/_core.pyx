# cython: language_level=3
"""Limit order book: price-time priority on integer ticks and lots.

One engine serves every CEX and the perpetual market; the venue layer converts USDT prices and
token sizes to ticks and lots. Each side is a `Ladder` (see _ladder.pxd): a dense window of
price levels with a bitmap of the non-empty ones, sliding as prices drift. Orders live in a pool
of slots and an order id packs (generation << 32 | slot), so cancel and reduce are O(1) and a
dead or made-up id is recognised, never followed.

Fills are appended to a C buffer and drained in bulk as a numpy structured array: no Python
object per fill on the hot path, and the core never calls back into Python.

This module is the engine: what changes the book (slots, matching, the order entry points,
pickling). The buffers it works on and the queries are its base class, BookState
(_book_state.pyx).
"""
from cpython.mem cimport PyMem_Realloc
cimport cython
from libc.stdint cimport INT64_MAX, INT64_MIN, int8_t, int32_t, int64_t, uint32_t
from libc.string cimport memcpy, memset

import numpy as np

from mmabm._args cimport int_arg, side_arg
from mmabm._args import ladder_arrays
from mmabm._book_state cimport NIL, BookState, Expiry, Fill, Order, grow, pack_id, to_array
# the book's ranges and record layouts live with its state; this is where users import them
from mmabm._book_state import (CANCEL_DTYPE, FILL_DTYPE, LEVEL_DTYPE, MAX_OWNER, MAX_PRICE_TICKS,
                               MAX_QTY_LOTS, NO_PRICE, ORDER_DTYPE)
from mmabm._ladder cimport (Ladder, Level, ladder_add_level, ladder_drop_level, ladder_dump,
                            ladder_index, ladder_load)
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

cdef int64_t SLOT_MASK = 0xFFFFFFFF     # low half of an order id (a typed constant: a bare
                                       # literal this large would be a Python int)


cdef inline bint crosses(int8_t side, price_t price, price_t opp_best) noexcept nogil:
    return price >= opp_best if side > 0 else price <= opp_best


@cython.final
cdef class OrderBook(BookState):
    """A price-time priority limit order book on integer ticks and lots.

    Args:
        track_owners: keep a list of each owner's resting orders (needed by `orders_of`,
            `cancel_all` and `replace_ladder`); owners must then lie in [0, MAX_OWNER).
            Without it any int64 owner is accepted (replay uses event indices as owners).

    The queries (best prices, levels, depth, an owner's orders) are BookState's.
    """

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

    # -- resting orders ------------------------------------------------------------------------
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

    def remaining(self, order_id):
        """Resting lots of an order, 0 if the id is not live."""
        cdef int32_t s = self.live_slot(int_arg(order_id, "order_id", INT64_MIN, INT64_MAX))
        return 0 if s == NIL else self._orders[s].qty

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
