"""Quoting ladders meet the contract's depth and spread obligations on a real venue."""
import numpy as np
import pytest

from mmabm import BUY, SELL
from mmabm.agents.quoting import obligation_ladder
from mmabm.venues import SpotExchange

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
