"""The latent book: slow orders that stay where the market has been, thicker further from it
(the square-root law's V-shaped book), with finite capital."""
import numpy as np
import pytest

from mmabm._core import BUY, SELL
from mmabm.config import Config, ConfigError
from mmabm.model import MarketModel

BASE = Config().override({"run.months": 0.02, "retail.n_traders": 200,
                          "retail.launch_orders_per_minute": 1, "market_maker.strategy": "hold"})


def _book(config=BASE, seed=1):
    model = MarketModel(config, seed=seed)
    return model, model.latent_books[0]


def _sides(book):
    orders = book.venue.orders_of(book.unique_id)
    tick, lot = book.venue.tick_size, book.venue.lot_size
    bids, asks = orders[orders["side"] == BUY], orders[orders["side"] == SELL]
    return ((bids["price"] * tick, bids["qty"] * lot),
            (asks["price"] * tick, asks["qty"] * lot))


def test_one_book_per_cex_with_capital_in_proportion_and_none_without_capital():
    model, _ = _book()
    assert [b.venue for b in model.latent_books] == model.cexs
    held = [b.venue.balance(b.unique_id) for b in model.latent_books]
    main = model.config.latent.usdt_per_venue
    assert [h["usdt"] + h["usdt_locked"] for h in held] == pytest.approx(
        [main, main / 2, main / 2], rel=1e-6)
    off = MarketModel(BASE.override({"latent.usdt_per_venue": 0.0,
                                     "latent.tokens_per_venue": 0.0}), seed=1)
    assert off.latent_books == []
    assert model.owner_type(model.latent_books[0].unique_id) == "liquidity_provider"


def test_rungs_thicken_with_the_distance_from_the_centre_so_volume_grows_like_its_square():
    model, book = _book()
    book.centre = 1.0
    book.quote(1.0)
    (bid_px, bid_qty), (ask_px, ask_qty) = _sides(book)
    terms = model.config.latent
    assert len(bid_px) == len(ask_px) == terms.levels
    assert bid_px.max() < 1.0 < ask_px.min() and bid_px.min() >= 1.0 - terms.width - 0.01
    order = np.argsort(-bid_px)                      # nearest the centre first
    assert np.all(np.diff(bid_qty[order] * bid_px[order]) > 0)        # USDT per rung grows
    assert np.all(np.diff(ask_qty[np.argsort(ask_px)]) > 0)
    usdt = bid_px * bid_qty

    def within(x):
        return usdt[bid_px >= 1.0 - x].sum()
    # a V: the volume a fall of x meets grows like x^2, not x
    assert within(terms.width) / within(terms.width / 2) == pytest.approx(4.0, rel=0.15)
    free = model.config.latent.usdt_per_venue
    assert usdt.sum() <= terms.quote_share * free * (1 + 1e-9)


def test_no_rung_on_the_wrong_side_of_the_mid_and_the_centre_follows_it_with_its_memory():
    model, book = _book()
    mid = book.venue.mid_usd()
    book.centre = 1.1 * mid                          # the market was 10% higher
    book.quote(mid)
    (bid_px, _), (ask_px, _) = _sides(book)
    assert bid_px.max() < mid and ask_px.min() >= 1.1 * mid     # bids the fall went through: gone
    assert len(bid_px) < model.config.latent.levels
    terms = model.config.latent
    looks = round(terms.memory_hours * 60 / terms.requote_minutes)
    for _ in range(looks):                            # no time passes: the mid stays
        book.act()
    assert book.centre / mid - 1 == pytest.approx(0.05, rel=1e-3)     # half-way after its memory


def test_a_sale_into_the_book_conserves_everything_and_its_key_ranges_are_checked():
    model, book = _book(BASE.override({"market_maker.strategy": "article", "run.months": 0.05}))
    model.run_until(1440)
    assert model.conservation_problems() == []
    b = book.venue.balance(book.unique_id)
    assert b["tokens"] + b["tokens_locked"] > model.config.latent.tokens_per_venue   # it bought
    with pytest.raises(ConfigError, match=r"latent\.width must be in \[0\.01, 0\.95\]"):
        Config().override({"latent.width": 1.5})
    with pytest.raises(ConfigError, match=r"unknown key 'latent\.memory'"):
        Config().override({"latent.memory": 5})


