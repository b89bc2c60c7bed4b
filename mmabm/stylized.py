"""The statistics the simulated market is calibrated against: the stylised facts of returns.

Hourly crypto returns have fat tails, volatility that clusters, and almost no linear
predictability (Cont 2001, "Empirical properties of asset returns: stylized facts and
statistical issues", Quantitative Finance 1, 223-236). A run's mid price is checked against
those facts here, and the price impact of a sale against the square-root law.

Because volatility clusters, the textbook 1/sqrt(n) standard error of an autocorrelation is too
small and would call white noise predictable; every test of linear predictability here uses
the heteroskedasticity-robust standard error instead. numpy and pandas only (no scipy).
"""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: two-sided 95% quantile of the standard normal
Z95 = 1.959964
#: fewest returns `stylized_facts` accepts: two days of hours, so lag-24 figures rest on 24 pairs
MIN_RETURNS = 48
#: tail fraction for the Hill estimator in `stylized_facts`
HILL_TAIL = 0.05
#: excess kurtosis above which `stylized_facts` calls the tails fat
FAT_TAILS_KURTOSIS = 1.0
#: lags of acf(|r|) reported one by one, and the horizon of its mean
ABS_LAGS = 5
ABS_MEAN_LAGS = 24
#: horizons (in returns, i.e. hours) of the variance ratios in `stylized_facts`
VR_HORIZONS = (2, 6, 24)


# -- input checks ---------------------------------------------------------------------------
def _sample(x: ArrayLike, name: str, min_len: int) -> np.ndarray:
    """`x` as a finite 1-D float array of at least `min_len` values, or an error naming it."""
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(x).__name__}") from exc
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {a.shape}")
    if len(a) < min_len:
        raise ValueError(f"{name} must hold at least {min_len} values, got {len(a)}")
    bad = int((~np.isfinite(a)).sum())
    if bad:
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite values")
    return a


def _int_in(value: Any, name: str, lo: int, hi: int | None, meaning: str) -> int:
    """`value` as an int in [lo, hi] (hi None: no upper bound), or an error naming it."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        bounds = f"[{lo}, {hi}]" if hi is not None else f"[{lo}, inf)"
        raise ValueError(f"{name} must be in {bounds} ({meaning}), got {value}")
    return int(value)


# Student t, two-sided 95%: the 0.975 quantile for 1..30 degrees of freedom
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (a table to 30, then a
    Cornish-Fisher expansion, within 1e-3)."""
    if df < 1:
        raise ValueError(f"df must be at least 1, got {df!r}")
    if df <= 30:
        return _T975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def _is_constant(a: np.ndarray) -> bool:
    return bool(a.max() == a.min())


def _lag_products_var(d: np.ndarray, lag: int) -> float:
    """Robust variance of the sample acf of demeaned `d` at `lag` (see acf_robust_se)."""
    ss = float(d @ d)
    return float(np.sum(d[lag:] ** 2 * d[:-lag] ** 2)) / ss**2


# -- returns --------------------------------------------------------------------------------
def log_returns(mid: ArrayLike, skip: int = 0) -> np.ndarray:
    """Log returns of a price series, the first `skip` of them dropped (e.g. a launch sale).

    NaN prices (an hour without a two-sided book) are forward-filled, so a gap adds zero returns
    rather than a hole; leading NaNs are dropped and only finite returns are kept.

    >>> log_returns([np.nan, 1.0, np.nan, 2.0, 4.0]).round(4).tolist()
    [0.0, 0.6931, 0.6931]
    >>> log_returns([1.0, 2.0, 4.0], skip=1).round(4).tolist()
    [0.6931]
    """
    try:
        prices = np.asarray(mid, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"mid must be a 1-D array of prices, got {type(mid).__name__}") from exc
    if prices.ndim != 1:
        raise ValueError(f"mid must be 1-D, got shape {prices.shape}")
    skip = _int_in(skip, "skip", 0, None, "returns to drop at the start")
    prices = pd.Series(prices).ffill().to_numpy()
    prices = prices[~np.isnan(prices)]          # after the fill only leading NaNs are left
    if len(prices) and prices.min() <= 0:
        raise ValueError(f"mid must be > 0 where present, got {prices.min()!r}")
    with np.errstate(invalid="ignore"):          # inf - inf: dropped below
        r = np.diff(np.log(prices))[skip:]
    return r[np.isfinite(r)]


