# cython: language_level=3
"""Constant-product AMM pool (Uniswap v2 semantics) in float64.

Reserves of token (x) and USDT (y); a fee charged on the input and kept in the pool, so
k = x*y grows with every swap. The output of an exact-in swap is dx*(1-f)*y / (x + dx*(1-f)).
Floating-point rounding could otherwise let k dip by an ulp; every swap pays out at most what
keeps x*y (as stored) from decreasing. Bad input raises before any reserve changes.
"""
import math

import numpy as np
from libc.math cimport INFINITY, NAN, ceil, floor, fmax, fmin, isfinite, isnan, nextafter, sqrt
from libc.stdint cimport int8_t, int64_t

from mmabm._args cimport positive_arg, side_arg
from mmabm._args import int_array, positive_array


cdef inline double number_arg(object value, str name) except? -1.0:
    """positive_arg, with a fast path for a plain finite float > 0 (every call the venues make):
    positive_arg's isinstance test against numbers.Real is an ABC check, costly per swap."""
    cdef double v
    if type(value) is float:
        v = value
        if v > 0.0 and v < INFINITY:
            return v
    return positive_arg(value, name)


cdef inline double out_given_in(double a_in, double r_in, double r_out, double g) noexcept nogil:
    """Exact-in output, rounded down where needed so that the pool's k never decreases.

    Returns NaN if the trade overflows float64 (the caller raises).
    """
    cdef double a = a_in * g
    cdef double out = a * r_out / (r_in + a)
    cdef double new_in = r_in + a_in, k = r_in * r_out, keep
    if not (isfinite(out) and isfinite(new_in)):
        return NAN
    if new_in * (r_out - out) >= k:
        return out
    # Rounding let k dip. Stepping `out` down one of its own ulps at a time can take ~2**52 steps
    # when `out` is far below r_out's ulp, so aim at the smallest stored out-reserve that keeps k.
    keep = fmin(k / new_in, r_out)
    while keep < r_out and new_in * keep < k:
        keep = nextafter(keep, INFINITY)
    out = fmin(out, r_out - keep)
    while new_in * (r_out - out) < k and out > 0.0:
        out = nextafter(out, 0.0)
    return out


cdef inline double in_given_out(double a_out, double r_in, double r_out, double g) noexcept nogil:
    """Exact-out input (a_out < r_out), rounded up where needed so that k never decreases.

    Returns NaN if the trade overflows float64 (the caller raises).
    """
    cdef double a_in = r_in * a_out / ((r_out - a_out) * g)
    cdef double new_out = r_out - a_out, k = r_in * r_out, need
    if not isfinite(r_in + a_in):
        return NAN
    if (r_in + a_in) * new_out >= k:
        return a_in
    # As in out_given_in: aim at the smallest stored in-reserve that keeps k, then round up.
    need = k / new_out
    while need * new_out < k:
        need = nextafter(need, INFINITY)
    a_in = fmax(a_in, need - r_in)
    while (r_in + a_in) * new_out < k:
        a_in = nextafter(a_in, INFINITY)
    return a_in if isfinite(r_in + a_in) else NAN


cdef inline double pay_out(double amount, double quantum) noexcept nogil:
    """An amount the pool pays, rounded down to whole quanta (no rounding if quantum is 0)."""
    return floor(amount / quantum) * quantum if quantum > 0.0 else amount


cdef inline double charge(double amount, double quantum) noexcept nogil:
    """An amount the pool charges, rounded up to whole quanta (no rounding if quantum is 0)."""
    return ceil(amount / quantum) * quantum if quantum > 0.0 else amount


