"""The delta-neutral market maker: its opening, quoting, initial sale and delta.

At t=0 it funds each CEX with the inventory its obligations need (plus a buffer), seeds the
DEX pool at the listing price and posts obligation ladders; then it requotes whenever a mid has
moved by more than the threshold, skewing against its inventory.

The initial sale (size: the article's arithmetic, `Config.initial_sale_tokens`) follows
`sale_execution`, by default the strategy's: `article` sells immediately (equal slices every
minute over `sale_horizon_hours`, each part to the venue paying most); `twap_sale` in equal
hourly slices over `twap_days`; `pov` sells each hour `pov_rate` of the volume others traded in
the last hour; `hold` and `liability_neutral` do not sell. Its delta is reported in two views: `inventory`
(the article's: spot + LP + perps + option delta) and `liability` (the same minus the tokens
owed back). Perp hedging, gamma scalping and the P&L decomposition build on this engine.
"""
from __future__ import annotations

from dataclasses import dataclass

import mesa
from mesa.time import Schedule

from mmabm._core import BUY, SELL
from mmabm.agents.quoting import obligation_ladder
from mmabm.venues import EwmaVolatility, LpPosition, defund, fund, units

MINUTES_PER_YEAR = 365 * 24 * 60
SLICES = 4       # each sale slice is split this many ways, each part to the best venue

BUFFER = 1.2     # inventory per obligation: the ladder's 5% margin, fees, and room to trade


@dataclass(frozen=True)
class MarketMakerBook:
    """What the market maker holds and owes at one moment (USDT and tokens)."""
    usdt: float              # wallet, CEX accounts (free and in orders), DEX account, pool share
    tokens: float            # the same places, in tokens
    perp_tokens: float       # perp position
    perp_equity: float       # perp collateral, margin and unrealised PnL (USDT)
    pool: LpPosition         # its pool share, for fees and impermanent loss
    calls_value: float       # the calls at Black-Scholes value (USDT)
    calls_delta: float       # and their delta (tokens)
    owed: float              # tokens still owed back to the project

    def deltas(self) -> tuple[float, float]:
        """(inventory view, liability view) in tokens."""
        inventory = self.tokens + self.perp_tokens + self.calls_delta
        return inventory, inventory - self.owed


