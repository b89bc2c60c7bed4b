# The spot exchange's memory, accounts and market data: the base class of _spot's SpotExchange
# (trading), so it and other Cython modules (the retail loop, the arbitrage desk) can cimport its
# layout. Code and docstrings live in _spot_state.pyx; what trading calls on every order is
# inline here, so the modules that trade compile it in. The cdef methods are final.
cimport cython
from libc.math cimport NAN
from libc.stdint cimport int8_t, int64_t

from mmabm._core cimport OrderBook
from mmabm._types cimport owner_t, price_t, qty_t, units_t


cdef struct Account:
    units_t usdt               # free
    units_t usdt_locked        # locked by resting bids (price and worst-case fee)
    units_t tokens             # free
    units_t tokens_locked      # locked by resting asks


cdef struct Trade:
    owner_t taker_owner
    owner_t maker_owner
    price_t price
    qty_t qty
    int64_t taker_side
    units_t notional           # USDT
    units_t taker_fee          # USDT
    units_t maker_fee          # USDT (negative for a rebate)
    double mid                 # the book's mid (ticks) when the taker's order arrived; NaN if
                               # a side was empty


cdef class SpotState:
    cdef readonly str name
    cdef readonly double tick_size, lot_size, maker_fee, taker_fee
    cdef readonly units_t lot_units          # token units in one lot
    cdef readonly units_t quote_units        # USDT units of one tick on one lot
    cdef double fee_lock                     # the larger fee rate, locked with every bid
    cdef OrderBook _book
    cdef set _opened                         # owners with an account (opened by a deposit)
    cdef Account* _accounts
    cdef int64_t _n_accounts
    cdef units_t* _lock_per_lot              # by book slot: units locked per resting lot
    cdef int64_t _lock_cap
    cdef Trade* _trades
    cdef int64_t _n_trades, _trade_cap
    cdef readonly units_t fees_usdt          # fees collected
    cdef readonly units_t deposited_usdt, deposited_tokens, withdrawn_usdt, withdrawn_tokens
    cdef readonly price_t last_price         # of the last trade, 0 before any
    cdef readonly qty_t volume_lots          # since the start
    cdef readonly units_t volume_usdt
    cdef qty_t _interval_lots                # since take_volume()
    cdef units_t _interval_usdt
    cdef readonly int64_t changes            # bumped by every change to the book or a balance
    cdef double _arrival_mid                 # the mid when the order being placed arrived

    cdef inline Account* account(self, owner_t owner) except NULL:
        """The owner's account, opened (empty) on first use."""
        if owner >= self._n_accounts:
            self.open_accounts(owner)
        return &self._accounts[owner]

    cdef inline double mid_ticks(self) noexcept:
        """OrderBook.mid, without the Python call."""
        if self._book._bids.n_levels == 0 or self._book._asks.n_levels == 0:
            return NAN
        return 0.5 * (self._book._bids.best + self._book._asks.best)

    @cython.final
    cdef int open_accounts(self, owner_t owner) except -1
    @cython.final
    cdef owner_t known(self, object owner) except -1
    @cython.final
    cdef double depth_usd_c(self, int8_t s, double band) noexcept
