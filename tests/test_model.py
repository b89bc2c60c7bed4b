"""The model skeleton: venues from the config, the deal, the MM's opening, recording, maturity."""
import math

import numpy as np
import pandas as pd
import pytest

from mmabm.config import Config
from mmabm.runner import run
from mmabm.model import MarketModel

BUY_SIDE = 1

# the mechanics, without the market maker's sale (strategy "hold")
SHORT = Config().override({"run.months": 0.1,       # three days, no retail flow: static
                           "retail.n_traders": 50, "retail.launch_orders_per_minute": 0,
                           "market_maker.strategy": "hold"})
TRADING = Config().override({"run.months": 0.05, "retail.n_traders": 400,
                             "retail.launch_orders_per_minute": 4, "market_maker.strategy": "hold"})


@pytest.fixture(scope="module")
def short_run():
    return run(SHORT, seed=3)


def test_records_hourly_rows_with_the_documented_columns(short_run):
    ts = short_run.timeseries
    assert len(ts) == 3 * 24 + 1 and ts["minute"].diff().dropna().eq(60).all()
    for column in ("mid", "best_bid", "best_ask", "spread_bps", "depth_bid_usd", "depth_ask_usd",
                   "amm_price", "perp_mark", "index_price", "funding_rate", "volume_usd",
                   "perp_volume_usd", "mm_tokens", "mm_perp_tokens", "basis_perp_tokens",
                   "fundamental", "mid_main", "mid_cex2", "mid_cex3", "obligations_met_main"):
        assert column in ts


def test_opening_meets_every_obligation_and_seeds_the_pool_at_listing(short_run):
    ts, s = short_run.timeseries, short_run.summary
    # ±2% bids met at every hourly close but two at most: when the price runs up, the calls'
    # short hedge loses and its margin is topped up from the wallet first (a hedge left to be
    # liquidated loses more), which can leave the bids short of USDT for an hour or two
    assert (ts["depth_bid_usd"] < 100_000).sum() <= 2
    assert ts["depth_bid_usd"].iloc[:24].min() >= 100_000          # the first day: all met
    # the spread is met at every hourly close but one at most: when its inner rungs are
    # taken and no funds are free to add a rung, the maker leaves the wider spread to the
    # others for a few minutes (a known gap of the requote rule, noted for issue 14)
    assert (ts["spread_bps"] > 10).sum() <= 1 and ts["spread_bps"].median() <= 10
    # met at every hourly close but for a passing miss (the arbitrage desk lifts a rung after
    # the market maker's requote of the minute; it is back the next minute)
    assert s["obligation_uptime_main"] >= 0.95 and s["obligation_uptime_cex2"] >= 0.95
    assert ts["amm_price"].iloc[0] == pytest.approx(1.0)


def test_books_balance_and_the_ledger_covers_start_and_end(short_run):
    assert short_run.summary["conservation_error"] == 0.0
    ledger = short_run.ledger
    assert set(ledger["when"]) == {"start", "end"}
    start = ledger[ledger["when"] == "start"]
    assert start["tokens"].sum() == pytest.approx(150_000_000)      # every token somewhere


def test_summary_derives_the_sale_and_the_run_records_its_seed(short_run):
    assert math.isnan(short_run.summary["initial_sale_tokens"])    # hold makes no sale: null
    assert short_run.seed == 3 and short_run.config["run"]["seed"] == 3
    s = short_run.summary                     # three days: no price at a month or later
    assert all(math.isnan(s[f"price_{m}m"]) for m in (1, 3, 6, 12, 24))
    assert s["price_end"] == short_run.timeseries["mid"].dropna().iloc[-1]


def test_summary_prices_at_each_horizon_the_run_reaches():
    from mmabm.metrics import MINUTES_PER_MONTH
    from mmabm.tape import price_at
    minutes = np.arange(0, 25 * MINUTES_PER_MONTH + 1, 1440)
    mid = 1.0 + minutes / MINUTES_PER_MONTH                               # price_Nm = 1 + N
    assert [price_at(minutes, mid, m) for m in (1, 3, 6, 12, 24)] == [2.0, 4.0, 7.0, 13.0, 25.0]
    early = minutes <= 20 * MINUTES_PER_MONTH
    assert math.isnan(price_at(minutes[early], mid[early], 24))            # not reached


