"""OTC call options between the project and the market maker: pricing, volatility, settlement.

The MM hedges the delta of the project's calls and scalps their gamma, so it needs Black–Scholes
greeks that stay finite at expiry and at zero vol, a vol estimated from the simulated market
(EWMA), and an exercise that settles through the wallets all-or-nothing, exact to the unit.
numpy and math only: the normal CDF is W. J. Cody's erfc (Math. Comp. 1969; netlib CALERF),
vectorised, within a few ulp and relatively accurate in the tails (deep OTM is not rounded to 0).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from mmabm.venues import units
from mmabm.venues.wallets import InsufficientFunds, Wallets

__all__ = ["CallOption", "EwmaVolatility", "ExerciseError", "Greeks", "bs_greeks", "bs_price",
           "norm_cdf"]

# Cody's coefficients: erf on |x| <= 0.46875 (A/B), erfc on (0.46875, 4] (C/D) and beyond (P/Q)
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_ERFC_ZERO = 27.0       # erfc(y) < 6e-319 beyond: 0 to double precision (Cody's XBIG is 26.543)
_D_MAX = 40.0           # |d| beyond which N(d) is exactly 0 or 1 and n(d) is 0 in float64
_T_MAX, _R_MAX = 100.0, 1.0   # years; rate per year. Also catches T passed in minutes.
_TIME = "a finite time in model clock units"


def _erfc_nonneg(y: np.ndarray) -> np.ndarray:
    """erfc(y) for y >= 0 (or +inf); each branch runs on clipped input so none overflows."""
    if y.size <= 16:        # ~60 numpy calls cost more than libm's erfc (just as accurate) here
        return np.array([math.erfc(v) for v in y.flat]).reshape(y.shape)
    y1 = np.minimum(y, 0.46875)
    s = y1 * y1
    num, den = _A[4] * s, s
    for a, b in zip(_A[:3], _B[:3]):
        num, den = (num + a) * s, (den + b) * s
    near = 1.0 - y1 * (num + _A[3]) / (den + _B[3])
    y2 = np.clip(y, 0.46875, 4.0)
    num, den = _C[8] * y2, y2
    for c, d in zip(_C[:7], _D[:7]):
        num, den = (num + c) * y2, (den + d) * y2
    mid = (num + _C[7]) / (den + _D[7])
    y3 = np.clip(y, 4.0, _ERFC_ZERO)
    s = 1.0 / (y3 * y3)
    num, den = _P[5] * s, s
    for p, q in zip(_P[:4], _Q[:4]):
        num, den = (num + p) * s, (den + q) * s
    far = (1.0 / math.sqrt(math.pi) - s * (num + _P[4]) / (den + _Q[4])) / y3
    yc = np.where(y <= 4.0, y2, y3)
    ysq = np.trunc(yc * 16.0) / 16.0        # exp(-y^2) split so its relative error stays ~1 ulp
    tail = np.exp(-ysq * ysq) * np.exp(-(yc - ysq) * (yc + ysq)) * np.where(y <= 4.0, mid, far)
    return np.where(y <= 0.46875, near, np.where(y > _ERFC_ZERO, 0.0, tail))


def _ncdf_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N(x), N(-x)) from one erfc, each accurate in its own tail (call under errstate)."""
    half = 0.5 * _erfc_nonneg(np.abs(x) / math.sqrt(2.0))     # the smaller of the two
    return np.where(x <= 0.0, half, 1.0 - half), np.where(x <= 0.0, 1.0 - half, half)


def _ncdf(x: float) -> float:
    """N(x) for one float, as `_ncdf_pair` computes it."""
    half = 0.5 * math.erfc(abs(x) / math.sqrt(2.0))
    return half if x <= 0.0 else 1.0 - half


def norm_cdf(x: ArrayLike) -> np.ndarray | float:
    """Standard normal CDF, vectorised; relative accuracy in the lower tail down to ~1e-300."""
    with np.errstate(under="ignore"):
        return _ncdf_pair(np.asarray(x, dtype=float))[0][()]