def test_its_quoted_size_follows_launch_attention_to_the_power_of_its_elasticity():
    config = BASE.override({"latent.activity_elasticity": 2.0})
    model, book = _book(config)
    half_life = model.config.world.attention_halflife_days * 1440
    model.time = half_life                       # launch interest has faded about half-way
    base = float(model.attention.base(model.time))
    assert book.activity() == pytest.approx(base ** 2) and 0.2 < book.activity() < 0.4
    book.centre = book.venue.mid_usd()
    book.quote(book.venue.mid_usd(), book.activity())
    faded = sum((p * q).sum() for p, q in _sides(book))
    book.quote(book.venue.mid_usd(), 1.0)
    full = sum((p * q).sum() for p, q in _sides(book))
    assert faded / full == pytest.approx(base ** 2, rel=0.05)
    fixed = MarketModel(BASE, seed=1).latent_books[0]
    fixed.model.time = half_life
    assert fixed.activity() == 1.0               # elasticity 0: the size is fixed
    with pytest.raises(ConfigError, match=r"latent\.activity_elasticity must be in \[0"):
        Config().override({"latent.activity_elasticity": -1})


def test_with_news_weight_its_centre_takes_in_the_news_as_it_happens():
    model, book = _book(BASE.override({"latent.news_weight": 0.5}))
    model.run_until(50)                               # its last look was at 45
    centre, mid = book.centre, book.venue.mid_usd()
    model.fundamental[:] = model.fundamental * 1.1    # the news rises 10% since then
    book.act()
    followed = book._decay * centre + (1 - book._decay) * mid
    assert book.centre == pytest.approx(followed * 1.1 ** 0.5, rel=1e-9)
    with pytest.raises(ConfigError, match="latent.news_weight"):
        BASE.override({"latent.news_weight": -0.1})


PRICE = BASE.override({"latent.frame": "price"})


def test_price_frame_puts_the_v_at_the_mid_and_its_fills_dig_a_hole_that_stays_dug():
    model, book = _book(PRICE)
    terms, mid = model.config.latent, book.venue.mid_usd()
    assert book.vertices(mid) == (mid, mid)          # nothing consumed: the V sits at the mid
    b = book.venue.balance(book.unique_id)
    left = terms.quote_share * (b["usdt"] + b["usdt_locked"]) / mid
    book.hole = left / 3                             # it bought a quarter of its bid side
    bid, ask = book.vertices(mid)
    assert ask == mid and bid * (1 - terms.width * 0.5) == pytest.approx(mid, rel=1e-12)
    book.quote(mid, centres=(bid, ask))
    (bid_px, bid_qty), (ask_px, _) = _sides(book)
    # the rungs the fall went through are not posted again: the nearest bid left is the first
    # rung of the V beyond the hole, the asks start one rung above the mid
    assert bid_px.max() < mid and bid_px.max() == pytest.approx(
        bid * (1 - terms.width * 13 / terms.levels), abs=2 * book.venue.tick_size)
    assert ask_px.min() == pytest.approx(mid * (1 + terms.width / terms.levels),
                                         abs=2 * book.venue.tick_size)
    shown = (bid_px * bid_qty).sum() / (terms.quote_share * (b["usdt"] + b["usdt_locked"]))
    assert shown == pytest.approx(1 - (12 * 13 / 2) / (25 * 26 / 2), abs=0.01)
    book.hole = -left / 3                            # it sold: the hole is in its asks
    assert book.vertices(mid)[0] == mid and book.vertices(mid)[1] < mid


def test_price_frame_hole_takes_the_fills_and_refills_with_its_half_life():
    model, book = _book(PRICE)
    terms = model.config.latent
    book._tokens -= 1_000.0                          # it bought 1,000 tokens since its last look
    book.act_in_price_frame()
    assert book.hole == pytest.approx(1_000.0)
    looks = round(terms.memory_hours * 60 / terms.requote_minutes)
    for _ in range(looks):                            # no fills: the hole refills
        book.act_in_price_frame()
    assert book.hole == pytest.approx(500.0, rel=1e-9)
    with pytest.raises(ConfigError, match=r"latent\.frame must be one of 'memory', 'price'"):
        BASE.override({"latent.frame": "mid"})