# -- autocorrelation ------------------------------------------------------------------------
def acf(x: ArrayLike, lag: int) -> float:
    """Sample autocorrelation of `x` at `lag`, the usual biased estimator: demeaned, the sum of
    lagged products over the sum of squares (so |acf| <= 1). NaN if `x` is constant.

    >>> acf([1.0, 2.0, 3.0, 4.0, 5.0], 1)
    0.4
    """
    a = _sample(x, "x", 2)
    lag = _int_in(lag, "lag", 1, len(a) - 1, "1 to len(x) - 1")
    if _is_constant(a):
        return math.nan
    d = a - a.mean()
    return float(d[lag:] @ d[:-lag]) / float(d @ d)


def acf_robust_se(x: ArrayLike, lag: int) -> float:
    """Heteroskedasticity-robust standard error of `acf(x, lag)` under the null of no
    autocorrelation: se = sqrt(sum_t d_t^2 d_{t-lag}^2) / sum_t d_t^2, d = x - mean(x).

    From Taylor (1984), "Estimating the variances of autocorrelations calculated from financial
    time series", Applied Statistics 33, 300-308, and Lo & MacKinlay (1988), "Stock market
    prices do not follow random walks", Review of Financial Studies 1, 41-66 (their delta(j)
    divided by n). For iid data it is about 1/sqrt(n); when volatility clusters, big squares
    follow big squares and it is larger, which is why 1/sqrt(n) then finds spurious
    predictability. NaN if `x` is constant.
    """
    a = _sample(x, "x", 2)
    lag = _int_in(lag, "lag", 1, len(a) - 1, "1 to len(x) - 1")
    if _is_constant(a):
        return math.nan
    return math.sqrt(_lag_products_var(a - a.mean(), lag))


def variance_ratio(x: ArrayLike, q: int) -> tuple[float, float]:
    """Lo & MacKinlay (1988) variance ratio VR(q) of the increments `x` and its
    heteroskedasticity-robust z statistic z*(q).

    VR(q) is the variance of overlapping q-period sums over q times the one-period variance
    (both bias-corrected, the paper's equations 12-13), about 1 + 2 sum_j (1 - j/q) acf(j):
    1 for a random walk, above 1 when returns trend, below when they revert. z*(q) divides
    VR - 1 by sqrt(theta(q)), theta = sum_{j<q} (2 (q-j) / q)^2 acf_robust_se(x, j)^2, so
    volatility clustering does not inflate it. (nan, nan) if `x` is constant.
    """
    a = _sample(x, "x", 3)
    n = len(a)
    q = _int_in(q, "q", 2, n - 1, "2 to len(x) - 1")
    if _is_constant(a):
        return math.nan, math.nan
    d = a - a.mean()
    var_1 = float(d @ d) / (n - 1)
    c = np.concatenate(([0.0], np.cumsum(d)))
    sums = c[q:] - c[:-q]                        # the n - q + 1 overlapping q-period sums
    var_q = float(sums @ sums) / (q * (n - q + 1) * (1 - q / n))
    vr = var_q / var_1
    theta = sum((2 * (q - j) / q) ** 2 * _lag_products_var(d, j) for j in range(1, q))
    return vr, (vr - 1) / math.sqrt(theta) if theta > 0 else math.nan


# -- tails ----------------------------------------------------------------------------------
def excess_kurtosis(x: ArrayLike) -> float:
    """Bias-adjusted sample excess kurtosis (G2, as pandas' Series.kurt): 0 for a normal,
    6 / (nu - 4) for Student t with nu > 4 degrees of freedom. NaN if `x` is constant."""
    a = _sample(x, "x", 4)
    if _is_constant(a):
        return math.nan
    n = len(a)
    d = a - a.mean()
    m2, m4 = float(np.mean(d**2)), float(np.mean(d**4))
    g2 = m4 / m2**2 - 3.0
    return ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3))


