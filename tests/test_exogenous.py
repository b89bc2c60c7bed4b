"""The exogenous world: regimes shape the fundamental path; attention decays and reacts."""
import math

import numpy as np
import pytest

from mmabm.exogenous import MINUTES_PER_YEAR, Attention, fundamental_path, regime_log_drift
from mmabm.randomness import RandomStreams
from mmabm.stylized import acf

YEAR = MINUTES_PER_YEAR


def paths(regime, n_seeds=200, **terms):
    return np.array([fundamental_path(regime, YEAR, 1.0, 1.0, RandomStreams(s)["fundamental"],
                                      every=1440, **terms) for s in range(n_seeds)])


@pytest.mark.parametrize("regime, end_median", [("bust", 0.2), ("flat", 1.0), ("boom", 3.0)])
def test_regime_sets_the_median_path(regime, end_median):
    ends = paths(regime)[:, -1]
    assert np.median(ends) == pytest.approx(end_median, rel=0.25)


def test_pump_and_dump_peaks_then_ends_below_listing():
    p = paths("pump_and_dump")
    median = np.median(p, axis=0)
    assert median.argmax() == pytest.approx(60, abs=15)          # day of the peak
    assert median.max() > 2.0 and median[-1] < 0.5


def test_drift_is_exact_at_the_anchors():
    t = np.array([0, 60 * 1440, YEAR])
    d = regime_log_drift("pump_and_dump", t, peak_multiple=3.0, peak_day=60, end_multiple=0.3)
    assert np.allclose(np.exp(d), [1.0, 3.0, 0.3])
    assert np.exp(regime_log_drift("boom", np.array([YEAR]), year_multiple=5.0))[0] == pytest.approx(5.0)


def test_a_given_path_passes_its_points_log_linearly_and_stays_at_the_last():
    day = 1440
    t = np.array([0, 7 * day, 19 * day, 31 * day, 90 * day, 200 * day])
    d = regime_log_drift("path", t, path_days=(7, 31, 90), path_multiples=(1.11, 0.89, 0.57))
    assert np.allclose(np.exp(d), [1.0, 1.11, math.sqrt(1.11 * 0.89), 0.89, 0.57, 0.57])
    still = fundamental_path("path", 100 * day, 0.65, 0.0, RandomStreams(3)["fundamental"],
                             every=60, path_days=(7, 31, 90), path_multiples=(1.11, 0.89, 0.57))
    assert still[90 * 24] == pytest.approx(0.65 * 0.57) and still[-1] == pytest.approx(0.65 * 0.57)
    # the same stream under the shaped regimes: a path moves the drift, not the shocks
    noisy = fundamental_path("path", YEAR, 1.0, 0.8, RandomStreams(3)["fundamental"], every=60,
                             path_days=(90,), path_multiples=(0.5,))
    flat = fundamental_path("flat", YEAR, 1.0, 0.8, RandomStreams(3)["fundamental"], every=60)
    assert np.allclose(noisy[90 * 24:] / flat[90 * 24:], 0.5)


def test_path_is_fixed_by_its_stream_and_vol_zero_is_the_drift():
    a = fundamental_path("flat", 10_000, 1.0, 0.8, RandomStreams(3)["fundamental"])
    b = fundamental_path("flat", 10_000, 1.0, 0.8, RandomStreams(3)["fundamental"])
    assert np.array_equal(a, b) and len(a) == 10_001 and a[0] == 1.0
    still = fundamental_path("boom", YEAR, 2.0, 0.0, RandomStreams(3)["fundamental"], every=60)
    assert still[-1] == pytest.approx(6.0)


def test_volatility_of_log_returns_matches_annual_vol():
    p = fundamental_path("flat", YEAR, 1.0, 0.9, RandomStreams(5)["fundamental"], every=60)
    r = np.diff(np.log(p))
    assert r.std() * math.sqrt(365 * 24) == pytest.approx(0.9, rel=0.05)


