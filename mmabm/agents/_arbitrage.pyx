# cython: language_level=3
"""The arbitrage rounds, compiled: `cex_amm` and `cex_cex` of mmabm.agents.arbitrage.

They make exactly the trades of the Python reference in mmabm/reference/arbitrage.py (which the
tests compare them with): the same float operations in the same order, Python's rounding where it rounds
(`int`, `round`, float `//`), Python's `min` where it mixes ints and floats, and the same checks
and errors. They exist because the desk looks on ~90% of minutes and the interpreted rounds
cost ~10 s per three months, mostly in calls; here the CEXs are read and traded through
SpotExchange's cdef entry points and the pool through AmmAccounts' and Pool's.
"""
from cpython.number cimport PyNumber_FloorDivide
from libc.math cimport INFINITY, ceil, fabs, floor, rint
from libc.stdint cimport INT64_MAX, INT64_MIN, int8_t, int64_t

from mmabm._amm cimport Pool
from mmabm._core cimport C_IOC
from mmabm._ladder cimport Ladder
from mmabm._types cimport price_t, qty_t, ticks_to_usd
from mmabm.venues._amm_accounts cimport AmmAccounts
from mmabm.venues._spot cimport Account, SpotExchange

from mmabm._core import MAX_PRICE_TICKS, MAX_QTY_LOTS
from mmabm.venues import units

cdef double USDT_UNIT = units.USDT_UNIT, TOKEN_UNIT = units.TOKEN_UNIT
cdef price_t C_MAX_PRICE = MAX_PRICE_TICKS
cdef qty_t C_MAX_QTY = MAX_QTY_LOTS
cdef double TWO_63 = 9223372036854775808.0


cdef struct Outcome:
    # what a call did (arbitrage.ArbResult, field for field)
    int64_t rounds
    double tokens
    double profit_usdt


cdef extern from *:
    """
    static inline int mmabm_mul_overflows(int64_t a, int64_t b, int64_t* out) {
        return __builtin_mul_overflow(a, b, out);
    }
    """
    bint mul_overflows "mmabm_mul_overflows"(int64_t a, int64_t b, int64_t* out) noexcept nogil


# -- Python's arithmetic, in C -------------------------------------------------------------------
cdef inline int64_t py_int(double x) except? -1:
    """int(x) for a float, saturated to int64 (every caller only takes a min of it with a book
    quantity, so a saturated value is never the one kept); int's error for NaN and infinities."""
    if x < TWO_63 and x >= -TWO_63:
        return <int64_t>x
    if x != x or x == INFINITY or x == -INFINITY:
        int(x)                                   # raises ValueError / OverflowError
    return INT64_MAX if x > 0 else INT64_MIN


cdef inline bint float_lt_int(double f, int64_t i) noexcept:
    """Python's `f < i` for a float and an int: exact, i is not rounded to a float."""
    if f != f:
        return False
    if f >= TWO_63:
        return False
    if f < -TWO_63:
        return True
    return <int64_t>floor(f) < i                 # i is whole: f < i <=> floor(f) < i


cdef inline double int_product(int64_t a, int64_t b, int64_t c) except? -1.0:
    """float(a * b * c) of Python ints: exact, rounded once (Python ints if int64 overflows)."""
    cdef int64_t ab, abc
    if not mul_overflows(a, b, &ab) and not mul_overflows(ab, c, &abc):
        return <double>abc
    return float(<object>a * <object>b * <object>c)


# -- the venues, read and traded through their cdef entry points --------------------------------
cdef inline void top(SpotExchange cex, int8_t side, price_t* price, qty_t* lots) noexcept:
    """SpotExchange.top: (price ticks, lots) of the best level on `side`, (0, 0) if empty."""
    cdef Ladder* L = cex._book.ladder(side)
    if L.n_levels == 0:
        price[0] = lots[0] = 0
    else:
        price[0] = L.best
        lots[0] = L.levels[L.best - L.base].qty


cdef inline Account* cex_account(SpotExchange cex, object owner) except NULL:
    """The account SpotExchange.balance(owner) reads (a named error if there is none)."""
    return cex.account(cex.known(owner))


cdef inline double dex_balance(AmmAccounts dex, object owner, double* tokens) except? -1.0:
    """AmmVenue.balance(owner): free USDT, and the free tokens written to `tokens`."""
    o = dex.known(owner)
    cdef double usdt = <double>dex.usdt[o] * USDT_UNIT
    tokens[0] = <double>dex.tokens[o] * TOKEN_UNIT
    return usdt


cdef int64_t limit_ioc(SpotExchange cex, object owner, int8_t side, price_t price,
                       qty_t lots) except -10:
    """cex.limit(owner, side, price, lots, IOC); out of range goes through `limit`, which
    names the error."""
    if not (1 <= price <= C_MAX_PRICE and 1 <= lots <= C_MAX_QTY):
        return cex.limit(owner, side, price, lots, C_IOC)
    return cex.place(cex.known(owner), side, price, lots, C_IOC, False)


