# cython: language_level=3
"""A centralised spot exchange: one order book and the accounts that trade on it.

Agents never touch the raw book: they trade here, where every order first locks what it could
spend (USDT for bids, including the worst-case fee; tokens for asks), every fill settles both
sides and the venue's fees at once, and a cancel or an unfilled remainder unlocks what is left.
Balances are integers (micro-USDT and micro-tokens, see units.py), so the venue's books balance
to the unit: sum of balances + fees = deposits - withdrawals, exactly.

An order that its owner cannot pay for is refused with a negative Rejection code and changes
nothing; bad arguments raise ValueError/TypeError naming the field.

This module is trading: locks, orders, settlement, the trade tape, the audit of it all. The
venue's memory, its accounts (deposits, withdrawals, balances) and its market data are its base
class, SpotState (_spot_state.pyx).
"""
from libc.math cimport ceil, floor
from libc.stdint cimport INT64_MAX, int8_t, int32_t, int64_t
from libc.string cimport memcpy

import numpy as np

from mmabm._args cimport int_arg, side_arg
from mmabm._args import ladder_arrays
from mmabm._core cimport (C_GTC, C_IOC, C_POST_ONLY, C_REJECTED, Expiry, Fill, OrderBook, grow,
                          to_array)
from mmabm._core import MAX_PRICE_TICKS, MAX_QTY_LOTS
from mmabm._types cimport owner_t, price_t, qty_t, ticks_to_usd, units_t
from mmabm.venues import units
from mmabm.venues._spot_state cimport Account, SpotState, Trade
from mmabm.venues._spot_state import ACCOUNT_DTYPE, _number_in   # ACCOUNT_DTYPE: public here
from mmabm.venues.errors import Rejection  # noqa: F401  (the refusal codes; imported from here before)

cdef int64_t SLOT_MASK = 0xFFFFFFFF
cdef price_t C_MAX_PRICE = MAX_PRICE_TICKS
cdef qty_t C_MAX_QTY = MAX_QTY_LOTS
cdef double USDT_UNIT = units.USDT_UNIT   # typed: no lookups
cdef double MAX_LOCK = 4.0e18            # no account can hold more than this many units


cdef enum:
    R_POST_ONLY = -1
    R_FUNDS = -2
    R_NO_LIQUIDITY = -3


#: Settled trades (the C struct Trade, field for field): notional and fees in USDT units; `mid`
#: is the book's mid in ticks when the taker's order arrived (NaN if a side was empty), what a
#: maker's fill earned its edge against.
TRADE_DTYPE = np.dtype([(name, np.int64) for name in (
    "taker_owner", "maker_owner", "price", "qty", "taker_side", "notional", "taker_fee",
    "maker_fee")] + [("mid", np.float64)])


cdef inline units_t fee_of(units_t notional, double rate) noexcept nogil:
    """Fee in USDT units: rounded up when charged, down when a (maker) rebate is paid."""
    if rate >= 0.0:
        return <units_t>ceil(notional * rate)
    return -<units_t>floor(notional * -rate)


