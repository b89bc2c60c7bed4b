"""Realism of the article scenario's market with the default population (docs/calibration.md).

One shared run (the article's scenario, seed 0, the first RUN_DAYS days after listing) is
checked against the stylised facts of hourly crypto returns and against the calibration
targets for a $150M-FDV token at listing. The figures come from `figures`, which
`python tests/test_realism.py [days] [seed]` prints for longer runs (docs/calibration.md).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "article.toml"
RUN_DAYS = 10
SALE_HOURS = 24          # the article's sale; return statistics start after it
ACF_LAGS = 5


def acf(x: np.ndarray, lag: int) -> float:
    """Sample autocorrelation of `x` at `lag` (the usual biased estimator)."""
    x = x - x.mean()
    return float((x[:-lag] * x[lag:]).sum() / (x * x).sum())


def figures(ts: pd.DataFrame) -> dict[str, float]:
    """The calibration figures of a run's hourly time series."""
    day = (ts["minute"] // 1440).astype(int)
    daily = ts.groupby(day)["volume_usd"].sum()
    mid = ts["mid"].ffill()
    r = np.diff(np.log(mid.to_numpy()))[SALE_HOURS:]
    r = r[np.isfinite(r)]
    after = ts.iloc[SALE_HOURS:]
    gap = np.log(after["mid"] / after["fundamental"]).dropna()
    pool_gap = np.abs(np.log(ts["amm_price"] / ts["mid"])).dropna()
    dex = ts.groupby(day)["dex_volume_usd"].sum() / daily
    out = {
        "launch_day_volume_usd": float(daily.iloc[0]),
        "dex_volume_share": float(ts["dex_volume_usd"].sum() / ts["volume_usd"].sum()),
        "dex_volume_share_day_0": float(dex.iloc[0]),
        "pool_gap_p95": float(pool_gap.quantile(0.95)),
        "pool_gap_max": float(pool_gap.max()),
        "hourly_returns": float(len(r)),
        "hourly_vol": float(r.std()),
        "excess_kurtosis": float(pd.Series(r).kurt()),
        "low_after_listing": float(ts["mid"].iloc[:2 * SALE_HOURS].min()),
        "spread_bps_median": float(after["spread_bps"].median()),
        "depth_bid_usd_median": float(after["depth_bid_usd"].median()),
        "depth_ask_usd_median": float(after["depth_ask_usd"].median()),
        "log_mid_over_fundamental_mean": float(gap.mean()),
        "log_mid_over_fundamental_sd": float(gap.std()),
    }
    for lag in range(1, ACF_LAGS + 1):
        out[f"acf_r_{lag}"] = acf(r, lag)
        out[f"acf_abs_r_{lag}"] = acf(np.abs(r), lag)
    for d in (1, 7, 30, 90, 180, 360):
        window = daily.loc[d - 3:d + 3] if d > 3 else daily.loc[d:d]
        if d < len(daily) - 1:
            out[f"volume_usd_per_day_{d}d"] = float(window.mean())
    return out


@pytest.fixture(scope="module")
def calibration():
    from mmabm import run
    from mmabm.config import load_config
    result = run(load_config(SCENARIO, {"run.months": RUN_DAYS / 30}), seed=0)
    return result, figures(result.timeseries)


@pytest.mark.slow
def test_the_run_balances(calibration):
    assert calibration[0].summary["conservation_error"] == 0.0


@pytest.mark.slow
def test_hourly_returns_have_fat_tails(calibration):
    """Crypto hourly returns are leptokurtic (excess kurtosis well above 0)."""
    assert calibration[1]["excess_kurtosis"] > 1.0


@pytest.mark.slow
def test_volatility_clusters(calibration):
    """|r| is positively autocorrelated over the first hours: calm and busy hours come in runs."""
    f = calibration[1]
    lags = [f[f"acf_abs_r_{k}"] for k in range(1, 4)]
    assert min(lags) > 0.0 and np.mean(lags) > 1.0 / math.sqrt(f["hourly_returns"])


@pytest.mark.slow
def test_returns_are_not_linearly_predictable(calibration):
    """No strong linear autocorrelation of r at lags 1-5. Bound: 3 standard errors of a sample
    acf under no autocorrelation (3/sqrt(n), about 0.2 for ten days of hours); it also means a
    linear forecast from any one lag explains under ~4% of the next hour's variance. (A
    smoothed price — fundamentalists who catch up with the value slowly, or trend followers
    who all act on any move — shows acf of 0.3-0.5 here.)"""
    f = calibration[1]
    bound = 3.0 / math.sqrt(f["hourly_returns"])
    for lag in range(1, ACF_LAGS + 1):
        assert abs(f[f"acf_r_{lag}"]) < bound, (lag, f[f"acf_r_{lag}"], bound)


@pytest.mark.slow
def test_launch_day_volume_is_tens_of_millions(calibration):
    """A $150M-FDV listing trades tens of millions of USD on its first day."""
    assert 15e6 < calibration[1]["launch_day_volume_usd"] < 100e6


@pytest.mark.slow
def test_volume_fades_with_attention(calibration):
    """A week in, volume is down from launch but still millions a day (attention halves in 30
    days; the months-scale figures are in docs/calibration.md)."""
    f = calibration[1]
    assert 3e6 < f["volume_usd_per_day_7d"] < 0.6 * f["launch_day_volume_usd"]


@pytest.mark.slow
def test_the_sale_visibly_depresses_the_price_which_then_tracks_the_value(calibration):
    f = calibration[1]
    assert f["low_after_listing"] < 0.9                       # the 2.3M-token sale shows
    assert abs(f["log_mid_over_fundamental_mean"]) < 0.15     # then back near the value
    assert f["log_mid_over_fundamental_sd"] < 0.25


@pytest.mark.slow
def test_spread_and_depth_are_plausible(calibration):
    """Main CEX: spread positive and within the 10 bp obligation; ±2% depth near the $100k
    obligation on each side (the market maker's ladder plus retail limits), not a wall."""
    f = calibration[1]
    assert 0 < f["spread_bps_median"] <= 10.0
    for side in ("bid", "ask"):
        assert 80e3 < f[f"depth_{side}_usd_median"] < 400e3


@pytest.mark.slow
def test_the_pool_tracks_the_books_and_cexs_carry_most_spot_volume(calibration):
    """The pool stays within a few percent of the main CEX (arbitrage keeps it there; it ran
    to 2x the CEX price when the desk's pool account ran dry between hourly rebalances), and a
    young token's spot volume is mostly on its CEXs: the DEX 10-35%, from launch day."""
    f = calibration[1]
    assert f["pool_gap_p95"] < 0.05 and f["pool_gap_max"] < 0.2
    assert 0.10 < f["dex_volume_share_day_0"] < 0.35 and 0.10 < f["dex_volume_share"] < 0.35


if __name__ == "__main__":          # python tests/test_realism.py [days] [seed]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from mmabm import run
    from mmabm.config import load_config
    days = float(sys.argv[1]) if len(sys.argv) > 1 else RUN_DAYS
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    result = run(load_config(SCENARIO, {"run.months": days / 30}), seed=seed)
    print(f"# {days:g} days, seed {seed}, conservation problems: "
          f"{result.summary['conservation_error']:g}")
    for key, value in figures(result.timeseries).items():
        print(f"{key:32s} {value:14.4f}")
