# Interface of the spot exchange, so other Cython modules (the retail decision loop) can cimport
# it and trade through its cdef entry points without Python overhead. Code and docstrings live
# in _spot.pyx.
cimport cython
from libc.stdint cimport int8_t, int32_t, int64_t

from mmabm._core cimport Fill, OrderBook


cdef struct Account:
    int64_t usdt               # free
    int64_t usdt_locked        # locked by resting bids (price and worst-case fee)
    int64_t tokens             # free
    int64_t tokens_locked      # locked by resting asks


cdef struct Trade:
    int64_t taker_owner
    int64_t maker_owner
    int64_t price              # ticks
    int64_t qty                # lots
    int64_t taker_side
    int64_t notional           # USDT units
    int64_t taker_fee          # USDT units
    int64_t maker_fee          # USDT units (negative for a rebate)
    double mid                 # the book's mid (ticks) when the taker's order arrived; NaN if
                               # a side was empty


@cython.final
cdef class SpotExchange:
    cdef readonly str name
    cdef readonly double tick_size, lot_size, maker_fee, taker_fee
    cdef readonly int64_t lot_units          # token units in one lot
    cdef readonly int64_t quote_units        # USDT units of one tick on one lot
    cdef double fee_lock                     # the larger fee rate, locked with every bid
    cdef OrderBook _book
    cdef set _opened                         # owners with an account (opened by a deposit)
    cdef Account* _accounts
    cdef int64_t _n_accounts
    cdef int64_t* _lock_per_lot              # by book slot: units locked per resting lot
    cdef int64_t _lock_cap
    cdef Trade* _trades
    cdef int64_t _n_trades, _trade_cap
    cdef readonly int64_t fees_usdt          # fees collected, USDT units
    cdef readonly int64_t deposited_usdt, deposited_tokens, withdrawn_usdt, withdrawn_tokens
    cdef readonly int64_t last_price         # ticks of the last trade, 0 before any
    cdef readonly int64_t volume_lots, volume_usdt          # since the start
    cdef int64_t _interval_lots, _interval_usdt             # since take_volume()
    cdef readonly int64_t changes            # bumped by every change to the book or a balance
    cdef double _arrival_mid                 # the mid when the order being placed arrived

    cdef _restore(self, tuple state)
    cdef Account* account(self, int64_t owner) except NULL
    cdef int64_t known(self, object owner) except -1
    cdef int64_t lock_per_lot(self, int8_t side, int64_t price) noexcept
    cdef void lock(self, int64_t owner, int8_t side, int64_t amount) noexcept
    cdef void unlock(self, int64_t owner, int8_t side, int64_t amount) noexcept
    cdef int remember_lock(self, int64_t order_id, int64_t per_lot) except -1
    cdef int64_t settle(self, int64_t taker_per_lot) except -1
    cdef int record(self, Fill* f, int64_t notional, int64_t taker_fee, int64_t maker_fee) except -1
    cdef int64_t place(self, int64_t owner, int8_t side, int64_t price, int64_t qty, int tif,
                       bint stp) except -10
    cdef int64_t market_order(self, int64_t owner, int8_t side, int64_t qty, bint stp) except -10
    cdef int64_t worst_price(self, int8_t side, int64_t qty) noexcept
    cdef int64_t cancel_order(self, int64_t owner, int64_t order_id) except -1
    cdef int64_t cancel_side(self, int64_t o, int8_t side) except -1
    cdef double mid_ticks(self) noexcept
    cdef double depth_usd_c(self, int8_t s, double band) noexcept
