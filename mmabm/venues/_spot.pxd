# Interface of the spot exchange, so other Cython modules (the retail decision loop, the
# arbitrage desk) can cimport it and trade through its cdef entry points without Python
# overhead. Its memory, accounts and market data are its base class's (_spot_state.pxd),
# cimported here so callers find Account here too. Code and docstrings live in _spot.pyx.
cimport cython
from libc.stdint cimport int8_t, int64_t

from mmabm._core cimport Fill
from mmabm._types cimport owner_t, price_t, qty_t, units_t
from mmabm.venues._spot_state cimport Account, SpotState


@cython.final
cdef class SpotExchange(SpotState):
    cdef _restore(self, tuple state)
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