@dataclass(frozen=True)
class Greeks:
    """Price and sensitivities: delta per token, vega per 1.00 of vol, theta per year (dV/dt)."""
    price: np.ndarray | float
    delta: np.ndarray | float
    gamma: np.ndarray | float
    vega: np.ndarray | float
    theta: np.ndarray | float


def _array(value: object, name: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None


_RULES = {"S": ("finite and > 0", lambda a: np.isfinite(a) & (a > 0)),
          "K": ("finite and > 0", lambda a: np.isfinite(a) & (a > 0)),
          "T": (f"in [0, {_T_MAX:g}] years", lambda a: (a >= 0) & (a <= _T_MAX)),
          "sigma": ("finite and >= 0", lambda a: np.isfinite(a) & (a >= 0)),
          "r": (f"in [-{_R_MAX:g}, {_R_MAX:g}] per year", lambda a: np.abs(a) <= _R_MAX)}


def _inputs(kind: str, **named: ArrayLike) -> tuple[np.ndarray, ...]:
    """The inputs as float arrays broadcast together; ValueError naming the first bad one."""
    if kind not in ("call", "put"):
        raise ValueError(f"kind must be 'call' or 'put', got {kind!r}")
    arrays = []
    for name, value in named.items():
        a, (rule, test) = _array(value, name), _RULES[name]
        ok = np.asarray(test(a))                 # NaN compares False, silently
        if not ok.all():
            raise ValueError(f"{name} must be {rule}, got {a[~ok].flat[0]!r}")
        arrays.append(a)
    return tuple(np.broadcast_arrays(*arrays))


def _black_scholes(S: ArrayLike, K: ArrayLike, T: ArrayLike, sigma: ArrayLike, r: ArrayLike,
                   kind: str, greeks: bool):
    """Price (and greeks) with zero volatility-time v = sigma*sqrt(T) handled as a step."""
    S, K, T, sigma, r = _inputs(kind, S=S, K=K, T=T, sigma=sigma, r=r)
    # under: tails round to 0, harmlessly. over: only m / vs (clipped next), and greeks at an
    # absurdly small sigma*sqrt(T) at the money (inf, the true limit); pdf == 0 never meets inf
    with np.errstate(under="ignore", over="ignore"):
        kd = K * np.exp(-r * T)                          # discounted strike
        v = sigma * np.sqrt(T)
        live = v > 0
        vs = np.where(live, v, 1.0)
        m = np.log(S) - np.log(K) + r * T                # log(S / kd) without overflow
        step = np.sign(S - kd) * _D_MAX                  # v == 0: d = +-inf, or 0 at the money
        d1 = np.where(live, np.clip(m / vs + 0.5 * vs, -_D_MAX, _D_MAX), step)
        d2 = np.where(live, np.clip(m / vs - 0.5 * vs, -_D_MAX, _D_MAX), step)
        (n1, n2), (m1, m2) = _ncdf_pair(np.stack((d1, d2)))     # N(d1), N(d2); N(-d1), N(-d2)
        if kind == "call":
            price = np.clip(S * n1 - kd * n2, np.maximum(S - kd, 0.0), S)
        else:
            price = np.clip(kd * m2 - S * m1, np.maximum(kd - S, 0.0), kd)
        if not greeks:
            return price[()]
        pdf = np.exp(-0.5 * d1 * d1) / math.sqrt(2.0 * math.pi)  # |d1| <= 40: no overflow
        delta = n1 if kind == "call" else -m1
        gamma = np.where(live, pdf / S / vs, 0.0)              # step by step: never 0/0
        vega = S * pdf * np.sqrt(T)                            # sigma == 0 at the money: one-sided
        decay = np.where(live, -0.5 * S * pdf * vs / np.where(T > 0, T, 1.0), 0.0)
        carry = -r * kd * n2 if kind == "call" else r * kd * m2
        theta = np.where(T > 0, decay + carry, 0.0)
    return Greeks(price[()], delta[()], gamma[()], vega[()], theta[()])


def bs_price(S: ArrayLike, K: ArrayLike, T: ArrayLike, sigma: ArrayLike, r: ArrayLike = 0.0,
             kind: str = "call") -> np.ndarray | float:
    """Black–Scholes price of a European call or put on a non-paying token, broadcast over inputs.

    T in years (<= 100, which also catches a clock in minutes), sigma annual, r a continuous
    rate. T == 0 or sigma == 0 give the discounted intrinsic value max(S - K e^{-rT}, 0).
    """
    return _black_scholes(S, K, T, sigma, r, kind, greeks=False)


def bs_greeks(S: ArrayLike, K: ArrayLike, T: ArrayLike, sigma: ArrayLike, r: ArrayLike = 0.0,
              kind: str = "call") -> Greeks:
    """Price, delta, gamma, vega and theta (per year of calendar time), broadcast over inputs.

    Where sigma*sqrt(T) == 0 delta is a step (1 above K e^{-rT}, 0 below, 0.5 at it) and gamma 0;
    at T == 0 vega and theta are 0 as well.
    """
    return _black_scholes(S, K, T, sigma, r, kind, greeks=True)


def _number(value: object, name: str, rule: str = "a finite number > 0",
            ok: Callable[[float], bool] = lambda x: math.isfinite(x) and x > 0) -> float:
    """`value` as a float if it is a real number satisfying `ok`; else ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not ok(float(value)):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return float(value)


class EwmaVolatility:
    """Zero-mean EWMA (RiskMetrics) of squared log returns: var <- lam*var + (1-lam)*r^2.

    Zero mean because at one-minute steps the drift is noise; the first price only sets the base.
    """

    def __init__(self, *, periods_per_year: float, halflife: float | None = None,
                 lam: float | None = None, initial_vol: float = 0.0) -> None:
        self.periods_per_year = _number(periods_per_year, "periods_per_year")
        if (halflife is None) == (lam is None):
            raise ValueError("give exactly one of halflife (observations) and lam (decay)")
        if halflife is not None:
            lam = 0.5 ** (1.0 / _number(halflife, "halflife"))
        self.lam = _number(lam, "lam", "a number in [0, 1)", lambda x: 0 <= x < 1)
        vol = _number(initial_vol, "initial_vol", "a finite number >= 0",
                      lambda x: math.isfinite(x) and x >= 0)
        self.variance = vol * vol / self.periods_per_year           # per observation
        self.last_price: float | None = None
        self.count = 0                                             # returns seen

    @property
    def annual_vol(self) -> float:
        """Annualised volatility, sqrt(variance * periods_per_year)."""
        return math.sqrt(self.variance * self.periods_per_year)

    def update(self, price: float) -> float:
        """Take the next price (scalar fast path, one call per simulation step); returns the vol."""
        price = _number(price, "price")
        if self.last_price is not None:
            ret = math.log(price / self.last_price)
            self.variance = self.lam * self.variance + (1.0 - self.lam) * ret * ret
            self.count += 1
        self.last_price = price
        return self.annual_vol

    def update_many(self, prices: ArrayLike) -> float:
        """Take prices in order (vectorised: weights lam^k on squared returns); returns annual vol.

        All prices are checked first, so a bad one leaves the estimator unchanged.
        """
        p = _array(prices, "prices").ravel()
        ok = np.isfinite(p) & (p > 0)
        if not np.all(ok):
            i = int(np.argmin(ok))
            raise ValueError(f"prices must be finite and > 0, got {p[i]!r} at index {i}")
        if p.size == 0:
            return self.annual_vol
        logs = np.log(p)
        if self.last_price is not None:
            logs = np.concatenate(([math.log(self.last_price)], logs))
        ret = np.diff(logs)
        n = ret.size
        with np.errstate(under="ignore"):
            weights = (1.0 - self.lam) * np.power(self.lam, np.arange(n - 1, -1, -1, dtype=float))
            self.variance = self.lam ** n * self.variance + float(np.dot(weights, ret * ret))
        self.last_price = float(p[-1])
        self.count += n
        return self.annual_vol


class ExerciseError(ValueError):
    """An exercise outside the option's window, or of an option already exercised."""


@dataclass
class CallOption:
    """OTC call: `holder` may buy `quantity_tokens` from `writer` at `strike` USDT per token.

    `expiry` and `t_now` are in model clock units (e.g. minutes). European options are exercisable
    in [expiry, expiry + grace], American ones up to expiry + grace; grace defaults to infinity
    (exercise any time after expiry), which gives the holder a free look after expiry: set it to
    one step to close that. value/delta/intrinsic are for the whole contract (USDT, tokens).
    """
    writer: int
    holder: int
    strike: float
    quantity_tokens: float
    expiry: float
    american: bool = False
    exercised: bool = False
    grace: float = math.inf

    def __post_init__(self) -> None:
        for name in ("writer", "holder"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an agent id (an int >= 0), got {value!r}")
        if self.writer == self.holder:
            raise ValueError(f"holder must differ from writer, both are {self.writer!r}")
        self.settlement_units()                       # strike and quantity are whole units
        _number(self.expiry, "expiry", _TIME, math.isfinite)
        _number(self.grace, "grace", "a time >= 0 (or inf)", lambda x: x >= 0)

    @staticmethod
    def _whole(value: float, unit: float, name: str) -> int:
        whole = round(_number(value, name) / unit)
        if whole < 1 or abs(value / unit - whole) > 1e-9 * max(1.0, whole):
            raise ValueError(f"{name} must be a positive whole number of {unit:g} units, "
                             f"got {value!r}")
        return whole

    def settlement_units(self) -> tuple[int, int]:
        """(USDT units the holder pays, token units the writer delivers) at exercise.

        USDT = strike_units * token_units / 10^6 exactly in integers, rounded up when a fraction
        of a unit remains (at most 1e-6 USDT, in the writer's favour: it never gets less than
        strike x quantity). The project's tranches (1.25 / 1.50 / 2.00 x 100k) are exact.
        """
        strike_units = self._whole(self.strike, units.USDT_UNIT, "strike")
        token_units = self._whole(self.quantity_tokens, units.TOKEN_UNIT, "quantity_tokens")
        return -(-strike_units * token_units // round(1.0 / units.TOKEN_UNIT)), token_units

    def intrinsic(self, spot: ArrayLike) -> np.ndarray | float:
        """Payoff of exercising now: quantity x max(spot - strike, 0) USDT."""
        return (self.quantity_tokens * np.maximum(np.asarray(spot, float) - self.strike, 0))[()]

    def should_exercise(self, spot: float) -> bool:
        """In the money (spot > strike): exercising then is worth more than letting it lapse."""
        return bool(spot > self.strike)

    def is_live(self, t_now: float) -> bool:
        """Not exercised and not past the exercise window."""
        return not self.exercised and t_now <= self.expiry + self.grace

    def value(self, spot: ArrayLike, t_now: float, sigma: ArrayLike, periods_per_year: float,
              r: float = 0.0) -> np.ndarray | float:
        """Contract value in USDT: Black–Scholes, intrinsic from expiry, 0 once exercised or
        lapsed. American is priced as European: with no dividends and r >= 0 early exercise
        never pays."""
        return self.greeks(spot, t_now, sigma, periods_per_year, r).price

    def delta(self, spot: ArrayLike, t_now: float, sigma: ArrayLike, periods_per_year: float,
              r: float = 0.0) -> np.ndarray | float:
        """Contract delta in tokens (quantity x N(d1)): what the holder shorts to be neutral."""
        return self.greeks(spot, t_now, sigma, periods_per_year, r).delta

    def scalar_delta(self, spot: float, t_now: float, sigma: float, periods_per_year: float) -> float:
        """`delta` for one spot at r = 0 in plain floats (a few µs, against ~100 µs for the
        vectorised greeks): what the market maker's hedge asks for every few minutes."""
        if not self.is_live(t_now) or not (spot > 0 and math.isfinite(spot)):
            return 0.0
        v = max(sigma, 0.0) * math.sqrt(max(self.expiry - t_now, 0.0) / periods_per_year)
        if v <= 0.0:
            return self.quantity_tokens * (1.0 if spot > self.strike else
                                           0.5 if spot == self.strike else 0.0)
        d1 = math.log(spot / self.strike) / v + 0.5 * v
        return self.quantity_tokens * 0.5 * math.erfc(-d1 / math.sqrt(2.0))

    def scalar_value_delta(self, spot: float, t_now: float, sigma: float,
                           periods_per_year: float) -> tuple[float, float]:
        """(`value`, `delta`) for one spot at r = 0 in plain floats, the formulas of the
        vectorised greeks step by step (equal to them within a few ulps: libm's exp and log
        where numpy has its own): what the hourly row records."""
        if not self.is_live(t_now) or not (spot > 0 and math.isfinite(spot)):
            return 0.0, 0.0
        strike = self.strike
        v = max(sigma, 0.0) * math.sqrt(max(self.expiry - t_now, 0.0) / periods_per_year)
        if v > 0.0:
            m = math.log(spot) - math.log(strike)
            d1 = min(max(m / v + 0.5 * v, -_D_MAX), _D_MAX)
            d2 = min(max(m / v - 0.5 * v, -_D_MAX), _D_MAX)
        else:                                   # a step: N(+-inf), or N(0) at the money
            d1 = d2 = (1.0 if spot > strike else -1.0 if spot < strike else 0.0) * _D_MAX
        n1, n2 = _ncdf(d1), _ncdf(d2)
        price = min(max(spot * n1 - strike * n2, max(spot - strike, 0.0)), spot)
        return self.quantity_tokens * price, self.quantity_tokens * n1

    def greeks(self, spot: ArrayLike, t_now: float, sigma: ArrayLike, periods_per_year: float,
               r: float = 0.0) -> Greeks:
        """bs_greeks for the whole contract (x quantity), T = (expiry - t_now) / periods_per_year
        floored at 0; all zero once exercised or lapsed."""
        ppy = _number(periods_per_year, "periods_per_year")
        _number(t_now, "t_now", _TIME, math.isfinite)
        g = bs_greeks(spot, self.strike, max(self.expiry - t_now, 0.0) / ppy, sigma, r)
        scale = self.quantity_tokens if self.is_live(t_now) else 0.0
        return Greeks(*((scale * np.asarray(x))[()] for x in
                        (g.price, g.delta, g.gamma, g.vega, g.theta)))

    def exercise(self, wallets: Wallets, t_now: float) -> tuple[int, int]:
        """Settle: holder pays strike x quantity USDT to the writer, writer delivers the tokens.

        All or nothing: both sides are checked before anything moves (InsufficientFunds, state
        unchanged). Exercising out of the money is allowed (the holder's choice). Returns the
        (USDT units, token units) moved.
        """
        if self.exercised:
            raise ExerciseError("option already exercised (exercised is True)")
        _number(t_now, "t_now", _TIME, math.isfinite)
        opens = -math.inf if self.american else self.expiry
        if not opens <= t_now <= self.expiry + self.grace:
            raise ExerciseError(f"t_now must be in [{opens}, {self.expiry + self.grace}] for this "
                                f"{'American' if self.american else 'European'} option, got "
                                f"{t_now!r}")
        pay, deliver = self.settlement_units()
        for who, book, need, what in ((self.holder, wallets.usdt, pay, "USDT"),
                                      (self.writer, wallets.tokens, deliver, "token")):
            if book.get(who, 0) < need:
                raise InsufficientFunds(f"owner {who} holds {book.get(who, 0)} {what} units, "
                                        f"exercise needs {need}")
        wallets.transfer(self.holder, self.writer, usdt_units=pay)
        try:
            wallets.transfer(self.writer, self.holder, token_units=deliver)
        except Exception:
            wallets.transfer(self.writer, self.holder, usdt_units=pay)   # roll back
            raise
        self.exercised = True
        return pay, deliver
