"""The latent density (agents/latent_density.py): Donier et al.'s locally linear order book,
and the latent books' diffusing frame that puts it on a venue."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmabm._core import BUY, SELL
from mmabm.agents.latent_density import CELL, LatentDensity
from mmabm.config import Config, ConfigError
from mmabm.model import MarketModel

SLOPE, WIDTH = 25e9, 0.03          # 1.25M tokens within 1% of the price, flat beyond 3%


def _solve(f, lo=0.0, hi=1.0):
    """The root of an increasing `f` in [lo, hi], by bisection."""
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


def _rest(memory_minutes=60_000.0):
    return LatentDensity(0.0, SLOPE, WIDTH, memory_minutes)


def test_at_rest_it_is_linear_near_the_price_so_a_fall_meets_its_square_and_flat_far_away():
    d = _rest()
    near = d.bands(0.0, np.array([0.0, 0.002, 0.004]), bids=True)
    # within u of the price the bids hold slope u^2 / 2: twice as far, four times as much
    assert near.sum() == pytest.approx(SLOPE * 0.004 ** 2 / 2, rel=0.05)
    assert near.sum() / near[0] == pytest.approx(4.0, rel=0.05)
    far = d.deposit / d.nu                                   # lambda / nu per cell
    assert d.bids[:10] == pytest.approx(far, rel=1e-3) and np.all(d.asks[:10] == 0)
    assert far == pytest.approx(SLOPE * WIDTH * CELL)
    assert d.bids == pytest.approx(d.asks[::-1])            # the two sides mirror each other


def test_a_sale_consumes_the_nearest_bids_and_moves_the_price_like_the_square_root_of_it():
    d = _rest()
    before = d.total()[0]
    for q in (250_000.0, 1_000_000.0, 4_000_000.0):
        d = _rest()
        d.consume(q)                                         # the market took q of its bids
        assert d.total()[0] == pytest.approx(before - q, rel=1e-9)
        top = d.prices()[d.bids > 1.0].max()                 # the nearest bid left
        # within u the rest profile holds L l (u - l (1 - exp(-u / l))): L u^2 / 2 near the
        # price, so a small sale moves it by sqrt(2 q / L), a larger one further
        u = _solve(lambda u: SLOPE * WIDTH * (u - WIDTH * (1 - math.exp(-u / WIDTH))) - q)
        assert -top == pytest.approx(u, abs=1.5 * CELL)
        if q <= 1_000_000.0:
            assert -top == pytest.approx(math.sqrt(2 * q / SLOPE), rel=0.15)
    d.consume(-1_000.0)                                      # and a purchase, its lowest asks
    assert d.total()[1] == pytest.approx(before - 1_000.0, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e12, 1e12, allow_nan=False))
def test_consuming_never_leaves_a_negative_density_and_takes_at_most_what_is_there(amount):
    d = _rest()
    bids, asks = d.total()
    d.consume(amount)
    assert np.all(d.bids >= 0) and np.all(d.asks >= 0)
    left_bids, left_asks = d.total()
    took = bids - left_bids if amount > 0 else asks - left_asks
    assert took == pytest.approx(min(abs(amount), bids if amount > 0 else asks), rel=1e-9,
                                 abs=1e-3)


def test_at_rest_a_step_keeps_the_v_and_a_hole_refills_by_diffusion_and_renewal():
    d = _rest(memory_minutes=600.0)
    rest = d.bids.copy()
    d.step(0.0, 60.0)
    assert np.abs(d.bids - rest).max() < 0.02 * rest.max()  # the rest state is stationary
    d.consume(1_000_000.0)
    hole = d.bands(0.0, np.array([0.0, 0.01]), bids=True)[0]
    for _ in range(24):
        d.step(0.0, 60.0)
    refilled = d.bands(0.0, np.array([0.0, 0.01]), bids=True)[0]
    assert hole < refilled < SLOPE * 0.01 ** 2 / 2 * 1.05


def test_crossing_intentions_pair_off_and_what_is_left_crossing_is_returned():
    d = _rest()
    up = d.prices() > 0.002
    d.bids[up & (d.prices() < 0.005)] += 1_000.0             # buyers above the price
    crossing = d.bids[d.prices() > 0.0].sum()
    asks_below = d.asks[d.prices() < 0.0].sum()
    assert asks_below == 0
    left = d.annihilate(0.0)
    assert left == (pytest.approx(crossing), 0.0)          # nobody to pair with
    d.asks[(d.prices() < -0.001) & (d.prices() > -0.004)] += 500.0      # sellers below it
    sellers = d.asks[d.prices() < 0.0].sum()
    bids_before, asks_before = d.total()
    left = d.annihilate(0.0)
    assert left[0] == pytest.approx(crossing - sellers) and left[1] == pytest.approx(0.0)
    after = d.total()
    assert bids_before - after[0] == pytest.approx(asks_before - after[1])   # pairs


def test_the_grid_follows_the_price_wherever_it_goes():
    d = _rest()
    for x in np.linspace(0.0, -1.5, 40):                    # a fall to a fifth of the price
        d.step(x, 5.0)
        assert d.prices()[0] < x < d.prices()[-1]
        assert abs(d.cell_of(x) - d.half) <= d.half // 2 + 1


DIFFUSING = Config().override({
    "run.months": 0.02, "retail.n_traders": 200, "retail.launch_orders_per_minute": 1,
    "market_maker.strategy": "article", "latent.frame": "diffusing",
    "latent.width": WIDTH, "latent.requote_minutes": 5})


def test_diffusing_books_show_only_what_lies_near_the_price_and_conserve_everything():
    model = MarketModel(DIFFUSING, seed=2)
    model.run_until(720)
    assert model.conservation_problems() == []
    book = model.latent_books[0]
    mid, terms = book.venue.mid_usd(), model.config.latent
    orders = book.venue.orders_of(book.unique_id)
    prices = orders["price"] * book.venue.tick_size
    assert len(orders) > 0
    assert np.all(np.abs(np.log(prices / mid)) <= terms.reveal + 0.003)
    bids = orders[orders["side"] == BUY]["price"] * book.venue.tick_size
    asks = orders[orders["side"] == SELL]["price"] * book.venue.tick_size
    assert bids.max() < asks.min()
    # what it shows is a small part of what it would trade
    shown = (orders["qty"] * book.venue.lot_size).sum()
    assert shown < 0.1 * sum(book.density.total())


def test_its_keys_are_checked_by_name():
    with pytest.raises(ConfigError, match=r"latent\.reveal"):
        DIFFUSING.override({"latent.reveal": 0.0})
    with pytest.raises(ConfigError, match=r"latent\.renewal_hours"):
        DIFFUSING.override({"latent.renewal_hours": -1.0})
    with pytest.raises(ConfigError, match=r"latent\.tokens_within_1pct"):
        DIFFUSING.override({"latent.tokens_within_1pct": float("nan")})
    with pytest.raises(ConfigError, match=r"latent\.price_anchor"):
        DIFFUSING.override({"latent.price_anchor": 1.0})
    assert Config().latent.frame == "memory"                  # the default is unchanged


def test_intentions_the_price_left_behind_trade_in_the_market_and_leave_the_density():
    model = MarketModel(DIFFUSING, seed=3)
    model.run_until(60)
    book = model.latent_books[0]
    book._informed *= 1.02            # investors now value it 2% higher: bids above the price
    book.centre = book._informed
    bought_before = book.venue_tokens()
    x = math.log(book.venue.mid_usd() / book.centre)
    assert book.density.bids[book.density.prices() >= x].sum() > 100_000
    book.act_diffusing()
    bought = book.venue_tokens() - bought_before
    assert bought > 10_000                                   # it bought from the market
    x = math.log(book.venue.mid_usd() / book.centre)
    assert x > math.log(1 / 1.02) + 0.002                   # and lifted the price toward it
    assert model.conservation_problems() == []


def test_a_slow_share_gives_each_cex_a_second_density_that_renews_at_the_slow_pace():
    model = MarketModel(DIFFUSING.override({"latent.slow_share": 0.25,
                                            "latent.renewal_hours": 24.0,
                                            "latent.slow_memory_hours": 720.0}), seed=1)
    fast, slow = model.latent_books[0], model.latent_books[len(model.cexs)]
    assert fast.venue is slow.venue
    assert fast.density.nu == pytest.approx(math.log(2) / (24 * 60))
    assert slow.density.nu == pytest.approx(math.log(2) / (720 * 60))
    # the slope splits with the capital: a quarter of the intentions in the slow book
    near = np.array([0.0, 0.002])
    assert slow.density.bands(0.0, near, True)[0] / fast.density.bands(0.0, near, True)[0] \
        == pytest.approx(1 / 3, rel=0.02)


@pytest.mark.parametrize("anchor", [0.0, 0.5])
def test_a_price_anchor_makes_that_share_of_its_centre_learn_where_the_market_has_been(anchor):
    """No news: the centre is the listing price, except the share `price_anchor` of its log,
    which goes to the log of the mid it keeps seeing."""
    model = MarketModel(DIFFUSING.override({"world.annual_vol": 0.0, "latent.memory_hours": 1.0,
                                            "latent.price_anchor": anchor}), seed=1)
    book, listing = model.latent_books[0], model.config.token.initial_price
    for _ in range(2_000):                               # 2,000 looks, 5 minutes apart
        book.learn(0.8 * listing)
    assert book.centre == pytest.approx(listing * 0.8 ** anchor, rel=1e-9)
    assert book._informed == listing                     # what the news alone says: unchanged


def test_price_learning_takes_the_news_in_full_and_halves_the_distance_to_the_mid_each_half_life():
    """The centre follows each news move whole and closes half its log distance to a mid
    that stays put in `price_learning_hours`; off (0), the news alone moves it."""
    config = DIFFUSING.override({"world.annual_vol": 0.0, "latent.price_learning_hours": 2.0})
    model = MarketModel(config, seed=1)
    book, listing = model.latent_books[0], model.config.token.initial_price
    for _ in range(24):                                  # 24 looks, 5 minutes apart: 2 hours
        book.learn(0.8 * listing)
    assert math.log(book.centre / listing) == pytest.approx(0.5 * math.log(0.8), rel=1e-9)
    book.centre = book._informed = 0.8 * listing         # at the mid: nothing left to learn
    book._news = math.log(model.fundamental_at(model.time)) - math.log(1.1)  # news: +10%
    book.learn(0.8 * listing)
    step = 1 - 0.5 ** (config.latent.requote_minutes / 120)          # a look's learning
    assert book.centre == pytest.approx(0.88 * listing * (0.8 / 0.88) ** step, rel=1e-9)
    off = MarketModel(DIFFUSING.override({"world.annual_vol": 0.0}), seed=1).latent_books[0]
    off.learn(0.8 * listing)
    assert off.centre == listing
    with pytest.raises(ConfigError, match=r"latent\.price_learning_hours"):
        DIFFUSING.override({"latent.price_learning_hours": -1.0})