def hill_tail_index(x: ArrayLike, tail: float = 0.05) -> float:
    """Hill (1975) estimate of the tail index alpha of |x| from its k = floor(tail * n) largest
    values: k / sum_{i<=k} log(|x|_(i) / |x|_(k+1)). P(|x| > u) ~ u^-alpha; hourly crypto
    returns have alpha around 3 (the "cubic law"), a normal has no finite alpha (estimates
    grow with n). NaN if the threshold |x|_(k+1) is 0 or the top k all equal it.
    """
    a = np.abs(_sample(x, "x", 2))
    if isinstance(tail, bool) or not isinstance(tail, Real):
        raise TypeError(f"tail must be a number, got {tail!r}")
    if not 0 < tail < 1:
        raise ValueError(f"tail must be in (0, 1) (the fraction of largest |x| used), got {tail}")
    n = len(a)
    k = math.floor(tail * n + 1e-9)
    if k < 1:
        raise ValueError(f"tail * len(x) must be at least 1 (one observation in the tail), "
                         f"got {tail} * {n}")
    top = -np.sort(-a)[:k + 1]
    threshold = top[k]
    if threshold <= 0:
        return math.nan
    spread = float(np.sum(np.log(top[:k] / threshold)))
    return k / spread if spread > 0 else math.nan


# -- the facts of one run -------------------------------------------------------------------
def _flag(holds: bool, *inputs: float) -> float:
    """A boolean as 1.0/0.0, NaN when any statistic it rests on is undefined."""
    return math.nan if any(math.isnan(v) for v in inputs) else float(holds)


def stylized_facts(mid: ArrayLike, skip: int = 0,
                   lags: tuple[int, ...] = (1, 2, 3, 4, 5)) -> dict[str, float]:
    """The stylised facts of an hourly mid series, as one flat dict of floats.

    Keys: `n` (returns used), `hourly_vol` (sd of r), `excess_kurtosis`, `hill_tail_index` (top
    5% of |r|); per lag in `lags`: `acf_r_{lag}`, its robust SE `acf_r_{lag}_se` and
    `acf_r_{lag}_z` = acf / se, and `max_abs_acf_r_z`; `acf_abs_r_1`..`acf_abs_r_5` and
    `acf_abs_r_mean_1_24`; `vr_2`, `vr_6`, `vr_24` with robust `vr_{q}_z`. Flags, 1.0 or 0.0
    (NaN when a statistic is undefined):

    - `fat_tails`: excess kurtosis > 1.
    - `vol_clustering`: the mean acf of |r| over lags 1-5 > 2/sqrt(n). Without clustering each
      of those acfs has sd about 1/sqrt(n) and their mean about 1/sqrt(5n), so the bar sits
      some 4.5 sd up: it asks for clear clustering, not bare significance. Hourly crypto
      returns (acf of |r| 0.1-0.3) clear it from a few hundred hours on.
    - `no_linear_predictability`: |acf_r_{lag}_z| < 1.96 at every lag. This is deliberately
      not Bonferroni-corrected: each lag is held to a 5% test, so an unpredictable series
      fails the flag about 1 - 0.95^5 = 23% of the time with five lags. For a family-wise 5%
      test compare `max_abs_acf_r_z` with 2.576 (1.96 at 0.05 / 5 lags) instead.
    """
    r = log_returns(mid, skip)
    n = len(r)
    if n < MIN_RETURNS:
        raise ValueError(f"mid must give at least {MIN_RETURNS} finite returns after skip={skip}, "
                         f"got {n}")
    lags = tuple(lags)
    if not lags:
        raise ValueError("lags must name at least one lag")
    for lag in lags:
        _int_in(lag, "lags", 1, n - 1, "1 to the number of returns - 1")
    absr = np.abs(r)
    out = {"n": float(n), "hourly_vol": float(r.std(ddof=1)),
           "excess_kurtosis": excess_kurtosis(r), "hill_tail_index": hill_tail_index(r, HILL_TAIL)}
    zs = []
    for lag in lags:
        rho, se = acf(r, lag), acf_robust_se(r, lag)
        zs.append(rho / se if se > 0 else math.nan)
        out[f"acf_r_{lag}"], out[f"acf_r_{lag}_se"], out[f"acf_r_{lag}_z"] = rho, se, zs[-1]
    out["max_abs_acf_r_z"] = max(abs(z) for z in zs)
    abs_acf = [acf(absr, lag) for lag in range(1, ABS_MEAN_LAGS + 1)]
    for lag in range(1, ABS_LAGS + 1):
        out[f"acf_abs_r_{lag}"] = abs_acf[lag - 1]
    out[f"acf_abs_r_mean_1_{ABS_MEAN_LAGS}"] = float(np.mean(abs_acf))
    for q in VR_HORIZONS:
        out[f"vr_{q}"], out[f"vr_{q}_z"] = variance_ratio(r, q)
    cluster = float(np.mean(abs_acf[:ABS_LAGS]))
    out["fat_tails"] = _flag(out["excess_kurtosis"] > FAT_TAILS_KURTOSIS, out["excess_kurtosis"])
    out["vol_clustering"] = _flag(cluster > 2.0 / math.sqrt(n), cluster)
    out["no_linear_predictability"] = _flag(all(abs(z) < Z95 for z in zs), *zs)
    return out


