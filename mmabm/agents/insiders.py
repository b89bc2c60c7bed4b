"""The recipients of the project's unlocks: insiders (team, early investors) who sell.

Each vested tranche leaves the treasury for the insiders' wallet; `project.unlock_sell_share`
of it is sold on the main CEX in equal market orders over `project.unlock_sell_days`, one every
`project.unlock_slice_minutes` (hourly by default; insiders take what the book offers: they
sell into any bid), the rest they keep. Their holdings count as circulating supply held by
insiders.
"""
from __future__ import annotations

import mesa
from mesa.time import Schedule

from mmabm._core import SELL
from mmabm.agents.project import market_trade
from mmabm.venues import units


class Insiders(mesa.Agent):
    """Holds the unlocked tokens and sells its share of each unlock, in slices."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.received_tokens = self.sold_tokens = self.sale_usdt = 0.0
        self._selling: list[list[float]] = []      # [tokens per slice, slices left] per unlock
        p = model.config.project
        if p.unlock_tokens > 0 and p.unlock_sell_share > 0:
            every = p.unlock_slice_minutes
            model.schedule_recurring(self.sell, Schedule(interval=every, start=every))

    def receive(self, treasury: int, tokens: float) -> None:
        """An unlock of `tokens` from the treasury's wallet; its sold share joins the sale."""
        p = self.model.config.project
        self.model.wallets.transfer(treasury, self.unique_id,
                                    token_units=units.tokens_to_units(tokens))
        self.received_tokens += tokens
        slices = max(1, round(p.unlock_sell_days * 1440 / p.unlock_slice_minutes))
        self._selling.append([tokens * p.unlock_sell_share / slices, slices])

    def sell(self) -> None:
        """Every slice's interval: sell the slice of every unlock still being sold."""
        tokens = sum(rate for rate, _ in self._selling)
        for program in self._selling:
            program[1] -= 1
        self._selling = [x for x in self._selling if x[1] > 0]
        if tokens > 0:
            moved, paid = market_trade(self.model, self.unique_id, SELL, tokens)
            self.sold_tokens -= moved
            self.sale_usdt += paid