@pytest.mark.parametrize("call, match", [
    (lambda: regime_log_drift("moon", np.array([1.0])), "regime must be one of"),
    (lambda: fundamental_path("flat", -1, 1.0, 0.5, np.random.default_rng()), "n_minutes"),
    (lambda: fundamental_path("flat", 10, 0.0, 0.5, np.random.default_rng()), "initial_value"),
    (lambda: fundamental_path("flat", 10, 1.0, float("nan"), np.random.default_rng()), "annual_vol"),
    (lambda: fundamental_path("flat", 10, 1.0, 0.5, np.random.default_rng(), every=0), "every"),
    (lambda: regime_log_drift("pump_and_dump", np.array([1.0]), peak_day=400), "peak_day"),
    (lambda: regime_log_drift("path", np.array([1.0]), path_days=(5, 3), path_multiples=(1, 1)),
     r"path_days must increase, got \[5.0, 3.0\]"),
    (lambda: regime_log_drift("path", np.array([1.0]), path_days=(0,), path_multiples=(1,)),
     "path_days must be above 0"),
    (lambda: regime_log_drift("path", np.array([1.0]), path_days=(5,), path_multiples=(1, 2)),
     "path_multiples must give one multiple per day of path_days: 1 days, 2 multiples"),
    (lambda: regime_log_drift("path", np.array([1.0]), path_days=(5,), path_multiples=(-1,)),
     "path_multiples must be > 0"),
    (lambda: Attention(halflife_days=0), "halflife_days"),
    (lambda: Attention(floor=2.0), "floor"),
    (lambda: Attention().shock(0.0, -1.0), "size"),
])
def test_bad_terms_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_attention_starts_at_one_and_halves_toward_the_floor():
    a = Attention(halflife_days=30, floor=0.1)
    assert a.level(0) == pytest.approx(1.0)
    assert a.level(30 * 1440) == pytest.approx(0.1 + 0.9 / 2)
    assert a.level(3650 * 1440) == pytest.approx(0.1, abs=1e-6)
    levels = a.base(np.arange(0, 400 * 1440, 1440))
    assert np.all(np.diff(levels) < 0)


def test_events_excite_attention_which_then_fades():
    a = Attention(halflife_days=30, floor=0.1, shock_halflife_hours=12)
    before = a.level(1_000)
    a.shock(1_000, 2.0)
    assert a.level(1_000) == pytest.approx(before * 3.0)
    assert a.excitation(1_000 + 12 * 60) == pytest.approx(1.0)      # half of 2.0 after 12 h
    a.shock(1_000 + 12 * 60, 1.0)
    assert a.excitation(1_000 + 12 * 60) == pytest.approx(2.0)      # faded 1.0 + new 1.0


@pytest.mark.parametrize("regime, year_end", [("bust", 0.2), ("boom", 3.0), ("flat", 1.0)])
def test_a_models_regime_is_not_flat_by_default(regime, year_end):
    """world.year_multiple left at 0 takes the regime's default, so bust falls and boom rises."""
    from mmabm.config import Config
    from mmabm.model import MarketModel
    c = Config().override({"world.regime": regime, "world.annual_vol": 0.0, "run.months": 12.2,
                           "retail.n_traders": 10, "retail.launch_orders_per_minute": 0})
    model = MarketModel(c, seed=0)
    assert model.fundamental_at(365 * 1440) == pytest.approx(year_end, rel=1e-6)
    told = MarketModel(c.override({"world.year_multiple": 1.5}), seed=0)
    if regime != "flat":
        assert told.fundamental_at(365 * 1440) == pytest.approx(1.5, rel=1e-6)


def test_zero_year_multiple_means_the_regimes_default():
    t = np.array([YEAR])
    assert np.exp(regime_log_drift("bust", t, year_multiple=0.0))[0] == pytest.approx(0.2)
    assert np.exp(regime_log_drift("boom", t, year_multiple=None))[0] == pytest.approx(3.0)


