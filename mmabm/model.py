"""MarketModel: the venues, the agents and the clock (model time is in minutes).

Built from one Config. Mesa 3.5 runs it event-driven: nothing steps minute by minute unless it
is scheduled — funding, mark updates, the market maker's requotes, the arbitrageur's looks, the
recorder and the contract's maturity are all Mesa events (bound methods: Mesa holds them weakly).
Recording only reads: agents keep their own memory of the market (`observe_hourly`), and the
flows in a row come from the tape's running totals (tape.py), so the recording cadence never
changes a run.
The agents: the project team (loan, calls, unlocks, buyback), the market maker (quotes, pool,
sale, perp hedge, settlement), the arbitrage desk (CEX<->CEX, CEX<->pool), the basis desk (the
perp's liquidity, hedged on spot) and the retail population.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from typing import TypeVar

import mesa
import numpy as np
import pandas as pd
from mesa.time import EventGenerator, Priority, Schedule

from mmabm.agents.arbitrageur import Arbitrageur
from mmabm.agents.basis import BasisDesk
from mmabm.agents.beliefs import FlowLearning
from mmabm.agents.insiders import Insiders
from mmabm.agents.latent import LatentBook, latent_books
from mmabm.agents.liquidity import LiquidityProvider, per_cex
from mmabm.agents.market_maker import MarketMaker
from mmabm.agents.perp_liquidity import PerpLiquidityProvider
from mmabm.agents.project import ProjectTeam
from mmabm.agents.retail import RETAIL_BASE, TYPE_NAMES, RetailPopulation
from mmabm.config import Config
from mmabm.exogenous import Attention, fundamental_path
from mmabm.metrics import HOLDERS, MINUTES_PER_MONTH, Recorder, ledger_rows
from mmabm.obligations import ObligationMonitor
from mmabm.randomness import RandomStreams
from mmabm.tape import Tape
from mmabm.venues import AmmVenue, PerpExchange, SpotExchange, Wallets, audit_model


class StepHook:
    """Something `MarketModel.each_step` runs every step after the marks: a recurring Mesa
    event every step, without the event's cost. `stop()` as for Mesa's event generators."""

    def __init__(self, fn) -> None:
        self.fn, self.active = fn, True

    def __call__(self) -> None:
        if self.active:
            self.fn()

    def stop(self) -> None:
        self.active = False


class PeriodicHook(StepHook):
    """Something `MarketModel.each_step` runs every `interval` minutes (a multiple of the step)
    before its own work: a recurring Mesa event without the event's cost (see `every`)."""

    def __init__(self, fn, interval: int, start: float) -> None:
        super().__init__(fn)
        self.interval, self.start = interval, start


A = TypeVar("A", bound=mesa.Agent)


class Rows(Sequence):
    """The recorded rows, row by row: `rows[i]` is a dict of column -> value, read from the
    DataCollector's columns (nothing is copied until a row is asked for)."""

    def __init__(self, columns: dict[str, list]) -> None:
        self._columns = columns

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(f"row {i} of {len(self)}")
        return {key: values[i] for key, values in self._columns.items()}


def _view(agent_type: type, doc: str, many: bool = False) -> cached_property:
    """`model.<name>`: the agent of `agent_type` in Mesa's registry (`many`: all of them, in
    the order they were made), remembered until an agent is added or removed."""
    def find(model):
        return model.agents_of(agent_type) if many else model.agent_of(agent_type)
    find.__doc__ = doc
    return cached_property(find)


_AGENT_VIEWS = ("project", "insiders", "market_maker", "arbitrageur", "basis_desk", "retail",
                "providers", "latent_books", "perp_providers")


