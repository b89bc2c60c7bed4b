"""Where retail money comes from and where it goes: the only places it is minted or burnt.

Inflow: every hour, `money.inflow_usd_per_day` / 24 times the launch attention of the hour
(which decays from listing to its floor), times 1 + `money.shock_inflow` x the excitation of
recent sharp moves, is minted and shared by `money.inflow_recipients_per_hour` traders drawn
from the "inflow" stream; each puts it on its home venue. New money follows attention (Cocco,
Concas & Marchesi 2017: new traders with finite cash enter over time). With
`money.inflow_trend_elasticity` e > 0 it is also multiplied by (F(t) / F(t - D))^e, F the
world's news value and D `money.inflow_trend_days`: retail money chases the market factor's
recent return (crypto retail traders buy after rises, Kogan, Makarov, Niessner & Schoar 2024,
"Are cryptocurrencies different? Evidence from retail trading"), so a bust drains new money and
a boom brings more. It reads the news, not the token's price, so it stays exogenous.

Exits: every hour each trader leaves with probability 1 - exp(-`money.exit_per_day` / 24)
(who, from the "exits" stream): its resting order is cancelled and its free USDT is withdrawn
and burnt — the money leaves the market; its tokens stay where they are, so a trader who left
can still sell them, and an inflow can bring it back.

Both are drawn whatever the market does (only the amount of an inflow depends on the market,
through the excitation), so runs that differ only in strategy share them: common random numbers.
"""
from __future__ import annotations

import math

from mesa.time import Schedule

from mmabm.venues import defund, fund, units


class MoneyFlows:
    """The hourly inflow and exits of a RetailPopulation; totals in USDT units."""

    def __init__(self, population) -> None:
        self.population = population
        model = population.model
        self.model = model
        self.inflow_units = 0          # minted for retail after listing (inflow, elastic money)
        self.elastic_units = 0         # the part minted for value buyers (money.model elastic)
        self.outflow_units = 0         # burnt at exits
        self.exits = 0
        m = model.config.money
        self._exit_chance = 1.0 - math.exp(-m.exit_per_day / 24.0)
        if m.inflow_usd_per_day > 0 or m.exit_per_day > 0:
            model.schedule_recurring(self.hourly, Schedule(interval=60, start=60))

    def hourly(self) -> None:
        """The hour's exits, then its inflow."""
        pop, m = self.population, self.model.config.money
        n = pop.n_traders
        if n == 0:
            return
        leaving = self.model.streams["exits"]
        count = int(leaving.binomial(n, self._exit_chance)) if self._exit_chance else 0
        for i in leaving.integers(0, n, count).tolist():
            self.exit(i)
        arriving = self.model.streams["inflow"]
        who = arriving.integers(0, n, m.inflow_recipients_per_hour).tolist()
        usd = self.inflow_usd(self.model.time)
        share = units.usdt_to_units(usd / len(who))
        if share > 0:
            for i in who:
                self.deposit(i, share)

    def inflow_usd(self, minute: float) -> float:
        """The hour's new money at `minute`."""
        m, attention = self.model.config.money, self.model.attention
        usd = (m.inflow_usd_per_day / 24.0 * float(attention.base(minute))
               * (1.0 + m.shock_inflow * attention.excitation(minute)))
        if m.inflow_trend_elasticity:
            usd *= self.trend(minute) ** m.inflow_trend_elasticity
        return usd

    def trend(self, minute: float) -> float:
        """The news value now over its value `money.inflow_trend_days` before (or at listing)."""
        back = max(0.0, minute - self.model.config.money.inflow_trend_days * 1440.0)
        return self.model.fundamental_at(minute) / self.model.fundamental_at(back)

    def deposit(self, i: int, usdt_units: int) -> None:
        """Mint `usdt_units` for trader i and put them on its home venue."""
        pop, model = self.population, self.model
        owner = pop.owner(i)
        model.wallets.mint(owner, usdt=usdt_units * units.USDT_UNIT)
        fund(model.wallets, pop.venues[pop.home[i]], owner, usdt_units, 0)
        self.inflow_units += usdt_units

    def exit(self, i: int) -> None:
        """Trader i leaves: its resting order is cancelled, its free USDT withdrawn and burnt."""
        pop, model = self.population, self.model
        owner, venue = pop.owner(i), pop.venues[pop.home[i]]
        if venue.committed(owner):
            return                                      # it has a position to look after
        if pop.resting[i]:
            venue.cancel(owner, int(pop.resting[i]))
            pop.resting[i] = 0
        free = venue.free_usdt_units(owner)
        if free > 0:
            defund(venue, model.wallets, owner, free, 0)
            model.wallets.burn(owner, free)
            self.outflow_units += free
            self.exits += 1

