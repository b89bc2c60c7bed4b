"""The value traders' belief anchor: the news, and (adaptive) the price they see."""
import math

import pytest

from mmabm.agents.beliefs import BeliefAnchor, NewsFair
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


def test_a_dealers_fair_price_takes_in_the_news_moves_and_returns_to_the_mid():
    model = MarketModel(BASE, seed=1)
    model.fundamental[:] = 1.0
    fair = NewsFair(model, news_weight=0.5, memory_hours=1.0)
    model.fundamental[:] = 1.21                            # the news rises 21%
    assert fair.update(math.nan) == pytest.approx(1.1)     # half of it, in logs; no mid seen
    model.time += 60                                       # an hour later, the mid at 1.0
    assert fair.update(1.0) == pytest.approx(1.1 ** 0.5)   # half the log gap closed
    model.time += 600
    assert fair.update(1.0) == pytest.approx(1.0, abs=1e-3)   # back to the mid: the news'
    # level (1.21) pulls nothing, only its moves count
    model.fundamental[:] = 1.21 * 1.1
    assert fair.update(1.0) == pytest.approx(fair.value) and fair.value > 1.04
