"""Retail traders: thousands of them, held as arrays by one Mesa agent.

Who acts and when is drawn in bulk from the run's named streams, one batch per minute: a
Poisson number of candidate arrivals at the maximum rate (launch rate x ATTENTION_CAP), each
with its trader, its coins and its size, then each candidate is kept with probability
rate(t) / maximum, where rate(t) is the launch rate times the market's attention (it decays from
listing and jumps on sharp moves). This thinning keeps common random numbers even though
attention reacts to the market: runs that differ only in the market maker's strategy draw the
same candidates with the same coins; only which of them act can differ. Cost scales with the
number of orders, not with population x minutes.

Every trader has a finite wallet (lognormal, `retail.wealth_sigma`), kept on one home venue:
the DEX pool for a share `retail.dex_share` of spot traders, else a CEX chosen in proportion to
its obligation depth. Money enters and leaves only through flows.py (an inflow that follows
attention, exits). The rules (decided in the compiled loop, _retail.pyx; docs/model.md gives
each with its key):

- noise traders: buy or sell (market, or a limit that rests behind the mid); their side leans
  with the crowd's hourly mood, an exogenous tilt, and with the crowd's answer to a sharp move
  (`retail.shock_tilt`);
- trend followers (momentum): buy or sell on the move over their own horizon
  (`retail.momentum_horizons_hours`), surer the bigger the move;
- value traders (fundamentalist): a valuation = the population's belief anchor (beliefs.py)
  times a fixed personal offset; they trade at market beyond `fundamental_threshold` of it,
  sized up with the gap, and otherwise rest a limit order at their threshold: a latent book of
  intentions revealed as the price comes to it;
- perp speculators: leveraged, with the mood;
- early holders (airdrop and seed recipients, `retail.early_*`): tokens with a cost basis; they
  take profit into the market, a share of their tokens at a time;
- a share of noise and momentum traders also has a stop (`stop_loss_share`: a fall below their
  entry; `panic_share`: a drawdown from the recent high): they sell everything when it is hit.

Traders remember what they paid (an average cost basis) and the population remembers the
market's hourly mids (its memory: `observe`), which the trend followers, the panic sellers and
the belief anchor read.
"""
from __future__ import annotations

import math

import mesa
import numpy as np

from mmabm.agents._arrivals import CandidateDraws
from mmabm.agents._retail import act_batch
from mmabm.agents.beliefs import BeliefAnchor
from mmabm.agents.flows import MoneyFlows
from mmabm.exogenous import ar1_path
from mmabm.venues import fund, units

NOISE, MOMENTUM, FUNDAMENTALIST, PERP, EARLY = range(5)
TYPE_NAMES = ("noise", "momentum", "fundamentalist", "perp", "early_holder")
NO_STOP, STOP_LOSS, PANIC = range(3)
RETAIL_BASE = 1_000          # venue owner id of trader i is RETAIL_BASE + i
SHARP_MOVE = 0.05            # an hourly move that excites attention
ATTENTION_CAP = 5.0          # attention (relative to listing) is capped here for thinning


def home_weights(config) -> np.ndarray:
    """Probabilities of a spot trader's home venue: the CEXs (in proportion to their obligation
    depth) then the DEX pool (`retail.dex_share`)."""
    depth = np.array([x.depth_usd for x in config.cex], dtype=float)
    share = config.retail.dex_share
    cex = depth / depth.sum() if depth.sum() > 0 else np.full(len(depth), 1.0 / len(depth))
    p = np.append(cex * (1.0 - share), share)
    return p / p.sum()


def crowd_mood(rng: np.random.Generator, hours: int, sd: float,
               halflife_hours: float) -> np.ndarray:
    """The crowd's buy-side tilt in each hour: an AR(1) with stationary sd `sd` and the given
    half-life (0: independent hours), clipped to ±0.45. Drawn up front from its own stream."""
    shocks = rng.normal(0.0, 1.0, hours)
    if halflife_hours <= 0:
        return np.clip(sd * shocks, -0.45, 0.45)
    return np.clip(ar1_path(shocks, sd, halflife_hours), -0.45, 0.45)


