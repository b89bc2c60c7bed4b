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


def test_anchored_share_keeps_that_share_of_value_traders_on_the_news_alone():
    import numpy as np
    from mmabm.agents.retail import FUNDAMENTALIST
    config = BASE.override({"retail.n_traders": 400, "beliefs.learning_per_day": 2.4,
                            "beliefs.anchored_share": 0.25})
    model = MarketModel(config, seed=1)
    pop = model.retail
    value = np.flatnonzero(pop.kind == FUNDAMENTALIST)
    chosen = pop._anchored
    assert set(chosen) <= set(value) and len(chosen) == int(0.25 * len(value))
    before = pop.offset.copy()
    model.fundamental[:] = 2.0                        # the news doubles the value ...
    pop.anchor.update(0.5)                            # ... while the price halves
    model.run_until(61)                               # then the hourly look
    valuation = pop.anchor.log_value + pop.offset
    assert pop.anchor.log_news_value == pytest.approx(math.log(2.0))
    np.testing.assert_allclose(valuation[chosen], pop.anchor.log_news_value + before[chosen])
    learners = np.setdiff1d(value, chosen)
    assert (pop.offset[learners] == before[learners]).all()     # the others learn as before
    assert pop.anchor.log_value < pop.anchor.log_news_value - 0.1
    # none without the key, none when every belief is the news already, and the key is named
    assert MarketModel(BASE, seed=1).retail._anchored.size == 0
    anchored = BASE.override({"beliefs.model": "anchored", "beliefs.anchored_share": 1.0})
    assert MarketModel(anchored, seed=1).retail._anchored.size == 0
    with pytest.raises(ValueError, match=r"beliefs.anchored_share must be in \[0, 1\]"):
        BASE.override({"beliefs.anchored_share": 1.5})


def test_a_dealers_fair_price_is_the_mid_plus_the_news_the_market_has_not_taken_in():
    model = MarketModel(BASE, seed=1)
    model.fundamental[:] = 1.0
    fair = NewsFair(model, news_weight=0.5, memory_hours=1.0)
    model.fundamental[:] = 1.21                            # the news rises 21%
    assert math.isnan(fair.update(math.nan))               # no mid, no fair price
    assert fair.pending == pytest.approx(math.log(1.1))    # half of it, in logs
    model.time += 60                                       # an hour later, the mid at 1.0
    assert fair.update(1.0) == pytest.approx(1.1 ** 0.5)   # half of it given up
    # the market takes in part of it: the fair price stays where it was
    assert fair.update(1.02) == pytest.approx(1.1 ** 0.5)
    # a move against the news (a sale) is not leaned against: the pending part stays
    before = fair.pending
    assert fair.update(0.9) == pytest.approx(0.9 * math.exp(before))
    model.time += 600                                      # no more news: the view fades,
    assert fair.update(0.9) == pytest.approx(0.9, rel=1e-3)   # the news' level pulls nothing
    model.fundamental[:] = 1.21 * 0.9                      # bad news: a pending fall
    assert fair.update(0.9) < 0.9 * 0.96
    assert fair.update(0.8) == pytest.approx(0.8)          # the market has taken it all in


def test_flow_learning_moves_the_news_every_group_reads_by_the_hours_net_flow():
    config = BASE.override({"beliefs.flow_learning": 0.01, "beliefs.flow_exponent": 0.5,
                            "token.total_supply": 150e6})     # 1% of the supply: 1.5M
    model = MarketModel(config, seed=1)
    model.fundamental[:] = 2.0
    learning, seen = model.flow_learning, {"tokens": 0.0}
    model.tape.net_bought_tokens = lambda exclude: seen["tokens"]
    assert learning.exclude == ("liquidity_provider", "arbitrage")   # the private flow
    anchor, fair = BeliefAnchor(model), NewsFair(model, news_weight=1.0, memory_hours=1e6)
    book = model.latent_books[0]
    book.news_move()                                   # the book's last look: the news now
    seen["tokens"] = -6e6                              # the hour's takers sold 4% of the supply
    learning.update()
    assert learning.log_revision == pytest.approx(-0.01 * 4 ** 0.5)
    assert model.news_at(model.time) == pytest.approx(2.0 * math.exp(-0.02))
    seen["tokens"] = -6e6 + 375e3                      # the next hour bought back a quarter %
    learning.update()
    assert learning.log_revision == pytest.approx(-0.02 + 0.01 * 0.25 ** 0.5)
    moved = learning.log_revision
    # the value traders' anchor, a dealer's pending news and a latent book all take it in
    anchor.update(math.nan)
    assert anchor.log_news_value == pytest.approx(moved)
    assert fair.update(1.0) == pytest.approx(math.exp(moved))
    assert math.log(book.news_move()) == pytest.approx(book.model.config.latent.news_weight
                                                       * moved)
    learning.update()                                  # an hour without net flow moves nothing
    assert learning.log_revision == moved


def test_flow_learning_is_off_by_default_and_its_keys_are_range_checked():
    model = MarketModel(BASE, seed=1)
    model.run_until(181)
    assert model.flow_learning.log_revision == 0.0
    assert model.flow_learning.update not in model.hourly_observers
    assert model.news_at(model.time) == model.fundamental_at(model.time)
    with pytest.raises(ValueError, match=r"beliefs.flow_learning must be in \[0, 1\]"):
        BASE.override({"beliefs.flow_learning": -0.1})
    with pytest.raises(ValueError, match=r"beliefs.flow_exponent must be in \[0.1, 1\]"):
        BASE.override({"beliefs.flow_exponent": 0.0})


def test_with_a_flow_memory_a_run_of_selling_moves_the_value_as_the_runs_size_to_the_power():
    config = BASE.override({"beliefs.flow_learning": 0.01, "beliefs.flow_memory_hours": 1e4})
    model = MarketModel(config, seed=1)
    learning, seen = model.flow_learning, {"tokens": 0.0}
    model.tape.net_bought_tokens = lambda exclude: seen["tokens"]
    one = 0.01 * config.token.total_supply
    for hour in range(1, 5):                           # four hours, each selling 1% of supply
        seen["tokens"] = -hour * one
        learning.update()
    fade = 0.5 ** (1 / 1e4)
    run = -one * sum(fade ** k for k in range(4))
    # the run fades a little each hour, and what fades is not given back
    assert learning.log_revision == pytest.approx(-0.01 * (-run / one) ** 0.5, rel=1e-3)
    alone = MarketModel(BASE.override({"beliefs.flow_learning": 0.01}), seed=1).flow_learning
    alone.model.tape.net_bought_tokens = lambda exclude: seen["tokens"]
    for hour in range(1, 5):
        seen["tokens"] = -hour * one
        alone.update()
    assert alone.log_revision == pytest.approx(-0.04)  # each hour alone: 4 x 1%^0.5
    with pytest.raises(ValueError, match=r"beliefs.flow_memory_hours must be in \[0, 10000\]"):
        BASE.override({"beliefs.flow_memory_hours": -1})