def test_same_seed_same_run_and_strategies_share_the_world():
    a = run(SHORT, seed=5).timeseries
    assert a.equals(run(SHORT, seed=5).timeseries)
    hold = MarketModel(SHORT.override({"market_maker.strategy": "hold"}), seed=5)
    article = MarketModel(SHORT, seed=5)
    assert np.array_equal(hold.fundamental, article.fundamental)
    assert not np.array_equal(MarketModel(SHORT, seed=6).fundamental, article.fundamental)


def test_funding_runs_on_mesa_time():
    model = MarketModel(SHORT, seed=1)
    model.run_model()
    assert model.perp.n_fundings == 3 * 3          # every 8 hours for three days


def test_maturity_returns_the_loan():
    """In a market without flow the MM (hold) still holds every borrowed token (the buyback
    when it is short is in tests/test_hedging.py)."""
    c = SHORT.override({"run.months": 1.05, "contract.months": 1, "run.step_minutes": 60,
                        "market_maker.requote_minutes": 60, "arbitrage.reaction_minutes": 60})
    result = run(c, seed=2)
    assert result.summary["project_tokens_returned"] == pytest.approx(3_000_000)
    assert result.summary["project_shortfall_tokens"] == pytest.approx(0.0, abs=1e-6)
    assert result.summary["options_exercised"] == 0      # $1.00 is below every strike
    assert result.summary["conservation_error"] == 0.0


@pytest.fixture(scope="module")
def trading_run():
    return run(TRADING, seed=11)


def test_retail_flow_trades_and_the_books_still_balance(trading_run):
    ts, s = trading_run.timeseries, trading_run.summary
    assert ts["volume_usd"].sum() > 50_000
    assert s["conservation_error"] == 0.0
    assert trading_run.ledger.query("when == 'end'")["tokens"].sum() == pytest.approx(150_000_000)


def test_arbitrage_keeps_the_pool_near_the_books(trading_run):
    ts = trading_run.timeseries.dropna(subset=["mid"])
    gap = (ts["amm_price"] / ts["mid"] - 1).abs()
    assert gap.median() < 0.01


def test_trading_run_is_reproducible(trading_run):
    assert run(TRADING, seed=11).timeseries.equals(trading_run.timeseries)


def test_volume_is_split_by_the_type_that_initiated_it(trading_run):
    ts = trading_run.timeseries
    by_type = ts.filter(like="volume_usd_")
    assert set(by_type.columns) == {f"volume_usd_{t}" for t in (
        "market_maker", "arbitrage", "liquidity_provider", "project", "insider", "noise",
        "momentum", "fundamentalist", "perp", "early_holder")}
    assert (by_type.sum(axis=1) - ts["volume_usd"]).abs().max() < 1e-6
    assert by_type["volume_usd_noise"].sum() > 0 and by_type["volume_usd_market_maker"].sum() == 0


# whole-model runs: the release pass only (the debug pass traces the same code elsewhere)
@pytest.mark.slow
def test_skipping_looks_at_unchanged_venues_changes_nothing(monkeypatch):
    """The arbitrage desk and the requote skip venues whose change counters stood still since
    a look that found nothing to do, and the market maker does not re-post a ladder on a venue
    unchanged since it posted that very ladder; looking and posting every time must give the
    very same run (only the market maker's order ids differ)."""
    from mmabm.agents.arbitrageur import Arbitrageur
    from mmabm.agents.market_maker import MarketMaker
    config = TRADING.override({"run.months": 0.02, "market_maker.strategy": "article"})
    skipping = MarketModel(config, seed=5)
    skipping.run_model()
    looks = {"arbitrage": 0, "requote": 0}
    act, requote = Arbitrageur.act, MarketMaker.requote

    def always_act(self):
        looks["arbitrage"] += self._quiet is not None
        self._quiet = None
        act(self)

    def always_requote(self):
        looks["requote"] += bool(self._found_fine)
        self._found_fine.clear()
        self._posted.clear()
        requote(self)

    monkeypatch.setattr(Arbitrageur, "act", always_act)
    monkeypatch.setattr(MarketMaker, "requote", always_requote)
    looking = MarketModel(config, seed=5)
    looking.run_model()
    assert looks["arbitrage"] > 50 and looks["requote"] > 50     # there was something to skip
    assert looking.arbitrageur.profit_usdt == skipping.arbitrageur.profit_usdt
    pd.testing.assert_frame_equal(pd.DataFrame(looking.rows), pd.DataFrame(skipping.rows))
    mm = skipping.market_maker.unique_id
    for a, b in zip(looking.cexs, skipping.cexs):
        assert a.accounts().tolist() == b.accounts().tolist()
        assert a.levels(1).tolist() == b.levels(1).tolist()
        assert a.levels(-1).tolist() == b.levels(-1).tolist()
        assert a.orders_of(mm)[["side", "price", "qty"]].tolist() == \
            b.orders_of(mm)[["side", "price", "qty"]].tolist()
    assert skipping.conservation_problems() == []


