# The integer quantities the compiled modules pass around, named for what they count, so a
# signature says whether an int64 is a price, a size, an owner or a balance (an order id, an
# index or a counter stays int64_t). All are int64_t: the names change no code.
from libc.stdint cimport int64_t

# a price in ticks of the venue's tick_size (USDT per token)
ctypedef int64_t price_t
# a size in lots of the venue's lot_size (tokens)
ctypedef int64_t qty_t
# an agent's id on a venue (the books' owners, the accounts' keys)
ctypedef int64_t owner_t
# a balance in integer units (venues.units: USDT_UNIT, TOKEN_UNIT), so sums are exact
ctypedef int64_t units_t


cdef inline double ticks_to_usd(price_t ticks, double tick_size) noexcept nogil:
    """A price in ticks as USDT (venues.units.ticks_to_usd in C): the one float product the
    callers wrote inline before."""
    return <double>ticks * tick_size


cdef inline double usd_to_ticks(double usd, double tick_size) noexcept nogil:
    """A USDT price in ticks, unrounded: each caller rounds its own way (a bid floors and an ask
    ceils, as venues.units.bid_ticks and ask_ticks do; a limit rints)."""
    return usd / tick_size
