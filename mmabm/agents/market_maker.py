"""The delta-neutral market maker — so far its opening and its quoting.

At t=0 it funds each CEX with the inventory its obligations need (plus a buffer), seeds the
DEX pool at the listing price and posts obligation ladders; then it requotes whenever a mid has
moved by more than the threshold, skewing against its inventory. The initial sale, perp hedging,
gamma scalping and the strategies (`article`, `twap_sale`, `hold`, `liability_neutral`) build on
this engine.
"""
from __future__ import annotations

import mesa
from mesa.time import Schedule

from mmabm._core import BUY, SELL
from mmabm.agents.quoting import obligation_ladder
from mmabm.venues import defund, fund, units

BUFFER = 1.2     # inventory per obligation: the ladder's 5% margin, fees, and room to trade


class MarketMaker(mesa.Agent):
    """Quotes every CEX, provides the pool's liquidity, and settles the contract at maturity."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        model.wallets.mint(self.unique_id, usdt=model.config.market_maker.usdt_capital)
        self.quoted_mid: dict[str, float] = {}
        self.start_tokens_units = 0
        self.options_exercised = 0

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