cdef class Pool:
    """A constant-product pool of token (x) against USDT (y).

    Side convention as in the order book: side +1 buys tokens (pays USDT), side -1 sells tokens
    (receives USDT). A new pool is empty; the first `add_liquidity` sets its price.

    Args:
        fee: fraction of every input kept by the pool, in [0, 1) (default 0.3%).
        quantum: if > 0, every amount the pool pays is rounded down and every amount it charges
            rounded up to a whole number of quanta, and deposits are taken whole. A venue that
            keeps balances in integer units uses quantum=1 so the reserves stay whole numbers
            and its books balance exactly. k still never decreases.
    """
    def __init__(self, fee=0.003, quantum=0.0):
        if isinstance(fee, bool) or not isinstance(fee, (int, float, np.integer, np.floating)):
            raise TypeError(f"fee must be a number in [0, 1), got {fee!r}")
        if not (0.0 <= fee < 1.0):
            raise ValueError(f"fee must be in [0, 1), got {fee!r}")
        self.fee = fee
        if isinstance(quantum, bool) or not isinstance(quantum, (int, float, np.integer, np.floating)):
            raise TypeError(f"quantum must be a number >= 0, got {quantum!r}")
        if not (0.0 <= quantum < INFINITY):
            raise ValueError(f"quantum must be a finite number >= 0, got {quantum!r}")
        self.quantum = quantum

    def __reduce__(self):
        return (_restore_pool, (self.fee, self.token_reserve, self.usdt_reserve, self.total_shares,
                                self.quantum))

    def __repr__(self):
        return (f"Pool(token={self.token_reserve:.6g}, usdt={self.usdt_reserve:.6g}, "
                f"fee={self.fee}, shares={self.total_shares:.6g})")

    @property
    def k(self):
        """The invariant x*y."""
        return self.token_reserve * self.usdt_reserve

    cdef int need_reserves(self) except -1:
        if not (self.token_reserve > 0.0 and self.usdt_reserve > 0.0):
            raise ValueError("the pool has zero reserves: add liquidity first")
        return 0

    cdef (double, double) reserves(self, int8_t side) noexcept:
        """(reserve paid into, reserve paid out of) for a trade on `side`."""
        if side > 0:
            return self.usdt_reserve, self.token_reserve
        return self.token_reserve, self.usdt_reserve

    cdef void settle(self, int8_t side, double a_in, double a_out) noexcept:
        if side > 0:
            self.usdt_reserve += a_in
            self.token_reserve -= a_out
        else:
            self.token_reserve += a_in
            self.usdt_reserve -= a_out

    def spot_price(self):
        """USDT per token, y/x."""
        self.need_reserves()
        return self.usdt_reserve / self.token_reserve

    # -- swaps ---------------------------------------------------------------------------------
    def quote_exact_in(self, side, amount_in):
        """What `swap_exact_in` would pay out, without trading."""
        cdef int8_t sd = side_arg(side)
        return self.quote_in(sd, number_arg(amount_in, "amount_in"))

    cdef double quote_in(self, int8_t side, double amount_in) except? -1.0:
        """`quote_exact_in` on checked arguments (side +1 or -1, a finite amount > 0)."""
        cdef double r_in, r_out, out
        self.need_reserves()
        r_in, r_out = self.reserves(side)
        out = pay_out(out_given_in(amount_in, r_in, r_out, 1.0 - self.fee), self.quantum)
        if isnan(out):
            raise ValueError(f"amount_in {amount_in!r} is too large for the pool "
                             f"(float64 overflow)")
        return out

    def swap_exact_in(self, side, amount_in):
        """Pay exactly `amount_in` (USDT if side is +1, tokens if -1); returns the amount out."""
        cdef int8_t sd = side_arg(side)
        return self.swap_in(sd, number_arg(amount_in, "amount_in"))

    cdef double swap_in(self, int8_t side, double amount_in) except? -1.0:
        """`swap_exact_in` on checked arguments."""
        cdef double out = self.quote_in(side, amount_in)
        self.settle(side, amount_in, out)
        return out

    def quote_exact_out(self, side, amount_out):
        """What `swap_exact_out` would charge, without trading."""
        cdef int8_t sd = side_arg(side)
        return self.quote_out(sd, number_arg(amount_out, "amount_out"))

    cdef double quote_out(self, int8_t side, double amount_out) except? -1.0:
        """`quote_exact_out` on checked arguments (side +1 or -1, a finite amount > 0)."""
        cdef double r_in, r_out, a_in
        self.need_reserves()
        r_in, r_out = self.reserves(side)
        if amount_out >= r_out:
            raise ValueError(f"amount_out must be below the pool's "
                             f"{'token' if side > 0 else 'USDT'} reserve {r_out!r}, "
                             f"got {amount_out!r}")
        a_in = charge(in_given_out(amount_out, r_in, r_out, 1.0 - self.fee), self.quantum)
        if isnan(a_in):
            raise ValueError(f"amount_out {amount_out!r} is too close to the reserve "
                             f"(float64 overflow)")
        return a_in

    def swap_exact_out(self, side, amount_out):
        """Receive exactly `amount_out` (tokens if side is +1, USDT if -1); returns the amount in."""
        cdef int8_t sd = side_arg(side)
        return self.swap_out(sd, number_arg(amount_out, "amount_out"))

    cdef double swap_out(self, int8_t side, double amount_out) except? -1.0:
        """`swap_exact_out` on checked arguments."""
        cdef double a_in = self.quote_out(side, amount_out)
        self.settle(side, a_in, amount_out)
        return a_in

    def swap_exact_in_batch(self, sides, amounts_in):
        """Run many exact-in swaps in order in one compiled loop; returns the amounts out.

        Every entry is checked before the first swap, so bad input leaves the pool unchanged.
        """
        sd = int_array(sides, "sides", -1, 1)
        a = positive_array(amounts_in, "amounts_in")
        if sd.shape[0] != a.shape[0]:
            raise ValueError(f"sides and amounts_in must have the same length, got "
                             f"{sd.shape[0]} and {a.shape[0]}")
        if np.any(sd == 0):
            raise ValueError(f"sides[{int(np.flatnonzero(sd == 0)[0])}] must be +1 (buy) or -1 (sell), got 0")
        if sd.shape[0]:
            self.need_reserves()
        out = np.empty(a.shape[0], dtype=np.float64)
        cdef const int64_t[:] sv = sd
        cdef const double[:] av = a
        cdef double[:] ov = out
        cdef double g = 1.0 - self.fee, x = self.token_reserve, y = self.usdt_reserve, o
        cdef double q = self.quantum
        cdef Py_ssize_t i, bad = -1
        with nogil:
            for i in range(sv.shape[0]):
                if sv[i] > 0:
                    o = pay_out(out_given_in(av[i], y, x, g), q)
                    y += av[i]
                    x -= o
                else:
                    o = pay_out(out_given_in(av[i], x, y, g), q)
                    x += av[i]
                    y -= o
                if isnan(o):
                    bad = i
                    break
                ov[i] = o
        if bad >= 0:
            raise ValueError(f"amounts_in[{bad}] = {a[bad]!r} is too large for the pool "
                             f"(float64 overflow); no swap was made")
        self.token_reserve = x
        self.usdt_reserve = y
        return out

    def trade_to_price(self, target_price):
        """The exact-in trade that moves the spot price to `target_price` (USDT per token).

        Returns (side, amount_in): side +1 pays `amount_in` USDT, -1 pays `amount_in` tokens;
        (0, 0.0) if the pool is already there. Closed form: solving
        (y + a)(y + g a) = P x y for a USDT-in trade (g = 1 - fee), and
        (x + a)(x + g a) = x y / P for a token-in one; the stable root of each quadratic.
        An arbitrageur facing an outside price P targets P*(1-fee) or P/(1-fee) to cover fees.
        """
        cdef int8_t side
        cdef double a = self.trade_to(number_arg(target_price, "target_price"), &side)
        if side == 0:
            return 0, 0.0
        return side, a

    cdef double trade_to(self, double target_price, int8_t* side) except? -1.0:
        """`trade_to_price` for C callers: the amount in, its side written to `side` (0 and 0.0
        if the pool is already there). The same checks and errors."""
        cdef double P = target_price
        if not (P > 0.0 and P < INFINITY):
            positive_arg(P, "target_price")             # raises, naming the field
        self.need_reserves()
        cdef double x = self.token_reserve, y = self.usdt_reserve, g = 1.0 - self.fee
        cdef double spot = y / x, r, c, b, a
        cdef int8_t sd
        side[0] = 0
        if P == spot:
            return 0.0
        if P > spot:
            r, c = y, y * (y - P * x)
            sd = 1
        else:
            r, c = x, x * (x - y / P)
            sd = -1
        b = (1.0 + g) * r
        a = -2.0 * c / (b + sqrt(b * b - 4.0 * g * c))
        if not (a > 0.0):  # P is within rounding of the spot price
            return 0.0
        side[0] = sd
        return a

    # -- liquidity -----------------------------------------------------------------------------
    def add_liquidity(self, token_max, usdt_max):
        """Deposit at the pool's ratio, using as much of both maxima as that ratio allows.

        The first deposit sets the price and mints sqrt(token * usdt) shares; later ones mint
        shares pro rata. Returns (token_used, usdt_used, shares_minted).
        """
        cdef double tx = number_arg(token_max, "token_max")
        cdef double ty = number_arg(usdt_max, "usdt_max")
        cdef double r, shares
        if self.total_shares == 0.0:
            shares = sqrt(tx * ty)
            self.token_reserve, self.usdt_reserve, self.total_shares = tx, ty, shares
            return tx, ty, shares
        r = min(tx / self.token_reserve, ty / self.usdt_reserve)
        if self.quantum == 0.0:
            tx, ty = r * self.token_reserve, r * self.usdt_reserve
        # with a quantum both amounts are taken whole (the caller sizes them to the ratio) and
        # shares are minted for the smaller side, as Uniswap v2 does: any excess stays pooled
        shares = r * self.total_shares
        self.token_reserve += tx
        self.usdt_reserve += ty
        self.total_shares += shares
        return tx, ty, shares

    def remove_liquidity(self, shares):
        """Burn `shares` for their pro-rata token and USDT; returns (token_out, usdt_out)."""
        cdef double s = number_arg(shares, "shares")
        cdef double f, tx, ty
        if s > self.total_shares:
            raise ValueError(f"shares must be in (0, {self.total_shares!r}] (the shares "
                             f"outstanding), got {s!r}")
        if s == self.total_shares:
            tx, ty = self.token_reserve, self.usdt_reserve
            self.token_reserve = self.usdt_reserve = self.total_shares = 0.0
            return tx, ty
        f = s / self.total_shares
        tx = pay_out(f * self.token_reserve, self.quantum)
        ty = pay_out(f * self.usdt_reserve, self.quantum)
        self.token_reserve -= tx
        self.usdt_reserve -= ty
        self.total_shares -= s
        return tx, ty


def _restore_pool(fee, token_reserve, usdt_reserve, total_shares, quantum=0.0):
    cdef Pool pool = Pool(fee, quantum)
    pool.token_reserve = token_reserve
    pool.usdt_reserve = usdt_reserve
    pool.total_shares = total_shares
    return pool