cdef class SpotExchange(SpotState):
    """One CEX: an order book in ticks and lots, accounts in units, maker and taker fees.

    Args:
        name: the venue's name (used in reports).
        tick_size: USDT per token of one price tick (default 0.0001).
        lot_size: tokens in one lot (default 1.0). tick_size * lot_size must be a whole number
            of micro-USDT.
        maker_fee, taker_fee: fractions of the notional. A maker rebate (negative maker fee) may
            not exceed the taker fee, so the venue never pays out more than it collects.

    Its accounts and market data (balances, quotes, depth) are SpotState's.
    """
    def __init__(self, str name="cex", tick_size=0.0001, lot_size=1.0, maker_fee=0.0,
                 taker_fee=0.001):
        self.lot_units = units.lot_units(lot_size)
        self.quote_units = units.quote_units_per_tick_lot(tick_size, lot_size)
        self.taker_fee = _number_in(taker_fee, "taker_fee", 0.0, 0.01)
        self.maker_fee = _number_in(maker_fee, "maker_fee", -self.taker_fee, 0.01)
        self.name, self.tick_size, self.lot_size = name, tick_size, lot_size
        self.fee_lock = max(self.maker_fee, self.taker_fee, 0.0)
        self._book = OrderBook(track_owners=True)
        self._opened = set()

    def __repr__(self):
        return (f"SpotExchange({self.name!r}, bid={self.best_bid()}, ask={self.best_ask()}, "
                f"accounts={self._n_accounts}, fees_usdt={self.fees_usdt * units.USDT_UNIT:.2f})")

    def __reduce__(self):
        state = (self._book, self._opened,
                 (<char*>self._accounts)[:self._n_accounts * sizeof(Account)],
                 (<char*>self._lock_per_lot)[:self._lock_cap * sizeof(units_t)],
                 (<char*>self._trades)[:self._n_trades * sizeof(Trade)],
                 (self.fees_usdt, self.deposited_usdt, self.deposited_tokens, self.withdrawn_usdt,
                  self.withdrawn_tokens, self.last_price, self.volume_lots, self.volume_usdt,
                  self._interval_lots, self._interval_usdt, self.changes))
        return (_restore_spot, ((self.name, self.tick_size, self.lot_size, self.maker_fee,
                                 self.taker_fee), state))

    cdef _restore(self, tuple state):
        cdef bytes accounts, locks, trades
        self._book, self._opened, accounts, locks, trades, counters = state
        if accounts:
            self.account(len(accounts) // sizeof(Account) - 1)
            memcpy(self._accounts, <const char*>accounts, len(accounts))
        grow(<void**>&self._lock_per_lot, &self._lock_cap, sizeof(units_t), len(locks) // sizeof(units_t))
        memcpy(self._lock_per_lot, <const char*>locks, len(locks))
        self._n_trades = len(trades) // sizeof(Trade)
        grow(<void**>&self._trades, &self._trade_cap, sizeof(Trade), self._n_trades)
        memcpy(self._trades, <const char*>trades, len(trades))
        (self.fees_usdt, self.deposited_usdt, self.deposited_tokens, self.withdrawn_usdt,
         self.withdrawn_tokens, self.last_price, self.volume_lots, self.volume_usdt,
         self._interval_lots, self._interval_usdt, self.changes) = counters

    # -- the venue interface (mmabm/venues/interface.py) ---------------------------------------
    kind = "spot"

    def free_usdt_units(self, owner):
        """USDT units `owner` could withdraw now (its free balance)."""
        return self.account(self.known(owner)).usdt

    def committed(self, owner):
        """Never: resting orders can always be cancelled and balances withdrawn."""
        self.known(owner)
        return False

    def sell_quote(self, owner, token_units):
        """USDT per token after the taker fee at the best bid that is not `owner`'s own (its
        own bids would be skipped by self-trade prevention); 0.0 if none near the top."""
        own = {}
        for _, _, side, price, qty in self.orders_of(owner).tolist():
            if side == 1:
                own[price] = own.get(price, 0) + qty
        for price, qty, _ in self.levels(1, 64).tolist():
            if qty > own.get(price, 0):
                return ticks_to_usd(price, self.tick_size) * (1 - self.taker_fee)
        return 0.0

    def sell_tokens(self, owner, token_units):
        """A market sell of `token_units` (whole lots) never into `owner`'s own bids; (tokens,
        USDT) it moved, counted free + locked (self-trade prevention only unlocks)."""
        before = self.balance(owner)
        self.market(owner, -1, int_arg(token_units, "token_units", 0, INT64_MAX) // self.lot_units,
                    stp=True)
        after = self.balance(owner)
        return ((before["tokens"] + before["tokens_locked"]) - (after["tokens"] + after["tokens_locked"]),
                (after["usdt"] + after["usdt_locked"]) - (before["usdt"] + before["usdt_locked"]))

    # -- locking and settling ------------------------------------------------------------------
    cdef units_t lock_per_lot(self, int8_t side, price_t price) noexcept:
        cdef int64_t notional
        if side < 0:
            return self.lot_units
        notional = price * self.quote_units
        return notional + <int64_t>ceil(notional * self.fee_lock)

    cdef void lock(self, owner_t owner, int8_t side, units_t amount) noexcept:
        """Move `amount` from free to locked (USDT for bids, tokens for asks); negative: back."""
        cdef Account* a = &self._accounts[owner]
        if side > 0:
            a.usdt -= amount
            a.usdt_locked += amount
        else:
            a.tokens -= amount
            a.tokens_locked += amount

    cdef void unlock(self, owner_t owner, int8_t side, units_t amount) noexcept:
        self.lock(owner, side, -amount)

    cdef int remember_lock(self, int64_t order_id, units_t per_lot) except -1:
        cdef int64_t slot = order_id & SLOT_MASK
        if slot >= self._lock_cap:
            grow(<void**>&self._lock_per_lot, &self._lock_cap, sizeof(units_t), slot + 1)
        self._lock_per_lot[slot] = per_lot
        return 0

    cdef qty_t settle(self, units_t taker_per_lot) except -1:
        """Settle the book's new fills and self-trade removals; returns the lots the taker got."""
        cdef int64_t k, n, fb, fs, buyer, seller, b_lock, maker_lock, taker_lots = 0
        cdef Fill* f
        cdef Expiry* e
        cdef Account* a
        for k in range(self._book._n_expired):
            e = &self._book._expired[k]
            self.unlock(e.owner, <int8_t>e.side, self._lock_per_lot[e.order_id & SLOT_MASK] * e.qty)
        self._book._n_expired = 0
        for k in range(self._book._n_fills):
            f = &self._book._fills[k]
            n = f.price * self.quote_units * f.qty
            maker_lock = self._lock_per_lot[f.maker_id & SLOT_MASK]
            if f.taker_side > 0:
                buyer, b_lock, seller = f.taker_owner, taker_per_lot, f.maker_owner
                fb, fs = fee_of(n, self.taker_fee), fee_of(n, self.maker_fee)
            else:
                buyer, b_lock, seller = f.maker_owner, maker_lock, f.taker_owner
                fb, fs = fee_of(n, self.maker_fee), fee_of(n, self.taker_fee)
            a = &self._accounts[buyer]
            a.usdt_locked -= b_lock * f.qty
            a.usdt += b_lock * f.qty - n - fb
            a.tokens += f.qty * self.lot_units
            a = &self._accounts[seller]
            a.tokens_locked -= f.qty * self.lot_units
            a.usdt += n - fs
            self.fees_usdt += fb + fs
            self.record(f, n, fb if f.taker_side > 0 else fs, fs if f.taker_side > 0 else fb)
            taker_lots += f.qty
        self._book._n_fills = 0
        return taker_lots

    cdef int record(self, Fill* f, units_t notional, units_t taker_fee, units_t maker_fee) except -1:
        if self._n_trades == self._trade_cap:
            grow(<void**>&self._trades, &self._trade_cap, sizeof(Trade), self._n_trades + 1)
        self._trades[self._n_trades] = Trade(f.taker_owner, f.maker_owner, f.price, f.qty,
                                             f.taker_side, notional, taker_fee, maker_fee,
                                             self._arrival_mid)
        self._n_trades += 1
        self.last_price = f.price
        self.volume_lots += f.qty
        self.volume_usdt += notional
        self._interval_lots += f.qty
        self._interval_usdt += notional
        return 0

    cdef int64_t place(self, owner_t owner, int8_t side, price_t price, qty_t qty, int tif,
                       bint stp) except -10:
        """Lock, submit, settle, unlock the unused part. Returns the id or a Rejection code."""
        cdef Account* a = self.account(owner)
        cdef int64_t per_lot = self.lock_per_lot(side, price), need, oid, got, left
        cdef int32_t slot
        if <double>per_lot * <double>qty > MAX_LOCK:
            return R_FUNDS
        need = per_lot * qty
        if (a.usdt if side > 0 else a.tokens) < need:
            return R_FUNDS
        self.changes += 1
        self.lock(owner, side, need)
        self._arrival_mid = self.mid_ticks()
        try:
            oid = self._book.submit(side, price, qty, owner, tif, stp)
        except BaseException:
            self.unlock(owner, side, need)        # the book changed nothing: undo the lock
            raise
        if oid == C_REJECTED:
            self.unlock(owner, side, need)
            return R_POST_ONLY
        got = self.settle(per_lot)
        slot = self._book.live_slot(oid)
        left = self._book._orders[slot].qty if slot >= 0 else 0
        if left > 0:
            self.remember_lock(oid, per_lot)
        if qty - got - left > 0:
            self.unlock(owner, side, per_lot * (qty - got - left))
        return oid

    # -- orders --------------------------------------------------------------------------------
    def limit(self, owner, side, price, qty, tif=0, bint stp=False):
        """A limit order of `qty` lots at `price` ticks; the id, or a negative Rejection.

        `tif` is GTC, IOC or POST_ONLY (mmabm's constants); `stp` removes the owner's own
        resting orders in the way instead of trading with them.
        """
        cdef int64_t o = self.known(owner)
        cdef int8_t s = side_arg(side)
        cdef int64_t p = int_arg(price, "price_ticks", 1, MAX_PRICE_TICKS)
        cdef int64_t q = int_arg(qty, "qty_lots", 1, MAX_QTY_LOTS)
        cdef int t = int_arg(tif, "tif", C_GTC, C_POST_ONLY)
        return self.place(o, s, p, q, t, stp)

    def market(self, owner, side, qty, bint stp=False):
        """A market order of `qty` lots (the remainder beyond the book's depth is dropped).

        It locks as if every lot traded at the deepest price it could reach, so an owner who
        could not pay for that is refused (INSUFFICIENT_FUNDS); an empty side gives NO_LIQUIDITY.
        """
        cdef int64_t o = self.known(owner)
        cdef int8_t s = side_arg(side)
        cdef int64_t q = int_arg(qty, "qty_lots", 1, MAX_QTY_LOTS)
        return self.market_order(o, s, q, stp)

    cdef int64_t market_order(self, owner_t owner, int8_t side, qty_t qty, bint stp) except -10:
        """`market` on checked arguments."""
        cdef int64_t worst = self.worst_price(side, qty)
        if worst == 0:
            return R_NO_LIQUIDITY
        return self.place(owner, side, worst, qty, C_IOC, stp)

    cdef price_t worst_price(self, int8_t side, qty_t qty) noexcept:
        """The deepest price a taker of `qty` lots on `side` reaches (0 if the side is empty)."""
        return self._book.reach(side, qty)

    def cancel(self, owner, order_id):
        """Cancel one of `owner`'s resting orders; lots cancelled, 0 if not live or not theirs."""
        cdef int64_t o = self.known(owner)
        cdef int64_t oid = int_arg(order_id, "order_id", -INT64_MAX, INT64_MAX)
        return self.cancel_order(o, oid)

    cdef qty_t cancel_order(self, owner_t o, int64_t oid) except -1:
        """`cancel` on checked arguments."""
        cdef int32_t s = self._book.live_slot(oid)
        cdef int8_t side
        cdef int64_t qty
        if s < 0 or self._book._orders[s].owner != o:
            return 0
        self.changes += 1
        side = self._book._orders[s].side
        qty = self._book.cancel_id(oid)
        self.unlock(o, side, self._lock_per_lot[s] * qty)
        return qty

    def cancel_all(self, owner, side=0):
        """Cancel all of `owner`'s resting orders (one side if side is +1/-1); lots cancelled."""
        cdef int64_t o = self.known(owner)
        return self.cancel_side(o, 0 if side == 0 else side_arg(side))

    cdef qty_t cancel_side(self, owner_t o, int8_t side) except -1:
        """Cancel `o`'s resting orders on `side` (both if 0), unlocking what each locked; the
        lots cancelled. Walks the book's list of the owner's orders, newest first (the order
        `orders_of` gives, so slots are freed in the same order as cancelling those ids)."""
        cdef OrderBook book = self._book
        cdef int32_t s = book._owner_head[o] if o < book._owner_cap else -1
        cdef int32_t after
        cdef int8_t sd
        cdef int64_t qty, total = 0
        self.changes += 1
        while s != -1:
            after = book._orders[s].owner_next
            sd = book._orders[s].side
            if side == 0 or sd == side:
                qty = book._orders[s].qty
                book.unrest(s)
                self.unlock(o, sd, self._lock_per_lot[s] * qty)
                total += qty
            s = after
        return total

    def replace_ladder(self, owner, side, prices, qtys):
        """Replace `owner`'s orders on `side` by post-only rungs (ticks, lots), in one call.

        Checked whole before anything is cancelled. Returns an int64 array of ids, with a
        negative Rejection for each rung refused (crossing, or not enough free balance).
        """
        cdef int64_t o = self.known(owner)
        cdef int8_t s = side_arg(side)
        cdef const int64_t[:] pv, qv
        cdef bint ready
        try:                                      # 1-d int64 buffers (numpy arrays): no copy
            pv = prices
            qv = qtys
            ready = _valid_ladder(pv, qv)
        except (TypeError, ValueError, BufferError):
            ready = False
        if not ready:                             # anything else: convert, or name the error
            p, q = ladder_arrays(prices, qtys, MAX_PRICE_TICKS, MAX_QTY_LOTS)
            pv = p
            qv = q
        self.cancel_side(o, s)
        ids = np.empty(pv.shape[0], dtype=np.int64)
        cdef int64_t[:] idv = ids
        cdef Py_ssize_t k
        for k in range(pv.shape[0]):
            idv[k] = self.place(o, s, pv[k], qv[k], C_POST_ONLY, False)
        return ids

    def drain_trades(self):
        """The settled trades since the last drain, as TRADE_DTYPE, in order; clears them."""
        out = to_array(self._trades, self._n_trades, TRADE_DTYPE)
        self._n_trades = 0
        return out

    # -- audit -----------------------------------------------------------------------------------
    def audit(self):
        """Everything wrong with the venue's books, as messages (an empty list: all balances).

        Checks: no negative balance; sum of balances + fees = deposits - withdrawals for USDT
        and tokens, to the unit; each account's locked amounts equal what its resting orders
        lock.
        """
        problems = []
        acc = self.accounts()
        for field in ACCOUNT_DTYPE.names:
            bad = np.flatnonzero(acc[field] < 0)
            if bad.size:
                problems.append(f"{self.name}: owner {bad[0]} has negative {field} {acc[field][bad[0]]}")
        usdt = int(acc["usdt"].sum() + acc["usdt_locked"].sum()) + self.fees_usdt
        if usdt != self.deposited_usdt - self.withdrawn_usdt:
            problems.append(f"{self.name}: USDT units {usdt} != deposits - withdrawals "
                            f"{self.deposited_usdt - self.withdrawn_usdt}")
        tokens = int(acc["tokens"].sum() + acc["tokens_locked"].sum())
        if tokens != self.deposited_tokens - self.withdrawn_tokens:
            problems.append(f"{self.name}: token units {tokens} != deposits - withdrawals "
                            f"{self.deposited_tokens - self.withdrawn_tokens}")
        locked = np.zeros((len(acc), 2), dtype=np.int64)
        for oid, owner, side, price, qty in self._book.orders().tolist():
            locked[owner, 0 if side > 0 else 1] += self._lock_per_lot[oid & SLOT_MASK] * qty
        for owner in np.flatnonzero((locked[:, 0] != acc["usdt_locked"])
                                    | (locked[:, 1] != acc["tokens_locked"])):
            problems.append(f"{self.name}: owner {owner} locks {acc[owner]['usdt_locked']} USDT "
                            f"and {acc[owner]['tokens_locked']} token units, its orders "
                            f"{locked[owner, 0]} and {locked[owner, 1]}")
        return problems


cdef bint _valid_ladder(const int64_t[:] p, const int64_t[:] q) noexcept:
    """True if the ladder's prices and lots are equally many and all in range."""
    cdef Py_ssize_t k
    if p.shape[0] != q.shape[0]:
        return False
    for k in range(p.shape[0]):
        if not (1 <= p[k] <= C_MAX_PRICE and 1 <= q[k] <= C_MAX_QTY):
            return False
    return True


def _restore_spot(terms, state):
    """Unpickle a SpotExchange: same terms, book, accounts, locks, pending trades and tape."""
    cdef SpotExchange venue = SpotExchange(*terms)
    venue._restore(state)
    return venue