class MarketMaker(mesa.Agent):
    """Quotes every CEX, provides the pool's liquidity, and settles the contract at maturity."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        model.wallets.mint(self.unique_id, usdt=model.config.market_maker.usdt_capital)
        self.quoted_mid: dict[str, float] = {}
        self.start_tokens_units = 0
        self.options_exercised = 0
        self.sold_tokens = 0.0
        self.sale_usdt = 0.0
        self.spread_pnl = 0.0          # quotes' edge over the mid, net of maker fees (USDT)
        self.exercise_pnl = 0.0        # (spot - strike) x tokens on the calls it exercised
        self.last_mid = model.config.token.initial_price
        self.vol = EwmaVolatility(periods_per_year=365 * 24, halflife=24, initial_vol=1.0)
        self._sale = None

    def open_markets(self) -> None:
        """Fund the venues, seed the pool, post ladders, and start requoting."""
        c, model, me = self.model.config, self.model, self.unique_id
        price = c.token.initial_price
        for venue, terms in zip(model.cexs, c.cex):
            fund(model.wallets, venue, me, units.usdt_to_units(terms.depth_usd * BUFFER),
                 units.tokens_to_units(terms.depth_usd * BUFFER / price))
        pool_tokens = units.tokens_to_units(c.pool_inventory_tokens)
        pool_usdt = units.usdt_to_units(c.dex.pool_usd / 2)
        fund(model.wallets, model.dex, me, pool_usdt, pool_tokens)
        model.dex.add_liquidity(me, pool_tokens, pool_usdt)
        self.start_tokens_units = self.cex_tokens_units()
        for venue, terms in zip(model.cexs, c.cex):
            self.quote(venue, terms, price)
        model.schedule_recurring(self.requote, Schedule(interval=c.market_maker.requote_minutes))
        self._start_sale()

    # -- the initial sale ----------------------------------------------------------------------
    def _start_sale(self) -> None:
        """Schedule the initial sale: `sale_execution`, or by strategy when it is "auto"
        (article: immediate; twap_sale: twap; hold and liability_neutral: none)."""
        c, mm = self.model.config, self.model.config.market_maker
        execution = mm.sale_execution if mm.sale_execution != "auto" else {
            "article": "immediate", "twap_sale": "twap"}.get(mm.strategy, "none")
        if execution == "none" or c.initial_sale_tokens <= 0:
            return
        self._sale_left = c.initial_sale_tokens
        if execution == "pov":
            self._sale = self.model.schedule_recurring(self.sell_pov, Schedule(interval=60))
            return
        minutes = mm.sale_horizon_hours * 60 if execution == "immediate" else mm.twap_days * 1440
        every = 1 if execution == "immediate" else 60
        self._slices_left = max(1, int(minutes // every))
        self._sale = self.model.schedule_recurring(self.sell_slice, Schedule(interval=every,
                                                                             start=self.model.time))

    def sell_pov(self) -> None:
        """Hourly: sell `pov_rate` of the last hour's volume that others traded."""
        rows = self.model.rows
        if not rows or rows[-1]["mid"] != rows[-1]["mid"]:
            return
        others_usd = rows[-1]["volume_usd"] - rows[-1]["volume_usd_market_maker"]
        tokens = min(self._sale_left, self.model.config.market_maker.pov_rate * others_usd / rows[-1]["mid"])
        self._sell(tokens)
        if self._sale_left <= 0:
            self._sale.stop()

    def sell_slice(self) -> None:
        """Sell the next equal slice of what is left (immediate or TWAP)."""
        self._sell(self._sale_left / self._slices_left)
        self._slices_left -= 1
        if self._slices_left <= 0 or self._sale_left <= 0:
            self._sale.stop()

    def _sell(self, tokens: float) -> None:
        """Sell `tokens` in parts, each part where it pays most."""
        for _ in range(SLICES):
            venue, _ = self._best_buyer(tokens / SLICES)
            if venue is None:
                break
            sold = self._sell_on(venue, tokens / SLICES)
            self.sold_tokens += sold
            self._sale_left -= sold

    def _best_buyer(self, tokens: float):
        """The venue that pays most for `tokens` now (CEX: its best bid; DEX: its quote)."""
        best, best_price = None, 0.0
        for venue in self.model.cexs:
            bid = self._best_other_bid(venue) * venue.tick_size * (1 - venue.taker_fee)
            if bid > best_price:
                best, best_price = venue, bid
        amount = units.tokens_to_units(tokens)
        if amount and self.model.dex.pool.token_reserve > 0:
            pool_price = self.model.dex.pool.quote_exact_in(SELL, float(amount)) / amount
            if pool_price > best_price:
                best, best_price = self.model.dex, pool_price
        return best, best_price

    def _best_other_bid(self, venue) -> int:
        """The best bid (ticks) that is not the market maker's own, 0 if none near the top."""
        own: dict[int, int] = {}
        for _, _, side, price, qty in venue.orders_of(self.unique_id).tolist():
            if side == BUY:
                own[price] = own.get(price, 0) + qty
        for price, qty, _ in venue.levels(BUY, 64).tolist():
            if qty > own.get(price, 0):
                return price
        return 0

    def _sell_on(self, venue, tokens: float) -> float:
        """Move `tokens` from the wallet to `venue` and sell them there; tokens sold."""
        wallets, me = self.model.wallets, self.unique_id
        amount = min(units.tokens_to_units(tokens), wallets.tokens[me])
        if venue is not self.model.dex:
            amount -= amount % venue.lot_units
        if amount <= 0:
            return 0.0
        fund(wallets, venue, me, 0, amount)
        if venue is self.model.dex:
            usdt = venue.swap_exact_in(me, SELL, amount)
            self.sale_usdt += max(usdt, 0) * units.USDT_UNIT
            return amount * units.TOKEN_UNIT
        before = venue.balance(me)
        venue.market(me, SELL, amount // venue.lot_units, stp=True)   # never into its own bids
        after = venue.balance(me)
        # totals, free + locked: bids removed by self-trade prevention only change lock state
        self.sale_usdt += (after["usdt"] + after["usdt_locked"]) - (before["usdt"] + before["usdt_locked"])
        return (before["tokens"] + before["tokens_locked"]) - (after["tokens"] + after["tokens_locked"])

    # -- delta -----------------------------------------------------------------------------------
    def book(self, spot: float) -> MarketMakerBook:
        """Everything the market maker holds and owes, with the calls priced at `spot`."""
        model, me = self.model, self.unique_id
        usdt = model.wallets.usdt[me] * units.USDT_UNIT
        tokens = model.wallets.tokens[me] * units.TOKEN_UNIT
        for venue in model.cexs:
            b = venue.balance(me)
            usdt += b["usdt"] + b["usdt_locked"]
            tokens += b["tokens"] + b["tokens_locked"]
        dex, pool = model.dex.balance(me), model.dex.position(me)
        usdt += dex["usdt"] + pool.usdt
        tokens += dex["tokens"] + pool.tokens                # the pool's token delta is its tokens
        perp = (model.perp.position(me) if me in model.perp.accounts
                else {"tokens": 0.0, "equity": 0.0})
        calls_value = calls_delta = 0.0
        if spot == spot and spot > 0:
            sigma = max(self.vol.annual_vol, 1e-6)
            for option in model.project.options:
                g = option.greeks(spot, model.time, sigma, MINUTES_PER_YEAR)
                calls_value += float(g.price)
                calls_delta += float(g.delta)
        owed = (model.project.loan_units - model.project.tokens_returned_units) * units.TOKEN_UNIT
        return MarketMakerBook(usdt, tokens, perp["tokens"], perp["equity"], pool,
                               calls_value, calls_delta, owed)

    def delta(self, spot: float) -> tuple[float, float]:
        """(inventory view, liability view) in tokens: spot + LP + perps + option delta, and
        the same minus the tokens owed back to the project."""
        return self.book(spot).deltas()

    def cex_tokens_units(self) -> int:
        """Tokens held on the CEXs, free and in orders."""
        return sum(round((b["tokens"] + b["tokens_locked"]) / units.TOKEN_UNIT)
                   for b in (v.balance(self.unique_id) for v in self.model.cexs))

    def quote(self, venue, terms, mid: float) -> None:
        """Replace both ladders on `venue` around `mid`, skewed against the inventory."""
        mm = self.model.config.market_maker
        excess = (self.cex_tokens_units() - self.start_tokens_units) * units.TOKEN_UNIT
        skew = max(-1.0, min(1.0, excess / mm.max_skew_tokens))
        ladder = obligation_ladder(mid, depth_usd=terms.depth_usd, band=terms.band,
                                   max_spread=terms.max_spread, tick_size=terms.tick_size,
                                   lot_size=terms.lot_size, levels=mm.quote_levels, skew=skew)
        self._top_up(venue, ladder, terms)
        venue.replace_ladder(self.unique_id, BUY, ladder.bid_prices, ladder.bid_lots)
        venue.replace_ladder(self.unique_id, SELL, ladder.ask_prices, ladder.ask_lots)
        self.quoted_mid[venue.name] = mid

    def _top_up(self, venue, ladder, terms) -> None:
        """Move USDT and tokens from the wallet so the venue account can carry `ladder`."""
        wallets, me = self.model.wallets, self.unique_id
        bid_usd, ask_usd = ladder.notional_usd(terms.tick_size, terms.lot_size)
        b = venue.balance(me)
        need_usdt = units.usdt_to_units(max(0.0, bid_usd * (1 + 2 * terms.taker_fee)
                                            - b["usdt"] - b["usdt_locked"]))
        need_tokens = units.tokens_to_units(max(0.0, float(ladder.ask_lots.sum()) * terms.lot_size
                                                - b["tokens"] - b["tokens_locked"]))
        need_usdt, need_tokens = min(need_usdt, wallets.usdt[me]), min(need_tokens, wallets.tokens[me])
        if need_usdt or need_tokens:
            fund(wallets, venue, me, need_usdt, need_tokens)

    def requote(self) -> None:
        """Requote each CEX whose mid moved past the threshold or whose ladder thinned out."""
        threshold = self.model.config.market_maker.requote_threshold
        for venue, terms in zip(self.model.cexs, self.model.config.cex):
            mid = venue.mid_usd()
            if mid != mid:                                   # a side was taken out
                last = venue.last_price_usd()
                mid = last if last == last else self.quoted_mid[venue.name]
            elif abs(mid / self.quoted_mid[venue.name] - 1) <= threshold and (
                    venue.depth_usd(BUY, terms.band) >= terms.depth_usd
                    and venue.depth_usd(SELL, terms.band) >= terms.depth_usd):
                continue
            self.quote(venue, terms, mid)

    def settle_contract(self, project: mesa.Agent) -> int:
        """At maturity: exercise the calls that pay, bring tokens home, return the loan.
        Returns the token units handed back (short of the loan if the MM cannot cover)."""
        model, me, spot = self.model, self.unique_id, self.model.cexs[0].mid_usd()
        for option in project.options:
            if spot == spot and option.should_exercise(spot):
                self._bring_home(usdt=True)
                try:
                    option.exercise(model.wallets, model.time)
                    self.options_exercised += 1
                    self.exercise_pnl += (spot - option.strike) * option.quantity_tokens
                except ValueError:
                    pass                                       # cannot pay the strike
        self._bring_home(usdt=False)
        self._leave_pool()
        returned = min(model.wallets.tokens[me], project.loan_units)
        model.wallets.transfer(me, project.unique_id, token_units=returned)
        return returned

    def _leave_pool(self) -> None:
        """Withdraw the pool liquidity and bring it to the wallet."""
        dex, me = self.model.dex, self.unique_id
        if dex.shares[me] > 0:
            dex.remove_liquidity(me, dex.shares[me])
        defund(dex, self.model.wallets, me, dex.usdt[me], dex.tokens[me])

    def _bring_home(self, usdt: bool) -> None:
        """Cancel quotes and move free balances from every CEX back to the wallet."""
        for venue in self.model.cexs:
            venue.cancel_all(self.unique_id)
            b = venue.balance(self.unique_id)
            defund(venue, self.model.wallets, self.unique_id,
                   round(b["usdt"] / units.USDT_UNIT) if usdt else 0,
                   0 if usdt else round(b["tokens"] / units.TOKEN_UNIT))
