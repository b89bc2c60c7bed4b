"""The retail population: value money that flows in, the crowd's mood, common random numbers."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmabm.agents._arrivals import CandidateDraws
from mmabm.config import Config
from mmabm.model import MarketModel

SMALL = Config().override({"run.months": 0.02, "retail.n_traders": 300,
                           "retail.launch_orders_per_minute": 3, "market_maker.strategy": "hold"})
VALUE_ONLY = SMALL.override({"retail.noise_share": 0.0, "retail.momentum_share": 0.0,
                             "retail.fundamentalist_share": 1.0, "retail.perp_share": 0.0})


def test_fundamentalists_bring_recorded_usdt_when_the_token_is_cheap_and_lift_it():
    model = MarketModel(VALUE_ONLY, seed=4)
    minted = model.wallets.minted_usdt
    model.fundamental[:] = 2.0                      # the token is worth twice its price
    model.run_model()
    assert model.retail.inflow_units > 0
    assert model.wallets.minted_usdt - minted == model.retail.inflow_units
    assert model.conservation_problems() == []
    assert model.cexs[0].last_price_usd() > 1.05 and model.dex.price() > 1.05


def test_no_inflow_when_the_price_is_fair():
    model = MarketModel(VALUE_ONLY.override({"world.annual_vol": 0.0}), seed=4)
    model.run_model()
    assert model.retail.inflow_units == 0 and model.retail.orders.sum() == 0


def test_mood_is_exogenous_bounded_and_the_same_whatever_the_strategy():
    a = MarketModel(SMALL, seed=9).retail.mood
    b = MarketModel(SMALL.override({"market_maker.strategy": "article"}), seed=9).retail.mood
    assert np.array_equal(a, b) and np.abs(a).max() <= 0.45 and a.std() > 0.1
    assert not np.array_equal(a, MarketModel(SMALL, seed=10).retail.mood)
    calm = MarketModel(SMALL.override({"retail.mood_sd": 0.0}), seed=9).retail.mood
    assert not calm.any()


@pytest.mark.parametrize("key, value", [("retail.mood_sd", 0.5), ("retail.momentum_scale", 0.0),
                                        ("retail.fundamental_max_multiple", 0.5),
                                        ("retail.dex_share", -0.01)])
def test_new_retail_terms_are_range_checked(key, value):
    from mmabm.config import ConfigError
    with pytest.raises(ConfigError, match=key):
        Config().override({key: value})


def test_dex_share_sets_the_home_venues_and_the_cexs_split_by_depth():
    from mmabm.agents.retail import PERP, home_weights
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


def test_home_venues_are_the_same_whatever_the_strategy():
    a = MarketModel(SMALL, seed=9).retail.home
    b = MarketModel(SMALL.override({"market_maker.strategy": "article"}), seed=9).retail.home
    assert np.array_equal(a, b)


def _state(model):
    """Everything retail orders can change, for comparing two runs order for order."""
    perp = model.perp
    return (model.rows, model.retail.orders.tolist(), model.retail.resting.tolist(),
            model.retail.inflow_units,
            [(v.accounts().tolist(), v.orders_of(model.market_maker.unique_id).tolist(),
              v.levels(1).tolist(), v.levels(-1).tolist(), v.volume_usdt, v.fees_usdt)
             for v in model.cexs],
            dict(model.dex.usdt), dict(model.dex.tokens), model.dex.volume_usdt,
            (model.dex.pool.token_reserve, model.dex.pool.usdt_reserve),
            sorted((o, a.collateral, a.locked, a.position) for o, a in perp.accounts.items()))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_decisions_send_the_same_orders_as_the_python_reference(seed):
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.ones(4))
    config = SMALL.override({
        "run.months": 0.01, "retail.launch_orders_per_minute": float(rng.uniform(2, 8)),
        "retail.noise_share": float(shares[0]), "retail.momentum_share": float(shares[1]),
        "retail.fundamentalist_share": float(shares[2]), "retail.perp_share": float(shares[3]),
        "retail.market_order_share": float(rng.uniform(0.2, 0.8)),
        "retail.fundamental_threshold": float(rng.uniform(0.005, 0.05)),
        "world.annual_vol": float(rng.uniform(0.5, 3.0)), "run.record_every_minutes": 30})
    runs = [MarketModel(config, seed=seed) for _ in range(2)]
    runs[0].retail.compiled = False
    # a latent value off the price, the same in both runs, so fundamentalists trade too
    wobble = np.exp(rng.normal(0, 0.05, len(runs[0].fundamental)))
    for model in runs:
        model.fundamental *= wobble
    for model in runs:
        model.run_model()
    python, compiled = runs
    assert compiled.retail.orders.sum() > 100
    assert compiled.dex.volume_usdt > 0 and all(v.volume_usdt > 0 for v in compiled.cexs)
    assert compiled.conservation_problems() == []
    assert repr(_state(compiled)) == repr(_state(python))     # repr: NaN equals NaN


@settings(max_examples=60, deadline=None)
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
