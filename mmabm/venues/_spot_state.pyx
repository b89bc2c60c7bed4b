# cython: language_level=3
"""The spot exchange's memory, its accounts and its market data: the base class of SpotExchange.

`SpotState` holds what the venue holds (the order book, the accounts, the locks per resting
order, the trade tape, the counters), moves money in and out (deposits and withdrawals) and
answers what can be read: balances, quotes, depth, a quoting obligation. Trading (locks,
orders, settlement) is SpotExchange in _spot.pyx; the split keeps trading's hot code in one
module (its own calls are direct, and the helpers it shares with this module are inline in
_spot_state.pxd).
"""
cimport cython
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from libc.math cimport INFINITY, ceil, floor, isnan
from libc.stdint cimport INT64_MAX, int8_t, int64_t
from libc.string cimport memset

import numpy as np

from mmabm._args cimport int_arg, side_arg
from mmabm._core cimport to_array
from mmabm._core import MAX_OWNER, MAX_PRICE_TICKS, MAX_QTY_LOTS
from mmabm._types cimport owner_t, price_t, qty_t, ticks_to_usd, units_t, usd_to_ticks
from mmabm.venues import units

cdef double USDT_UNIT = units.USDT_UNIT, TOKEN_UNIT = units.TOKEN_UNIT   # typed: no lookups

#: Account balances in units (the C struct Account, field for field).
ACCOUNT_DTYPE = np.dtype([(name, np.int64) for name in (
    "usdt", "usdt_locked", "tokens", "tokens_locked")])


cdef inline void band_ticks(double mid, double band, int8_t side, price_t* lo,
                            price_t* hi) noexcept nogil:
    """The prices (ticks) within `band` of `mid` on `side`: [mid(1 - band), mid] for the bids,
    [mid, mid(1 + band)] for the asks, rounded inward."""
    if side > 0:
        lo[0], hi[0] = <price_t>ceil(mid * (1.0 - band)), <price_t>floor(mid)
    else:
        lo[0], hi[0] = <price_t>ceil(mid), <price_t>floor(mid * (1.0 + band))


