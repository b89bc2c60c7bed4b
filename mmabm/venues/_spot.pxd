# Interface of the spot exchange, so other Cython modules (the retail decision loop) can cimport
# it and trade through its cdef entry points without Python overhead. Code and docstrings live
# in _spot.pyx.
cimport cython
from libc.stdint cimport int8_t, int32_t, int64_t

from mmabm._core cimport Fill, OrderBook
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


@cython.final
cdef class SpotExchange:
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

    cdef _restore(self, tuple state)
    cdef Account* account(self, owner_t owner) except NULL
    cdef owner_t known(self, object owner) except -1
    cdef units_t lock_per_lot(self, int8_t side, price_t price) noexcept
    cdef void lock(self, owner_t owner, int8_t side, units_t amount) noexcept
    cdef void unlock(self, owner_t owner, int8_t side, units_t amount) noexcept
    cdef int remember_lock(self, int64_t order_id, units_t per_lot) except -1
    cdef qty_t settle(self, units_t taker_per_lot) except -1
    cdef int record(self, Fill* f, units_t notional, units_t taker_fee, units_t maker_fee) except -1
    cdef int64_t place(self, owner_t owner, int8_t side, price_t price, qty_t qty, int tif,
                       bint stp) except -10
    cdef int64_t market_order(self, owner_t owner, int8_t side, qty_t qty, bint stp) except -10
    cdef price_t worst_price(self, int8_t side, qty_t qty) noexcept
    cdef qty_t cancel_order(self, owner_t owner, int64_t order_id) except -1
    cdef qty_t cancel_side(self, owner_t o, int8_t side) except -1
    cdef double mid_ticks(self) noexcept
    cdef double depth_usd_c(self, int8_t s, double band) noexcept