class MarketModel(mesa.Model):
    """One run of the market. `run_model()` plays it to the end of `config.run.months`."""

    #: run the every-step work as one Mesa event (`each_step`); False gives each its own event,
    #: the reference that the fused step must match result for result
    fuse_steps: bool = True
    #: how far the running `run_until` goes (-inf between runs): `each_steps` stops there
    _until: float = -math.inf

    def __init__(self, config: Config | None = None, seed: int | None = None) -> None:
        config = config or Config()
        seed = config.run.seed if seed is None else seed
        streams = RandomStreams(seed)               # checks the seed; all randomness is here
        # Mesa's own generators (model.rng, model.random) are one named stream among the
        # others: nothing of the model draws from them, and what Mesa might draw shifts none
        super().__init__(rng=streams["mesa"])
        self.config, self.seed = config, seed
        self.streams = streams
        self.end_minute = config.run.months * MINUTES_PER_MONTH
        step = config.run.step_minutes
        # the market maker's requote, the arbitrage desk's look and the marks, when all three
        # come every step, run back to back (in this order) as one Mesa event instead of three
        self.fused_step = (self.fuse_steps and config.arbitrage.reaction_minutes == step
                           and config.market_maker.requote_minutes == step)
        self.step_hooks: list[StepHook] = []      # run after them, in the order registered
        self.periodic_hooks: list[PeriodicHook] = []   # run before them when due (see every)
        self._building = True
        self.hourly_observers: list = []          # see observe_hourly
        self._build_world()
        self._build_venues()
        self.tape = Tape(self)
        self.flow_learning = FlowLearning(self)   # after the tape: it reads the hour's flow
        # the agents: each registers itself with Mesa (model.agents_by_type), where the
        # properties below find them; in this order (each funds itself from the ones before)
        ProjectTeam(self)
        Insiders(self)
        MarketMaker(self)
        self.project.open_deal(self.market_maker)
        self.market_maker.open_markets()
        Arbitrageur(self)
        BasisDesk(self)
        per_cex(self, LiquidityProvider, config.liquidity)
        latent_books(self, config.latent)
        if config.liquidity.perp_usdt > 0:
            PerpLiquidityProvider(self)
        self.datacollector: mesa.DataCollector | None = None    # the rows; see record
        RetailPopulation(self)
        self.obligations = ObligationMonitor(self)   # last: it samples the minute's end state
        self.ledger_start = ledger_rows(self, "start")
        # the non-retail owners' HOLDERS groups (metrics.supply_row); the latent books trade as
        # liquidity providers (owner_type, the tape) but are counted apart: who holds a sale
        self.agent_groups = {agent.unique_id: HOLDERS.index(self.owner_type(agent.unique_id))
                             for agent in (self.market_maker, self.arbitrageur, self.basis_desk,
                                           self.project, self.insiders, *self.providers,
                                           *self.perp_providers)}
        self.agent_groups |= {book.unique_id: HOLDERS.index("latent_book")
                              for book in self.latent_books}
        self.schedule_recurring(self.perp.settle_funding, Schedule(   # the perp's funding
            interval=self.perp.funding_interval, start=self.time + self.perp.funding_interval))
        if self.fused_step:
            self.arbitrageur.looking.stop()
            self.schedule_recurring(self.each_steps, Schedule(interval=step))
            # Mesa would run the events due in a minute in the order they were created: an
            # event every k minutes was created k minutes before, so the longest interval
            # first, and among equal ones the order they were registered in
            self.periodic_hooks.sort(key=lambda hook: -hook.interval)
        elif config.arbitrage.reaction_minutes == step:
            # the desk's looks and the marks run back to back every step: one Mesa event for
            # both (in the same order) instead of two
            self.arbitrageur.looking.stop()
            self.schedule_recurring(self.look_and_mark, Schedule(interval=step))
        else:
            self.schedule_recurring(self.update_marks, Schedule(interval=step))
        # the hourly observations, then the row, at the start of their minute (before anything
        # else happens in it, so a row never catches a 5-, 15- or 60-minute event half done):
        # one high-priority event every gcd(60, cadence) minutes
        self.recorder = Recorder(self)
        self.schedule_recurring(self.look, Schedule(
            interval=math.gcd(60, config.run.record_every_minutes), start=0.0),
            priority=Priority.HIGH)
        # Mesa's own step, every minute at high priority: MarketModel has no step (everything
        # is an event), so it only cost an event per minute
        default_step = getattr(self, "_default_schedule", None)
        if default_step is not None and type(self).step is mesa.Model.step:
            default_step.stop()
        self._building = False

    # -- the agents, found in Mesa's registry -----------------------------------------------
    def agents_of(self, agent_type: type[A]) -> list[A]:
        """The agents of exactly `agent_type`, in the order they were made
        (`agents_by_type`, Mesa's registry)."""
        agents = self.agents_by_type.get(agent_type)
        return list(agents) if agents else []

    def agent_of(self, agent_type: type[A]) -> A:
        """The one agent of `agent_type`, else a LookupError naming it."""
        agents = self.agents_by_type.get(agent_type)
        if not agents or len(agents) != 1:
            raise LookupError(f"the model has {len(agents) if agents else 0} agents of type "
                              f"{agent_type.__name__}, not one")
        return next(iter(agents))

    def register_agent(self, agent: mesa.Agent) -> None:
        self._forget_views()
        super().register_agent(agent)

    def deregister_agent(self, agent: mesa.Agent) -> None:
        self._forget_views()
        super().deregister_agent(agent)

    def _forget_views(self) -> None:
        """The views below remember what they found (the model asks for the maker and the
        desk several times a minute: the registry's lookup each time cost ~3% of a run);
        an agent added or removed makes them look again."""
        for name in _AGENT_VIEWS:
            self.__dict__.pop(name, None)

    project = _view(ProjectTeam, "the project team")
    insiders = _view(Insiders, "the insiders' unlocks")
    market_maker = _view(MarketMaker, "the market maker")
    arbitrageur = _view(Arbitrageur, "the arbitrage desk")
    basis_desk = _view(BasisDesk, "the basis desk")
    retail = _view(RetailPopulation, "the retail traders")
    providers = _view(LiquidityProvider, "the CEX liquidity providers, one per CEX", many=True)
    latent_books = _view(LatentBook, "the latent books", many=True)
    perp_providers = _view(PerpLiquidityProvider, "the perp liquidity provider, if any",
                           many=True)

    def _build_world(self) -> None:
        w, hours = self.config.world, int(self.end_minute // 60) + 2
        terms = {"bust": {"year_multiple": w.year_multiple}, "boom": {"year_multiple": w.year_multiple},
                 "pump_and_dump": {"peak_multiple": w.peak_multiple, "peak_day": w.peak_day,
                                   "end_multiple": w.end_multiple},
                 "path": {"path_days": w.path_days, "path_multiples": w.path_multiples}
                 }.get(w.regime, {})
        self.fundamental = fundamental_path(w.regime, hours * 60, self.config.token.initial_price,
                                            w.annual_vol, self.streams["fundamental"], every=60,
                                            tail_df=w.news_tail_df, vol_of_vol=w.vol_of_vol,
                                            vol_halflife_minutes=w.vol_halflife_hours * 60.0,
                                            vol_rng=self.streams["news_volatility"]
                                            if w.vol_of_vol else None, **terms)
        self.attention = Attention(w.attention_halflife_days, w.attention_floor,
                                   w.shock_halflife_hours)

    def _build_venues(self) -> None:
        c = self.config
        self.wallets = Wallets()
        self.wallets.describe = self.owner_type
        self.cexs = [SpotExchange(x.name, x.tick_size, x.lot_size, x.maker_fee, x.taker_fee)
                     for x in c.cex]
        self.dex = AmmVenue("dex", fee=c.dex.fee)
        p = c.perp
        self.perp = PerpExchange("perp", p.tick_size, p.lot_size, p.maker_fee, p.taker_fee,
                                 p.initial_margin, p.maintenance_margin, p.funding_cap,
                                 p.interest_rate, p.funding_interval_minutes)
        self.venues = [*self.cexs, self.dex, self.perp]

    def owner_type(self, owner: int) -> str:
        """The agent type behind a venue owner id (see tape.AGENT_TYPES)."""
        if owner >= RETAIL_BASE:
            return TYPE_NAMES[self.retail.kind[owner - RETAIL_BASE]]
        if owner == self.market_maker.unique_id:
            return "market_maker"
        if owner in (self.arbitrageur.unique_id, self.basis_desk.unique_id):
            return "arbitrage"
        if owner == self.project.unique_id:
            return "project"
        if owner == self.insiders.unique_id:
            return "insider"
        if any(owner == p.unique_id for p in (*self.providers, *self.latent_books,
                                              *self.perp_providers)):
            return "liquidity_provider"
        raise ValueError(f"owner {owner} is no agent of this model")

    def fundamental_at(self, minute: float) -> float:
        """The latent value at `minute` (hourly resolution)."""
        return float(self.fundamental[min(int(minute // 60), len(self.fundamental) - 1)])

    def news_at(self, minute: float) -> float:
        """The news the market's agents read: the world's value at `minute` times the market's
        revision of it from order flow so far (beliefs.FlowLearning; 1 when that is off)."""
        news = self.fundamental_at(minute)
        revision = self.flow_learning.log_revision
        return news * math.exp(revision) if revision else news

    def update_marks(self) -> None:
        """Index from the spot mids, the perp's mark, and its liquidations."""
        total, n = 0.0, 0
        for venue in self.cexs:
            mid = venue.mid_usd()
            if mid == mid:
                total, n = total + mid, n + 1
        if n:
            # np.mean's value without its cost: below 8 terms numpy adds in order (sum() would
            # not do: it compensates, so it can differ in the last bit)
            index = total / n if n < 8 else float(np.mean(
                [m for m in (v.mid_usd() for v in self.cexs) if m == m]))
            self.perp.update_marks(index)
            self.perp.check_liquidations(self.time)

    def look_and_mark(self) -> None:
        """The arbitrage desk's look, then the marks (when both come every step)."""
        self.arbitrageur.act()
        self.update_marks()

    def each_step(self) -> None:
        """The periodic hooks that are due, the market maker's requote, then the desk's look
        and the marks, then the step hooks (`fused_step`: one Mesa event a step instead of
        one for each)."""
        now = self.time
        for hook in self.periodic_hooks:
            if (now - hook.start) % hook.interval == 0:
                hook()
        self.market_maker.requote()
        self.look_and_mark()
        for hook in self.step_hooks:
            hook()

    def each_steps(self) -> None:
        """`each_step`, then the following steps too while no other event is due before them
        and the run has not reached the time it was asked to run to: Mesa's loop would pop this
        event's next occurrence and nothing else in between, so the order of everything is
        the same, without ~5 us of event handling a minute (a twelfth of a year's run)."""
        step, until = self.config.run.step_minutes, self._until
        self.each_step()
        while (nxt := self.time + step) <= until:
            events = getattr(self._event_list, "_events", None)
            if events is None or (events and events[0].time <= nxt):
                return
            self.time = nxt
            self.each_step()

    def _advance_time(self, until: float) -> None:
        """Mesa's loop, remembering how far it runs (`each_steps` never steps past it)."""
        self._until = until
        try:
            super()._advance_time(until)
        finally:
            self._until = -math.inf

    def every_step(self, fn, interval: float, start_now: bool) -> StepHook | EventGenerator:
        """Run `fn` every `interval` minutes from now (`start_now`) or from the next interval:
        a step hook when `each_step` runs every `interval`, else a recurring Mesa event. Either
        has `stop()`. Same order as the Mesa events would run, because the hooks are
        registered while the model is built, in the order the events were."""
        if not (self.fused_step and interval == self.config.run.step_minutes):
            return self.schedule_recurring(fn, Schedule(
                interval=interval, start=self.time if start_now else None))
        hook = StepHook(fn)
        self.step_hooks.append(hook)
        if start_now:
            self.schedule_event(hook, at=self.time)
        return hook

    def every(self, fn, interval: int) -> PeriodicHook | EventGenerator:
        """Run `fn` every `interval` minutes from now on: a recurring Mesa event, or, for an
        agent built with the model while `each_step` is fused, a periodic hook `each_step`
        runs when it is due, before its own work — where Mesa would have run the event (it
        was created `interval` minutes before, after every event with a longer interval and
        before the step's own event). That holds while no other recurring event comes more
        often than the hook: the hedge and the funding (each created at build for its first
        time, so first among equals) and the hourly events. Either has `stop()`."""
        c = self.config
        if not (self.fused_step and self._building and interval % c.run.step_minutes == 0
                and interval <= min(60, c.market_maker.hedge_minutes,
                                    c.perp.funding_interval_minutes)):
            return self.schedule_recurring(fn, Schedule(interval=interval, start=self.time))
        hook = PeriodicHook(fn, interval, self.time)
        self.periodic_hooks.append(hook)
        self.schedule_event(hook, at=self.time)           # the first time: now, as Mesa would
        return hook

    def observe_hourly(self, fn) -> None:
        """Run `fn` at the start of every hour (minute 0, 60, ..., before anything else
        happens in that minute and before its row is recorded), in the order registered: how
        agents build their memory of the market."""
        self.hourly_observers.append(fn)

    def look(self) -> None:
        """The hourly observations when an hour begins, then the row when one is due."""
        if self.time % 60 == 0:
            for fn in self.hourly_observers:
                fn()
        if self.time % self.config.run.record_every_minutes == 0:
            self.record()

    def record(self) -> None:
        """Collect a row of the time series (reads the model, changes nothing) into Mesa's
        DataCollector, one model reporter per column (the columns are the first row's). The
        row is computed once per collect (`Recorder.row`) and each reporter reads its column:
        the DataCollector costs under 2% of a year's run (benchmarks/bench_recorder.py)."""
        self._row = row = self.recorder.row()
        if self.datacollector is None:
            self.datacollector = mesa.DataCollector(model_reporters={
                key: (lambda model, key=key: model._row[key]) for key in row})
        elif len(row) != len(self.datacollector.model_reporters):
            raise RuntimeError(f"a row has columns {sorted(set(row) ^ set(self.datacollector.model_reporters))} "
                               f"that the first row did not (or the other way round)")
        self.datacollector.collect(self)

    @property
    def rows(self) -> Rows:
        """The rows recorded so far, each a dict (a view of the DataCollector's columns)."""
        return Rows(self.datacollector.model_vars if self.datacollector is not None else {})

    def timeseries(self) -> pd.DataFrame:
        """The rows recorded so far as a frame (the DataCollector's model variables)."""
        if self.datacollector is None:
            return pd.DataFrame()
        return self.datacollector.get_model_vars_dataframe()

    def conservation_problems(self) -> list[str]:
        """Everything that does not balance across wallets and venues (empty: all balances)."""
        return audit_model(self.wallets, self.venues)

    def run_model(self) -> None:
        """Play the run to its end (and to the contract's maturity if that comes first)."""
        self.run_until(self.end_minute)