def test_the_arbitrage_desk_looks_again_when_only_the_pool_moved():
    model = MarketModel(TRADING.override({"run.months": 0.002}), seed=5)
    model.run_model()
    desk, dex = model.arbitrageur, model.dex
    desk.act()
    desk.act()
    assert desk._quiet is not None                     # a look that found nothing
    profit, seen = desk.profit_usdt, dex.changes
    whale = max(dex.usdt, key=lambda o: dex.usdt[o] if o >= 1_000 else -1)
    dex.swap_exact_in(whale, 1, dex.usdt[whale])       # a big buy lifts the pool price only
    desk.act()
    assert dex.changes > seen + 1 and desk.profit_usdt != profit


def test_requoting_the_same_mid_reuses_the_ladder_and_posts_what_a_fresh_one_would():
    models = [MarketModel(TRADING.override({"run.months": 0.002}), seed=2) for _ in range(2)]
    for fresh, model in enumerate(models):
        mm, venue, terms = model.market_maker, model.cexs[1], model.config.cex[1]
        mid = venue.mid_usd()
        for skew, move in ((0.3, 1.0), (0.3, 1.0004), (-0.2, 1.0004), (0.3, 1.0)):
            if fresh:
                mm._ladders.clear()
            mm.skew = skew
            mm.quote(venue, terms, mid * move)
        if not fresh:            # the opening's ladder and three: the fourth reused the first's
            assert len(mm._ladders[venue.name]) == 4
    cached, fresh = (m.cexs[1] for m in models)
    assert cached.orders_of(models[0].market_maker.unique_id).tolist() == \
        fresh.orders_of(models[1].market_maker.unique_id).tolist()
    assert cached.accounts().tolist() == fresh.accounts().tolist()
    assert models[0].conservation_problems() == []


@pytest.mark.parametrize("reaction", [1, 2])
def test_marks_update_every_step_with_or_without_the_desk_and_no_mesa_step(reaction):
    model = MarketModel(TRADING.override({"arbitrage.reaction_minutes": reaction}), seed=1)
    marks = []
    for minute in range(1, 5):
        model.run_until(minute)
        marks.append(model.perp.index_price)
    assert all(m == m for m in marks)                   # set from minute 1, every minute
    assert model.steps == 0                             # Mesa's empty step is not scheduled
    assert (model.arbitrageur.looking._active) is (reaction != 1)


