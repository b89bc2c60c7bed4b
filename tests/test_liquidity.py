"""Competing liquidity providers: finite capital, both sides quoted, wider when volatile, pulled
after one-sided fills."""
import pytest

from mmabm._core import BUY, SELL
from mmabm.config import DEAF_DEALERS, Config
from mmabm.model import MarketModel
from mmabm.venues import fund

BASE = Config().override({"run.months": 0.02, "retail.n_traders": 200,
                          "retail.launch_orders_per_minute": 1, "market_maker.strategy": "hold",
                          **DEAF_DEALERS})           # each test says who reads the news


def _provider(config=BASE, seed=1):
    model = MarketModel(config, seed=seed)
    return model, model.providers[0]


def test_one_provider_per_cex_with_capital_in_proportion_to_its_obligation():
    model, _ = _provider()
    assert [p.venue for p in model.providers] == model.cexs
    caps = [p.start_tokens for p in model.providers]
    main = model.config.liquidity.tokens_per_venue
    assert caps == pytest.approx([main, main / 2, main / 2])
    assert MarketModel(BASE.override({"liquidity.usdt_per_venue": 0.0,
                                      "liquidity.tokens_per_venue": 0.0}), seed=1).providers == []


def test_quotes_both_sides_outside_its_half_spread_with_a_share_of_its_capital():
    model, lp = _provider()
    model.run_until(10)
    orders = lp.venue.orders_of(lp.unique_id)
    bids, asks = orders[orders["side"] == BUY], orders[orders["side"] == SELL]
    terms = model.config.liquidity
    assert len(bids) == len(asks) == terms.levels
    mid = lp._quoted[0]
    tick = lp.venue.tick_size
    assert bids["price"].max() * tick <= mid * (1 - terms.half_spread) * 1.001
    assert asks["price"].min() * tick >= mid * (1 + terms.half_spread) * 0.999
    held = lp.tokens()
    assert asks["qty"].sum() * lp.venue.lot_size <= terms.quote_share * held + terms.levels


def test_it_widens_with_the_volatility_it_has_seen():
    model, lp = _provider()
    lp.vol = 0.0
    lp.quote(1.0)
    calm = lp.venue.orders_of(lp.unique_id)
    lp.vol = 0.05
    lp.quote(1.0)
    wild = lp.venue.orders_of(lp.unique_id)
    assert wild[wild["side"] == BUY]["price"].max() < calm[calm["side"] == BUY]["price"].max()
    assert wild[wild["side"] == SELL]["price"].min() > calm[calm["side"] == SELL]["price"].min()


def test_it_pulls_its_quotes_after_one_sided_fills_and_comes_back():
    model, lp = _provider(BASE.override({"liquidity.pull_flow": 0.1,
                                         "liquidity.pull_hours": 1.0}))
    model.run_until(10)
    venue, taker = lp.venue, model.arbitrageur.unique_id
    start = lp.tokens()
    model.wallets.mint(taker, usdt=2_000_000)
    fund(model.wallets, venue, taker, 2_000_000 * 10**6)
    venue.market(taker, BUY, 1_000_000)              # someone sweeps the asks, its too
    assert lp.tokens() < 0.85 * start                # its asks: a fifth of its tokens
    model.run_until(20)                              # its next look
    assert lp.pulls == 1 and len(venue.orders_of(lp.unique_id)) == 0
    model.run_until(90)
    assert len(venue.orders_of(lp.unique_id)) > 0     # back after pull_hours
    assert model.conservation_problems() == []


NEWS = BASE.override({"liquidity.news_weight": 1.0, "latent.usdt_per_venue": 0.0,
                      "latent.tokens_per_venue": 0.0})     # the provider alone


def _news_jump(model, hour, factor):
    """The world's news value jumps by `factor` from `hour` on (the model's own array)."""
    model.fundamental[hour:] = model.fundamental[hour:] * factor


@pytest.mark.parametrize("factor", [1.03, 1 / 1.03])
def test_following_the_news_it_takes_the_quotes_the_news_made_stale(factor):
    model, lp = _provider(NEWS)
    model.run_until(50)
    before, held = lp.venue.mid_usd(), lp.tokens()
    _news_jump(model, 1, factor)
    model.run_until(66)                               # its first looks after the hour
    moved = lp.venue.mid_usd() / before
    # the mid follows the news' way at once, a part of it: it alone, with a fifth of its
    # money a look, against the maker's and retail's stale quotes
    assert abs(moved - 1) > 0.005 and (moved > 1) == (factor > 1)
    assert (lp.tokens() > held) == (factor > 1)       # it bought asks below its fair price
    assert model.conservation_problems() == []


def test_without_news_weight_the_same_jump_moves_no_quote_of_its_own():
    model, lp = _provider()
    model.run_until(50)
    _news_jump(model, 1, 1.03)
    model.run_until(66)
    assert lp.fair.pending == 0.0                     # never updated: it quotes the mid
    assert abs(lp._quoted[0] / lp.venue.mid_usd() - 1) < 0.01


def test_a_fair_price_above_the_market_makes_it_buy_and_its_memory_is_its_key():
    model, lp = _provider(NEWS.override({"liquidity.news_memory_hours": 2.0}))
    assert lp.fair.memory_minutes == 120.0
    model.run_until(10)
    held = lp.tokens()
    lp.fair.pending += 0.05                           # it has read good news
    model.run_until(16)                               # its next look
    assert lp.tokens() > held
    assert model.conservation_problems() == []


@pytest.mark.parametrize("who, moved", [((), 0.01), (("liquidity", "latent", "market_maker"), 0.04)])
def test_the_news_reaches_the_price_when_the_dealers_read_it(who, moved):
    config = BASE.override({f"{k}.news_weight": 1.0 for k in who})
    model = MarketModel(config, seed=2)
    model.run_until(170)
    before = model.cexs[0].mid_usd()
    model.fundamental[3:] = model.fundamental[3:] * 1.05        # +5% news at minute 180
    model.run_until(300)
    change = model.cexs[0].mid_usd() / before - 1
    assert (change > moved) if who else (abs(change) < moved)
    assert model.conservation_problems() == []
