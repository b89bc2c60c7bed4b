"""Quoting ladders meet the contract's depth and spread obligations on a real venue."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mmabm import BUY, SELL
from mmabm.agents.quoting import obligation_ladder
from mmabm.reference.quoting import numpy_ladder
from mmabm.venues import SpotExchange
from budget import examples

TERMS = dict(depth_usd=100_000.0, band=0.02, max_spread=0.001, tick_size=0.0001, lot_size=1.0)


def quoted(mid, **kw):
    terms = TERMS | kw
    ladder = obligation_ladder(mid, **terms)
    v = SpotExchange("main", tick_size=terms["tick_size"], lot_size=terms["lot_size"])
    v.deposit(1, usdt=1e8, tokens=1e8)
    assert (v.replace_ladder(1, BUY, ladder.bid_prices, ladder.bid_lots) > 0).all()
    assert (v.replace_ladder(1, SELL, ladder.ask_prices, ladder.ask_lots) > 0).all()
    return v, ladder


@pytest.mark.parametrize("mid, tick", [(1.0, 0.0001), (0.05, 0.00001), (0.4321, 0.0001), (5.0, 0.0001)])
def test_ladder_meets_depth_and_spread_obligations(mid, tick):
    v, _ = quoted(mid, tick_size=tick)
    assert v.depth_usd(BUY, 0.02) >= 100_000 and v.depth_usd(SELL, 0.02) >= 100_000
    assert v.spread_bps() <= 10.0
    assert abs(v.mid_usd() - mid) / mid < 0.0005


def test_a_tick_too_coarse_for_the_spread_quotes_one_tick_wide():
    v, _ = quoted(0.05)                     # $0.0001 is 20 bps of $0.05: 10 bps is impossible
    assert v.best_ask() - v.best_bid() == 1 and v.spread_bps() > 10
    assert v.depth_usd(BUY) >= 100_000 and v.depth_usd(SELL) >= 100_000


def test_ladder_is_not_wasteful():
    v, ladder = quoted(1.0)
    bid_usd, ask_usd = ladder.notional_usd(0.0001, 1.0)
    assert bid_usd < 110_000 and ask_usd < 110_000          # obligation + 5% margin + rounding


def test_long_inventory_quotes_lower_and_offers_more():
    neutral, long = obligation_ladder(1.0, **TERMS), obligation_ladder(1.0, skew=1.0, **TERMS)
    assert long.bid_prices[0] < neutral.bid_prices[0] and long.ask_prices[0] <= neutral.ask_prices[0]
    assert long.ask_lots.sum() > neutral.ask_lots.sum()
    v, _ = quoted(1.0, skew=1.0)
    assert v.depth_usd(BUY) >= 100_000 and v.spread_bps() <= 10.0


def test_prices_are_strictly_ordered_best_first():
    ladder = obligation_ladder(1.0, levels=25, **TERMS)
    assert np.all(np.diff(ladder.bid_prices) < 0) and np.all(np.diff(ladder.ask_prices) > 0)
    assert ladder.bid_prices[0] < ladder.ask_prices[0]


@pytest.mark.parametrize("kw, match", [
    (dict(depth_usd=-1.0), "depth_usd"), (dict(band=0.9), "band"), (dict(max_spread=0.05), "max_spread"),
    (dict(levels=0), "levels"), (dict(skew=2.0), "skew"),
])
def test_bad_terms_are_named(kw, match):
    with pytest.raises(ValueError, match=match):
        obligation_ladder(1.0, **(TERMS | kw))


@settings(max_examples=examples(2_000), deadline=None)
@given(mid=st.floats(1e-6, 1e5), depth=st.floats(1.0, 1e8), band=st.floats(1e-4, 0.5),
       spread=st.floats(1e-5, 1.0), tick=st.sampled_from([1e-8, 1e-6, 1e-5, 0.0001, 0.001, 0.01]),
       lot=st.sampled_from([0.01, 1.0, 10.0, 1000.0]), levels=st.integers(1, 100),
       margin=st.floats(0.0, 1.0), skew=st.floats(-1.0, 1.0))
def test_ladder_is_the_numpy_ladder_exactly(mid, depth, band, spread, tick, lot, levels, margin,
                                            skew):
    """Plain float arithmetic gives the very arrays numpy gave, dtype included."""
    terms = dict(depth_usd=depth, band=band, max_spread=min(spread, band), tick_size=tick,
                 lot_size=lot, levels=levels, margin=margin, skew=skew)
    assume(mid * (1 + band) / tick < 2**53)
    ladder = obligation_ladder(mid, **terms)
    got = (ladder.bid_prices, ladder.bid_lots, ladder.ask_prices, ladder.ask_lots)
    for mine, reference in zip(got, numpy_ladder(mid, **terms)):
        assert mine.dtype == reference.dtype == np.int64
        np.testing.assert_array_equal(mine, reference)
    assert ladder.totals(tick, lot) == (*ladder.notional_usd(tick, lot),
                                        float(ladder.ask_lots.sum()), int(ladder.bid_lots.min()),
                                        int(ladder.ask_lots.min()))


@pytest.mark.parametrize("mid", [1.0, 0.4321, 0.05, 0.0123, 2.5])
@pytest.mark.parametrize("skew", [-1.0, -0.3, 0.0, 0.7, 1.0])
def test_ladder_is_the_numpy_ladder_on_the_scenario_terms(mid, skew):
    terms = TERMS | dict(levels=10, skew=skew)
    ladder = obligation_ladder(mid, **terms)
    for mine, reference in zip((ladder.bid_prices, ladder.bid_lots, ladder.ask_prices,
                                ladder.ask_lots), numpy_ladder(mid, **terms)):
        np.testing.assert_array_equal(mine, reference)


def test_a_price_beyond_the_tick_range_is_named():
    with pytest.raises(ValueError, match="mid_usd / tick_size"):
        obligation_ladder(1e300, **TERMS)


@pytest.mark.parametrize("lean", [0.0, 0.25, 2.0])
def test_a_full_skew_moves_the_centre_by_lean_spreads_and_a_bad_lean_is_named(lean):
    mid = 1.0
    even, long = (obligation_ladder(mid, **TERMS, skew=s, lean=lean) for s in (0.0, 1.0))
    centre = (long.bid_prices[0] + long.ask_prices[0]) / 2 * TERMS["tick_size"]
    even_centre = (even.bid_prices[0] + even.ask_prices[0]) / 2 * TERMS["tick_size"]
    # prices are whole ticks: the centre moves by lean x max_spread to within a tick
    assert even_centre - centre == pytest.approx(lean * TERMS["max_spread"] * mid,
                                                 abs=TERMS["tick_size"])
    with pytest.raises(ValueError, match=r"lean must be in \[0, 10\], got -1"):
        obligation_ladder(mid, **TERMS, skew=1.0, lean=-1)


@given(mid=st.floats(0.05, 50.0), inner=st.integers(1, 10), skew=st.floats(-1.0, 1.0))
def test_inner_rungs_all_sit_within_the_allowed_spread(mid, inner, skew):
    """With `inner` rungs inside the spread, a fill of the best `inner - 1` rungs on both
    sides still leaves the next ones within max_spread (when the tick allows it)."""
    terms = TERMS | {"tick_size": 1e-6}
    ladder = obligation_ladder(mid, **terms, inner=inner, skew=skew)
    k = min(inner, len(ladder.bid_prices), len(ladder.ask_prices))
    gap = (ladder.ask_prices[k - 1] - ladder.bid_prices[k - 1]) * terms["tick_size"]
    assert gap <= terms["max_spread"] * mid * (1 - skew * terms["max_spread"] * 0.25) + 2e-6
    if inner < 10:                                   # the rest still reach into the band
        assert ladder.ask_prices[-1] * terms["tick_size"] > mid * (1 + 0.5 * terms["band"])


def test_one_inner_rung_and_the_default_geometry_are_the_ladder_before():
    a = obligation_ladder(1.0, **TERMS)
    b = obligation_ladder(1.0, **TERMS, inner=1, spread_use=0.9, reach=0.9, margin=0.05)
    assert all((x == y).all() for x, y in zip(vars(a).values(), vars(b).values()))


@pytest.mark.parametrize("kw", [{"inner": 0}, {"inner": 11}, {"inner": 2.0},
                                {"spread_use": 0.0}, {"reach": 1.5}])
def test_bad_ladder_geometry_names_the_argument(kw):
    with pytest.raises(ValueError, match=next(iter(kw))):
        obligation_ladder(1.0, **TERMS, **kw)
