"""The value traders' belief anchor: the news, and (adaptive) the price they see."""
import math

import pytest

from mmabm.agents.beliefs import BeliefAnchor
from mmabm.config import Config
from mmabm.model import MarketModel

BASE = Config().override({"run.months": 0.01, "retail.n_traders": 50,
                          "retail.launch_orders_per_minute": 0})


def _anchor(**beliefs):
    config = BASE.override({f"beliefs.{k}": v for k, v in beliefs.items()})
    model = MarketModel(config, seed=1)
    return model, BeliefAnchor(model)


def test_anchored_beliefs_are_the_news_value():
    model, anchor = _anchor(model="anchored")
    model.fundamental[:] = 1.5
    anchor.update(0.5)                                     # the price it sees does not matter
    assert anchor.value == pytest.approx(1.5)


def test_adaptive_beliefs_learn_from_the_price_at_their_speed():
    model, anchor = _anchor(model="adaptive", learning_per_day=2.4, news_weight=1.0)
    model.fundamental[:] = 1.0
    anchor.update(0.5)                                     # one hour at 2.4 a day
    k = 1 - math.exp(-0.1)
    assert anchor.log_value == pytest.approx(k * math.log(0.5))
    for _ in range(24 * 20):
        anchor.update(0.5)
    assert anchor.value == pytest.approx(0.5, rel=1e-6)   # a price that stays is believed


def test_news_weight_scales_what_the_anchor_takes_in():
    model, anchor = _anchor(model="adaptive", learning_per_day=0.0, news_weight=0.5)
    model.fundamental[:] = 4.0
    anchor.update(1.0)
    assert anchor.value == pytest.approx(2.0)