@pytest.mark.slow        # whole-model runs: the release pass only
@pytest.mark.parametrize("changes, periodic", [
    ({}, [15, 15, 15, 5, 5, 5, 5]),                     # latent books, basis desk, providers
    ({"liquidity.news_weight": 1.0, "market_maker.news_weight": 1.0,
      "latent.news_weight": 1.0, "liquidity.requote_minutes": 3}, [15, 15, 15, 5, 3, 3, 3]),
    ({"market_maker.hedge_minutes": 4, "liquidity.requote_minutes": 3}, [3, 3, 3]),
    # (the hedge comes more often than the latent books and the basis desk: they stay events)
])
def test_one_event_per_step_runs_what_separate_events_would(monkeypatch, changes, periodic):
    """The requote, the desk's look, the marks, the immediate sale's slices and the retail
    arrivals run as one Mesa event a step (`each_step`), and the providers', latent books'
    and basis desk's looks as periodic hooks in it; a run with one event each, in Mesa's
    order, must be the very same run."""
    config = TRADING.override({"run.months": 0.02, "market_maker.strategy": "article",
                               "market_maker.sale_horizon_hours": 6, **changes})
    fused = MarketModel(config, seed=4)
    # the sale, the arrivals, the obligations' sample of the minute's end
    assert fused.fused_step and len(fused.step_hooks) == 3
    assert [hook.interval for hook in fused.periodic_hooks] == periodic
    fused.run_model()
    monkeypatch.setattr(MarketModel, "fuse_steps", False)
    separate = MarketModel(config, seed=4)
    assert not separate.fused_step and separate.step_hooks == separate.periodic_hooks == []
    separate.run_model()
    assert fused.market_maker.sold_tokens > 0 and fused.retail.orders.sum() > 50
    assert not fused.step_hooks[0].active                        # the sale ended on time
    pd.testing.assert_frame_equal(pd.DataFrame(fused.rows), pd.DataFrame(separate.rows))
    # the same minutes sampled (where in the minute differs: the end of the step's own work
    # when fused, Mesa's order of the separate events otherwise; docs/model.md 7.9)
    assert fused.obligations.sampled == separate.obligations.sampled > 0
    for a, b in zip(fused.cexs, separate.cexs):
        assert a.accounts().tolist() == b.accounts().tolist()
        assert a.levels(1).tolist() == b.levels(1).tolist()
    assert fused.conservation_problems() == []


def test_steps_run_back_to_back_still_let_every_other_event_in_on_time(monkeypatch):
    """`each_steps` runs the following steps itself while nothing else is due: an event
    scheduled for minute 17, or one scheduled then for that very minute, still runs where
    Mesa puts it, and `run_until` stops exactly where asked."""
    model = MarketModel(SHORT, seed=2)
    steps, seen = [], []
    step = model.each_step
    monkeypatch.setattr(model, "each_step", lambda: (steps.append(model.time), step()))

    def look():                   # (Mesa holds events weakly: named and kept alive here)
        seen.append((model.time, len(steps)))

    def at_17():
        look()
        model.schedule_event(look, at=model.time)

    model.schedule_event(at_17, at=17.0)
    model.run_until(40)
    assert steps == [float(m) for m in range(1, 41)] and model.time == 40
    # the first before minute 17's step, the one scheduled then after it (Mesa's order:
    # created later), and before minute 18's
    assert seen == [(17.0, 16), (17.0, 17)]
    model.run_until(45)
    assert steps[-6:] == [40.0, 41.0, 42.0, 43.0, 44.0, 45.0] and len(steps) == 45
    assert model.each_step is not step and model._until == -math.inf


def test_a_side_thin_for_want_of_funds_is_not_reposted_until_funds_come():
    """Asks bought down below the obligation while the market maker has no tokens left to
    quote (nothing free on the venue, nothing in the wallet): the requote leaves the ladder
    where it is, since the same ladder would only go to the back of the queues. Tokens in
    the wallet again: it tops up and re-posts, and the obligation is met."""
    from mmabm.venues import defund, fund, units
    model = MarketModel(SHORT, seed=3)
    mm, venue, terms, wallets = model.market_maker, model.cexs[1], model.config.cex[1], model.wallets
    me, project = mm.unique_id, model.project.unique_id
    defund(venue, wallets, me, 0, units.tokens_to_units(venue.balance(me)["tokens"]))
    parked = wallets.tokens[me]
    wallets.transfer(me, project, token_units=parked)              # the wallet is empty now
    buyer = 777
    wallets.mint(buyer, usdt=50_000)
    fund(wallets, venue, buyer, units.usdt_to_units(50_000), 0)
    venue.market(buyer, BUY_SIDE, 3_000)                           # eats the best ask rung
    assert venue.depth_usd(-1, terms.band) < terms.depth_usd
    asks = venue.orders_of(me)
    mm.requote()
    assert venue.orders_of(me).tolist() == asks.tolist()           # left as it was
    wallets.transfer(project, me, token_units=parked)
    mm.requote()
    assert venue.orders_of(me)["id"].tolist() != asks["id"].tolist()
    assert venue.depth_usd(-1, terms.band) >= terms.depth_usd
    assert model.conservation_problems() == []


