"""Arbitrage: the pool ends at the no-profit bound, only profitable rounds trade, capital binds."""
import pytest

from mmabm import BUY, SELL
from mmabm.agents.arbitrage import cex_amm, cex_cex
from mmabm.venues import AmmVenue, SpotExchange

M = 10**6
ARB = 7


def market(pool_price, arb_usdt=200_000.0, arb_tokens=200_000.0, first_level=50_000):
    cex, dex = SpotExchange("main", taker_fee=0.001), AmmVenue(fee=0.003)
    for venue in (cex, dex):
        venue.deposit(1, usdt=1e7, tokens=1e7)
        venue.deposit(ARB, usdt=arb_usdt, tokens=arb_tokens)
    cex.replace_ladder(1, BUY, [9_990, 9_980, 9_900], [first_level, 50_000, 100_000])
    cex.replace_ladder(1, SELL, [10_010, 10_020, 10_100], [first_level, 50_000, 100_000])
    dex.add_liquidity(1, 500_000 * M, round(500_000 * pool_price) * M)
    return cex, dex


def test_pool_below_the_bid_is_lifted_to_the_no_profit_bound():
    cex, dex = market(0.90)
    r = cex_amm(cex, dex, ARB)
    bound = 0.999 * 0.999 * 0.997                 # bid x (1 - CEX fee) x (1 - pool fee)
    assert bound * (1 - 1e-5) < dex.price() <= bound    # within one 1-token lot, never beyond
    assert r.profit_usdt > 0 and r.tokens > 0
    assert cex.audit() == [] and dex.audit() == []


def test_pool_above_the_ask_is_pushed_down_to_the_no_profit_bound():
    cex, dex = market(1.10)
    r = cex_amm(cex, dex, ARB)
    bound = 1.001 * 1.001 / 0.997
    assert bound <= dex.price() < bound * (1 + 1e-5)
    assert r.profit_usdt > 0


def test_prices_inside_the_fee_band_are_left_alone():
    cex, dex = market(0.998)
    before = dex.price()
    assert cex_amm(cex, dex, ARB).rounds == 0 and dex.price() == before


def test_a_thin_first_level_makes_it_walk_the_book():
    cex, dex = market(0.80, first_level=1_000)
    r = cex_amm(cex, dex, ARB)
    assert r.rounds >= 2 and cex.best_bid() <= 9_980
    assert r.profit_usdt > 0


def test_capital_limits_bind():
    cex, dex = market(0.90, arb_tokens=5_000.0)
    r = cex_amm(cex, dex, ARB)
    assert r.tokens <= 5_000 and dex.price() < 0.99       # stopped short of the bound
    assert cex.balance(ARB)["tokens"] >= 0 and r.profit_usdt > 0


def test_cex_cex_buys_cheap_and_sells_dear_until_fees_eat_the_edge():
    a, b = SpotExchange("a", taker_fee=0.001), SpotExchange("b", taker_fee=0.001)
    for venue in (a, b):
        venue.deposit(1, usdt=1e6, tokens=1e6)
        venue.deposit(ARB, usdt=1e5, tokens=1e5)
    a.limit(1, SELL, 9_900, 3_000)        # a's ask $0.99
    a.limit(1, SELL, 10_050, 3_000)
    b.limit(1, BUY, 10_100, 2_000)        # b's bid $1.01
    b.limit(1, BUY, 9_995, 2_000)
    r = cex_cex(a, b, ARB)
    # 2,000 at $0.99 -> $1.01, then 1,000 at $0.99 -> $0.9995; $1.005 -> $0.9995 would lose
    assert r.tokens == 3_000 and r.rounds == 2
    assert r.profit_usdt == pytest.approx(2_000 * (1.01 * 0.999 - 0.99 * 1.001)
                                          + 1_000 * (0.9995 * 0.999 - 0.99 * 1.001))
    assert (a.balance(ARB)["tokens"], b.balance(ARB)["tokens"]) == (103_000, 97_000)
    assert cex_cex(a, b, ARB).rounds == 0


def test_cex_cex_needs_the_same_grid():
    with pytest.raises(ValueError, match="same tick_size and lot_size"):
        cex_cex(SpotExchange("a"), SpotExchange("b", tick_size=0.001), ARB)
