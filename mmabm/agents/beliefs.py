"""Value traders' beliefs: a shared anchor that follows the news and, if adaptive, the price.

A value trader's valuation is the anchor times its own fixed offset (`beliefs.dispersion`: the
spread of the population's valuations). Every hour the anchor (in logs) takes in
`beliefs.news_weight` of the news value's move over the hour (the world's exogenous signal,
`fundamental`: information about the project, not a price anyone stands behind), and under
`beliefs.model = "adaptive"` also moves toward the price the traders saw, at
`beliefs.learning_per_day` (adaptive expectations; the anchor of Majewski, Ciliberti &
Bouchaud 2020 that slowly moves): a price that stays low is, after a while, believed. Under
`"anchored"` the anchor is the news value alone, as in the model before price formation.
"""
from __future__ import annotations

import math


class BeliefAnchor:
    """The log of the anchor valuation; `update` once an hour with the observed mid."""

    def __init__(self, model) -> None:
        b = model.config.beliefs
        self.model = model
        self.news_weight = b.news_weight
        self.learning = (1.0 - math.exp(-b.learning_per_day / 24.0)
                         if b.model == "adaptive" else 0.0)          # per hour
        self.log_value = math.log(model.config.token.initial_price)
        self._news = math.log(model.fundamental_at(model.time))

    @property
    def value(self) -> float:
        """The anchor in USDT per token."""
        return math.exp(self.log_value)

    def update(self, mid: float) -> None:
        """Take in the news since the last update, then learn from the mid seen now."""
        news = math.log(self.model.fundamental_at(self.model.time))
        self.log_value += self.news_weight * (news - self._news)
        self._news = news
        if self.learning and mid > 0:
            self.log_value += self.learning * (math.log(mid) - self.log_value)


class NewsFair:
    """A dealer's fair price (log): it takes in `news_weight` of each move of the world's news
    value as it happens and returns to the traded mid with half-life `memory_hours`.

    It follows the news' moves, never its level, so a price that trading pushed away is not
    pulled back to any value: what trading did stays, what the news says is added.
    """

    def __init__(self, model, news_weight: float, memory_hours: float) -> None:
        self.model, self.news_weight = model, news_weight
        self.memory_minutes = memory_hours * 60.0
        self.log_value = math.log(model.config.token.initial_price)
        self._news = math.log(model.fundamental_at(model.time))
        self._seen = model.time

    @property
    def value(self) -> float:
        """The fair price in USDT per token."""
        return math.exp(self.log_value)

    def update(self, mid: float) -> float:
        """Take in the news since the last update, then return toward `mid` (NaN: skip) for
        the minutes since; the fair price."""
        now = self.model.time
        news = math.log(self.model.fundamental_at(now))
        self.log_value += self.news_weight * (news - self._news)
        self._news = news
        if mid == mid and mid > 0:
            learn = 1.0 - 0.5 ** ((now - self._seen) / self.memory_minutes)
            self.log_value += learn * (math.log(mid) - self.log_value)
            self._seen = now
        return math.exp(self.log_value)