# -- power laws and price impact ------------------------------------------------------------
def news_beta(mid: ArrayLike, news: ArrayLike, every: int) -> dict[str, float]:
    """How much of the news reaches the price: the OLS slope (`beta`) and `r2` of the mid's log
    change on the news value's log change over consecutive, non-overlapping windows of `every`
    samples (hours in a run's series), and the number of windows `n`. In an informationally
    efficient market the beta is near 1 at horizons long enough for trading to take the news in;
    0 means the price ignores it.

    >>> t = np.arange(0, 400)
    >>> news = np.exp(0.01 * np.sin(t / 7.0) + 0.0005 * t)
    >>> round(news_beta(news ** 0.5, news, 24)["beta"], 12)
    0.5
    """
    every = _int_in(every, "every", 1, None, "samples a window spans")
    m, v = _mid_and_news(mid, news, 3 * every + 1)
    dm, dv = np.diff(np.log(m[::every])), np.diff(np.log(v[::every]))
    if _is_constant(dv):
        return {"beta": math.nan, "r2": math.nan, "n": float(len(dm))}
    fit = _ols(dv, dm)
    return {"beta": fit["slope"], "r2": fit["r2"], "n": float(len(dm))}


def news_lags(mid: ArrayLike, news: ArrayLike, lags: int = 3) -> dict[str, float]:
    """When the news reaches the price: the multiple OLS slopes of the mid's log change in each
    sample on the news value's log change 0, 1, ..., `lags` samples earlier (`beta_0` ...
    `beta_<lags>`), and `r2`. A news change seen in sample t and taken in only partly by t's
    price change leaves a positive slope at lag 1 and beyond: the predictable part of returns.
    In a run's hourly rows the news of an hour is recorded with the row that opens it, before
    anyone trades on it, so the hour's own reaction is lag 1 there.

    >>> news = np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, 500)))
    >>> late = np.exp(0.8 * np.log(news) + 0.2 * np.log(np.append(news[:1], news[:-1])))
    >>> [round(news_lags(late, news, 2)[f"beta_{k}"], 9) + 0.0 for k in range(3)]
    [0.8, 0.2, 0.0]
    """
    lags = _int_in(lags, "lags", 0, None, "samples back")
    m, v = _mid_and_news(mid, news, lags + 4)
    dm, dv = np.diff(np.log(m)), np.diff(np.log(v))
    if _is_constant(dv):
        return {**{f"beta_{k}": math.nan for k in range(lags + 1)}, "r2": math.nan}
    y = dm[lags:]
    x = np.column_stack([np.ones(len(y))] + [dv[lags - k:len(dv) - k] for k in range(lags + 1)])
    coef = np.linalg.lstsq(x, y, rcond=None)[0]
    resid, dy = y - x @ coef, y - y.mean()
    sst = float(dy @ dy)
    return {**{f"beta_{k}": float(coef[k + 1]) for k in range(lags + 1)},
            "r2": 1.0 - float(resid @ resid) / sst if sst > 0 else math.nan}


