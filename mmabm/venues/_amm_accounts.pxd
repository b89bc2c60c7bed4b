# Interface of the AMM venue's compiled core (accounts and swaps), so other Cython modules (the
# retail decision loop, the arbitrage desk) can swap through its cdef entry points without
# Python overhead. Code and docstrings live in _amm_accounts.pyx; the venue is amm.AmmVenue.
cimport cython
from libc.stdint cimport int8_t, int64_t

from mmabm._amm cimport Pool


cdef class AmmAccounts:
    cdef public object name
    cdef readonly Pool pool
    cdef readonly object usdt                # defaultdict(int): owner -> free USDT units
    cdef readonly object tokens              # defaultdict(int): owner -> free token units
    cdef readonly set _opened                # owners with an account (opened by a deposit)
    cdef readonly list _swaps                # (owner, USDT units, tokens bought) since take_swaps()
    cdef readonly object volume_usdt         # USDT units swapped since the start (an int)
    cdef public int64_t changes              # bumped by every change to the pool or a balance

    @cython.final
    cdef object known(self, object owner)
    @cython.final
    cdef double spot(self) noexcept
    @cython.final
    cdef bint can_pay(self, object owner, int8_t side, object amount) except -1
    @cython.final
    cdef int pay(self, object owner, int8_t side, object amount_in, object amount_out) except -1
    @cython.final
    cdef object exact_in(self, object owner, object side, object amount_in_units)
    @cython.final
    cdef object exact_out(self, object owner, object side, object amount_out_units)