def test_t_shocks_keep_the_variance_and_fatten_the_tails():
    normal = np.diff(np.log(fundamental_path("flat", YEAR * 5, 1.0, 0.8,
                                             RandomStreams(2)["fundamental"], every=60)))
    fat = np.diff(np.log(fundamental_path("flat", YEAR * 5, 1.0, 0.8,
                                          RandomStreams(2)["fundamental"], every=60, tail_df=3.5)))
    assert fat.std() == pytest.approx(normal.std(), rel=0.1)
    kurt = lambda r: ((r - r.mean()) ** 4).mean() / r.var() ** 2 - 3    # noqa: E731
    assert abs(kurt(normal)) < 0.2 and kurt(fat) > 3
    with pytest.raises(ValueError, match="tail_df"):
        fundamental_path("flat", 100, 1.0, 0.5, np.random.default_rng(), tail_df=2.0)


def test_news_tail_df_is_checked_by_name():
    from mmabm.config import Config, ConfigError
    with pytest.raises(ConfigError, match="world.news_tail_df must be 0"):
        Config().override({"world.news_tail_df": 1.5})
    with pytest.raises(ConfigError, match="world.news_tail_df"):
        Config().override({"world.news_tail_df": -1})


def _sv_returns(vol_of_vol, seed=4, years=3, halflife_hours=72.0, annual_vol=0.8):
    s = RandomStreams(seed)
    return np.diff(np.log(fundamental_path(
        "flat", YEAR * years, 1.0, annual_vol, s["fundamental"], every=60,
        vol_of_vol=vol_of_vol, vol_halflife_minutes=halflife_hours * 60,
        vol_rng=s["news_volatility"] if vol_of_vol else None)))


def _acf_abs(r, lag):
    return acf(np.abs(r), lag)


def test_stochastic_volatility_clusters_and_keeps_the_mean_variance():
    flat, sv = _sv_returns(0.0), _sv_returns(0.6)
    assert np.array_equal(flat, _sv_returns(0.0))                      # no draw from its stream
    assert np.array_equal(np.sign(flat), np.sign(sv))                  # same shocks, rescaled
    mean_var = [np.mean(_sv_returns(v, seed=k) ** 2) for v in (0.0, 0.6) for k in range(10)]
    assert np.mean(mean_var[10:]) == pytest.approx(np.mean(mean_var[:10]), rel=0.15)
    assert abs(_acf_abs(flat, 1)) < 0.03
    assert _acf_abs(sv, 1) > 0.15 and _acf_abs(sv, 24) > 0.1           # lasting, not one hour's
    longer = _sv_returns(0.6, halflife_hours=720.0)
    assert _acf_abs(longer, 24 * 7) > _acf_abs(sv, 24 * 7)              # the half-life sets the memory


@pytest.mark.parametrize("terms, match", [
    ({"vol_of_vol": -0.1, "vol_rng": np.random.default_rng()}, "vol_of_vol must be in"),
    ({"vol_of_vol": float("nan"), "vol_rng": np.random.default_rng()}, "vol_of_vol must be in"),
    ({"vol_of_vol": 0.5}, "vol_rng is needed"),
    ({"vol_of_vol": 0.5, "vol_halflife_minutes": 0.0, "vol_rng": np.random.default_rng()},
     "vol_halflife_minutes"),
])
def test_bad_volatility_terms_are_named(terms, match):
    with pytest.raises(ValueError, match=match):
        fundamental_path("flat", 600, 1.0, 0.5, np.random.default_rng(), every=60, **terms)


def test_world_volatility_keys_are_checked_and_reach_the_model():
    from mmabm.config import Config, ConfigError
    from mmabm.model import MarketModel
    with pytest.raises(ConfigError, match="world.vol_of_vol"):
        Config().override({"world.vol_of_vol": 4})
    with pytest.raises(ConfigError, match="world.vol_halflife_hours"):
        Config().override({"world.vol_halflife_hours": 0})
    small = {"run.months": 0.5, "retail.n_traders": 10, "retail.launch_orders_per_minute": 0}
    flat = MarketModel(Config().override({**small, "world.vol_of_vol": 0}), seed=1)
    sv = MarketModel(Config().override({**small, "world.vol_of_vol": 0.6}), seed=1)
    assert "news_volatility" not in flat.streams.names() and "news_volatility" in sv.streams.names()
    steps = np.diff(np.log(flat.fundamental)), np.diff(np.log(sv.fundamental))
    assert np.array_equal(np.sign(steps[0]), np.sign(steps[1])) and not np.allclose(*steps)
