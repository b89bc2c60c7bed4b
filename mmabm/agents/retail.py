"""Retail traders: thousands of them, held as arrays by one Mesa agent.

Who acts and when is drawn in bulk from the run's named streams, one batch per minute: a
Poisson number of candidate arrivals at the maximum rate (launch rate x ATTENTION_CAP), each
with its trader, its coins and its size, then each candidate is kept with probability
rate(t) / maximum, where rate(t) is the launch rate times the market's attention (it decays from
listing and jumps on sharp moves). This thinning keeps common random numbers even though
attention reacts to the market: runs that differ only in the market maker's strategy draw the
same candidates with the same coins; only which of them act can differ. Cost scales with the
number of orders, not with population x minutes.

Types: noise traders (market or limit orders; their side leans with the crowd's hourly mood, an
exogenous tilt that gives hourly order-flow imbalance, so volatility and fat tails), momentum
traders (market orders with the move since the last recorded row, an hour by default, surer of
their side the bigger the move), fundamentalists (market orders toward the latent value when
the price is off by more than a threshold, sized up with the mispricing; when buying they bring
new USDT, minted and recorded, so value money flows in as the token gets cheap) and leveraged
perp speculators (with the mood too). Each trader keeps all its money on one home venue: the DEX
pool for a share `retail.dex_share` of spot traders, else a CEX chosen in proportion to its
obligation depth (young tokens trade mostly on their CEXs), and at most one resting order (replaced on its next
arrival). Wallets are seeded from the circulating float (tokens from the project's treasury)
and from USDT brought in. docs/calibration.md gives the defaults and what they reproduce.
"""
from __future__ import annotations

import math

import mesa
import numpy as np

from mmabm._core import BUY, GTC, SELL
from mmabm.agents._arrivals import CandidateDraws
from mmabm.agents._retail import act_batch
from mmabm.venues import fund, units

NOISE, MOMENTUM, FUNDAMENTALIST, PERP = range(4)
TYPE_NAMES = ("noise", "momentum", "fundamentalist", "perp")
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


