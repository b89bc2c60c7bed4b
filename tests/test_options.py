"""Tests of mmabm.venues.options: Black–Scholes price and greeks, the normal CDF, the EWMA vol
estimator and OTC call settlement through the wallets.

Greeks are checked against central finite differences of bs_price; tolerances are relative
plus the rounding error of the difference quotient (a missing factor or sign is far off). Every
warning is an error here, and the edge-case tests also turn numpy's overflow/divide/invalid
flags into exceptions, so "no warnings, no NaN" at T = 0, sigma = 0 and deep ITM/OTM is checked.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmabm.venues.options import (
    CallOption,
    EwmaVolatility,
    ExerciseError,
    bs_greeks,
    bs_price,
    norm_cdf,
)
from mmabm.venues.wallets import InsufficientFunds, Wallets
from budget import examples

pytestmark = pytest.mark.filterwarnings("error")
SETTINGS = settings(max_examples=examples(200), deadline=None, derandomize=True)
STRICT = dict(over="raise", divide="raise", invalid="raise")

SPOTS = st.floats(0.2, 5.0)
STRIKES = st.floats(0.5, 3.0)
TIMES = st.floats(0.02, 2.0)
VOLS = st.floats(0.05, 2.0)
RATES = st.floats(-0.05, 0.1)
KINDS = st.sampled_from(["call", "put"])


# -- normal CDF ---------------------------------------------------------------------------------
def test_norm_cdf_matches_math_erf_on_a_grid():
    x = np.linspace(-38.0, 38.0, 152_001)
    got = norm_cdf(x)
    via_erfc = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])
    via_erf = np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x])
    assert np.max(np.abs(got - via_erf)) <= 1e-15
    assert np.max(np.abs(got - via_erfc)) <= 1e-15
    tail = via_erfc > 1e-300                       # relative accuracy where it matters: OTM tails
    assert np.max(np.abs(got - via_erfc)[tail] / via_erfc[tail]) <= 1e-14
    assert norm_cdf(-np.inf) == 0.0 and norm_cdf(np.inf) == 1.0 and norm_cdf(0.0) == 0.5


# -- Black–Scholes ------------------------------------------------------------------------------
def test_textbook_values():
    assert bs_price(100.0, 100.0, 1.0, 0.2) == pytest.approx(7.965567455405804, rel=1e-13)
    # Hull's example: S=42, K=40, T=0.5, r=10%, sigma=20% -> call 4.76, put 0.81
    assert bs_price(42.0, 40.0, 0.5, 0.2, 0.1) == pytest.approx(4.759422392871532, rel=1e-12)
    assert bs_price(42.0, 40.0, 0.5, 0.2, 0.1, "put") == pytest.approx(0.808599372900092,
                                                                      rel=1e-12)
    g = bs_greeks(100.0, 100.0, 1.0, 0.2)
    assert g.delta == pytest.approx(0.539827837277029, rel=1e-13)        # N(0.1)
    assert g.vega == pytest.approx(100.0 * math.exp(-0.005) / math.sqrt(2 * math.pi), rel=1e-13)


@SETTINGS
@given(SPOTS, STRIKES, TIMES, VOLS, RATES, KINDS)
def test_greeks_match_finite_differences(S, K, T, sigma, r, kind):
    g = bs_greeks(S, K, T, sigma, r, kind)

    def price(s=S, t=T, v=sigma):
        return bs_price(s, K, t, v, r, kind)

    v = sigma * math.sqrt(T)                                  # price curvature scale in S
    hs, ht, hv = 1e-4 * S * min(v, 1.0), 1e-4 * T, 1e-4 * sigma
    fd_delta = (price(s=S + hs) - price(s=S - hs)) / (2 * hs)
    hg = 1e-3 * S * min(v, 1.0)
    fd_gamma = (price(s=S + hg) - 2 * price() + price(s=S - hg)) / hg ** 2
    fd_vega = (price(v=sigma + hv) - price(v=sigma - hv)) / (2 * hv)
    fd_theta = -(price(t=T + ht) - price(t=T - ht)) / (2 * ht)
    ulp = 4e-16 * (S + K)                  # rounding in a price; the FD divides it by h (h^2)
    assert g.price == price()
    assert g.delta == pytest.approx(fd_delta, rel=1e-6, abs=10 * ulp / hs)
    assert g.gamma == pytest.approx(fd_gamma, rel=1e-5, abs=10 * ulp / hg ** 2)
    assert g.vega == pytest.approx(fd_vega, rel=1e-6, abs=10 * ulp / hv)
    assert g.theta == pytest.approx(fd_theta, rel=1e-6, abs=10 * ulp / ht)


@SETTINGS
@given(SPOTS, STRIKES, st.floats(0.0, 2.0), st.floats(0.0, 3.0), RATES)
def test_put_call_parity(S, K, T, sigma, r):
    call, put = bs_price(S, K, T, sigma, r), bs_price(S, K, T, sigma, r, "put")
    assert call - put == pytest.approx(S - K * math.exp(-r * T), abs=1e-14 * (S + K))
    gc, gp = bs_greeks(S, K, T, sigma, r), bs_greeks(S, K, T, sigma, r, "put")
    assert gc.delta - gp.delta == pytest.approx(1.0, abs=1e-15)
    assert gc.gamma == gp.gamma and gc.vega == gp.vega
    assert 0.0 <= put and max(S - K * math.exp(-r * T), 0.0) <= call <= S


def test_vectorised_over_strikes_equals_a_loop():
    strikes = np.array([1.25, 1.5, 2.0])
    spots = np.linspace(0.5, 3.0, 11)[:, None]               # (11, 1) x (3,) -> (11, 3)
    prices = bs_price(spots, strikes, 1.5, 0.9, 0.02)
    greeks = bs_greeks(spots, strikes, 1.5, 0.9, 0.02, "put")
    assert prices.shape == greeks.theta.shape == (11, 3)
    for i, s in enumerate(spots[:, 0]):
        for j, k in enumerate(strikes):
            assert prices[i, j] == pytest.approx(bs_price(s, k, 1.5, 0.9, 0.02), rel=1e-14)
            one = bs_greeks(s, k, 1.5, 0.9, 0.02, "put")
            for name in ("price", "delta", "gamma", "vega", "theta"):
                assert getattr(greeks, name)[i, j] == pytest.approx(getattr(one, name),
                                                                    rel=1e-14, abs=1e-300)
    assert isinstance(bs_price(1.0, 1.25, 1.0, 0.8), float)


def test_at_expiry_price_is_intrinsic_and_delta_a_step():
    spots = np.array([0.5, 1.25, 2.0])
    with np.errstate(**STRICT):
        for sigma in (0.0, 0.8):
            g = bs_greeks(spots, 1.25, 0.0, sigma, 0.05)
            p = bs_greeks(spots, 1.25, 0.0, sigma, 0.05, "put")
    np.testing.assert_array_equal(g.price, [0.0, 0.0, 0.75])
    np.testing.assert_array_equal(g.delta, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(p.price, [0.75, 0.0, 0.0])
    np.testing.assert_array_equal(p.delta, [-1.0, -0.5, 0.0])
    for arr in (g.gamma, g.vega, g.theta, p.gamma, p.vega, p.theta):
        np.testing.assert_array_equal(arr, 0.0)


def test_zero_vol_is_the_discounted_forward():
    spots = np.array([0.5, 1.9, 2.0, 3.0])
    r, T = 0.05, 2.0
    kd = 2.0 * math.exp(-r * T)                               # 1.8097...
    with np.errstate(**STRICT):
        g = bs_greeks(spots, 2.0, T, 0.0, r)
        put = bs_price(spots, 2.0, T, 0.0, r, "put")
    np.testing.assert_allclose(g.price, np.maximum(spots - kd, 0.0), rtol=1e-15)
    np.testing.assert_allclose(put, np.maximum(kd - spots, 0.0), rtol=1e-15)
    np.testing.assert_array_equal(g.delta, [0.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(g.gamma, 0.0)
    np.testing.assert_allclose(g.theta, [0.0, -r * kd, -r * kd, -r * kd], rtol=1e-15)
    assert bs_greeks(2.0, 2.0, 1.0, 0.0).delta == 0.5


def test_deep_in_and_out_of_the_money_have_no_overflow_or_nan():
    spots = np.array([1e-8, 1e-3, 1e3, 1e8, 1e300])
    with np.errstate(**STRICT):
        for sigma in (1e-12, 0.01, 0.8, 50.0, 1e200):
            for kind in ("call", "put"):
                g = bs_greeks(spots, 1.0, 1.0, sigma, 0.0, kind)
                for name in ("price", "delta", "gamma", "vega", "theta"):
                    assert np.all(np.isfinite(getattr(g, name))), (sigma, kind, name)
        g = bs_greeks(spots, 1.0, 1.0, 0.3)
    np.testing.assert_allclose(g.delta, [0.0, 0.0, 1.0, 1.0, 1.0], atol=1e-15)
    np.testing.assert_allclose(g.price[2:], spots[2:] - 1.0, rtol=1e-15)
    assert g.price[0] == 0.0 and 0.0 <= g.price[1] < 1e-100
    # deep OTM keeps relative accuracy: N(d1) ~ 2e-30 is not rounded to 0 (as 1 - N(-d1) would)
    deep = bs_greeks(0.2, 2.0, 1.0, 0.2)
    d1 = math.log(0.1) / 0.2 + 0.1
    assert deep.delta == pytest.approx(0.5 * math.erfc(-d1 / math.sqrt(2.0)), rel=1e-13)
    assert 0.0 < deep.price < 1e-31
    assert bs_price(1.0, 1.0, 1.0, 1e200) == 1.0              # infinite vol: worth the token


@pytest.mark.parametrize("field, args", [
    ("S", (0.0, 1.0, 1.0, 0.2)), ("S", (np.array([1.0, np.nan]), 1.0, 1.0, 0.2)),
    ("K", (1.0, -1.0, 1.0, 0.2)), ("K", (1.0, np.inf, 1.0, 0.2)),
    ("T", (1.0, 1.0, -1e-9, 0.2)), ("T", (1.0, 1.0, 525_600.0, 0.2)),
    ("sigma", (1.0, 1.0, 1.0, -0.1)), ("sigma", (1.0, 1.0, 1.0, np.nan)),
    ("r", (1.0, 1.0, 1.0, 0.2, 5.0)), ("S", ("abc", 1.0, 1.0, 0.2)),
])
def test_bad_inputs_name_the_field(field, args):
    with pytest.raises(ValueError, match=rf"^{field} must be"):
        bs_price(*args)
    with pytest.raises(ValueError, match=r"^kind must be"):
        bs_greeks(1.0, 1.0, 1.0, 0.2, kind="straddle")


# -- EWMA volatility ----------------------------------------------------------------------------
def test_ewma_constant_prices_give_zero_vol():
    est = EwmaVolatility(halflife=30, periods_per_year=525_600)
    assert est.update_many(np.full(1000, 1.37)) == 0.0
    decaying = EwmaVolatility(halflife=30, periods_per_year=525_600, initial_vol=0.8)
    decaying.update_many(np.full(3001, 1.37))                 # 100 half-lives
    assert decaying.annual_vol == pytest.approx(0.8 * 0.5 ** 50, rel=1e-9)


def test_ewma_one_return_is_the_log_return():
    est = EwmaVolatility(lam=0.9, periods_per_year=365, initial_vol=0.5)
    assert est.update(1.0) == pytest.approx(0.5, rel=1e-15)  # the first price only sets a base
    est.update(1.1)
    expected = 0.9 * 0.5 ** 2 / 365 + 0.1 * math.log(1.1) ** 2
    assert est.variance == pytest.approx(expected, rel=1e-15) and est.count == 1
    assert est.annual_vol == pytest.approx(math.sqrt(expected * 365), rel=1e-15)


def test_ewma_recovers_gbm_vol():
    rng = np.random.default_rng(20240601)
    sigma, ppy, n = 0.8, 525_600, 200_000
    dt = 1.0 / ppy
    steps = (-0.5 * sigma ** 2 * dt) + sigma * math.sqrt(dt) * rng.standard_normal(n)
    prices = 1.0 * np.exp(np.cumsum(steps))
    est = EwmaVolatility(halflife=10_000, periods_per_year=ppy, initial_vol=0.3)
    est.update(1.0)
    assert est.update_many(prices) == pytest.approx(sigma, rel=0.03)
    assert est.count == n


@settings(max_examples=examples(50), deadline=None, derandomize=True)
@given(st.lists(st.floats(0.01, 100.0), min_size=0, max_size=300), st.floats(0.5, 500.0),
       st.integers(0, 3))
def test_ewma_update_many_equals_repeated_update(prices, halflife, split):
    one = EwmaVolatility(halflife=halflife, periods_per_year=8760, initial_vol=0.6)
    many = EwmaVolatility(halflife=halflife, periods_per_year=8760, initial_vol=0.6)
    for p in prices:
        one.update(p)
    cut = min(split, len(prices))
    many.update_many(prices[:cut])                             # in pieces, any split
    many.update_many(np.array(prices[cut:]))
    assert many.count == one.count and many.last_price == one.last_price
    assert many.variance == pytest.approx(one.variance, rel=1e-11, abs=1e-300)


@pytest.mark.parametrize("kwargs, field", [
    (dict(halflife=0), "halflife"), (dict(halflife=-5), "halflife"),
    (dict(halflife=float("nan")), "halflife"), (dict(lam=1.0), "lam"), (dict(lam=-0.1), "lam"),
    (dict(halflife=10, periods_per_year=0), "periods_per_year"),
    (dict(halflife=10, initial_vol=-0.1), "initial_vol"),
    (dict(halflife=10, lam=0.9), "exactly one"), (dict(), "exactly one"),
])
def test_ewma_bad_construction_names_the_field(kwargs, field):
    kwargs.setdefault("periods_per_year", 525_600)
    with pytest.raises(ValueError, match=field):
        EwmaVolatility(**kwargs)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_ewma_bad_prices_raise_and_change_nothing(bad):
    est = EwmaVolatility(halflife=10, periods_per_year=525_600, initial_vol=0.5)
    est.update_many([1.0, 1.01, 0.99])
    before = (est.variance, est.last_price, est.count)
    with pytest.raises(ValueError, match=r"^price must be"):
        est.update(bad)
    with pytest.raises(ValueError, match=r"^prices must be .* at index 1"):
        est.update_many([1.0, bad, 1.0])
    assert (est.variance, est.last_price, est.count) == before


# -- CallOption ---------------------------------------------------------------------------------
PROJECT, MM = 1, 2
EXPIRY, PPY = 525_600.0, 525_600.0                           # one year, clock in minutes


def funded(usdt=200_000.0, tokens=300_000.0):
    w = Wallets()
    w.mint(PROJECT, tokens=tokens)
    w.mint(MM, usdt=usdt)
    return w


def snapshot(w):
    return {(o, k): book[o] for o in (PROJECT, MM) for k, book in (("u", w.usdt), ("t", w.tokens))}


@pytest.mark.parametrize("strike", [1.25, 1.5, 2.0])
def test_exercise_moves_exact_units_and_conserves(strike):
    w = funded()
    opt = CallOption(writer=PROJECT, holder=MM, strike=strike, quantity_tokens=100_000,
                     expiry=EXPIRY)
    before = snapshot(w)
    pay, deliver = opt.exercise(w, EXPIRY)
    assert pay == round(strike * 100_000 * 1e6) and deliver == 100_000 * 10 ** 6
    after = snapshot(w)
    assert after[(MM, "u")] == before[(MM, "u")] - pay
    assert after[(PROJECT, "u")] == before[(PROJECT, "u")] + pay
    assert after[(PROJECT, "t")] == before[(PROJECT, "t")] - deliver
    assert after[(MM, "t")] == before[(MM, "t")] + deliver
    assert opt.exercised and w.audit() == []
    assert w.balance(MM) == {"usdt": 200_000 - strike * 100_000, "tokens": 100_000}


def test_settlement_rounds_a_fractional_unit_up():
    opt = CallOption(writer=PROJECT, holder=MM, strike=1.000001, quantity_tokens=0.5, expiry=0)
    assert opt.settlement_units() == (500_001, 500_000)        # 0.5000005 USDT -> 500_001 units


@pytest.mark.parametrize("usdt, tokens", [(124_999.999999, 300_000.0), (200_000.0, 99_999.999999)])
def test_exercise_refused_whole_when_either_side_is_short(usdt, tokens):
    w = funded(usdt=usdt, tokens=tokens)
    opt = CallOption(writer=PROJECT, holder=MM, strike=1.25, quantity_tokens=100_000,
                     expiry=EXPIRY)
    before = snapshot(w)
    with pytest.raises(InsufficientFunds):
        opt.exercise(w, EXPIRY)
    assert snapshot(w) == before and not opt.exercised and w.audit() == []


def test_exercise_window_and_double_exercise():
    w = funded()
    euro = CallOption(writer=PROJECT, holder=MM, strike=1.25, quantity_tokens=1000,
                      expiry=EXPIRY)
    with pytest.raises(ExerciseError, match="t_now must be in"):
        euro.exercise(w, EXPIRY - 1)
    euro.exercise(w, EXPIRY + 10)                              # default grace: open after expiry
    before = snapshot(w)
    with pytest.raises(ExerciseError, match="already exercised"):
        euro.exercise(w, EXPIRY + 20)
    amer = CallOption(writer=PROJECT, holder=MM, strike=1.5, quantity_tokens=1000,
                      expiry=EXPIRY, american=True, grace=60)
    with pytest.raises(ExerciseError, match="t_now must be in"):
        amer.exercise(w, EXPIRY + 61)
    assert snapshot(w) == before
    amer.exercise(w, 0.0)                                      # American: any time before expiry
    with pytest.raises(ValueError, match="t_now must be"):
        CallOption(writer=PROJECT, holder=MM, strike=2.0, quantity_tokens=1,
                   expiry=EXPIRY).exercise(w, float("nan"))
    assert w.audit() == []


@pytest.mark.parametrize("kwargs, field", [
    (dict(strike=0.0), "strike"), (dict(strike=1.0000001), "strike"),
    (dict(quantity_tokens=-1.0), "quantity_tokens"), (dict(expiry=float("inf")), "expiry"),
    (dict(holder=PROJECT), "holder"), (dict(writer=-1), "writer"), (dict(grace=-1), "grace"),
])
def test_bad_contract_names_the_field(kwargs, field):
    terms = dict(writer=PROJECT, holder=MM, strike=1.25, quantity_tokens=100_000, expiry=EXPIRY)
    with pytest.raises(ValueError, match=rf"^{field} must"):
        CallOption(**{**terms, **kwargs})


def test_value_and_delta_before_at_and_after_expiry():
    opt = CallOption(writer=PROJECT, holder=MM, strike=1.25, quantity_tokens=100_000,
                     expiry=EXPIRY, grace=60)
    t = EXPIRY / 4                                             # 0.75 years left
    assert opt.value(1.0, t, 0.9, PPY) == pytest.approx(100_000 * bs_price(1.0, 1.25, 0.75, 0.9),
                                                        rel=1e-14)
    assert opt.delta(1.0, t, 0.9, PPY) == pytest.approx(
        100_000 * bs_greeks(1.0, 1.25, 0.75, 0.9).delta, rel=1e-14)
    for when in (EXPIRY, EXPIRY + 30):                          # expired, window still open
        assert opt.value(1.5, when, 0.9, PPY) == pytest.approx(25_000.0, rel=1e-14)
        assert opt.value(1.5, when, 0.9, PPY) == pytest.approx(opt.intrinsic(1.5), rel=1e-14)
        assert opt.delta(1.5, when, 0.9, PPY) == 100_000.0
        assert opt.value(1.0, when, 0.9, PPY) == 0.0 and opt.delta(1.0, when, 0.9, PPY) == 0.0
    assert opt.value(1.5, EXPIRY + 61, 0.9, PPY) == 0.0       # lapsed
    assert opt.delta(1.5, EXPIRY + 61, 0.9, PPY) == 0.0
    assert opt.should_exercise(1.26) and not opt.should_exercise(1.25)
    np.testing.assert_allclose(opt.value(np.array([1.0, 2.0]), t, 0.9, PPY),
                               100_000 * bs_price(np.array([1.0, 2.0]), 1.25, 0.75, 0.9))
    opt.exercise(funded(), EXPIRY)
    assert opt.value(1.5, EXPIRY, 0.9, PPY) == 0.0 and opt.delta(1.5, EXPIRY, 0.9, PPY) == 0.0


@given(spot=st.floats(0.01, 50.0), strike_units=st.integers(100_000, 10_000_000),
       t_now=st.floats(0.0, 600.0), sigma=st.floats(0.0, 5.0))
@settings(max_examples=examples(200), deadline=None)
def test_scalar_delta_equals_the_vectorised_greeks(spot, strike_units, t_now, sigma):
    call = CallOption(writer=1, holder=2, strike=strike_units / 1e6, quantity_tokens=1_000.0,
                      expiry=500.0)
    fast = call.scalar_delta(spot, t_now, sigma, periods_per_year=1_000.0)
    assert fast == pytest.approx(float(call.delta(spot, t_now, sigma, 1_000.0)), rel=1e-9, abs=1e-9)


@given(spot=st.floats(0.01, 50.0), strike_units=st.integers(100_000, 10_000_000),
       t_now=st.floats(0.0, 600.0), sigma=st.floats(0.0, 5.0))
@settings(max_examples=examples(300), deadline=None)
def test_scalar_value_and_delta_equal_the_vectorised_greeks(spot, strike_units, t_now, sigma):
    """The hourly row's plain-float path: the same value and delta as the vectorised greeks
    (lapsed and at-expiry steps included), to a few ulps."""
    call = CallOption(writer=1, holder=2, strike=strike_units / 1e6, quantity_tokens=1_000.0,
                      expiry=500.0)
    value, delta = call.scalar_value_delta(spot, t_now, sigma, periods_per_year=1_000.0)
    g = call.greeks(spot, t_now, sigma, 1_000.0)
    assert value == pytest.approx(float(g.price), rel=1e-12, abs=1e-9)
    assert delta == pytest.approx(float(g.delta), rel=1e-12, abs=1e-9)
