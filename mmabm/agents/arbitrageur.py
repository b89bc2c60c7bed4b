"""The arbitrage desk as a Mesa agent: capital on every venue, a reaction delay, fees paid.
What it trades is decided by mmabm.agents.arbitrage."""
from __future__ import annotations

import mesa
from mesa.time import Schedule

from mmabm.agents.arbitrage import look
from mmabm.reference.arbitrage import reference_look
from mmabm.venues import defund, fund, units


class Arbitrageur(mesa.Agent):
    """Looks at the venues every `reaction_minutes` and takes what pays after fees; spreads its
    capital evenly over the venues again every hour, and at once when a look leaves one of its
    accounts low (`arbitrage.rebalance_below`)."""

    #: trade with the compiled rounds (arbitrage.look); False runs `reference_look`
    #: (mmabm.reference.arbitrage), the Python reference they must match trade for trade
    compiled: bool = True

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        terms, venues = model.config.arbitrage, [*model.cexs, model.dex]
        usdt = units.usdt_to_units(terms.usdt_per_venue)
        tokens = units.tokens_to_units(terms.tokens_per_venue)
        model.wallets.mint(self.unique_id, usdt=terms.usdt_per_venue * len(venues))
        model.wallets.transfer(model.project.unique_id, self.unique_id,
                               token_units=tokens * len(venues))     # bought OTC at listing
        for venue in venues:
            fund(model.wallets, venue, self.unique_id, usdt, tokens)
        self.profit_usdt = 0.0
        self._low_share = terms.rebalance_below
        self.early_rebalances = 0       # rebalances triggered by a low account
        self._quiet: tuple[int, ...] | None = None   # venues' change counters after a look
        self.looking = model.schedule_recurring(self.act,
                                                Schedule(interval=terms.reaction_minutes))
        model.schedule_recurring(self.rebalance, Schedule(interval=60))

    def act(self) -> None:
        """CEX <-> pool, then CEX <-> CEX in both directions.

        What it trades depends only on the venues' books, the pool and its own balances there,
        so a look that changed nothing is not repeated until one of the venues changes (their
        change counters): the skipped looks would have found nothing either."""
        model, me = self.model, self.unique_id
        seen = (*(cex.changes for cex in model.cexs), model.dex.changes)
        if seen == self._quiet:
            return
        self.profit_usdt = (look if self.compiled else reference_look)(
            model.cexs, model.dex, me, self.profit_usdt)
        after = (*(cex.changes for cex in model.cexs), model.dex.changes)
        if after == seen:
            self._quiet = after
            return
        self._quiet = None
        if self._low_share and self.runs_low():
            self.rebalance()
            self.early_rebalances += 1

    def runs_low(self) -> bool:
        """Whether the desk's USDT or tokens on some venue are below `rebalance_below` of an
        even split of what it holds on all of them (its balances change only when it trades,
        so `act` asks only after a look that traded). Relative to the even split, so a
        rebalance always clears it."""
        model, me = self.model, self.unique_id
        usdt, tokens = [], []
        for venue in (*model.cexs, model.dex):
            b = venue.balance(me)
            usdt.append(b["usdt"])
            tokens.append(b["tokens"])
        floor = self._low_share / len(usdt)
        return min(usdt) < floor * sum(usdt) or min(tokens) < floor * sum(tokens)

    def rebalance(self) -> None:
        """Hourly: spread the desk's free USDT and tokens evenly over the venues again (an
        instant transfer: the desk's inventory management, simplified)."""
        model, me = self.model, self.unique_id
        venues = [*model.cexs, model.dex]
        for venue in model.cexs:
            venue.cancel_all(me)
        for venue in venues:
            b = venue.balance(me)
            defund(venue, model.wallets, me, round(b["usdt"] / units.USDT_UNIT),
                   round(b["tokens"] / units.TOKEN_UNIT))
        usdt, tokens = model.wallets.usdt[me] // len(venues), model.wallets.tokens[me] // len(venues)
        for venue in venues:
            fund(model.wallets, venue, me, usdt, tokens)
