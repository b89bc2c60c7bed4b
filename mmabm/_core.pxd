# Interface of the order book, so other Cython modules (replay, later the venues) can cimport it
# and call its cdef methods without Python overhead. Code and docstrings live in _core.pyx.
cimport cython
from libc.stdint cimport int8_t, int32_t, int64_t, uint32_t

from mmabm._ladder cimport Ladder
from mmabm._types cimport owner_t, price_t, qty_t


cdef enum:
    # C-level twins of the Python constants GTC, IOC, POST_ONLY and REJECTED (hot paths must
    # not look up module globals)
    C_GTC = 0
    C_IOC = 1
    C_POST_ONLY = 2
    C_REJECTED = -1


cdef int grow(void** buf, int64_t* cap, size_t itemsize, int64_t need) except -1
cdef object to_array(const void* src, int64_t n, object dtype)


cdef struct Order:
    # One slot of the order pool. A free slot has side == 0 and links the free list via `next`.
    price_t price
    qty_t qty              # remaining
    owner_t owner
    int32_t next           # FIFO neighbours at the price level (slot, -1 = none)
    int32_t prev
    int32_t owner_next     # neighbours in the owner's list (slot, -1 = none)
    int32_t owner_prev
    uint32_t gen           # bumped when the slot is freed; the high half of the order id
    int8_t side            # +1 bid, -1 ask, 0 free


cdef struct Fill:
    # Field for field the layout of FILL_DTYPE.
    int64_t taker_id
    int64_t maker_id
    owner_t taker_owner
    owner_t maker_owner
    price_t price          # always the maker's price
    qty_t qty
    int64_t taker_side     # +1 the taker bought, -1 it sold


cdef struct Expiry:
    # A resting order removed by self-trade prevention (field for field CANCEL_DTYPE).
    int64_t order_id
    owner_t owner
    int64_t side
    price_t price
    qty_t qty              # what it still had


@cython.final
cdef class OrderBook:
    cdef Order* _orders
    cdef int32_t _n_slots          # slots ever used (high-water mark)
    cdef int32_t _slot_cap
    cdef int32_t _free_head
    cdef int64_t _n_resting
    cdef Ladder _bids
    cdef Ladder _asks
    cdef int32_t* _owner_head      # owner -> newest resting order's slot
    cdef int64_t _owner_cap
    cdef bint _track_owners
    cdef Fill* _fills
    cdef int64_t _n_fills
    cdef int64_t _fill_cap
    cdef Expiry* _expired
    cdef int64_t _n_expired
    cdef int64_t _expired_cap

    cdef int64_t submit(self, int8_t side, price_t price, qty_t qty, owner_t owner,
                        int tif, bint stp) except -2
    cdef qty_t cancel_id(self, int64_t order_id) except -1
    cdef int32_t live_slot(self, int64_t order_id) noexcept
    cdef qty_t match(self, int8_t side, price_t limit, qty_t qty, int64_t taker_id,
                     owner_t taker_owner, bint stp) except -1
    cdef int expire(self, int32_t s) except -1
    cdef double depth_between(self, int8_t side, price_t lo, price_t hi, qty_t* qty) noexcept
    cdef double owner_depth_between(self, owner_t owner, int8_t side, price_t lo, price_t hi,
                                    price_t* best) noexcept
    cdef int32_t alloc_slot(self) except -1
    cdef void free_slot(self, int32_t s) noexcept
    cdef int owner_reserve(self, owner_t owner) except -1
    cdef void owner_link(self, int32_t s) noexcept
    cdef void owner_unlink(self, int32_t s) noexcept
    cdef Ladder* ladder(self, int8_t side) noexcept
    cdef price_t reach(self, int8_t side, qty_t qty) noexcept
    cdef int rest(self, int32_t s) except -1
    cdef void unrest(self, int32_t s) noexcept
    cdef int push_fill(self, int64_t taker_id, int32_t maker, owner_t taker_owner,
                       qty_t qty, int8_t side) except -1
    cdef owner_t owner_arg(self, object owner) except? -1
    cdef tuple row(self, int32_t s)
