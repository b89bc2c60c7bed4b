# cython: language_level=3
"""Allocation and re-fitting of an order-book side's level window (the rare, slow paths)."""
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdint cimport int64_t, uint64_t
from libc.string cimport memcpy, memset

from mmabm._types cimport price_t

cdef int64_t MIN_CAP = 4096          # one summary word covers 64 * 64 levels
cdef int64_t MAX_SPAN = 1 << 22      # widest span of resting prices on one side, in ticks

#: Widest span (ticks) of resting prices on one side of a book; a price beyond it is rejected.
MAX_SPAN_TICKS = MAX_SPAN


cdef int ladder_alloc(Ladder* L, int64_t cap, price_t base) except -1:
    """Give L an empty window of `cap` levels starting at price `base`."""
    L.levels = <Level*>PyMem_Malloc(cap * sizeof(Level))
    L.bits = <uint64_t*>PyMem_Malloc((cap >> 6) * sizeof(uint64_t))
    L.summary = <uint64_t*>PyMem_Malloc((cap >> 12) * sizeof(uint64_t))
    if L.levels == NULL or L.bits == NULL or L.summary == NULL:
        ladder_free(L)
        raise MemoryError(f"cannot allocate an order-book window of {cap} levels")
    memset(L.levels, 0, cap * sizeof(Level))
    memset(L.bits, 0, (cap >> 6) * sizeof(uint64_t))
    memset(L.summary, 0, (cap >> 12) * sizeof(uint64_t))
    L.cap = cap
    L.base = base
    L.n_levels = 0
    return 0


cdef void ladder_free(Ladder* L) noexcept:
    PyMem_Free(L.levels)
    PyMem_Free(L.bits)
    PyMem_Free(L.summary)
    L.levels = NULL
    L.bits = NULL
    L.summary = NULL


cdef int ladder_refit(Ladder* L, price_t price) except -1:
    """Slide (and if needed double) the window so `price` fits; L is unchanged on error.

    Costs O(cap) but runs only when a price leaves the window, which is at least cap/4 ticks
    away from every resting price after the previous refit, so the cost is amortised.
    """
    cdef int64_t lo, hi, span, new_cap, new_base, i, j
    cdef Ladder old
    if L.n_levels == 0:
        L.base = price - (L.cap >> 1)
        return 0
    lo = min(ladder_next(L, 0) + L.base, price)
    hi = max(ladder_prev(L, L.cap - 1) + L.base, price)
    span = hi - lo + 1
    if span > MAX_SPAN:
        raise ValueError(
            f"price_ticks={price} would spread the resting {'bids' if L.side > 0 else 'asks'} "
            f"over {span} ticks; at most {MAX_SPAN} ticks are allowed on one side")
    new_cap = L.cap
    while new_cap < 2 * span:
        new_cap <<= 1
    new_base = lo - ((new_cap - span) >> 1)
    old = L[0]
    try:
        ladder_alloc(L, new_cap, new_base)
    except MemoryError:
        L[0] = old
        raise
    i = ladder_next(&old, 0)
    while i >= 0:
        j = i + old.base - new_base
        L.levels[j] = old.levels[i]
        ladder_mark(L, j)
        i = ladder_next(&old, i + 1)
    L.n_levels = old.n_levels
    L.best = old.best
    L.side = old.side
    ladder_free(&old)
    return 0


cdef bytes ladder_dump(Ladder* L):
    """Serialise L (for pickling the book)."""
    cdef int64_t head[5]
    head[0] = L.base
    head[1] = L.cap
    head[2] = L.best
    head[3] = L.n_levels
    head[4] = L.side
    return ((<char*>head)[:sizeof(head)]
            + (<char*>L.levels)[:L.cap * sizeof(Level)]
            + (<char*>L.bits)[:(L.cap >> 6) * sizeof(uint64_t)]
            + (<char*>L.summary)[:(L.cap >> 12) * sizeof(uint64_t)])


cdef int ladder_load(Ladder* L, bytes state) except -1:
    """Replace L's content by what ladder_dump wrote."""
    cdef const char* p = state
    cdef int64_t head[5]
    memcpy(head, p, sizeof(head))
    if len(state) != sizeof(head) + head[1] * sizeof(Level) + (head[1] >> 6) * 8 + (head[1] >> 12) * 8:
        raise ValueError("corrupt order-book state")
    ladder_free(L)
    ladder_alloc(L, head[1], head[0])
    p += sizeof(head)
    memcpy(L.levels, p, head[1] * sizeof(Level))
    p += head[1] * sizeof(Level)
    memcpy(L.bits, p, (head[1] >> 6) * sizeof(uint64_t))
    p += (head[1] >> 6) * sizeof(uint64_t)
    memcpy(L.summary, p, (head[1] >> 12) * sizeof(uint64_t))
    L.best = head[2]
    L.n_levels = head[3]
    L.side = <signed char>head[4]
    return 0