def _mid_and_news(mid: ArrayLike, news: ArrayLike, min_len: int) -> tuple[np.ndarray, np.ndarray]:
    """`mid` and `news` as positive series of one length (at least `min_len`), or an error
    naming what is wrong."""
    m, v = _sample(mid, "mid", min_len), _sample(news, "news", min_len)
    if len(m) != len(v):
        raise ValueError(f"news must have the same length as mid ({len(m)}), got {len(v)}")
    if min(m.min(), v.min()) <= 0:
        raise ValueError("mid and news must be > 0 (the changes are in logs)")
    return m, v


def _ols(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """The OLS line of y on x (x not constant): `slope`, `intercept`, the residuals' sum of
    squares `ssr`, x's centred sum of squares `sxx` and `r2` (NaN when y is constant)."""
    dx, dy = x - x.mean(), y - y.mean()
    sxx = float(dx @ dx)
    slope = float(dx @ dy) / sxx
    resid = dy - slope * dx
    ssr, sst = float(resid @ resid), float(dy @ dy)
    return {"slope": slope, "intercept": float(y.mean() - slope * x.mean()), "ssr": ssr,
            "sxx": sxx, "r2": 1.0 - ssr / sst if sst > 0 else math.nan}


def power_law_fit(q: ArrayLike, y: ArrayLike) -> dict[str, float]:
    """Fit y = prefactor * q^exponent by OLS of log y on log q.

    Returns `exponent`, `prefactor`, the exponent's `exponent_se` and Student-t 95% interval
    (`ci_low`, `ci_high`, n - 2 degrees of freedom), `r2` of the log fit and `n`.

    >>> fit = power_law_fit([1.0, 2.0, 4.0, 8.0], [3.0, 3 * 2**0.5, 6.0, 3 * 8**0.5])
    >>> round(fit["exponent"], 12), round(fit["prefactor"], 12), fit["r2"]
    (0.5, 3.0, 1.0)
    """
    qa, ya = _sample(q, "q", 3), _sample(y, "y", 3)
    if len(ya) != len(qa):
        raise ValueError(f"y must have the same length as q ({len(qa)}), got {len(ya)}")
    for name, a in (("q", qa), ("y", ya)):
        if a.min() <= 0:
            raise ValueError(f"{name} must be > 0 (the fit is on logs), got {a.min()!r}")
    if _is_constant(qa):
        raise ValueError("q must take at least two distinct values")
    n = len(qa)
    fit = _ols(np.log(qa), np.log(ya))
    slope = fit["slope"]
    se = math.sqrt(fit["ssr"] / (n - 2) / fit["sxx"])
    half = t975(n - 2) * se
    return {"exponent": slope, "prefactor": math.exp(fit["intercept"]), "exponent_se": se,
            "ci_low": slope - half, "ci_high": slope + half, "r2": fit["r2"], "n": float(n)}


def _seed_table(frame: pd.DataFrame, q_col: str, impact_col: str, seed_col: str) -> pd.DataFrame:
    """Impact as a seeds x q table (NaN where a run is missing), checking the frame on the way."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    for arg, col in (("q_col", q_col), ("impact_col", impact_col), ("seed_col", seed_col)):
        if col not in frame.columns:
            raise ValueError(f"{arg}={col!r} is not a column of frame "
                             f"(columns: {', '.join(map(str, frame.columns))})")
    data = frame[[seed_col, q_col, impact_col]].dropna(subset=[impact_col])
    for arg, col in (("q_col", q_col), ("impact_col", impact_col)):
        values = pd.to_numeric(data[col], errors="coerce").to_numpy(float)
        if not np.isfinite(values).all():
            raise ValueError(f"frame[{arg}={col!r}] must be finite numbers where impact is given")
    if (data[q_col] <= 0).any():
        raise ValueError(f"frame[q_col={q_col!r}] must be > 0, got {data[q_col].min()!r}")
    repeated = data.duplicated([seed_col, q_col])
    if repeated.any():
        seed, q = data.loc[repeated, [seed_col, q_col]].iloc[0]
        raise ValueError(f"frame must hold one {impact_col!r} per ({seed_col!r}, {q_col!r}), got "
                         f"{int(repeated.sum())} repeats, e.g. {seed_col}={seed}, {q_col}={q}")
    return data.pivot(index=seed_col, columns=q_col, values=impact_col).sort_index(axis=1)


def impact_exponent(frame: pd.DataFrame, q_col: str = "q", impact_col: str = "impact",
                    seed_col: str = "seed", n_boot: int = 2000,
                    rng: np.random.Generator | int | None = None) -> dict[str, Any]:
    """The exponent delta of impact = prefactor * q^delta, fitted on the mean impact per q
    across seeds, with a 95% interval from a bootstrap over whole seeds.

    Runs on one seed share an exogenous world, so their impacts at different q are correlated;
    resampling seeds with all their q values keeps that pairing, and a world that scales every
    impact alike moves no exponent. A bootstrap replicate whose resampled mean is missing or
    non-positive at some q has no exponent and is left out (`n_boot_used` counts the rest).

    Args:
        frame: one row per (seed, q) run; rows without an impact are ignored.
        n_boot: bootstrap replicates, at least 100.
        rng: a Generator or a seed; None means seed 0, so the interval is reproducible.

    Returns:
        `exponent`, `prefactor`, `r2`, the percentile `ci_low`, `ci_high`, `n_seeds`,
        `n_boot_used` and `per_q`: a DataFrame of q, n, mean impact and its Student-t 95%
        `ci_low`, `ci_high`.
    """
    table = _seed_table(frame, q_col, impact_col, seed_col)
    n_boot = _int_in(n_boot, "n_boot", 100, None, "bootstrap replicates")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(
        0 if rng is None else rng)
    qs, values = table.columns.to_numpy(float), table.to_numpy(float)
    n_seeds = values.shape[0]
    if len(qs) < 3:
        raise ValueError(f"frame must hold at least 3 distinct {q_col!r} values, got {len(qs)}")
    if n_seeds < 2:
        raise ValueError(f"frame must hold at least 2 seeds with an impact, got {n_seeds}")
    cis = [mean_ci(values[:, j]) for j in range(len(qs))]
    means = np.array([c[0] for c in cis])
    for q, m in zip(qs, means, strict=True):
        if not m > 0:
            raise ValueError(f"mean {impact_col!r} at {q_col}={q:g} is {m:.4g}; a power law "
                             f"needs a positive mean impact at every {q_col}")
    fit = power_law_fit(qs, means)
    # a resample of seeds is a vector of counts per seed; its mean per q weighs seeds by them
    counts = gen.multinomial(n_seeds, np.full(n_seeds, 1.0 / n_seeds), size=n_boot)
    present = ~np.isnan(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = np.log((counts @ np.where(present, values, 0.0)) / (counts @ present))
    boot = boot[np.isfinite(boot).all(axis=1)]
    dx = np.log(qs) - np.log(qs).mean()
    slopes = (boot - boot.mean(axis=1, keepdims=True)) @ dx / float(dx @ dx)
    low, high = np.percentile(slopes, [2.5, 97.5]) if len(slopes) else (math.nan, math.nan)
    per_q = pd.DataFrame({q_col: qs, "n": present.sum(axis=0), "mean": means,
                          "ci_low": [c[1] for c in cis], "ci_high": [c[2] for c in cis]})
    return {"exponent": fit["exponent"], "prefactor": fit["prefactor"], "r2": fit["r2"],
            "ci_low": float(low), "ci_high": float(high), "n_seeds": n_seeds,
            "n_boot_used": len(slopes), "per_q": per_q}


def mean_ci(x: ArrayLike) -> tuple[float, float, float]:
    """Mean of `x` and its Student-t 95% interval, NaNs ignored: (nan, nan, nan) without
    values, (mean, nan, nan) with one.

    >>> tuple(round(v, 3) for v in mean_ci([1.0, 2.0, np.nan, 3.0]))
    (2.0, -0.484, 4.484)
    """
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"x must be a 1-D array of numbers, got {type(x).__name__}") from exc
    if a.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {a.shape}")
    a = a[~np.isnan(a)]
    n = len(a)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(a.mean())
    if n == 1:
        return m, math.nan, math.nan
    half = t975(n - 1) * float(a.std(ddof=1)) / math.sqrt(n)
    return m, m - half, m + half
