# The order book's memory and its read side: the base class of _core's OrderBook (the matching
# engine), so the engine and other Cython modules can cimport its layout. Code and docstrings
# live in _book_state.pyx; what the engine calls on every order is inline here, so _core
# compiles it in. The cdef methods are final: no subclass overrides them.
cimport cython
from libc.stdint cimport int8_t, int32_t, int64_t, uint32_t

from mmabm._ladder cimport Ladder
from mmabm._types cimport owner_t, price_t, qty_t


cdef enum:
    NIL = -1               # no slot: the end of a list


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


cdef inline int64_t pack_id(uint32_t gen, int32_t slot) noexcept nogil:
    """The order id of a slot: (generation << 32 | slot)."""
    return (<int64_t>gen << 32) | slot


cdef class BookState:
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

    cdef inline Ladder* ladder(self, int8_t side) noexcept:
        return &self._bids if side > 0 else &self._asks

    @cython.final
    cdef owner_t owner_arg(self, object owner) except? -1
    @cython.final
    cdef double depth_between(self, int8_t side, price_t lo, price_t hi, qty_t* qty) noexcept
    @cython.final
    cdef double owner_depth_between(self, owner_t owner, int8_t side, price_t lo, price_t hi,
                                    price_t* best) noexcept
    @cython.final
    cdef price_t reach(self, int8_t side, qty_t qty) noexcept
    @cython.final
    cdef tuple row(self, int32_t s)
