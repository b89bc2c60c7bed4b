# One side of an order book: a dense window of price levels [base, base + cap) that slides and
# grows as prices drift, with a two-level bitmap of non-empty levels, so finding the next best
# price costs a few word operations instead of a scan over empty ticks.
# Hot helpers are inline here so the book's module compiles them in; code that runs rarely
# (allocation, refitting the window) lives in _ladder.pyx.
from libc.stdint cimport int8_t, int32_t, int64_t, uint64_t

from mmabm._types cimport price_t, qty_t

cdef extern from *:
    """
    #define MMABM_CTZ(x) __builtin_ctzll(x)
    #define MMABM_CLZ(x) __builtin_clzll(x)
    """
    int MMABM_CTZ(uint64_t x) noexcept nogil
    int MMABM_CLZ(uint64_t x) noexcept nogil


cdef struct Level:
    qty_t qty              # sum of the resting orders' remaining lots
    int32_t head           # oldest order's slot (first to fill), -1 if none
    int32_t tail           # newest order's slot
    int32_t count


cdef struct Ladder:
    Level* levels
    uint64_t* bits         # bit i set <=> levels[i] is non-empty
    uint64_t* summary      # bit w set <=> bits[w] != 0
    price_t base           # price of levels[0]
    int64_t cap            # power of two, >= MIN_CAP
    price_t best           # best price; meaningless when n_levels == 0
    int64_t n_levels       # non-empty levels
    int8_t side            # +1 bids (best = highest), -1 asks (best = lowest)


cdef int64_t MIN_CAP
cdef int64_t MAX_SPAN

cdef int ladder_alloc(Ladder* L, int64_t cap, price_t base) except -1
cdef void ladder_free(Ladder* L) noexcept
cdef int ladder_refit(Ladder* L, price_t price) except -1
cdef bytes ladder_dump(Ladder* L)
cdef int ladder_load(Ladder* L, bytes state) except -1


cdef inline void ladder_mark(Ladder* L, int64_t i) noexcept nogil:
    L.bits[i >> 6] |= (<uint64_t>1) << (i & 63)
    L.summary[i >> 12] |= (<uint64_t>1) << ((i >> 6) & 63)


cdef inline void ladder_unmark(Ladder* L, int64_t i) noexcept nogil:
    cdef int64_t w = i >> 6
    L.bits[w] &= ~((<uint64_t>1) << (i & 63))
    if L.bits[w] == 0:
        L.summary[w >> 6] &= ~((<uint64_t>1) << (w & 63))


cdef inline int64_t ladder_next(Ladder* L, int64_t i) noexcept nogil:
    """Smallest non-empty index >= i, or -1."""
    cdef int64_t w, sw, nwords = L.cap >> 6
    cdef uint64_t m
    if i >= L.cap:
        return -1
    if i < 0:
        i = 0
    w = i >> 6
    m = L.bits[w] & (~(<uint64_t>0) << (i & 63))
    if m:
        return (w << 6) + MMABM_CTZ(m)
    w += 1
    if w >= nwords:
        return -1
    sw = w >> 6
    m = L.summary[sw] & (~(<uint64_t>0) << (w & 63))
    while m == 0:
        sw += 1
        if sw >= (nwords >> 6):
            return -1
        m = L.summary[sw]
    w = (sw << 6) + MMABM_CTZ(m)
    return (w << 6) + MMABM_CTZ(L.bits[w])


cdef inline int64_t ladder_prev(Ladder* L, int64_t i) noexcept nogil:
    """Largest non-empty index <= i, or -1."""
    cdef int64_t w, sw
    cdef uint64_t m
    if i < 0:
        return -1
    if i >= L.cap:
        i = L.cap - 1
    w = i >> 6
    m = L.bits[w] & (~(<uint64_t>0) >> (63 - (i & 63)))
    if m:
        return (w << 6) + 63 - MMABM_CLZ(m)
    w -= 1
    if w < 0:
        return -1
    sw = w >> 6
    m = L.summary[sw] & (~(<uint64_t>0) >> (63 - (w & 63)))
    while m == 0:
        sw -= 1
        if sw < 0:
            return -1
        m = L.summary[sw]
    w = (sw << 6) + 63 - MMABM_CLZ(m)
    return (w << 6) + 63 - MMABM_CLZ(L.bits[w])


cdef inline int64_t ladder_step(Ladder* L, int64_t i) noexcept nogil:
    """The next non-empty index after i, moving away from the best price; -1 at the end."""
    return ladder_prev(L, i - 1) if L.side > 0 else ladder_next(L, i + 1)


cdef inline int64_t ladder_index(Ladder* L, price_t price) except -1:
    """Index of `price` in the window, sliding or growing the window first if needed."""
    cdef int64_t i = price - L.base
    if i < 0 or i >= L.cap:
        ladder_refit(L, price)
        i = price - L.base
    return i


cdef inline void ladder_add_level(Ladder* L, int64_t i) noexcept nogil:
    """Level i just became non-empty."""
    cdef price_t price = i + L.base
    ladder_mark(L, i)
    if L.n_levels == 0 or (price > L.best if L.side > 0 else price < L.best):
        L.best = price
    L.n_levels += 1


cdef inline void ladder_drop_level(Ladder* L, int64_t i) noexcept nogil:
    """Level i just became empty: unmark it and, if it was the best, find the next best."""
    ladder_unmark(L, i)
    L.n_levels -= 1
    if L.n_levels > 0 and i + L.base == L.best:
        L.best = ladder_step(L, i) + L.base