def _number_in(value, str name, double lo, double hi):
    """A number in [lo, hi] (rates, bands, USDT prices, token amounts), else a named error."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number in [{lo}, {hi}], got {value!r}")
    if isnan(value) or not (lo <= value <= hi):
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
    return float(value)


cdef class SpotState:
    """The memory of a SpotExchange, its accounts and its market data; used only as its base."""

    def __cinit__(self, *args, **kwargs):
        self._trade_cap = self._lock_cap = 1024
        self._trades = <Trade*>PyMem_Malloc(self._trade_cap * sizeof(Trade))
        self._lock_per_lot = <units_t*>PyMem_Malloc(self._lock_cap * sizeof(units_t))
        if self._trades == NULL or self._lock_per_lot == NULL:
            raise MemoryError()

    def __dealloc__(self):
        PyMem_Free(self._accounts)
        PyMem_Free(self._lock_per_lot)
        PyMem_Free(self._trades)

    # -- accounts ------------------------------------------------------------------------------
    @cython.final
    cdef int open_accounts(self, owner_t owner) except -1:
        """Grow the accounts to hold `owner`'s (the new ones empty): `account`'s rare path."""
        cdef int64_t old = self._n_accounts, cap = max(16, self._n_accounts)
        cdef Account* grown
        while cap <= owner:
            cap *= 2
        grown = <Account*>PyMem_Realloc(self._accounts, cap * sizeof(Account))
        if grown == NULL:
            raise MemoryError()
        memset(grown + old, 0, (cap - old) * sizeof(Account))
        self._accounts, self._n_accounts = grown, cap
        return 0

    @cython.final
    cdef owner_t known(self, object owner) except -1:
        """A valid owner id with an account here (opened by a deposit), else a named error."""
        cdef int64_t o = int_arg(owner, "owner", 0, MAX_OWNER - 1)
        if o not in self._opened:
            raise ValueError(f"owner {o} has no account at {self.name!r}: deposit first")
        return o

    def deposit(self, owner, usdt=0.0, tokens=0.0):
        """Credit USDT and tokens from outside the venue (counted as deposits)."""
        self.deposit_units(owner, units.usdt_to_units(usdt), units.tokens_to_units(tokens))

    def withdraw(self, owner, usdt=0.0, tokens=0.0):
        """Debit free USDT and tokens to outside the venue; refused whole if either is short."""
        self.withdraw_units(owner, units.usdt_to_units(usdt), units.tokens_to_units(tokens))

    def deposit_units(self, owner, usdt_units=0, token_units=0):
        """`deposit` in whole units."""
        cdef int64_t o = int_arg(owner, "owner", 0, MAX_OWNER - 1)
        cdef int64_t du = int_arg(usdt_units, "usdt_units", 0, INT64_MAX >> 2)
        cdef int64_t dt = int_arg(token_units, "token_units", 0, INT64_MAX >> 2)
        cdef Account* a = self.account(o)
        self._opened.add(o)
        self.changes += 1
        a.usdt += du
        a.tokens += dt
        self.deposited_usdt += du
        self.deposited_tokens += dt

    def withdraw_units(self, owner, usdt_units=0, token_units=0):
        """`withdraw` in whole units."""
        cdef int64_t o = self.known(owner)
        cdef int64_t du = int_arg(usdt_units, "usdt_units", 0, INT64_MAX >> 2)
        cdef int64_t dt = int_arg(token_units, "token_units", 0, INT64_MAX >> 2)
        cdef Account* a = self.account(o)
        if du > a.usdt:
            raise ValueError(f"usdt_units must be at most the free balance {a.usdt}, got {du}")
        if dt > a.tokens:
            raise ValueError(f"token_units must be at most the free balance {a.tokens}, got {dt}")
        self.changes += 1
        a.usdt -= du
        a.tokens -= dt
        self.withdrawn_usdt += du
        self.withdrawn_tokens += dt

    def holdings_units(self):
        """(USDT, token) units the venue holds for everyone: deposits minus withdrawals."""
        return (self.deposited_usdt - self.withdrawn_usdt,
                self.deposited_tokens - self.withdrawn_tokens)

    def balance(self, owner):
        """The owner's balances in USDT and tokens: free and locked in orders."""
        cdef Account* a = self.account(self.known(owner))
        return {"usdt": a.usdt * USDT_UNIT, "usdt_locked": a.usdt_locked * USDT_UNIT,
                "tokens": a.tokens * TOKEN_UNIT, "tokens_locked": a.tokens_locked * TOKEN_UNIT}

    def accounts(self):
        """Every account's balances in units (ACCOUNT_DTYPE; row = owner id)."""
        return to_array(self._accounts, self._n_accounts, ACCOUNT_DTYPE)

    def held_units(self, const int64_t[:] owners=None):
        """(tokens, USDT) units held, free and locked, by `owners` together (an id without an
        account holds nothing), or by every account when `owners` is None. What the hourly
        supply row reads: copying 8k accounts a look cost ~25 us."""
        cdef int64_t tokens = 0, usdt = 0, o
        cdef Py_ssize_t k
        cdef Account* a
        if owners is None:
            for k in range(self._n_accounts):
                a = &self._accounts[k]
                tokens += a.tokens + a.tokens_locked
                usdt += a.usdt + a.usdt_locked
            return tokens, usdt
        for k in range(owners.shape[0]):
            o = owners[k]
            if 0 <= o < self._n_accounts:
                a = &self._accounts[o]
                tokens += a.tokens + a.tokens_locked
                usdt += a.usdt + a.usdt_locked
        return tokens, usdt

    # -- market data ---------------------------------------------------------------------------
    def price_to_ticks(self, price_usd, side=0):
        """A USDT price in ticks: the nearest tick, or for side +1 (a bid) the tick at or below
        it and for side -1 (an ask) the tick at or above it, so a quote never crosses its price.
        At least one tick."""
        cdef double p = _number_in(price_usd, "price_usd", 0.0, MAX_PRICE_TICKS * self.tick_size)
        cdef double ticks = usd_to_ticks(p, self.tick_size)
        cdef int8_t s = 0 if side == 0 else side_arg(side)
        snapped = round(ticks)
        if abs(ticks - snapped) > 1e-9 * max(1.0, ticks):      # not on the grid: round
            snapped = floor(ticks) if s > 0 else ceil(ticks) if s < 0 else snapped
        return max(1, int(snapped))

    def tokens_to_lots(self, tokens):
        """Whole lots in a token amount (rounded down)."""
        cdef double t = _number_in(tokens, "tokens", 0.0, MAX_QTY_LOTS * self.lot_size)
        return int(floor(t / self.lot_size + 1e-9))

    def top(self, side):
        """(price ticks, lots) of the best level on `side`, (0, 0) if it is empty."""
        return self._book.top(side)

    def best_bid(self):
        """Best bid in ticks, 0 if none."""
        return self._book.best_bid()

    def best_ask(self):
        """Best ask in ticks, 0 if none."""
        return self._book.best_ask()

    def mid_usd(self):
        """Mid price in USDT, NaN if either side is empty."""
        return self.mid_ticks() * self.tick_size

    def spread_bps(self):
        """Best ask minus best bid over the mid, in basis points; NaN if a side is empty."""
        mid = self._book.mid()
        return (self._book.spread() / mid) * 1e4 if mid == mid else float("nan")

    def depth_usd(self, side, band=0.02):
        """USDT notional resting on `side` within `band` (a fraction) of the mid; 0 if no mid."""
        cdef int8_t s = side_arg(side)
        return self.depth_usd_c(s, _number_in(band, "band", 0.0, 1.0))

    def thin_sides(self, band, depth_usd):
        """Which sides hold less than `depth_usd` USDT within `band` of the mid (both when
        there is no mid): 1 the bids, 2 the asks, 3 both, 0 neither. One call for the two
        `depth_usd` checks of an obligation."""
        cdef double b = _number_in(band, "band", 0.0, 1.0)
        cdef double want = _number_in(depth_usd, "depth_usd", 0.0, INFINITY)
        return ((0 if self.depth_usd_c(1, b) >= want else 1)
                | (0 if self.depth_usd_c(-1, b) >= want else 2))

    def own_obligation_met(self, owner, band, depth_usd, max_spread):
        """Whether `owner`'s own quotes meet a quoting obligation: at least `depth_usd` USDT of
        its orders within `band` of the mid on each side, and its own best bid and ask at most
        `max_spread` of the mid apart (as exchanges' market-maker programmes measure it; False
        with no mid). `thin_sides` measures the whole book instead."""
        cdef int64_t o = int_arg(owner, "owner", 0, MAX_OWNER - 1)
        cdef double b = _number_in(band, "band", 0.0, 1.0)
        cdef double want = _number_in(depth_usd, "depth_usd", 0.0, INFINITY)
        cdef double cap = _number_in(max_spread, "max_spread", 0.0, 1.0)
        cdef double mid = self.mid_ticks(), scale = self.quote_units * USDT_UNIT
        cdef int64_t bid, ask, lo, hi
        if mid != mid:
            return False
        band_ticks(mid, b, 1, &lo, &hi)
        cdef double bids = self._book.owner_depth_between(o, 1, lo, hi, &bid)
        band_ticks(mid, b, -1, &lo, &hi)
        cdef double asks = self._book.owner_depth_between(o, -1, lo, hi, &ask)
        return bool(bids * scale >= want and asks * scale >= want and bid > 0 and ask > 0
                    and <double>(ask - bid) <= cap * mid * (1.0 + 1e-9))

    @cython.final
    cdef double depth_usd_c(self, int8_t s, double band) noexcept:
        cdef double mid = self.mid_ticks()
        cdef int64_t qty, lo, hi
        if mid != mid:
            return 0.0
        band_ticks(mid, band, s, &lo, &hi)
        return self._book.depth_between(s, lo, hi, &qty) * self.quote_units * USDT_UNIT

    def levels(self, side, n=None):
        """Top levels of one side (ticks, lots, order count), best first."""
        return self._book.levels(side, n)

    def orders_of(self, owner):
        """`owner`'s resting orders (id, owner, side, price ticks, qty lots)."""
        return self._book.orders_of(owner)

    def last_price_usd(self):
        """Price of the last trade in USDT, NaN before the first."""
        return ticks_to_usd(self.last_price, self.tick_size) if self.last_price else float("nan")

    def take_volume(self):
        """(lots, USDT) traded since the previous call; starts a new interval."""
        out = (self._interval_lots, self._interval_usdt * units.USDT_UNIT)
        self._interval_lots = self._interval_usdt = 0
        return out

