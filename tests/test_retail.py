"""The retail population: finite wallets, the crowd's mood, value traders, stops, early
holders, trend horizons, their memory, and common random numbers."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmabm.agents._arrivals import CandidateDraws
from mmabm.agents.retail import EARLY, FUNDAMENTALIST, MOMENTUM, NOISE, PANIC, PERP, STOP_LOSS
from mmabm.agents.retail import crowd_mood
from mmabm.config import DEAF_DEALERS, Config, ConfigError
from mmabm.model import MarketModel
from budget import examples

SMALL = Config().override({"run.months": 0.02, "retail.n_traders": 300,
                           "retail.launch_orders_per_minute": 3, "market_maker.strategy": "hold"})
CLOSED = SMALL.override({"money.inflow_usd_per_day": 0.0, "money.exit_per_day": 0.0})
VALUE_ONLY = CLOSED.override({"retail.noise_share": 0.0, "retail.momentum_share": 0.0,
                              "retail.fundamentalist_share": 1.0, "retail.perp_share": 0.0,
                              "retail.early_holder_share": 0.0, "beliefs.model": "anchored",
                              "beliefs.dispersion": 0.0,
                              **DEAF_DEALERS})                   # value traders alone


def test_money_is_finite_value_traders_buy_the_news_with_what_they_hold():
    """Anchored value traders told the token is worth twice its price buy it up, with the USDT
    they already hold: nothing is minted."""
    model = MarketModel(VALUE_ONLY, seed=4)
    minted = model.wallets.minted_usdt
    model.fundamental[:] = 2.0
    model.retail.anchor.update(1.0)                   # the news reaches the anchor at once
    model.run_model()
    assert model.retail.orders[FUNDAMENTALIST] > 50
    assert model.wallets.minted_usdt == minted and model.retail.flows.inflow_units == 0
    assert model.cexs[0].mid_usd() > 1.03 and model.dex.price() > 1.03
    assert model.conservation_problems() == []


def test_elastic_money_mints_for_value_buyers_and_records_it():
    """money.model = "elastic" is the model before price formation: value buyers bring new
    USDT, recorded as inflow and as mints."""
    model = MarketModel(VALUE_ONLY.override({"money.model": "elastic",
                                             "retail.sizing": "fixed"}), seed=4)
    minted = model.wallets.minted_usdt
    model.fundamental[:] = 2.0
    model.retail.anchor.update(1.0)
    model.run_model()
    flows = model.retail.flows
    assert flows.elastic_units > 0 and flows.inflow_units == flows.elastic_units
    assert model.wallets.minted_usdt - minted == flows.inflow_units
    assert model.conservation_problems() == []


def test_value_traders_rest_limits_at_their_threshold_when_the_price_is_fair():
    """Inside the threshold a value trader does not trade: it rests a limit at its valuation's
    threshold, below the price (a buy) when it values the token above the price."""
    model = MarketModel(VALUE_ONLY.override({"world.annual_vol": 0.0}), seed=4)
    model.run_until(120)
    main, r = model.cexs[0], model.config.retail
    resting = np.flatnonzero(model.retail.resting)
    assert len(resting) > 5
    for i in resting[:20]:
        orders = main.orders_of(model.retail.owner(int(i)))
        if len(orders):
            _, _, side, price, _ = orders[0].tolist()
            value = model.retail.anchor.value * math.exp(model.retail.offset[i])
            assert price * main.tick_size == pytest.approx(
                value * math.exp(-side * r.fundamental_threshold), abs=main.tick_size)


def test_mood_is_exogenous_bounded_and_the_same_whatever_the_strategy():
    a = MarketModel(SMALL, seed=9).retail.mood
    b = MarketModel(SMALL.override({"market_maker.strategy": "article"}), seed=9).retail.mood
    assert np.array_equal(a, b) and np.abs(a).max() <= 0.45 and a.std() > 0.05
    assert not np.array_equal(a, MarketModel(SMALL, seed=10).retail.mood)
    calm = MarketModel(SMALL.override({"retail.mood_sd": 0.0}), seed=9).retail.mood
    assert not calm.any()


def test_a_persistent_mood_is_an_ar1_with_its_half_life():
    rng = np.random.default_rng(3)
    mood = crowd_mood(rng, 200_000, 0.1, 24.0)
    phi = 0.5 ** (1 / 24)
    lag1 = np.corrcoef(mood[:-1], mood[1:])[0, 1]
    assert lag1 == pytest.approx(phi, abs=0.01) and mood.std() == pytest.approx(0.1, rel=0.05)
    iid = crowd_mood(np.random.default_rng(3), 200_000, 0.1, 0.0)
    assert abs(np.corrcoef(iid[:-1], iid[1:])[0, 1]) < 0.01


@pytest.mark.parametrize("key, value", [
    ("retail.mood_sd", 0.5), ("retail.momentum_scale", 0.0), ("retail.dex_share", -0.01),
    ("retail.fundamental_max_multiple", 0.5), ("retail.wealth_sigma", 5.0),
    ("retail.momentum_horizons_hours", [0.5]), ("retail.stop_loss", 1.0),
    ("retail.panic_drawdown", 0.0), ("retail.shock_tilt", 0.5), ("retail.early_take_profit", -1),
    ("retail.sizing", "all_in"), ("retail.max_slippage", 0.0), ("retail.mood_halflife_hours", -1),
    ("beliefs.model", "rational"), ("beliefs.learning_per_day", -0.1),
    ("beliefs.dispersion", 3.0), ("money.model", "printed"), ("money.exit_per_day", 2.0),
    ("money.inflow_recipients_per_hour", 0), ("liquidity.levels", 0),
    ("liquidity.half_spread", 0.0), ("retail.order_life_hours", -1)])
def test_new_terms_are_range_checked_by_name(key, value):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        Config().override({key: value})


def test_traits_stops_and_early_holders_are_drawn_as_configured():
    crowd = SMALL.override({"retail.n_traders": 6000, "retail.launch_orders_per_minute": 0,
                            "retail.stop_loss_share": 0.2, "retail.panic_share": 0.1,
                            "retail.early_holder_share": 0.05})
    retail = MarketModel(crowd, seed=2).retail
    spot = (retail.kind == NOISE) | (retail.kind == MOMENTUM)
    assert np.mean(retail.stop[spot] == STOP_LOSS) == pytest.approx(0.2, abs=0.02)
    assert np.mean(retail.stop[spot] == PANIC) == pytest.approx(0.1, abs=0.02)
    assert (retail.stop[~spot] == 0).all()
    assert np.sum(retail.kind == EARLY) == 300 and (retail.kind[-300:] == EARLY).all()
    early = retail.kind == EARLY
    assert (retail.basis[early] <= crowd.retail.early_cost_max).all()
    assert (retail.offset[retail.kind != FUNDAMENTALIST] == 0).all()
    assert retail.offset[retail.kind == FUNDAMENTALIST].std() == pytest.approx(
        crowd.beliefs.dispersion, rel=0.1)


def test_wallets_split_the_float_and_usdt_and_early_holders_hold_only_tokens():
    model = MarketModel(CLOSED.override({"retail.launch_orders_per_minute": 0}), seed=2)
    retail, c = model.retail, model.config.retail
    row = model.recorder.row()
    assert row["supply_tokens_retail"] == pytest.approx(c.float_tokens, rel=1e-6)
    assert row["supply_tokens_early_holder"] == pytest.approx(c.early_tokens, rel=1e-6)
    assert row["money_usdt_early_holder"] == 0
    assert row["money_usdt_retail"] == pytest.approx(c.usdt_total, rel=1e-6)
    assert sum(v for k, v in row.items() if k.startswith("supply_tokens_")) == pytest.approx(
        model.config.token.total_supply, rel=1e-12)
    assert (retail.seen_tokens[retail.kind == PERP] == 0).all()


def test_the_summary_splits_retail_s_tokens_by_kind_and_they_add_up_to_retail_s():
    from mmabm.metrics import retail_tokens_by_kind, supply_row
    model = MarketModel(Config().override({"run.months": 0.05, "retail.n_traders": 300}),
                        seed=3)
    retail = model.retail
    at_listing = retail_tokens_by_kind(model)           # what each kind's wallets were given
    assert set(at_listing) == {"retail_tokens_noise", "retail_tokens_momentum",
                               "retail_tokens_fundamentalist", "retail_tokens_perp"}
    for kind, name in ((NOISE, "noise"), (MOMENTUM, "momentum"),
                       (FUNDAMENTALIST, "fundamentalist"), (PERP, "perp")):
        assert at_listing[f"retail_tokens_{name}"] == pytest.approx(
            retail.seen_tokens[retail.kind == kind].sum() * 1e-6, rel=1e-12)
    model.run_until(1440)                     # a day of trading moves tokens between kinds
    kinds = retail_tokens_by_kind(model)
    assert kinds != at_listing
    assert sum(kinds.values()) == pytest.approx(supply_row(model)["supply_tokens_retail"],
                                                rel=1e-12)
    assert kinds["retail_tokens_perp"] == 0                 # perp speculators hold no tokens


def test_stop_losses_sell_everything_in_a_fall_and_not_otherwise():
    crowd = CLOSED.override({"run.months": 0.03, "retail.stop_loss_share": 1.0,
                             "retail.panic_share": 0.0, "retail.stop_loss": 0.1})
    calm = MarketModel(crowd, seed=3)
    calm.run_model()
    assert calm.retail.stops_hit == 0 or calm.cexs[0].mid_usd() < 0.95
    falling = MarketModel(crowd.override({"market_maker.strategy": "article",
                                          "market_maker.sale_horizon_hours": 2}), seed=3)
    entry = falling.retail.basis.copy()
    falling.run_model()
    assert falling.retail.stops_hit > 0
    stopped = (falling.retail.stop == STOP_LOSS) & (falling.retail.seen_tokens == 0) & (entry > 0)
    assert stopped.any()


def test_early_holders_take_profit_only_above_their_target():
    base = CLOSED.override({"run.months": 0.03, "retail.early_holder_share": 0.5,
                            "retail.early_activity": 1.0, "retail.early_cost_max": 0.1})
    # targets drawn from 0 to 200x their cost: only those below the price's ~10x gain sell
    greedy = MarketModel(base.override({"retail.early_take_profit": 100.0}), seed=5)
    greedy.run_model()
    keen = MarketModel(base.override({"retail.early_take_profit": 0.5}), seed=5)
    keen.run_model()
    assert keen.retail.orders[EARLY] > 100
    assert greedy.retail.orders[EARLY] < 0.15 * keen.retail.orders[EARLY]
    held = keen.recorder.row()["supply_tokens_early_holder"]
    assert held < base.retail.early_tokens


def test_memory_feeds_each_horizon_the_mid_it_compares_with():
    model = MarketModel(SMALL.override({"retail.momentum_horizons_hours": [1.0, 3.0],
                                        "retail.high_lookback_days": 2 / 24}), seed=1)
    retail = model.retail
    retail.hour_mids = [1.0, 1.1, 1.2, 1.3]
    retail.observe()                                       # adds the main CEX's mid now
    mid = retail.hour_mids[-1]
    assert retail.past_mids.tolist() == [1.3, 1.1]          # 1 and 3 hours before now
    assert retail.recent_high == max(1.3, mid)


def test_common_random_numbers_hold_for_traits_wallets_and_flows():
    a, b = (MarketModel(SMALL.override({"market_maker.strategy": s}), seed=9)
            for s in ("hold", "article"))
    for name in ("kind", "home", "offset", "stop", "stop_level", "take_profit", "horizon"):
        assert np.array_equal(getattr(a.retail, name), getattr(b.retail, name)), name
    a.run_until(300)
    b.run_until(300)
    # who leaves and who gets the inflow are drawn alike, whatever the market did
    for name in ("exits", "inflow", "arrivals", "decisions", "sizes"):
        assert a.streams[name].random() == b.streams[name].random(), name
    assert a.cexs[0].mid_usd() != b.cexs[0].mid_usd()        # though the markets differ


@settings(max_examples=examples(60), deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.sampled_from([1, 2, 7, 5_000, 2**32 - 1]),
       top=st.sampled_from([0.0, 0.4, 6.0, 125.0, 900.0]), keep=st.floats(0.0, 1.0),
       median=st.floats(1.0, 1e5), sigma=st.floats(0.0, 3.0))
def test_compiled_candidate_draws_are_the_generator_methods_draws(seed, n, top, keep, median,
                                                                  sigma):
    """CandidateDraws gives, minute after minute, the numbers of the Generator calls it
    replaces, from the same streams (so a run is the same either way)."""
    ref = [np.random.default_rng([seed, i]) for i in range(3)]
    draws = CandidateDraws(*(np.random.default_rng([seed, i]) for i in range(3)), n, median,
                           sigma)
    for _ in range(5):
        arrivals, decisions, sizes = ref
        k = int(arrivals.poisson(top))
        got = draws.draw(top, keep)
        if k == 0:
            assert got is None
            continue
        want = (arrivals.integers(n, size=k), np.flatnonzero(arrivals.random(k) < keep),
                decisions.random((k, 4)), sizes.lognormal(math.log(median), sigma, k))
        for a, b in zip(got, want):
            assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("args, match", [((0, 100.0, 1.0), "n_traders"),
                                         ((2**32, 100.0, 1.0), "n_traders"),
                                         ((10, -1.0, 1.0), "order_usd_median"),
                                         ((10, 100.0, float("nan")), "order_usd_sigma")])
def test_candidate_draws_name_bad_terms(args, match):
    with pytest.raises(ValueError, match=match):
        CandidateDraws(*(np.random.default_rng(i) for i in range(3)), *args)
    with pytest.raises(ValueError, match="top"):
        CandidateDraws(*(np.random.default_rng(i) for i in range(3)), 10, 1.0, 1.0).draw(-1, 0.5)


def test_dex_share_sets_the_home_venues_and_the_cexs_split_by_depth():
    from mmabm.agents.retail import home_weights
    crowd = SMALL.override({"retail.n_traders": 6000, "retail.launch_orders_per_minute": 0})
    assert home_weights(crowd) == pytest.approx([0.425, 0.2125, 0.2125, 0.15])
    for share in (0.0, 0.15, 1.0):
        retail = MarketModel(crowd.override({"retail.dex_share": share}), seed=2).retail
        spot = retail.home[retail.kind != PERP]
        assert (retail.home[retail.kind == PERP] == 4).all()
        assert np.mean(spot == 3) == pytest.approx(share, abs=0.02)
        if share < 1:
            main, cex2 = np.sum(spot == 0), np.sum(spot == 1)
            assert main / cex2 == pytest.approx(2.0, rel=0.15)    # $100k vs $50k obligations


def test_resting_orders_expire_after_their_life_and_the_funds_come_back():
    """With retail.order_life_hours = 3 no retail order rests longer than about 3 hours (its
    age is counted from the hourly look that first saw it); without it, orders rest until
    their trader comes back, which a few hours' run does not see for most."""
    def live_retail(model):
        ids = set()
        for k, venue in enumerate(model.cexs):         # ids are per venue
            for i in np.flatnonzero(model.retail.resting).tolist():
                ids.update((k, oid) for oid in venue.orders_of(model.retail.owner(i))["id"].tolist())
        return ids

    life = 3
    expiring = MarketModel(SMALL.override({"retail.order_life_hours": life}), seed=2)
    lasting = MarketModel(SMALL, seed=2)
    seen_at = {expiring: {}, lasting: {}}
    for hour in range(1, 10):
        for model in (expiring, lasting):
            model.run_until(hour * 60)
            for oid in live_retail(model):
                seen_at[model].setdefault(oid, hour)
        assert all(hour - seen_at[expiring][oid] <= life for oid in live_retail(expiring))
    assert any(9 - seen_at[lasting][oid] > life for oid in live_retail(lasting))
    assert expiring.retail.expired > 20 and lasting.retail.expired == 0
    assert expiring.conservation_problems() == []
