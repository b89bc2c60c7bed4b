# Interface of the order book's matching engine, so other Cython modules (replay, the spot venue)
# can cimport it and call its cdef methods without Python overhead. Its buffers, structs and
# queries are its base class's (_book_state.pxd), cimported here so callers find them here too.
# Code and docstrings live in _core.pyx.
cimport cython
from libc.stdint cimport int8_t, int32_t, int64_t

from mmabm._book_state cimport BookState, Expiry, Fill, Order, grow, to_array
from mmabm._types cimport owner_t, price_t, qty_t


cdef enum:
    # C-level twins of the Python constants GTC, IOC, POST_ONLY and REJECTED (hot paths must
    # not look up module globals)
    C_GTC = 0
    C_IOC = 1
    C_POST_ONLY = 2
    C_REJECTED = -1


@cython.final
cdef class OrderBook(BookState):
    cdef int64_t submit(self, int8_t side, price_t price, qty_t qty, owner_t owner,
                        int tif, bint stp) except -2
    cdef qty_t cancel_id(self, int64_t order_id) except -1
    cdef int32_t live_slot(self, int64_t order_id) noexcept
    cdef qty_t match(self, int8_t side, price_t limit, qty_t qty, int64_t taker_id,
                     owner_t taker_owner, bint stp) except -1
    cdef int expire(self, int32_t s) except -1
    cdef int32_t alloc_slot(self) except -1
    cdef void free_slot(self, int32_t s) noexcept
    cdef int owner_reserve(self, owner_t owner) except -1
    cdef void owner_link(self, int32_t s) noexcept
    cdef void owner_unlink(self, int32_t s) noexcept
    cdef int rest(self, int32_t s) except -1
    cdef void unrest(self, int32_t s) noexcept
    cdef int push_fill(self, int64_t taker_id, int32_t maker, owner_t taker_owner,
                       qty_t qty, int8_t side) except -1