def test_price_frame_runs_conserve_and_the_default_frame_is_memory():
    assert Config().latent.frame == "memory"
    model = MarketModel(PRICE.override({"market_maker.strategy": "article",
                                        "run.months": 0.05}), seed=2)
    model.run_until(1440)
    assert model.conservation_problems() == []
    book = model.latent_books[0]
    assert book.hole > 0                              # the sale's fills dug into its bids
    bid, ask = book.vertices(book.venue.mid_usd())
    assert bid > book.venue.mid_usd() == ask


def test_a_slow_share_splits_each_cexs_capital_into_a_fast_and_a_slow_book():
    model = MarketModel(BASE.override({"latent.slow_share": 0.25,
                                       "latent.slow_memory_hours": 96.0}), seed=1)
    terms, books = model.config.latent, model.latent_books
    assert [b.venue for b in books] == model.cexs * 2
    assert [b.memory_hours for b in books] == [terms.memory_hours] * 3 + [96.0] * 3
    usdt = [b.venue.balance(b.unique_id)["usdt"] + b.venue.balance(b.unique_id)["usdt_locked"]
            for b in books]
    main = terms.usdt_per_venue
    assert usdt == pytest.approx([0.75 * main, 0.375 * main, 0.375 * main,
                                  0.25 * main, 0.125 * main, 0.125 * main], rel=1e-6)
    assert {model.owner_type(b.unique_id) for b in books} == {"liquidity_provider"}
    fast, slow = books[0], books[3]
    mid = fast.venue.mid_usd()
    for book in (fast, slow):                     # the market was 10% higher; no time passes
        book.centre = 1.1 * mid
        for _ in range(round(terms.memory_hours * 60 / terms.requote_minutes)):
            book.act()
    # after the fast book's memory it is half-way to the mid, the slow one an eighth of that
    assert fast.centre / mid - 1 == pytest.approx(0.05, rel=1e-3)
    assert slow.centre / mid - 1 == pytest.approx(0.1 * 0.5 ** (12 / 96), rel=1e-3)
    assert len(MarketModel(BASE, seed=1).latent_books) == 3     # slow_share 0: one timescale
    only_slow = MarketModel(BASE.override({"latent.slow_share": 1.0}), seed=1).latent_books
    assert [b.memory_hours for b in only_slow] == [168.0] * 3        # the default slow memory
    with pytest.raises(ConfigError, match=r"latent\.slow_share must be in \[0(\.0)?, 1(\.0)?\]"):
        BASE.override({"latent.slow_share": 1.5})
    with pytest.raises(ConfigError, match=r"latent\.slow_memory_hours must be in"):
        BASE.override({"latent.slow_memory_hours": 0.0})


def test_a_sale_into_fast_and_slow_books_conserves_and_the_slow_book_leans_against_it_longer():
    model = MarketModel(BASE.override({"market_maker.strategy": "article", "run.months": 0.05,
                                       "latent.slow_share": 0.5}), seed=1)
    model.run_until(2880)
    assert model.conservation_problems() == []
    fast, slow = model.latent_books[0], model.latent_books[3]
    mid = fast.venue.mid_usd()
    assert mid < model.config.token.initial_price             # the sale moved the price down
    assert slow.centre > fast.centre > mid                    # the slow one remembers more of before


def test_the_supply_row_counts_the_latent_books_apart_from_the_providers():
    model = MarketModel(BASE, seed=2)
    model.run_model()
    row = model.recorder.row()
    assert row["supply_tokens_latent_book"] == pytest.approx(
        sum(book.venue_tokens() for book in model.latent_books))
    assert row["supply_tokens_liquidity_provider"] == pytest.approx(
        sum(p.tokens() for p in model.providers))
    assert row["supply_tokens_latent_book"] > row["supply_tokens_liquidity_provider"] > 0
    # they still trade as liquidity providers on the tape, and every token is somewhere
    assert model.owner_type(model.latent_books[0].unique_id) == "liquidity_provider"
    total = sum(v for k, v in row.items() if k.startswith("supply_tokens_"))
    assert total == pytest.approx(model.config.token.total_supply, rel=1e-12)
