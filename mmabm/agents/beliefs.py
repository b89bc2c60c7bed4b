"""Value traders' beliefs: a shared anchor that follows the news and, if adaptive, the price.

A value trader's valuation is the anchor times its own fixed offset (`beliefs.dispersion`: the
spread of the population's valuations). Every hour the anchor (in logs) takes in
`beliefs.news_weight` of the news value's move over the hour (the world's exogenous signal,
`fundamental`: information about the project, not a price anyone stands behind), and under
`beliefs.model = "adaptive"` also moves toward the price the traders saw, at
`beliefs.learning_per_day` (adaptive expectations; the anchor of Majewski, Ciliberti &
Bouchaud 2020 that slowly moves): a price that stays low is, after a while, believed. Under
`"anchored"` the anchor is the news value alone, as in the model before price formation.
Under `"adaptive"` a share `beliefs.anchored_share` of the value traders keeps the news-only
anchor (`log_news_value`) while the rest learn: fundamentalists beside adaptive traders, the
two types of Brock & Hommes (1998), in fixed shares.
"""
from __future__ import annotations

import math

NEGLIGIBLE = 1e-6        # pending news below this (in logs) is dropped: far inside a tick
#: takers whose flow tells the market nothing it has not seen: the dealers and latent investors
#: take stale quotes on the public news, the arbitrage desk's legs follow the venues' prices
PUBLIC_FLOW = ("liquidity_provider", "arbitrage")


class FlowLearning:
    """The market's revision of value from the order flow it sees (`beliefs.flow_learning`).

    Once an hour (at its start) the log of the shared value moves by
    lambda x [g(R + F) - g(R)], g(x) = sign(x) x (|x| / (1% of the supply))^beta, F the tokens
    the takers on the CEXs and the pool bought net of what they sold in the hour just ended
    (`beliefs.flow_sources`: by default not counting the takers who trade on public
    information, PUBLIC_FLOW) and R the run of net flow before it, fading with half-life
    `beliefs.flow_memory_hours` (0: R = 0, each hour alone). With beta < 1 the move is
    concave in the imbalance, as measured (Lillo, Farmer & Mantegna 2003; Plerou, Gopikrishnan,
    Gabaix & Stanley 2002): a long run of selling moves the value less per token as it grows,
    so a metaorder's permanent part is about g(Q) once the run stands out from the noise.

    The news every value trader, dealer and latent investor reads is the world's news value
    times exp(this revision) (`MarketModel.news_at`), so a sale that the flow reveals moves all
    their valuations and stays (Kyle 1985; fair pricing, Farmer, Gerig, Lillo & Waelbroeck
    2013), while balanced flow leaves it alone. Off (0) the news is the world's alone.
    """

    def __init__(self, model) -> None:
        b = model.config.beliefs
        self.model, self.rate, self.exponent = model, b.flow_learning, b.flow_exponent
        self.scale = 0.01 * model.config.token.total_supply      # tokens: 1% of the supply
        self.log_revision = 0.0
        self.run = 0.0                  # the run of net flow before this hour's (tokens)
        self._fade = 0.5 ** (1.0 / b.flow_memory_hours) if b.flow_memory_hours else 0.0
        self.exclude = PUBLIC_FLOW if b.flow_sources == "private" else ()
        self._seen = 0.0                                          # net bought at the last look
        if self.rate:
            model.observe_hourly(self.update)

    def update(self) -> None:
        """Take in the hour's net flow."""
        bought = self.model.tape.net_bought_tokens(self.exclude)
        flow, self._seen = bought - self._seen, bought
        before = self._fade * self.run
        self.run = before + flow
        if flow:
            self.log_revision += self.rate * (self._shape(self.run) - self._shape(before))

    def _shape(self, tokens: float) -> float:
        """sign x (|tokens| / 1% of the supply)^beta."""
        return math.copysign((abs(tokens) / self.scale) ** self.exponent, tokens)


class BeliefAnchor:
    """The log of the anchor valuation; `update` once an hour with the observed mid."""

    def __init__(self, model) -> None:
        b = model.config.beliefs
        self.model = model
        self.news_weight = b.news_weight
        self.learning = (1.0 - math.exp(-b.learning_per_day / 24.0)
                         if b.model == "adaptive" else 0.0)          # per hour
        self.log_value = math.log(model.config.token.initial_price)
        self.log_news_value = self.log_value     # the anchor of those who do not learn
        self._news = math.log(model.news_at(model.time))

    @property
    def value(self) -> float:
        """The anchor in USDT per token."""
        return math.exp(self.log_value)

    def update(self, mid: float) -> None:
        """Take in the news since the last update, then learn from the mid seen now."""
        news = math.log(self.model.news_at(self.model.time))
        self.log_value += self.news_weight * (news - self._news)
        self.log_news_value += self.news_weight * (news - self._news)
        self._news = news
        if self.learning and mid > 0:
            self.log_value += self.learning * (math.log(mid) - self.log_value)


class NewsFair:
    """A dealer's fair price: the mid plus the news the price has not taken in yet.

    At each look the pending news (in logs) grows by `news_weight` times the news value's move
    since the last look and shrinks by the mid's move in its direction (the market took that
    much in), never past zero; what is still pending fades with half-life `memory_hours` (a
    view the market does not confirm is given up). The fair price is mid x exp(pending).

    It follows the news' moves, never its level, and a move against the news (a sale) leaves
    the pending part as it was: a dealer that reads the news does not lean against the flow.
    """

    def __init__(self, model, news_weight: float, memory_hours: float) -> None:
        self.model, self.news_weight = model, news_weight
        self.memory_minutes = memory_hours * 60.0
        self.pending = 0.0
        self._news = model.news_at(model.time)
        self._mid = math.nan                      # the mid at its last look that had one
        self._seen = model.time

    def update(self, mid: float) -> float:
        """Take in the news and the mid's move since the last look; the fair price (NaN
        without a mid)."""
        now = self.model.time
        news = self.model.news_at(now)
        if news != self._news:
            self.pending += self.news_weight * math.log(news / self._news)
            self._news = news
        if not (mid == mid and mid > 0):
            return math.nan
        pending = self.pending
        if pending:                               # (nothing pending: the mid is the fair price)
            if self._mid == self._mid:
                taken = math.log(mid / self._mid)
                if pending > 0:
                    pending = max(0.0, pending - max(taken, 0.0))
                else:
                    pending = min(0.0, pending - min(taken, 0.0))
            pending *= 0.5 ** ((now - self._seen) / self.memory_minutes)
            self.pending = pending if abs(pending) > NEGLIGIBLE else 0.0
        self._mid, self._seen = mid, now
        return mid * math.exp(self.pending) if self.pending else mid
