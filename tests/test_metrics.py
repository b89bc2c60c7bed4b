"""The recorder's depth by source: the parts add up to the book's depth and each is its owners'."""
import math

import pytest

from mmabm.agents.retail import RETAIL_BASE
from mmabm.config import Config
from mmabm.metrics import _within
from mmabm.model import MarketModel

SMALL = Config().override({"run.months": 0.01, "retail.n_traders": 300,
                           "retail.launch_orders_per_minute": 3, "market_maker.strategy": "hold"})


@pytest.mark.parametrize("seed", [0, 5])
def test_depth_by_source_adds_up_and_the_rest_is_retail_limit_orders(seed):
    model = MarketModel(SMALL, seed=seed)
    model.run_until(180)
    row = model.recorder.row()
    main, band = model.cexs[0], model.config.cex[0].band
    parts = [row[f"depth_usd_{k}"] for k in ("market_maker", "providers", "latent", "retail")]
    assert sum(parts) == pytest.approx(row["depth_bid_usd"] + row["depth_ask_usd"], rel=1e-9)
    assert min(parts) > 0                               # each source shows some depth
    mid = main.mid_usd()
    retail = sum(_within(main, main.orders_of(RETAIL_BASE + i), mid, band)
                 for i in range(len(model.retail.kind)))
    assert row["depth_usd_retail"] == pytest.approx(retail, rel=1e-6)
    assert row["depth_usd_latent"] == pytest.approx(
        _within(main, main.orders_of(model.latent_books[0].unique_id), mid, band))


def test_the_latent_row_shows_a_balanced_v_at_listing_and_a_wall_once_the_news_has_moved():
    """At listing the diffusing book's V sits at the price: as much within 1% on each side
    as its slope puts there. Once the centre has moved away from the price, the side facing
    the centre holds many times the other: the row shows the book out of balance."""
    config = SMALL.override({"latent.frame": "diffusing", "latent.width": 0.03})
    model = MarketModel(config, seed=0)
    row = model.recorder.row()
    bids, asks = row["latent_bids_1pct"], row["latent_asks_1pct"]
    assert row["latent_centre"] == pytest.approx(config.token.initial_price)
    # the V's exponential shape holds 1 - (0.01 / width) / 3 of the straight line's volume
    assert bids == pytest.approx(asks, rel=0.01)
    assert bids == pytest.approx(config.latent.tokens_within_1pct * (1 - 0.01 / 0.03 / 3),
                                 rel=0.05)
    book = model.latent_books[0]
    book.centre *= 1.02              # the investors now value the token 2% above the price
    row = model.recorder.row()
    assert row["latent_bids_1pct"] > 10 * max(row["latent_asks_1pct"], 1.0)
    assert row["latent_centre"] == pytest.approx(1.02 * config.token.initial_price)


def test_the_latent_row_has_no_density_outside_the_diffusing_frame():
    for frame, centre in (("memory", True), ("price", False)):
        row = MarketModel(SMALL.override({"latent.frame": frame}), seed=0).recorder.row()
        assert row["latent_bids_1pct"] != row["latent_bids_1pct"]           # NaN
        assert (row["latent_centre"] == row["latent_centre"]) is centre


def test_the_row_records_what_the_market_has_learnt_from_the_flow():
    config = SMALL.override({"beliefs.flow_learning": 0.05, "market_maker.strategy": "article"})
    model = MarketModel(config, seed=0)
    model.run_until(300)
    row = model.recorder.row()
    assert row["news_revision"] == model.flow_learning.log_revision != 0.0
    assert model.news_at(model.time) == pytest.approx(row["fundamental"]
                                                      * math.exp(row["news_revision"]))