# -- CEX <-> AMM -----------------------------------------------------------------------------------
cdef int amm_rounds(SpotExchange cex, AmmAccounts dex, object owner, object max_rounds,
                    Outcome* result) except -1:
    """arbitrage.cex_amm."""
    cdef Pool pool = dex.pool
    cdef double fee_pool = pool.fee, fee_cex = cex.taker_fee, price, target
    cdef int64_t bid, bid_lots, ask, ask_lots, level, level_lots, lots, n
    cdef int8_t side_pool
    for _ in range(max_rounds):
        price = dex.spot()
        top(cex, 1, &bid, &bid_lots)
        top(cex, -1, &ask, &ask_lots)
        if bid and price < ticks_to_usd(bid, cex.tick_size) * (1 - fee_cex) * (1 - fee_pool):
            target = ticks_to_usd(bid, cex.tick_size) * (1 - fee_cex) * (1 - fee_pool)
            side_pool, level, level_lots = 1, bid, bid_lots
        elif ask and price > ticks_to_usd(ask, cex.tick_size) * (1 + fee_cex) / (1 - fee_pool):
            target = ticks_to_usd(ask, cex.tick_size) * (1 + fee_cex) / (1 - fee_pool)
            side_pool, level, level_lots = -1, ask, ask_lots
        else:
            break
        lots = level_lots
        n = pool_lots(cex, dex, side_pool, target)
        if n < lots:
            lots = n
        n = affordable_lots(cex, dex, owner, side_pool, level)
        if n < lots:
            lots = n
        if lots <= 0 or not one_round(cex, dex, owner, side_pool, level, lots, result):
            break
    return 0


cdef qty_t pool_lots(SpotExchange cex, AmmAccounts dex, int8_t side_pool,
                     double target) except? -1:
    """reference.arbitrage._pool_lots:
    whole CEX lots of tokens the pool trades on its way to `target`."""
    cdef int8_t side
    cdef double amount = dex.pool.trade_to(target, &side), amount_in, tokens
    if side == 0:
        return 0
    if amount == INFINITY:
        int(amount)                              # math.ceil's OverflowError
    amount_in = ceil(amount)                     # AmmVenue.trade_to_price's math.ceil
    if side != side_pool or amount_in <= 0:
        return 0
    if side > 0:
        tokens = dex.pool.quote_in(side, amount_in)
        # Python's float // int (not C's floor of the quotient: they can differ by one)
        return py_int(<double>PyNumber_FloorDivide(tokens, cex.lot_units))
    if amount_in < TWO_63:                       # int // int, both > 0
        return (<int64_t>amount_in) // cex.lot_units
    q = int(amount_in) // cex.lot_units          # Python ints
    return q if q <= INT64_MAX else INT64_MAX


cdef qty_t affordable_lots(SpotExchange cex, AmmAccounts dex, object owner, int8_t side_pool,
                           price_t level) except? -1:
    """reference.arbitrage._affordable_lots: lots the owner can pay for on both legs."""
    cdef Account* a = cex_account(cex, owner)
    cdef double dex_tokens = 0.0, dex_usdt = dex_balance(dex, owner, &dex_tokens)
    cdef double lot_tokens = cex.lot_units * TOKEN_UNIT, by_cex, by_pool
    if side_pool > 0:
        by_cex = (a.tokens * TOKEN_UNIT) / lot_tokens
        by_pool = dex_usdt / (ticks_to_usd(level, cex.tick_size) * lot_tokens * 1.5)
    else:
        by_cex = (a.usdt * USDT_UNIT) / (ticks_to_usd(level, cex.tick_size) * lot_tokens
                                         * (1 + cex.taker_fee) * 1.001)
        by_pool = dex_tokens / lot_tokens
    return py_int(by_pool if by_pool < by_cex else by_cex)      # min(by_cex, by_pool)


cdef bint one_round(SpotExchange cex, AmmAccounts dex, object owner, int8_t side_pool,
                    price_t level, qty_t lots, Outcome* result) except -1:
    """arbitrage._round: one round at one level, if it pays after fees; True if it traded."""
    cdef double token_units = int_product(lots, cex.lot_units, 1)
    cdef double notional = int_product(level, cex.quote_units, lots)
    cdef double cost = 0.0, proceeds, gain, before, held, dex_tokens = 0.0, moved_d
    cdef Account* a
    cdef int64_t moved
    if side_pool > 0:
        cost = dex.pool.quote_out(1, token_units)
        gain = notional * (1 - cex.taker_fee) - cost
    else:
        proceeds = dex.pool.quote_in(-1, token_units)
        gain = proceeds - notional * (1 + cex.taker_fee)
    if gain <= 0 or (side_pool > 0 and cost > dex_balance(dex, owner, &dex_tokens) / USDT_UNIT):
        return False
    before = value(cex, dex, owner, level)
    held = cex_account(cex, owner).tokens * TOKEN_UNIT
    if limit_ioc(cex, owner, -1 if side_pool > 0 else 1, level, lots) < 0:
        return False
    a = cex_account(cex, owner)
    moved_d = rint(fabs(a.tokens * TOKEN_UNIT - held) / TOKEN_UNIT)   # round(): half to even
    moved = <int64_t>moved_d
    if moved:
        if side_pool > 0:
            dex.exact_out(owner, 1, moved)       # buy back what the CEX leg sold
        else:
            dex.exact_in(owner, -1, moved)       # sell what the CEX leg bought
    result.rounds += 1
    result.tokens += moved * TOKEN_UNIT
    result.profit_usdt += value(cex, dex, owner, level) - before
    return moved > 0