def test_rows_carry_each_venue_and_where_the_market_maker_holds_what(trading_run):
    """Spread and depth per CEX (the main CEX's also unsuffixed), the pool's reserves, the
    market maker's holdings per venue (they add up to its token total) and the treasury."""
    ts = trading_run.timeseries
    where = ("main", "cex2", "cex3", "dex", "wallet")
    held = sum(ts[f"mm_tokens_{w}"] for w in where)
    assert np.allclose(held, ts["mm_tokens"], rtol=0, atol=1e-6)
    for column in ("spread_bps", "depth_bid_usd", "depth_ask_usd"):
        pd.testing.assert_series_equal(ts[f"{column}_main"], ts[column], check_names=False)
        assert ts[f"{column}_cex2"].notna().any()
    assert np.allclose(ts["amm_usdt_reserve"] / ts["amm_token_reserve"], ts["amm_price"])
    assert ts["mm_lp_share"].between(0, 1).all() and ts["mm_lp_share"].iloc[0] > 0
    assert (ts[[f"mm_usdt_{w}" for w in where]] >= 0).all().all()
    assert ts["project_treasury_tokens"].iloc[0] > 0 and ts["project_treasury_usdt"].ge(0).all()


# whole-model runs: the release pass only (the debug pass traces the same code elsewhere)
@pytest.mark.slow
def test_recording_only_reads_the_model():
    """The same seed recorded every minute, hour and day is the same run: the same summary,
    the same rows where they meet, and per-minute volumes that add up to the hourly ones.
    (Agents keep their own memory of the market; the recorder drains nothing they use.)"""
    config = Config().override({"run.months": 0.05, "retail.n_traders": 400,
                                "retail.launch_orders_per_minute": 4})     # the article's sale
    runs = {every: run(config.override({"run.record_every_minutes": every}), seed=2)
            for every in (1, 60, 1440)}
    hourly = runs[60].timeseries.set_index("minute")
    assert hourly["volume_usd_market_maker"].sum() > 0                   # the sale traded
    for every in (1, 1440):
        other = runs[every].timeseries.set_index("minute")
        assert _same(runs[every].summary, runs[60].summary)
        both = hourly.index.intersection(other.index)
        assert len(both) == (len(hourly) if every == 1 else 2)
        state = [c for c in hourly.columns if "volume" not in c]
        pd.testing.assert_frame_equal(other.loc[both, state], hourly.loc[both, state])
    minutes = runs[1].timeseries
    hour = ((minutes["minute"] + 59) // 60 * 60).astype(int)            # (t-60, t] -> t
    summed = minutes.groupby(hour)[["volume_usd", "dex_volume_usd", "perp_volume_usd"]].sum()
    pd.testing.assert_frame_equal(summed.loc[hourly.index[1:]],
                                  hourly.loc[hourly.index[1:], summed.columns],
                                  check_names=False, check_index_type=False, rtol=1e-9)


def _same(a: dict, b: dict) -> bool:
    """Equal dicts, NaN equal to NaN."""
    return a.keys() == b.keys() and all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)


def test_agents_are_found_in_mesa_s_registry():
    """model.market_maker and the rest are views of Mesa's agents_by_type, not attributes."""
    from mmabm.agents.liquidity import LiquidityProvider
    from mmabm.agents.market_maker import MarketMaker
    model = MarketModel(Config().override({"run.months": 0.01, "retail.n_traders": 50}), seed=0)
    assert model.market_maker is model.agent_of(MarketMaker)
    assert model.market_maker in model.agents_by_type[MarketMaker]
    assert model.providers == list(model.agents_by_type[LiquidityProvider])
    assert [p.venue for p in model.providers] == model.cexs[:len(model.providers)]
    with pytest.raises(LookupError, match="LiquidityProvider, not one"):
        model.agent_of(LiquidityProvider)
    maker = model.market_maker                      # found once, then remembered
    assert model.__dict__["market_maker"] is maker
    maker.remove()                                  # the registry forgets it, and so does
    with pytest.raises(LookupError, match="0 agents of type MarketMaker"):   # the view
        model.market_maker
    assert maker not in model.agents
