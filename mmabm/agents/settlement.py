"""The market maker's end of the deal: buying back what it is short, and settling at maturity.

`buyback_days` before maturity the working inventory rises linearly to the tokens owed, and the
market maker buys the gap hourly where it is cheapest (a CEX's asks or the pool). At maturity it
stops quoting and hedging, closes the hedge, brings everything home, leaves the pool, exercises
the calls that pay, buys on the CEXs whatever it is still short of the loan, and returns it.
A mixin of `MarketMaker` (it uses the market maker's book, spot, hedge and cash helpers).
"""
from __future__ import annotations

import math

import mesa
from mesa.time import Schedule

from mmabm._core import BUY
from mmabm.venues import defund, fund, units

BUY_PARTS = 4              # each buyback slice is split this many ways, each to the cheapest venue
BUYBACK_SLICE = 20_000.0   # tokens per buyback order at maturity, each to the cheapest CEX
BUYBACK_ROUNDS = 1_000


class Settlement:
    """Buyback before maturity and the contract's settlement (see the module docstring)."""

    # -- buying back what it is short before maturity --------------------------------------------
    def start_buyback(self) -> None:
        """`buyback_days` before maturity: buy back, hourly, what it is short of the loan."""
        if not self.quoting:
            return                               # the mandate has ended: it has settled
        if self._sale is not None:
            self._sale.stop()
        self._sale_left = 0.0
        self._buyback_from = self.model.time
        self._buyback = self.model.schedule_recurring(self.buy_back_slice,
                                                      Schedule(interval=60, start=self.model.time))

    def shortfall_tokens(self) -> float:
        """Tokens owed back beyond those it holds (spot and pool)."""
        book = self.book(self.spot(), value_calls=False)
        return book.owed - book.tokens

    def buy_back_slice(self) -> None:
        """Hourly: buy what the holdings lack against the working inventory an hour from now
        (it rises to the tokens owed by maturity), where it is cheapest."""
        book = self.book(self.spot(), value_calls=False)
        gap = self.strategy.buyback_tokens(self, book)
        self.update_skew(book)
        if gap > 0:
            tokens, usdt = self._buy(gap)
            self.buyback_tokens += tokens
            self.buyback_usdt += usdt
        self._buyback_hours -= 1
        if self._buyback_hours <= 0:
            self._buyback.stop()

    def _buy(self, tokens: float, budget: float = math.inf) -> tuple[float, float]:
        """Buy `tokens` in parts, each on the CEX or the pool where it is cheapest, paid from
        the wallet, the CEXs' spare cash and the perp margin beyond what the hedge needs, and
        spending at most about `budget` USDT. Returns (tokens bought, USDT paid)."""
        wallets, me, dex = self.model.wallets, self.unique_id, self.model.dex
        got_tokens = paid_usdt = 0.0
        self._sweep_cash()
        self._fund_perp(self.model.perp.position(me)["tokens"], self.spot(), keep=1.0)
        for _ in range(BUY_PARTS):
            part = units.tokens_to_units(tokens / BUY_PARTS)
            cex = self._cheapest_cex()
            ask = units.ticks_to_usd(cex.best_ask(), cex.tick_size) * (1 + cex.taker_fee) or math.inf
            pool = (dex.pool.quote_exact_out(BUY, float(part)) / part * units.USDT_UNIT
                    / units.TOKEN_UNIT if part and dex.pool.token_reserve > part else math.inf)
            usdt_before = wallets.usdt[me]
            if part <= 0 or min(ask, pool) == math.inf or paid_usdt >= budget:
                return got_tokens, paid_usdt
            if pool < ask:
                pay = min(usdt_before, units.usdt_to_units(part * units.TOKEN_UNIT * pool * 1.01) + 1)
                fund(wallets, dex, me, pay)
                got = dex.swap_exact_out(me, BUY, part) if pay else -1
                bought = part if got >= 0 else 0
                defund(dex, wallets, me, dex.usdt[me], dex.tokens[me])
            else:
                lots = int(part * units.TOKEN_UNIT / cex.lot_size)
                pay = min(usdt_before, units.usdt_to_units(lots * cex.lot_size * ask * 1.2))
                if lots < 1 or not pay:
                    return got_tokens, paid_usdt
                before = cex.balance(me)
                fund(wallets, cex, me, pay)
                cex.market(me, BUY, lots, stp=True)               # never from its own asks
                after = cex.balance(me)
                # totals, free + locked: its own asks cancelled by self-trade prevention
                # free their tokens, which it did not buy
                bought = units.tokens_to_units((after["tokens"] + after["tokens_locked"])
                                               - (before["tokens"] + before["tokens_locked"]))
                usdt_before -= round((after["usdt"] - before["usdt"]) / units.USDT_UNIT)  # unspent
            got_tokens += bought * units.TOKEN_UNIT
            paid_usdt += (usdt_before - wallets.usdt[me]) * units.USDT_UNIT
        return got_tokens, paid_usdt

    def _cheapest_cex(self):
        """The CEX with the lowest best ask (any CEX when none has asks)."""
        return min(self.model.cexs, key=lambda v: units.ticks_to_usd(v.best_ask(), v.tick_size) or math.inf)

    # -- maturity -------------------------------------------------------------------------------
    def settle_contract(self, project: mesa.Agent) -> int:
        """At maturity: stop quoting and hedging, close the hedge, bring everything home,
        exercise the calls that pay, buy back on the CEXs what it is short of the loan, and
        return the loan. Returns the token units handed back (short if it cannot cover)."""
        model, me, spot = self.model, self.unique_id, self.spot()
        self.quoting = False
        for event in (self._sale, self._requoting, self._hedging, self._buyback):
            if event is not None:
                event.stop()
        self._bring_home(usdt=True)
        self._close_hedge()
        self._bring_home(usdt=False)
        self._leave_pool()
        for option in project.options:
            if spot == spot and self.strategy.exercise(self, option, spot):
                try:
                    option.exercise(model.wallets, model.time)
                    self.options_exercised += 1
                    self.exercise_pnl += (spot - option.strike) * option.quantity_tokens
                except ValueError:
                    pass                                       # cannot pay the strike
        if self.strategy.cover_at_maturity(self):
            self._buy_back(project.loan_units - project.tokens_returned_units)
        returned = min(model.wallets.tokens[me], project.loan_units)
        model.wallets.transfer(me, project.unique_id, token_units=returned)
        return returned

    def _buy_back(self, owed_units: int) -> None:
        """Buy the tokens it is short of `owed_units`, slice by slice, where they are cheapest."""
        wallets, me, size = self.model.wallets, self.unique_id, BUYBACK_SLICE
        for _ in range(BUYBACK_ROUNDS):
            short = owed_units - wallets.tokens[me]
            venue = self._cheapest_cex()
            ask = units.ticks_to_usd(venue.best_ask(), venue.tick_size)
            if short <= 0 or not ask:
                return
            tokens = min(short * units.TOKEN_UNIT, size,
                         wallets.usdt[me] * units.USDT_UNIT / (ask * (1 + venue.taker_fee)))
            lots = int(tokens / venue.lot_size)
            if lots < 1:
                return
            usdt_before = wallets.usdt[me]
            fund(wallets, venue, me, usdt_before)
            before = venue.balance(me)["tokens"]
            refused = venue.market(me, BUY, lots) < 0          # the lock reaches too deep
            b = venue.balance(me)
            self.buyback_tokens += b["tokens"] - before
            defund(venue, wallets, me, round(b["usdt"] / units.USDT_UNIT),
                   round(b["tokens"] / units.TOKEN_UNIT))
            self.buyback_usdt += (usdt_before - wallets.usdt[me]) * units.USDT_UNIT
            if refused:
                size = tokens / 2                                # try a smaller slice
            elif b["tokens"] == before:
                return                                          # the book would not sell

    def _leave_pool(self) -> None:
        """Withdraw the pool liquidity and bring it to the wallet."""
        dex, me = self.model.dex, self.unique_id
        if dex.shares[me] > 0:
            position = dex.position(me)          # its fees and loss become realised
            self.lp_fees_closed += position.fees_earned_usdt
            self.lp_loss_closed += position.impermanent_loss_usdt
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