cdef double value(SpotExchange cex, AmmAccounts dex, object owner, price_t level) except? -1.0:
    """arbitrage._value: the owner's holdings on both venues in USDT, tokens at `level`."""
    cdef Account* c = cex_account(cex, owner)
    cdef double d_tokens = 0.0, d_usdt = dex_balance(dex, owner, &d_tokens)
    cdef double price = ticks_to_usd(level, cex.tick_size)
    return (c.usdt * USDT_UNIT + c.usdt_locked * USDT_UNIT + d_usdt
            + (c.tokens * TOKEN_UNIT + c.tokens_locked * TOKEN_UNIT + d_tokens) * price)


# -- CEX <-> CEX -----------------------------------------------------------------------------------
cdef int cex_rounds(SpotExchange buy_on, SpotExchange sell_on, object owner, object max_rounds,
                    Outcome* result) except -1:
    """arbitrage.cex_cex."""
    cdef int64_t ask, ask_lots, bid, bid_lots, lots, whole
    cdef double lot_tokens, afford, sellable, m = 0.0
    cdef bint m_whole
    if buy_on.tick_size != sell_on.tick_size or buy_on.lot_size != sell_on.lot_size:
        raise ValueError("cex_cex needs venues with the same tick_size and lot_size")
    for _ in range(max_rounds):
        top(buy_on, -1, &ask, &ask_lots)
        top(sell_on, 1, &bid, &bid_lots)
        if not (ask and bid) or bid * (1 - sell_on.taker_fee) <= ask * (1 + buy_on.taker_fee):
            break
        lot_tokens = buy_on.lot_units * TOKEN_UNIT
        afford = (cex_account(buy_on, owner).usdt * USDT_UNIT) / (
            ticks_to_usd(ask, buy_on.tick_size) * lot_tokens * (1 + buy_on.taker_fee) * 1.001)
        sellable = (cex_account(sell_on, owner).tokens * TOKEN_UNIT) / lot_tokens
        # int(min(ask_lots, bid_lots, afford, sellable)): Python's min keeps the first of the
        # smallest, comparing ints with floats exactly
        whole, m_whole = ask_lots, True
        if bid_lots < whole:
            whole = bid_lots
        if float_lt_int(afford, whole):
            m, m_whole = afford, False
        if (sellable < m) if not m_whole else float_lt_int(sellable, whole):
            m, m_whole = sellable, False
        lots = whole if m_whole else py_int(m)
        if lots <= 0:
            break
        limit_ioc(buy_on, owner, 1, ask, lots)
        limit_ioc(sell_on, owner, -1, bid, lots)
        result.rounds += 1
        result.tokens += lots * lot_tokens
        result.profit_usdt += (lots * (bid * (1 - sell_on.taker_fee) - ask * (1 + buy_on.taker_fee))
                               * buy_on.tick_size * lot_tokens)
    return 0


# -- entry points ---------------------------------------------------------------------------------
def cex_amm(SpotExchange cex not None, AmmAccounts dex not None, owner, max_rounds=50):
    """arbitrage.cex_amm, compiled: (rounds, tokens, profit_usdt)."""
    cdef Outcome r = Outcome(0, 0.0, 0.0)
    amm_rounds(cex, dex, owner, max_rounds, &r)
    return r.rounds, r.tokens, r.profit_usdt


def cex_cex(SpotExchange buy_on not None, SpotExchange sell_on not None, owner, max_rounds=50):
    """arbitrage.cex_cex, compiled: (rounds, tokens, profit_usdt)."""
    cdef Outcome r = Outcome(0, 0.0, 0.0)
    cex_rounds(buy_on, sell_on, owner, max_rounds, &r)
    return r.rounds, r.tokens, r.profit_usdt


def look(list cexs not None, AmmAccounts dex not None, owner, double profit_usdt):
    """arbitrage.look, compiled: `profit_usdt` plus each call's profit, added in turn."""
    cdef Outcome r
    cdef Py_ssize_t i, j, n = len(cexs)
    cdef SpotExchange a, b
    for i in range(n):
        r = Outcome(0, 0.0, 0.0)
        amm_rounds(cexs[i], dex, owner, 50, &r)
        profit_usdt += r.profit_usdt
    for i in range(n):                           # itertools.permutations(cexs, 2), in order
        for j in range(n):
            if i == j:
                continue
            a, b = cexs[i], cexs[j]
            if a.tick_size == b.tick_size and a.lot_size == b.lot_size:
                r = Outcome(0, 0.0, 0.0)
                cex_rounds(a, b, owner, 50, &r)
                profit_usdt += r.profit_usdt
    return profit_usdt
