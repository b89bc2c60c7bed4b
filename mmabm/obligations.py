"""The market maker's quoting obligations as a contract measures them: its own quotes, sampled
every minute on each exchange, the share of each window (a day or a month) in which they met
the terms (depth within the band on both sides, its own spread within the cap), and what a
window below the threshold costs.

Exchanges' market-maker programmes measure a maker's own quotes this way (uptime, monthly or
daily) and a maker below the threshold loses rebates, fees or the mandate. The article's deal
names no penalty, so by default a miss costs nothing and the uptime is a measured outcome;
a contract can charge USDT per hour missed (`contract.penalty_usdt_per_hour`), take back call
tranches (`forfeit_calls_per_miss`) or end the mandate after so many windows with a miss
(`end_mandate_after_misses`: the calls are forfeited and the contract settles at once).
`tape.obligation_met` measures the whole book instead (the market's depth, whoever provides
it), hourly.
"""
from __future__ import annotations

from mmabm.tape import MINUTES_PER_MONTH
from mmabm.venues import units


class ObligationMonitor:
    """Samples the maker's own quotes every step while it quotes; closes each window, and
    charges a window below the threshold `penalty_usdt_per_hour` per hour missed (paid from
    the maker's wallet to the project's, as far as the wallet goes; the rest is recorded as
    unpaid)."""

    def __init__(self, model) -> None:
        self.model = model
        terms = model.config.contract
        self.window = 1440 if terms.uptime_window == "day" else MINUTES_PER_MONTH
        self.threshold, self.penalty = terms.uptime_threshold, terms.penalty_usdt_per_hour
        self.forfeit, self.end_after = terms.forfeit_calls_per_miss, terms.end_mandate_after_misses
        self.windows_with_miss = 0                       # windows where any exchange missed
        n = len(model.cexs)
        self.met, self.sampled = [0] * n, 0              # since listing
        self._met, self._sampled = [0] * n, 0            # in the current window
        self.windows: list[tuple[float, tuple[float, ...]]] = []   # (end minute, uptimes)
        self.missed = [0] * n                            # windows below the threshold
        self.penalties_usdt = self.unpaid_usdt = 0.0
        self.charged = [0.0] * n                         # penalties charged per exchange
        self._terms = [(venue, t.band, t.depth_usd, t.max_spread)
                       for venue, t in zip(model.cexs, model.config.cex)]
        self.hook = model.every_step(self.sample, model.config.run.step_minutes, start_now=False)

    def sample(self) -> None:
        """Each step: whether each exchange's obligation is met by the maker's own quotes."""
        mm = self.model.market_maker
        if not mm.quoting:
            if self._sampled:
                self.close_window()          # the contract's last window ends with its quoting
            return
        me = mm.unique_id
        for k, (venue, band, depth, spread) in enumerate(self._terms):
            if venue.own_obligation_met(me, band, depth, spread):
                self._met[k] += 1
                self.met[k] += 1
        self._sampled += 1
        self.sampled += 1
        if self.model.time % self.window == 0:
            self.close_window()

    def close_window(self) -> None:
        """The window's uptime per exchange; below the threshold, the penalty."""
        uptimes = tuple(m / self._sampled for m in self._met) if self._sampled else ()
        self.windows.append((self.model.time, uptimes))
        owed, missed_any = 0.0, False
        for k, uptime in enumerate(uptimes):
            if uptime < self.threshold:
                missed_any = True
                self.missed[k] += 1
                cost = self.penalty * (self._sampled - self._met[k]) / 60.0
                self.charged[k] += cost
                owed += cost
        self._met, self._sampled = [0] * len(self._met), 0
        if owed > 0:
            self.charge(owed)
        if missed_any:
            self.windows_with_miss += 1
            project = self.model.project
            if self.forfeit:
                project.forfeit_calls(self.forfeit)
            if self.end_after and self.windows_with_miss >= self.end_after:
                project.end_mandate()          # settles now; its quoting stops

    def charge(self, usdt: float) -> None:
        """Pay the project `usdt` from the maker's wallet, as far as it goes."""
        wallets = self.model.wallets
        me, project = self.model.market_maker.unique_id, self.model.project.unique_id
        paid = min(units.usdt_to_units(usdt), wallets.usdt[me])
        if paid > 0:
            wallets.transfer(me, project, usdt_units=paid)
        self.penalties_usdt += paid * units.USDT_UNIT
        self.unpaid_usdt += usdt - paid * units.USDT_UNIT

    def summary(self) -> dict[str, float]:
        """Uptime of the maker's own quotes per exchange since listing, the windows below
        the threshold, the penalties paid and owed unpaid."""
        out = {}
        for k, venue in enumerate(self.model.cexs):
            out[f"mm_uptime_{venue.name}"] = (self.met[k] / self.sampled if self.sampled
                                              else float("nan"))
            out[f"mm_windows_missed_{venue.name}"] = float(self.missed[k])
            out[f"mm_penalties_charged_usdt_{venue.name}"] = self.charged[k]
        out["mm_windows_closed"] = float(len(self.windows))
        out["mm_windows_with_miss"] = float(self.windows_with_miss)
        out["mm_penalties_usdt"] = self.penalties_usdt
        out["mm_penalties_unpaid_usdt"] = self.unpaid_usdt
        return out
