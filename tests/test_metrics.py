"""The recorder's depth by source: the parts add up to the book's depth and each is its owners'."""
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