class RetailPopulation(mesa.Agent):
    """All retail traders; `arrive` is scheduled at each arrival time."""

    #: decide with the compiled loop (_retail.act_batch); False runs `act`, the reference that
    #: the compiled loop must match order for order
    compiled: bool = True

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        r, c = model.config.retail, model.config
        n = r.n_traders
        types = model.streams["trader_types"]
        self.kind = types.choice(4, size=n, p=[r.noise_share, r.momentum_share,
                                              r.fundamentalist_share, r.perp_share])
        spot = [*model.cexs, model.dex]
        self.home = np.where(self.kind == PERP, len(spot),
                             types.choice(len(spot), size=n, p=home_weights(c)))
        self.venues = [*spot, model.perp]
        self.resting = np.zeros(n, dtype=np.int64)           # resting order id (0: none)
        self.orders = np.zeros(4, dtype=np.int64)           # orders sent, by type
        self.inflow_units = 0                               # USDT units brought in after listing
        self._seed_wallets(types)
        # the crowd's hourly mood: a buy-side tilt shared by noise and perp traders, drawn for
        # the whole run up front (exogenous, so it is the same whatever the market maker does)
        hours = int(model.end_minute // 60) + 2
        self.mood = np.clip(model.streams["mood"].normal(0.0, r.mood_sd, hours), -0.45, 0.45)
        self._last_mid = c.token.initial_price
        if r.launch_orders_per_minute > 0:
            # candidates at the capped rate, thinned to the attention of the minute
            self._top = r.launch_orders_per_minute * ATTENTION_CAP
            self._draws = CandidateDraws(model.streams["arrivals"], model.streams["decisions"],
                                         model.streams["sizes"], n, r.order_usd_median,
                                         r.order_usd_sigma)
            model.every_step(self.arrive, 1, start_now=True)
        model.schedule_recurring(self.watch, mesa.time.Schedule(interval=60))
        # their memory of the market: the main mid at the end of each hour's first minute
        self.seen_mid = math.nan
        model.observe_hourly(self.observe)

    def observe(self) -> None:
        """Hourly: remember the main CEX's mid (what trend followers compare with)."""
        self.seen_mid = self.model.cexs[0].mid_usd()

    def _seed_wallets(self, rng: np.random.Generator) -> None:
        """Split the float and the USDT among traders (lognormal) and fund their home venue."""
        model, r = self.model, self.model.config.retail
        n = r.n_traders
        share = rng.lognormal(0.0, 1.0, size=n)
        spot = self.kind != PERP
        tokens = np.where(spot, share, 0.0)
        tokens = np.floor(tokens / max(tokens.sum(), 1e-12) * r.float_tokens / units.TOKEN_UNIT)
        usdt = np.floor(share / share.sum() * r.usdt_total / units.USDT_UNIT)
        for i in range(n):
            owner = RETAIL_BASE + i
            model.wallets.mint(owner, usdt=usdt[i] * units.USDT_UNIT)
            if tokens[i]:
                model.wallets.transfer(model.project.unique_id, owner, token_units=int(tokens[i]))
            venue = self.venues[self.home[i]]
            fund(model.wallets, venue, owner, int(usdt[i]), 0 if venue is model.perp else int(tokens[i]))

    # -- arrivals ------------------------------------------------------------------------------
    def rate(self, minute: float) -> float:
        """Arrivals per minute at `minute` (attention capped at ATTENTION_CAP)."""
        return self.model.config.retail.launch_orders_per_minute * min(
            ATTENTION_CAP, self.model.attention.level(minute))

    def arrive(self) -> None:
        """This minute's arrivals: thinned candidates, drawn whatever the market did."""
        model = self.model
        top = self._top
        drawn = self._draws.draw(top, self.rate(model.time) / top)
        if drawn is None:
            return
        who, picks, coins, sizes = drawn
        if not self.compiled:
            for j in picks:
                self.act(int(who[j]), coins[j], float(sizes[j]))
            return
        if len(picks):
            t = model.time
            last = self.seen_mid
            act_batch(self, who, picks, coins, sizes,
                      0.5 + self.mood[min(int(t // 60), len(self.mood) - 1)], last,
                      model.fundamental_at(t))

    def watch(self) -> None:
        """Hourly: a sharp move excites attention."""
        mid = self.model.cexs[0].mid_usd()
        if mid == mid and self._last_mid:
            move = abs(mid / self._last_mid - 1)
            if move > SHARP_MOVE:
                self.model.attention.shock(self.model.time, move / SHARP_MOVE)
            self._last_mid = mid

    # -- decisions -----------------------------------------------------------------------------
    def act(self, i: int, u: np.ndarray, size_usd: float) -> None:
        """Trader i decides on a side and an order, and sends it to its home venue."""
        kind, venue, r = self.kind[i], self.venues[self.home[i]], self.model.config.retail
        ref = self._reference_price(venue)
        if ref != ref:
            return
        buy_chance = 0.5 + self.mood[min(int(self.model.time // 60), len(self.mood) - 1)]
        side, market = (BUY if u[0] < buy_chance else SELL), u[1] < r.market_order_share
        if kind == MOMENTUM:
            last = self.seen_mid
            if last == last:
                # the stronger the last hour's move, the surer the trend follower is of its side
                buy_chance = 0.5 + 0.5 * math.tanh((ref / last - 1) / r.momentum_scale)
                side, market = (BUY if u[0] < buy_chance else SELL), True
        elif kind == FUNDAMENTALIST:
            gap = self.model.fundamental_at(self.model.time) / ref - 1
            if abs(gap) < r.fundamental_threshold:
                return
            side, market = (BUY if gap > 0 else SELL), True
            size_usd *= min(r.fundamental_max_multiple,
                            abs(gap) / max(r.fundamental_threshold, 1e-9))
        elif kind == PERP:
            size_usd *= r.perp_leverage
        self.orders[kind] += 1
        if side == BUY and kind == FUNDAMENTALIST:
            self._deposit(i, venue, size_usd)
        offset = -math.log(1.0 - u[2]) * r.limit_offset_bps / 1e4
        self._send(i, venue, side, market, size_usd, ref * (1 - side * offset), ref)

    def _deposit(self, i: int, venue, usd: float) -> None:
        """Bring new USDT (minted, recorded in `inflow_units`) so spot trader i's account holds
        `usd` plus fees: value money from outside the market, which comes as the token gets
        cheap and arrives with traders (so with attention). Without it a finite float of
        retail USDT pins the price after the sale at retail's USDT / token ratio."""
        owner, model = RETAIL_BASE + i, self.model
        short = units.usdt_to_units(max(0.0, usd * 1.06 - venue.balance(owner)["usdt"]))
        if short:
            model.wallets.mint(owner, usdt=short * units.USDT_UNIT)
            fund(model.wallets, venue, owner, short, 0)
            self.inflow_units += short

    def _reference_price(self, venue) -> float:
        if venue is self.model.dex:
            return venue.price()
        if venue is self.model.perp:
            return self.model.perp.index_price
        mid = venue.mid_usd()
        return mid if mid == mid else venue.last_price_usd()

    def _send(self, i: int, venue, side: int, market: bool, size_usd: float, limit_price: float,
              ref: float) -> None:
        owner, model = RETAIL_BASE + i, self.model
        if venue is model.dex:
            b = venue.balance(owner)
            have = b["usdt"] if side == BUY else b["tokens"] * ref
            amount = min(size_usd, have) / (1.0 if side == BUY else ref)
            unit = units.USDT_UNIT if side == BUY else units.TOKEN_UNIT
            if amount * (1 / unit) >= 1:
                venue.swap_exact_in(owner, side, int(amount / unit))
            return
        if self.resting[i]:
            venue.cancel(owner, int(self.resting[i]))
            self.resting[i] = 0
        lots = self._affordable_lots(venue, owner, side, size_usd, max(ref, limit_price))
        if lots < 1:
            return
        if market:
            venue.market(owner, side, lots)
            return
        ticks = max(1, round(limit_price / venue.tick_size))
        oid = venue.limit(owner, side, ticks, lots, GTC)
        if oid > 0:
            self.resting[i] = oid          # if it filled at once, the later cancel is a no-op

    def _affordable_lots(self, venue, owner: int, side: int, size_usd: float, price: float) -> int:
        lot_tokens = venue.lot_size
        if venue is self.model.perp:
            collateral = venue.account(owner).collateral * units.USDT_UNIT
            usd = min(size_usd, collateral * 0.9 / max(venue.initial_margin, 1e-9))
            return int(usd / (price * lot_tokens))
        b = venue.balance(owner)
        if side == BUY:
            return int(min(size_usd, b["usdt"] / 1.05) / (price * lot_tokens))
        return int(min(size_usd / price, b["tokens"]) / lot_tokens)