class RetailPopulation(mesa.Agent):
    """All retail traders; `arrive` runs every minute, `observe` every hour."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        r, c = model.config.retail, model.config
        self.n_traders = r.n_traders                         # the rest are early holders
        early = int(round(r.n_traders * r.early_holder_share))
        n = r.n_traders + early
        types = model.streams["trader_types"]
        self.kind = np.append(
            types.choice(4, size=r.n_traders, p=[r.noise_share, r.momentum_share,
                                                 r.fundamentalist_share, r.perp_share]),
            np.full(early, EARLY)).astype(np.int64)
        spot = [*model.cexs, model.dex]
        self.home = np.where(self.kind == PERP, len(spot),
                             types.choice(len(spot), size=n, p=home_weights(c))).astype(np.int64)
        self.venues = [*spot, model.perp]
        self.early_dex_owners = [RETAIL_BASE + int(i) for i in
                                 np.flatnonzero((self.kind == EARLY) & (self.home == len(spot) - 1))]
        self.resting = np.zeros(n, dtype=np.int64)           # resting order id (0: none)
        self._rest_seen = np.zeros(n, dtype=np.int64)        # the ids at the last hourly look
        self._rest_since = np.zeros(n, dtype=np.int64)       # the hour each was first seen
        self.expired = 0                                     # resting orders cancelled by age
        self.orders = np.zeros(len(TYPE_NAMES), dtype=np.int64)    # orders sent, by type
        self.stops_hit = 0                                   # stop-loss and panic sales
        self._act_loop = None                # the compiled loop, bound to these arrays (_retail.pyx)
        self._draw_traits(model.streams["traits"])
        self._seed_wallets(types)
        # the crowd's hourly mood: a buy-side tilt shared by noise and perp traders, drawn for
        # the whole run up front (exogenous, so it is the same whatever the market maker does)
        self.mood = crowd_mood(model.streams["mood"], int(model.end_minute // 60) + 2,
                               r.mood_sd, r.mood_halflife_hours)
        # memory: the main CEX's mid at each hour (from observe), and what is read from it
        self.hour_mids: list[float] = []
        self.horizons = np.array(r.momentum_horizons_hours, dtype=float)
        self.past_mids = np.full(len(self.horizons), math.nan)
        self.recent_high = c.token.initial_price
        self.anchor = BeliefAnchor(model)
        self._anchored, self._anchored_offset = self._news_anchored()
        self.flows = MoneyFlows(self)
        if r.launch_orders_per_minute > 0:
            # candidates at the capped rate, thinned to the attention of the minute
            self._top = r.launch_orders_per_minute * ATTENTION_CAP
            self._draws = CandidateDraws(model.streams["arrivals"], model.streams["decisions"],
                                         model.streams["sizes"], n, r.order_usd_median,
                                         r.order_usd_sigma)
            model.every_step(self.arrive, 1, start_now=True)
        model.observe_hourly(self.observe)

    def _draw_traits(self, rng: np.random.Generator) -> None:
        """Each trader's fixed traits: horizon, valuation offset, stop, take-profit level."""
        r, b, n = self.model.config.retail, self.model.config.beliefs, len(self.kind)
        self.horizon = rng.integers(0, len(r.momentum_horizons_hours), n).astype(np.int64)
        self.offset = np.where(self.kind == FUNDAMENTALIST,
                               rng.normal(0.0, b.dispersion, n), 0.0)
        u = rng.random(n)
        spot = (self.kind == NOISE) | (self.kind == MOMENTUM)
        self.stop = np.where(spot & (u < r.stop_loss_share), STOP_LOSS,
                             np.where(spot & (u >= 1 - r.panic_share), PANIC, NO_STOP))
        self.stop = self.stop.astype(np.int64)
        level = rng.uniform(0.5, 1.5, n)
        self.stop_level = np.clip(np.where(self.stop == STOP_LOSS, r.stop_loss * level,
                                           r.panic_drawdown * level), 0.0, 0.99)
        self.take_profit = rng.uniform(0.0, 2.0 * r.early_take_profit, n)
        early = self.kind == EARLY
        self.basis = np.where(early, rng.uniform(0.0, r.early_cost_max, n),
                              self.model.config.token.initial_price)

    def _news_anchored(self) -> tuple[np.ndarray, np.ndarray]:
        """The value traders who do not learn from the price (`beliefs.anchored_share` of
        them, spread evenly by index: no draw, so every other trait is as without them) and
        their own offsets."""
        b = self.model.config.beliefs
        share = b.anchored_share if b.model == "adaptive" else 0.0
        value = np.flatnonzero(self.kind == FUNDAMENTALIST)
        k = np.arange(len(value))
        chosen = value[np.floor((k + 1) * share) > np.floor(k * share)]
        return chosen, self.offset[chosen].copy()

    def _seed_wallets(self, rng: np.random.Generator) -> None:
        """Split the float, the early holders' tokens and the USDT among traders (lognormal)
        and fund their home venue."""
        model, r = self.model, self.model.config.retail
        n = len(self.kind)
        share = rng.lognormal(0.0, r.wealth_sigma, size=n)
        share = np.where(self.kind == FUNDAMENTALIST, share * r.value_wealth, share)
        early = self.kind == EARLY
        spot = (self.kind != PERP) & ~early
        tokens = np.zeros(n)
        if spot.any():
            tokens[spot] = share[spot] / share[spot].sum() * r.float_tokens
        if early.any():
            tokens[early] = share[early] / share[early].sum() * r.early_tokens
        tokens = np.floor(tokens / units.TOKEN_UNIT)
        usdt = np.where(early, 0.0, share) / max(share[~early].sum(), 1e-300) * r.usdt_total
        usdt = np.floor(usdt / units.USDT_UNIT)
        self.seen_tokens = tokens.astype(np.int64)            # their holdings at their last look
        for i in range(n):
            owner = RETAIL_BASE + i
            model.wallets.mint(owner, usdt=usdt[i] * units.USDT_UNIT)
            if tokens[i]:
                model.wallets.transfer(model.project.unique_id, owner, token_units=int(tokens[i]))
            venue = self.venues[self.home[i]]
            fund(model.wallets, venue, owner, int(usdt[i]), int(tokens[i]))   # perp: no tokens

    def owner(self, i: int) -> int:
        """The venue owner id of trader i."""
        return RETAIL_BASE + i

    # -- arrivals ------------------------------------------------------------------------------
    def rate(self, minute: float) -> float:
        """Arrivals per minute at `minute` (attention capped at ATTENTION_CAP)."""
        return self.model.config.retail.launch_orders_per_minute * min(
            ATTENTION_CAP, self.model.attention.level(minute))

    def buy_chance(self, minute: float) -> float:
        """A noise or perp trader's chance of buying now: one half plus the hour's mood plus
        the crowd's answer to the last sharp move (kept within [0.05, 0.95])."""
        shock_tilt = self.model.config.retail.shock_tilt
        tilt = shock_tilt * self.model.attention.tilt(minute) if shock_tilt else 0.0
        mood = self.mood[min(int(minute // 60), len(self.mood) - 1)]
        return min(0.95, max(0.05, 0.5 + mood + tilt))

    def arrive(self) -> None:
        """This minute's arrivals: thinned candidates, drawn whatever the market did."""
        model = self.model
        top = self._top
        drawn = self._draws.draw(top, self.rate(model.time) / top)
        if drawn is None:
            return
        who, picks, coins, sizes = drawn
        if len(picks):
            t = model.time
            act_batch(self, who, picks, coins, sizes, self.buy_chance(t),
                      self.anchor.log_value)

    # -- memory --------------------------------------------------------------------------------
    def observe(self) -> None:
        """Hourly: remember the main CEX's mid; from the memory, the mids each trend horizon
        compares with, the recent high, the belief anchor; and a sharp move excites attention."""
        model = self.model
        mid = model.cexs[0].mid_usd()
        if mid != mid:
            mid = self.hour_mids[-1] if self.hour_mids else model.config.token.initial_price
        if self.hour_mids:
            move = mid / self.hour_mids[-1] - 1
            if abs(move) > SHARP_MOVE:
                model.attention.shock(model.time, abs(move) / SHARP_MOVE, 1 if move > 0 else -1)
        self.hour_mids.append(mid)
        n = len(self.hour_mids)
        for k, hours in enumerate(self.horizons):
            back = int(round(hours))
            self.past_mids[k] = self.hour_mids[n - 1 - back] if n > back else math.nan
        lookback = max(1, int(round(model.config.retail.high_lookback_days * 24)))
        self.recent_high = max(self.hour_mids[-lookback:])
        self.anchor.update(mid)
        if self._anchored.size:
            # their valuation is the news-only anchor times their offset; the compiled loop
            # reads log_anchor + offset, so their offsets carry the difference
            self.offset[self._anchored] = self._anchored_offset + (
                self.anchor.log_news_value - self.anchor.log_value)
        if model.config.retail.order_life_hours:
            self._expire(n)

    def _expire(self, hour: int) -> None:
        """Cancel the resting orders older than `retail.order_life_hours` (an order's age is
        counted from the hourly look that first saw it: traders who do not come back still
        withdraw stale intentions)."""
        new = self.resting != self._rest_seen
        self._rest_since[new] = hour
        self._rest_seen[new] = self.resting[new]
        life = self.model.config.retail.order_life_hours
        for i in np.flatnonzero((self.resting != 0) & (hour - self._rest_since >= life)).tolist():
            self.venues[self.home[i]].cancel(RETAIL_BASE + i, int(self.resting[i]))
            self.resting[i] = 0
            self._rest_seen[i] = 0
            self.expired += 1

    # -- legacy value money --------------------------------------------------------------------
    def _deposit(self, i: int, venue, usd: float) -> None:
        """`money.model = "elastic"` only: bring new USDT (minted, recorded in the flows'
        inflow) so value trader i's account holds `usd` plus fees before it buys — the
        bottomless value money of the model before price formation."""
        owner, model = RETAIL_BASE + i, self.model
        short = units.usdt_to_units(max(0.0, usd * 1.06 - venue.balance(owner)["usdt"]))
        if short:
            model.wallets.mint(owner, usdt=short * units.USDT_UNIT)
            fund(model.wallets, venue, owner, short, 0)
            self.flows.inflow_units += short
            self.flows.elastic_units += short
