# Interface of the constant-product pool, so other Cython modules (the AMM venue, the arbitrage
# desk) can quote and swap through its cdef entry points without Python overhead. Code and
# docstrings live in _amm.pyx. The cdef methods are final: no subclass overrides them.
cimport cython
from libc.stdint cimport int8_t


cdef class Pool:
    cdef readonly double token_reserve
    cdef readonly double usdt_reserve
    cdef readonly double total_shares
    cdef readonly double fee
    cdef readonly double quantum

    @cython.final
    cdef int need_reserves(self) except -1
    @cython.final
    cdef (double, double) reserves(self, int8_t side) noexcept
    @cython.final
    cdef void settle(self, int8_t side, double a_in, double a_out) noexcept
    @cython.final
    cdef double quote_in(self, int8_t side, double amount_in) except? -1.0
    @cython.final
    cdef double swap_in(self, int8_t side, double amount_in) except? -1.0
    @cython.final
    cdef double quote_out(self, int8_t side, double amount_out) except? -1.0
    @cython.final
    cdef double swap_out(self, int8_t side, double amount_out) except? -1.0
    @cython.final
    cdef double trade_to(self, double target_price, int8_t* side) except? -1.0
