"""Tests of mmabm.stylized: return statistics on series whose truth is known (white noise, a
GARCH(1,1), an AR(1), Student t and Pareto tails), power-law fits and the seed bootstrap of the
impact exponent. Generators are seeded; the GARCH and AR(1) loops are plain Python (cheap at
these sizes)."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from budget import examples

from mmabm.stylized import (
    acf,
    acf_robust_se,
    excess_kurtosis,
    hill_tail_index,
    impact_exponent,
    log_returns,
    mean_ci,
    news_beta,
    news_lags,
    power_law_fit,
    stylized_facts,
    variance_ratio,
)

pytestmark = pytest.mark.filterwarnings("error")
SETTINGS = settings(max_examples=examples(100), deadline=None, derandomize=True)
N = 5000


def white_noise(n: int = N, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n)


def garch(n: int = N, seed: int = 1, omega: float = 0.05, alpha: float = 0.15,
          beta: float = 0.8) -> np.ndarray:
    """GARCH(1,1) returns, unconditional variance 1 (kurtosis about 5.6)."""
    z = np.random.default_rng(seed).standard_normal(n)
    r, h = np.empty(n), omega / (1 - alpha - beta)
    for t in range(n):
        r[t] = math.sqrt(h) * z[t]
        h = omega + alpha * r[t] ** 2 + beta * h
    return r


def ar1(n: int = 2000, phi: float = 0.3, seed: int = 1) -> np.ndarray:
    e = np.random.default_rng(seed).standard_normal(n)
    r = np.empty(n)
    r[0] = e[0]
    for t in range(1, n):
        r[t] = phi * r[t - 1] + e[t]
    return r


def prices(r: np.ndarray, vol: float = 0.01) -> np.ndarray:
    """A mid series whose log returns are vol * r."""
    return np.exp(np.concatenate(([0.0], np.cumsum(vol * r))))


# -- log returns --------------------------------------------------------------------------------
def test_log_returns_fill_gaps_drop_leading_nans_and_skip():
    mid = pd.Series([np.nan, np.nan, 1.0, np.nan, 2.0, 2.0, 1.0])
    assert np.allclose(log_returns(mid), [0.0, math.log(2), 0.0, -math.log(2)])
    assert np.allclose(log_returns(mid, skip=2), [0.0, -math.log(2)])
    assert log_returns(mid, skip=10).size == 0


def test_log_returns_keep_only_finite_values():
    assert np.allclose(log_returns([1.0, np.inf, np.inf, 2.0, 4.0]), [math.log(2)])


@SETTINGS
@given(st.lists(st.one_of(st.floats(0.01, 100.0), st.just(math.nan)), min_size=2, max_size=40))
def test_log_returns_telescope_to_the_log_of_last_over_first_price(mid):
    present = [p for p in mid if not math.isnan(p)]
    assume(len(present) >= 1)
    assert math.isclose(log_returns(mid).sum(), math.log(present[-1] / present[0]), abs_tol=1e-9)


# -- autocorrelation ----------------------------------------------------------------------------
def test_acf_is_the_biased_estimator():
    x = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    d = x - 3.0                                  # deviations -2, 0, -1, 2, 1; sum of squares 10
    assert acf(x, 1) == pytest.approx((0 * -2 + -1 * 0 + 2 * -1 + 1 * 2) / 10)
    assert acf(x, 2) == pytest.approx(float(d[2:] @ d[:-2]) / 10)
    assert math.isnan(acf([2.0, 2.0, 2.0], 1))


def test_white_noise_acf_is_within_a_few_robust_ses_which_are_about_one_over_root_n():
    x = white_noise()
    for lag in range(1, 6):
        se = acf_robust_se(x, lag)
        assert se * math.sqrt(N) == pytest.approx(1.0, abs=0.1), lag
        assert abs(acf(x, lag)) < 3 * se, lag


def test_garch_robust_se_exceeds_one_over_root_n_and_abs_returns_cluster():
    r = garch()
    for lag in range(1, 6):
        assert acf_robust_se(r, lag) > 1.15 / math.sqrt(N), lag
        assert acf(np.abs(r), lag) > 0.1, lag
    assert abs(acf(r, 1)) < 3 * acf_robust_se(r, 1)       # still no linear predictability


@SETTINGS
@given(st.lists(st.floats(-100, 100), min_size=3, max_size=40), st.integers(1, 2),
       st.floats(0.1, 10), st.floats(-50, 50), st.booleans())
def test_acf_is_bounded_and_ignores_affine_rescaling(x, lag, scale, shift, flip):
    x = np.array(x)
    assume(x.std() > 1e-3)
    y = (-scale if flip else scale) * x + shift
    assert abs(acf(x, lag)) <= 1 + 1e-12
    assert acf(y, lag) == pytest.approx(acf(x, lag), abs=1e-9)
    assert acf_robust_se(y, lag) == pytest.approx(acf_robust_se(x, lag), rel=1e-9)


# -- variance ratio -----------------------------------------------------------------------------
def lo_mackinlay(p: np.ndarray, q: int) -> tuple[float, float]:
    """VR(q) and z*(q) written as in Lo & MacKinlay (1988), from the log price levels p_0..p_nq."""
    nq = len(p) - 1
    mu = (p[-1] - p[0]) / nq
    var_a = sum((p[k] - p[k - 1] - mu) ** 2 for k in range(1, nq + 1)) / (nq - 1)
    m = q * (nq - q + 1) * (1 - q / nq)
    var_c = sum((p[k] - p[k - q] - q * mu) ** 2 for k in range(q, nq + 1)) / m
    dev = [p[k] - p[k - 1] - mu for k in range(1, nq + 1)]
    total = sum(v ** 2 for v in dev)
    theta = 0.0
    for j in range(1, q):
        delta = nq * sum(dev[k] ** 2 * dev[k - j] ** 2 for k in range(j, nq)) / total ** 2
        theta += (2 * (q - j) / q) ** 2 * delta
    vr = var_c / var_a
    return vr, math.sqrt(nq) * (vr - 1) / math.sqrt(theta)


@pytest.mark.parametrize("q", [2, 5, 24])
def test_variance_ratio_matches_the_paper_written_out(q):
    r = garch(300, seed=4)
    vr, z = variance_ratio(r, q)
    ref_vr, ref_z = lo_mackinlay(np.concatenate(([0.0], np.cumsum(r))), q)
    assert vr == pytest.approx(ref_vr, rel=1e-10)
    assert z == pytest.approx(ref_z, rel=1e-10)


def test_variance_ratio_of_random_walk_increments_is_about_one():
    for q in (2, 6, 24):
        vr, z = variance_ratio(white_noise(), q)
        assert vr == pytest.approx(1.0, abs=0.1), q
        assert abs(z) < 2.5, q


def test_variance_ratio_of_an_ar1_is_well_above_one():
    r = ar1()
    vr, z = variance_ratio(r, 2)
    assert vr > 1.2 and z > 5
    assert vr == pytest.approx(1 + acf(r, 1), abs=0.01)    # VR(2) - 1 is about acf(1)
    assert variance_ratio(r, 6)[0] > vr                      # and it keeps growing with q


# -- tails --------------------------------------------------------------------------------------
def test_excess_kurtosis_is_pandas_g2_and_near_zero_for_a_normal():
    x = np.random.default_rng(2).standard_t(5, 1000)
    assert excess_kurtosis(x) == pytest.approx(pd.Series(x).kurt(), rel=1e-12)
    assert abs(excess_kurtosis(white_noise(20_000))) < 0.15


def test_hill_index_of_an_exact_pareto_tail_is_its_alpha():
    u = np.random.default_rng(3).random(20_000)
    for alpha in (1.5, 3.0):
        x = (1 - u) ** (-1 / alpha)                # P(X > x) = x^-alpha for x >= 1
        assert hill_tail_index(x, 0.05) == pytest.approx(alpha, rel=0.1), alpha


def test_student_t3_returns_have_a_tail_index_near_3_and_fat_tails():
    t3 = np.random.default_rng(5).standard_t(3, 20_000)
    assert 2.3 < hill_tail_index(t3) < 3.7
    facts = stylized_facts(prices(t3))
    assert facts["fat_tails"] == 1.0 and facts["excess_kurtosis"] > 5
    assert facts["hill_tail_index"] == pytest.approx(hill_tail_index(t3), rel=1e-6)


def test_hill_index_is_nan_when_the_threshold_is_zero():
    assert math.isnan(hill_tail_index([0.0] * 95 + [1.0, 2.0, 3.0, 4.0, 5.0], 0.05))


# -- stylized facts -----------------------------------------------------------------------------
def test_stylized_facts_of_white_noise():
    facts = stylized_facts(prices(white_noise()), skip=24)
    assert facts["n"] == N - 24
    assert facts["hourly_vol"] == pytest.approx(0.01, rel=0.05)
    assert facts["no_linear_predictability"] == 1.0 and facts["max_abs_acf_r_z"] < 1.96
    assert facts["fat_tails"] == 0.0 and facts["vol_clustering"] == 0.0
    for q in (2, 6, 24):
        assert facts[f"vr_{q}"] == pytest.approx(1.0, abs=0.1)
    for lag in range(1, 6):
        assert facts[f"acf_r_{lag}_z"] == pytest.approx(
            facts[f"acf_r_{lag}"] / facts[f"acf_r_{lag}_se"])


def test_stylized_facts_of_garch_show_clustering_but_no_predictability():
    facts = stylized_facts(prices(garch()))
    assert facts["vol_clustering"] == 1.0 and facts["acf_abs_r_mean_1_24"] > 0.05
    assert facts["no_linear_predictability"] == 1.0
    assert facts["fat_tails"] == 1.0


def test_an_ar1_is_flagged_as_predictable():
    facts = stylized_facts(prices(ar1()), lags=(1, 2))
    assert facts["no_linear_predictability"] == 0.0
    assert facts["acf_r_1_z"] > 5 and facts["vr_2_z"] > 5
    assert "acf_r_3" not in facts


def test_stylized_facts_flags_are_nan_for_a_price_that_never_moves():
    facts = stylized_facts(np.full(100, 2.0))
    assert facts["n"] == 99 and facts["hourly_vol"] == 0.0
    assert all(math.isnan(facts[k]) for k in ("fat_tails", "vol_clustering",
                                              "no_linear_predictability"))


# -- power laws ---------------------------------------------------------------------------------
def test_power_law_fit_is_exact_on_noiseless_data():
    q = np.array([0.25, 0.5, 1.0, 2.0, 4.0]) * 1e6
    fit = power_law_fit(q, 2e-4 * q ** 0.5)
    assert fit["exponent"] == pytest.approx(0.5, abs=1e-12)
    assert fit["prefactor"] == pytest.approx(2e-4, rel=1e-10)
    assert fit["ci_low"] == pytest.approx(0.5, abs=1e-9)
    assert fit["ci_high"] == pytest.approx(0.5, abs=1e-9)
    assert fit["r2"] == pytest.approx(1.0)


def test_power_law_fit_interval_covers_the_exponent_on_noisy_data():
    rng = np.random.default_rng(6)
    q = np.geomspace(1, 1000, 30)
    fit = power_law_fit(q, 0.1 * q ** 0.7 * np.exp(0.2 * rng.standard_normal(30)))
    assert fit["ci_low"] < 0.7 < fit["ci_high"]
    assert fit["ci_high"] - fit["ci_low"] < 0.15
    assert 0.9 < fit["r2"] < 1.0


@SETTINGS
@given(st.lists(st.floats(1e-3, 1e6), min_size=3, max_size=10, unique=True),
       st.floats(-2, 2), st.floats(1e-3, 1e3))
def test_power_law_fit_recovers_any_noiseless_power_law(q, exponent, prefactor):
    q = np.array(q)
    assume(q.max() / q.min() > 1.01)
    fit = power_law_fit(q, prefactor * q ** exponent)
    assert fit["exponent"] == pytest.approx(exponent, abs=1e-6)
    assert fit["prefactor"] == pytest.approx(prefactor, rel=1e-5)
    assert fit["ci_low"] <= fit["exponent"] <= fit["ci_high"]


# -- impact exponent ----------------------------------------------------------------------------
Q = np.array([0.25, 0.5, 1.0, 2.0, 4.0]) * 1e6


def impact_frame(seeds: int = 20, seed: int = 7, world_sd: float = 0.3,
                 run_sd: float = 0.1) -> pd.DataFrame:
    """Impact 0.1 (q / 1e6)^0.5 times a lognormal factor per seed (its world) and per run."""
    rng = np.random.default_rng(seed)
    world = world_sd * rng.standard_normal((seeds, 1))
    noise = world + run_sd * rng.standard_normal((seeds, len(Q)))
    impact = 0.1 * (Q / 1e6) ** 0.5 * np.exp(noise)
    return pd.DataFrame({"seed": np.repeat(np.arange(seeds), len(Q)), "q": np.tile(Q, seeds),
                         "impact": impact.ravel()})


def test_impact_exponent_recovers_the_square_root_law():
    frame = impact_frame()
    out = impact_exponent(frame)
    assert out["ci_low"] < 0.5 < out["ci_high"]
    assert out["ci_low"] < out["exponent"] < out["ci_high"]
    assert out["ci_high"] - out["ci_low"] < 0.1
    assert out["n_seeds"] == 20 and out["n_boot_used"] == 2000
    per_q = out["per_q"]
    assert np.allclose(per_q["mean"], frame.groupby("q")["impact"].mean().to_numpy())
    assert (per_q["n"] == 20).all()
    assert ((per_q["ci_low"] < per_q["mean"]) & (per_q["mean"] < per_q["ci_high"])).all()


def test_a_shared_world_moves_no_bootstrap_exponent_because_seeds_are_resampled_whole():
    out = impact_exponent(impact_frame(world_sd=0.5, run_sd=0.0))
    assert out["exponent"] == pytest.approx(0.5, abs=1e-12)
    assert out["ci_low"] == pytest.approx(0.5, abs=1e-9)
    assert out["ci_high"] == pytest.approx(0.5, abs=1e-9)
    assert (out["per_q"]["ci_high"] - out["per_q"]["ci_low"] > 0.01).all()   # the means vary


def test_impact_exponent_interval_covers_the_truth_in_most_worlds():
    fits = [impact_exponent(impact_frame(seed=s), n_boot=400) for s in range(40)]
    covered = sum(f["ci_low"] < 0.5 < f["ci_high"] for f in fits)
    assert covered >= 32                          # a 95% interval, 20 seeds: about 37 of 40


def test_impact_exponent_is_reproducible_and_takes_a_generator():
    frame = impact_frame()
    a, b = impact_exponent(frame), impact_exponent(frame, rng=0)
    c = impact_exponent(frame, rng=np.random.default_rng(0))
    assert a["ci_low"] == b["ci_low"] == c["ci_low"]
    assert impact_exponent(frame, rng=1)["ci_low"] != a["ci_low"]


def test_impact_exponent_uses_the_runs_that_finished():
    frame = impact_frame()
    frame.loc[(frame["seed"] == 3) & (frame["q"] == Q[0]), "impact"] = np.nan
    out = impact_exponent(frame.rename(columns={"q": "qty", "impact": "dp", "seed": "s"}),
                          q_col="qty", impact_col="dp", seed_col="s")
    assert out["per_q"]["n"].tolist() == [19, 20, 20, 20, 20]
    assert out["ci_low"] < 0.5 < out["ci_high"]


def test_a_non_positive_mean_impact_names_the_q():
    frame = impact_frame()
    frame.loc[frame["q"] == Q[1], "impact"] *= -1
    with pytest.raises(ValueError, match=r"q=500000 .*positive"):
        impact_exponent(frame)


# -- mean and interval --------------------------------------------------------------------------
def test_mean_ci_edge_cases():
    assert all(math.isnan(v) for v in mean_ci([]))
    m, lo, hi = mean_ci([np.nan, 4.0])
    assert m == 4.0 and math.isnan(lo) and math.isnan(hi)
    m, lo, hi = mean_ci(np.array([1.0, 2.0, 3.0]))
    half = 4.303 / math.sqrt(3)                  # t(2) 97.5% quantile, sd 1, n 3
    assert (m, lo, hi) == pytest.approx((2.0, 2.0 - half, 2.0 + half))


@SETTINGS
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=50), st.integers(0, 5))
def test_mean_ci_is_centred_and_ignores_nans(x, nans):
    m, lo, hi = mean_ci(x)
    assert lo <= m <= hi
    assert hi - m == pytest.approx(m - lo, rel=1e-6, abs=1e-6)
    assert mean_ci(x + [math.nan] * nans) == (m, lo, hi)


# -- errors name the argument -------------------------------------------------------------------
X = white_noise(100)


@pytest.mark.parametrize("call, error, message", [
    (lambda: acf(X, 0), ValueError, r"lag must be in \[1, 99\]"),
    (lambda: acf(X, 100), ValueError, r"lag must be in \[1, 99\]"),
    (lambda: acf(X, 1.0), TypeError, "lag must be an integer"),
    (lambda: acf(X.reshape(10, 10), 1), ValueError, "x must be 1-D"),
    (lambda: acf([1.0, np.nan, 2.0], 1), ValueError, "x must be finite"),
    (lambda: acf_robust_se(X, 100), ValueError, r"lag must be in \[1, 99\]"),
    (lambda: variance_ratio(X, 1), ValueError, r"q must be in \[2, 99\]"),
    (lambda: excess_kurtosis([1.0, 2.0, 3.0]), ValueError, "x must hold at least 4"),
    (lambda: hill_tail_index(X, 0.0), ValueError, r"tail must be in \(0, 1\)"),
    (lambda: hill_tail_index(X, 0.005), ValueError, "tail \\* len\\(x\\)"),
    (lambda: hill_tail_index(X, "5%"), TypeError, "tail must be a number"),
    (lambda: log_returns([1.0, 0.0, 2.0]), ValueError, "mid must be > 0"),
    (lambda: log_returns([1.0, 2.0], skip=-1), ValueError, r"skip must be in \[0, inf\)"),
    (lambda: log_returns("abc"), TypeError, "mid must be a 1-D array"),
    (lambda: stylized_facts(prices(X[:40])), ValueError, "mid must give at least 48"),
    (lambda: stylized_facts(prices(X), lags=(1, 100)), ValueError, r"lags must be in \[1, 99\]"),
    (lambda: stylized_facts(prices(X), lags=()), ValueError, "lags must name"),
    (lambda: power_law_fit([1.0, 2.0], [1.0, 2.0]), ValueError, "q must hold at least 3"),
    (lambda: power_law_fit([1.0, 0.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "q must be > 0"),
    (lambda: power_law_fit([1.0, 2.0, 3.0], [1.0, -2.0, 3.0]), ValueError, "y must be > 0"),
    (lambda: power_law_fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0]), ValueError,
     r"y must have the same length as q \(3\), got 4"),
    (lambda: power_law_fit([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "two distinct"),
    (lambda: impact_exponent(impact_frame(), q_col="size"), ValueError, "q_col='size'"),
    (lambda: impact_exponent(impact_frame(), n_boot=10), ValueError, r"n_boot must be in \[100"),
    (lambda: impact_exponent(impact_frame(seeds=1)), ValueError, "at least 2 seeds"),
    (lambda: impact_exponent(impact_frame()[lambda f: f["q"] < 1e6]), ValueError,
     "at least 3 distinct 'q'"),
    (lambda: impact_exponent(pd.concat([impact_frame()] * 2)), ValueError, "one 'impact' per"),
    (lambda: impact_exponent(impact_frame().values), TypeError, "frame must be a pandas"),
    (lambda: mean_ci([[1.0, 2.0]]), ValueError, "x must be 1-D"),
])
def test_errors_name_the_argument_and_its_range(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_news_beta_is_one_when_the_price_is_the_news_and_zero_when_it_ignores_it():
    rng = np.random.default_rng(3)
    news = np.exp(np.cumsum(rng.normal(0, 0.01, 2000)))
    noise = np.exp(np.cumsum(rng.normal(0, 0.01, 2000)))
    assert news_beta(news, news, 24)["beta"] == pytest.approx(1.0)
    assert news_beta(news, news, 24)["r2"] == pytest.approx(1.0)
    ignoring = news_beta(noise, news, 24)
    assert abs(ignoring["beta"]) < 0.3 and ignoring["r2"] < 0.1 and ignoring["n"] == 83
    lagging = news_beta(np.append(news[:1].repeat(24), news[:-24]), news, 24)   # a day late
    assert abs(lagging["beta"]) < 0.3
    assert news_beta(np.append(news[:1].repeat(24), news[:-24]), news, 168)["beta"] > 0.7


@pytest.mark.parametrize("mid, news, every, match", [
    (np.ones(100), np.ones(99), 5, "news must have the same length as mid"),
    (np.ones(10), np.ones(10), 5, "mid must hold at least 16 values"),
    (-np.ones(100), np.ones(100), 5, "must be > 0"),
    (np.ones(100), np.ones(100), 0, r"every must be in \[1, inf\)")])
def test_news_beta_names_bad_input(mid, news, every, match):
    with pytest.raises(ValueError, match=match):
        news_beta(mid, news, every)


def test_news_lags_finds_the_share_of_the_news_taken_in_late():
    rng = np.random.default_rng(5)
    dn = rng.normal(0, 0.01, 5000)
    news = np.exp(np.cumsum(dn))
    # the price takes in 87% of a change one sample after it is seen, 3% two samples after,
    # plus its own noise: the slopes come back, and a price that follows at once has no lag
    dm = 0.87 * np.roll(dn, 1) + 0.03 * np.roll(dn, 2) + rng.normal(0, 0.004, 5000)
    dm[:2] = 0.0
    fit = news_lags(np.exp(np.cumsum(dm)), news, 3)
    assert fit["beta_0"] == pytest.approx(0.0, abs=0.015)
    assert fit["beta_1"] == pytest.approx(0.87, abs=0.015)
    assert fit["beta_2"] == pytest.approx(0.03, abs=0.015)
    assert fit["beta_3"] == pytest.approx(0.0, abs=0.015)
    assert fit["r2"] == pytest.approx(0.7578 / (0.7578 + 0.16), abs=0.02)   # signal / all
    prompt = news_lags(news, news, 2)
    assert [prompt[f"beta_{k}"] for k in range(3)] == pytest.approx([1.0, 0.0, 0.0], abs=1e-9)
    flat = news_lags(news, np.ones(5000), 1)
    assert np.isnan(flat["beta_0"]) and np.isnan(flat["r2"])


@pytest.mark.parametrize("mid, news, lags, match", [
    (np.ones(100), np.ones(99), 2, "news must have the same length as mid"),
    (np.ones(5), np.ones(5), 2, "mid must hold at least 6 values"),
    (np.ones(100), -np.ones(100), 2, "must be > 0"),
    (np.ones(100), np.ones(100), -1, r"lags must be in \[0, inf\)")])
def test_news_lags_names_bad_input(mid, news, lags, match):
    with pytest.raises(ValueError, match=match):
        news_lags(mid, news, lags)
