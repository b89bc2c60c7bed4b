# cython: language_level=3
"""The AMM venue's accounts and swaps, compiled: what every swap touches.

`AmmAccounts` is the base of amm.AmmVenue (which adds deposits, liquidity and reports). It
exists because retail and the arbitrage desk swap about a million times in three months, and
an interpreted swap cost ~3 us in calls alone; the compiled loops swap through `exact_in` and
`exact_out` with no Python call at all. Balances stay Python ints in defaultdicts (public, and
unbounded like before) and every step is the one the Python venue took, in the same order, so
results are identical to the unit: the pool's float quote is truncated by `int` as before.
"""
import math
from collections import defaultdict

from libc.math cimport NAN

from mmabm._amm cimport Pool

from mmabm._amm import Pool as _Pool
from mmabm.venues import units
from mmabm.venues.errors import Rejection

cdef double USDT_UNIT = units.USDT_UNIT, TOKEN_UNIT = units.TOKEN_UNIT   # typed: no lookups
cdef object INSUFFICIENT_FUNDS = Rejection.INSUFFICIENT_FUNDS
cdef object owner_id = units.owner_id, whole_units = units.whole_units


cdef inline object side_of(object side):
    """+1 (buy tokens) or -1 (sell tokens) as an int, else a named error."""
    if type(side) is int and (side == 1 or side == -1):
        return side
    if side not in (1, -1) or isinstance(side, bool):
        raise ValueError(f"side must be +1 (buy tokens) or -1 (sell tokens), got {side!r}")
    return int(side)


cdef class AmmAccounts:
    """A Uniswap-v2 style pool and the integer-unit accounts that swap with it.

    Args:
        name: the venue's name.
        fee: fraction of every input kept by the pool for its providers (default 0.3%).
    """

    def __init__(self, name="dex", fee=0.003):
        self.name = name
        self.pool = _Pool(fee, quantum=1.0)
        self.usdt = defaultdict(int)
        self.tokens = defaultdict(int)
        self._opened = set()
        self._swaps = []
        self.volume_usdt = 0
        # bumped by every change to the pool or a balance, so an agent can tell nothing it
        # looks at has changed since its last look (SpotExchange.changes likewise)
        self.changes = 0

    cdef object known(self, object owner):
        """`owner` if it has an account here (opened by a deposit), else a named error."""
        if type(owner) is int and owner in self._opened:     # the common case, checked at deposit
            return owner
        o = owner_id(owner)
        if o not in self._opened:
            raise ValueError(f"owner {o} has no account at {self.name!r}: deposit first")
        return o

    def _known(self, owner):
        """`known`, for the venue's Python methods."""
        return self.known(owner)

    def balance(self, owner):
        """`owner`'s free USDT and tokens (pool shares are reported by `position`)."""
        o = self.known(owner)
        return {"usdt": self.usdt[o] * USDT_UNIT, "tokens": self.tokens[o] * TOKEN_UNIT}

    # -- trading -------------------------------------------------------------------------------
    def price(self):
        """Spot price, USDT per token (NaN for an empty pool)."""
        return self.spot()

    cdef double spot(self) noexcept:
        """`price`, without the Python call."""
        cdef Pool p = self.pool
        return p.usdt_reserve / p.token_reserve if p.token_reserve > 0 else NAN

    cdef int pay(self, object owner, int8_t side, object amount_in, object amount_out) except -1:
        """Settle a swap's units on the owner's account and record it."""
        self.changes += 1
        if side > 0:
            self.usdt[owner] -= amount_in
            self.tokens[owner] += amount_out
            notional, bought = amount_in, amount_out
        else:
            self.tokens[owner] -= amount_in
            self.usdt[owner] += amount_out
            notional, bought = amount_out, -amount_in
        self.volume_usdt += notional
        self._swaps.append((owner, notional, bought))
        return 0

    cdef bint can_pay(self, object owner, int8_t side, object amount) except -1:
        return (self.usdt[owner] if side > 0 else self.tokens[owner]) >= amount

    def swap_exact_in(self, owner, side, amount_in_units):
        """Pay exactly `amount_in_units` (USDT to buy, tokens to sell); units received, or a
        negative Rejection if the owner cannot pay."""
        return self.exact_in(owner, side, amount_in_units)

    cdef object exact_in(self, object owner, object side, object amount_in_units):
        """`swap_exact_in` for C callers: the same checks, errors and result."""
        cdef int8_t s
        o, sd = self.known(owner), side_of(side)
        s = sd
        a = (amount_in_units if type(amount_in_units) is int and amount_in_units > 0
             else whole_units(amount_in_units, "amount_in_units"))
        if a == 0:
            raise ValueError("amount_in_units must be at least 1")
        if not self.can_pay(o, s, a):
            self.pool.quote_in(s, float(a))          # an empty pool raises, as ever
            return INSUFFICIENT_FUNDS
        out = int(self.pool.swap_in(s, float(a)))    # it pays what its quote says
        self.pay(o, s, a, out)
        return out

    def swap_exact_out(self, owner, side, amount_out_units):
        """Receive exactly `amount_out_units` (tokens if buying, USDT if selling); units paid,
        or a negative Rejection if the owner cannot pay."""
        return self.exact_out(owner, side, amount_out_units)

    cdef object exact_out(self, object owner, object side, object amount_out_units):
        """`swap_exact_out` for C callers: the same checks, errors and result."""
        cdef int8_t s
        o, sd = self.known(owner), side_of(side)
        s = sd
        a = whole_units(amount_out_units, "amount_out_units")
        if a == 0:
            raise ValueError("amount_out_units must be at least 1")
        cost = int(self.pool.quote_out(s, float(a)))
        if not self.can_pay(o, s, cost):
            return INSUFFICIENT_FUNDS
        self.pool.swap_out(s, float(a))
        self.pay(o, s, cost, a)
        return cost

    def trade_to_price(self, target_price):
        """(side, whole input units) of the swap that brings the pool to `target_price`."""
        side, amount = self.pool.trade_to_price(target_price)
        return (side, math.ceil(amount)) if side else (0, 0)

    def take_swaps(self):
        """(owner, USDT units, token units bought: negative when sold) of every swap since the
        previous call; clears them."""
        out, self._swaps = self._swaps, []
        return out
