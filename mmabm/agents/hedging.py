"""The market maker's perp hedge: bringing the position to its strategy's target, keeping it
margined, crediting the calls' part of it (gamma scalping), and closing it at maturity (in the
book, then by auto-deleveraging with `hedge_close = "book_then_adl"`).

A mixin of `MarketMaker` (it uses the maker's book, spot, strategy, skew and cash helpers).
"""
from __future__ import annotations

import math

from mmabm._core import BUY, SELL
from mmabm.venues import defund, fund, units


class Hedging:
    """The perp hedge (see the module docstring)."""

    def hedge(self) -> None:
        """Bring the perp position to its target when it is more than the band away."""
        perp, me = self.model.perp, self.unique_id
        self.mark_hedge()
        spot = self.spot()
        if self.model.config.market_maker.compliance in ("rebuy", "borrow"):
            if self._fund_asks():
                spot = self.spot()
        if self._acts:
            self.strategy.on_hedge(self)
            spot = self.spot()
        book = self.book(spot, value_calls=False)
        self.update_skew(book)
        target, options = self.hedge_target(book)
        self._sweep_cash()
        self._fund_perp(target, spot)
        trade = target - book.perp_tokens
        if abs(trade) > self.model.config.market_maker.hedge_band_tokens:
            # the venue locks initial margin on the whole order, even the part that closes:
            # free collateral for it (what is left over goes home at a later look)
            lock = units.usdt_to_units(abs(trade) * spot * 1.05 * perp.initial_margin)
            free = perp.account(me).collateral
            if free < lock and self.model.wallets.usdt[me] > 0:
                fund(self.model.wallets, perp, me, min(lock - free, self.model.wallets.usdt[me]))
            lots = int(abs(trade) / perp.lot_size)
            if lots and perp.market(me, BUY if trade > 0 else SELL, lots) > 0:
                self.hedge_trades += 1
        held = perp.account(me).position * perp.lot_size
        share = 1.0 if target == 0 else max(0.0, min(1.0, held / target))
        self.hedge_option_tokens = options * share

    def gamma_pnl_now(self) -> float:
        """The calls' hedge P&L so far, marked at the perp's mark now (without booking it)."""
        mark = self.model.perp.mark_price
        if mark == mark and self._hedge_mark == self._hedge_mark:
            return self.gamma_pnl + self.hedge_option_tokens * (mark - self._hedge_mark)
        return self.gamma_pnl

    def mark_hedge(self) -> None:
        """Credit the calls' hedge with its P&L at the perp mark since the last look."""
        mark = self.model.perp.mark_price
        if mark == mark:
            if self._hedge_mark == self._hedge_mark:
                self.gamma_pnl += self.hedge_option_tokens * (mark - self._hedge_mark)
            self._hedge_mark = mark

    def _fund_perp(self, target: float, spot: float, keep: float = 2.0) -> None:
        """Keep the account's equity (collateral, margin and the position's unrealised P&L at
        the mark) at the target's notional / perp_leverage: add from the wallet, return the
        excess beyond `keep` times that."""
        perp, wallets, me = self.model.perp, self.model.wallets, self.unique_id
        acct = perp.account(me)
        need = units.usdt_to_units(abs(target) * spot / self.model.config.market_maker.perp_leverage)
        have = acct.collateral + acct.margin
        if acct.position and perp.mark_price == perp.mark_price:
            have += math.floor(perp.unrealised_units(acct))   # a losing hedge needs topping up
        if have < need:
            add = min(need - have, wallets.usdt[me])
            if add > 0:
                fund(wallets, perp, me, add)
        elif have > keep * need + units.usdt_to_units(1_000.0) and acct.collateral > 0:
            back = min(acct.collateral, have - need)
            if not acct.position or perp.equity_units(acct) - back > need:
                defund(perp, wallets, me, back)

    def _close_hedge(self) -> None:
        """Close the perp position as far as the book allows, then (`hedge_close` =
        book_then_adl) the rest by auto-deleveraging at the mark, and bring the collateral
        home; what stays open keeps the collateral that backs it."""
        perp, wallets, me = self.model.perp, self.model.wallets, self.unique_id
        lot_tokens = perp.lot_units * units.TOKEN_UNIT
        self.mark_hedge()
        perp.cancel_all(me)
        start = perp.account(me).position
        fees = units.usdt_to_units(abs(start) * lot_tokens * self.spot() * 0.01)
        if start and fees:
            fund(wallets, perp, me, min(fees, wallets.usdt[me]))     # the closing fees' lock
        for _ in range(10):
            lots = perp.account(me).position
            if not lots or perp.market(me, SELL if lots > 0 else BUY, abs(lots)) <= 0:
                break
        in_book = start - perp.account(me).position
        if perp.account(me).position and self.model.config.market_maker.hedge_close != "book":
            perp.deleverage(me, self.model.time)
        left = perp.account(me).position
        self.hedge_at_maturity = start * lot_tokens
        self.hedge_closed_in_book = in_book * lot_tokens
        self.hedge_deleveraged = (start - in_book - left) * lot_tokens
        self.hedge_left = left * lot_tokens
        self.hedge_option_tokens = 0.0
        free = perp.account(me).collateral
        if free and not left:
            defund(perp, self.model.wallets, me, free)
