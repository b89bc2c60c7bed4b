"""The retail population: value money that flows in, the crowd's mood, common random numbers."""
import numpy as np
import pytest

from mmabm.config import Config
from mmabm.model import MarketModel

SMALL = Config().override({"run.months": 0.02, "retail.n_traders": 300,
                           "retail.launch_orders_per_minute": 3, "market_maker.strategy": "hold"})
VALUE_ONLY = SMALL.override({"retail.noise_share": 0.0, "retail.momentum_share": 0.0,
                             "retail.fundamentalist_share": 1.0, "retail.perp_share": 0.0})


def test_fundamentalists_bring_recorded_usdt_when_the_token_is_cheap_and_lift_it():
    model = MarketModel(VALUE_ONLY, seed=4)
    minted = model.wallets.minted_usdt
    model.fundamental[:] = 2.0                      # the token is worth twice its price
    model.run_model()
    assert model.retail.inflow_units > 0
    assert model.wallets.minted_usdt - minted == model.retail.inflow_units
    assert model.conservation_problems() == []
    assert model.cexs[0].last_price_usd() > 1.05 and model.dex.price() > 1.05


def test_no_inflow_when_the_price_is_fair():
    model = MarketModel(VALUE_ONLY.override({"world.annual_vol": 0.0}), seed=4)
    model.run_model()
    assert model.retail.inflow_units == 0 and model.retail.orders.sum() == 0


def test_mood_is_exogenous_bounded_and_the_same_whatever_the_strategy():
    a = MarketModel(SMALL, seed=9).retail.mood
    b = MarketModel(SMALL.override({"market_maker.strategy": "article"}), seed=9).retail.mood
    assert np.array_equal(a, b) and np.abs(a).max() <= 0.45 and a.std() > 0.1
    assert not np.array_equal(a, MarketModel(SMALL, seed=10).retail.mood)
    calm = MarketModel(SMALL.override({"retail.mood_sd": 0.0}), seed=9).retail.mood
    assert not calm.any()


@pytest.mark.parametrize("key, value", [("retail.mood_sd", 0.5), ("retail.momentum_scale", 0.0),
                                        ("retail.fundamental_max_multiple", 0.5)])
def test_new_retail_terms_are_range_checked(key, value):
    from mmabm.config import ConfigError
    with pytest.raises(ConfigError, match=key):
        Config().override({key: value})
