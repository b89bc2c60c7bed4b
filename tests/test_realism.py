"""Realism of the article scenario's market with the default population (docs/calibration.md).

One shared run (the article's scenario, seed 0, the first RUN_DAYS days after listing) is
checked against the stylised facts of hourly crypto returns (mmabm.stylized, with robust
standard errors) and against the calibration targets for a $150M-FDV token at listing. The
figures come from `figures`, which `python tests/test_realism.py [days] [seed]` prints for
longer runs; the year-long, many-seed figures are experiments/market_realism.py's.
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


def figures(ts: pd.DataFrame) -> dict[str, float]:
    """The calibration figures of a run's hourly time series."""
    from mmabm.stylized import stylized_facts
    day = (ts["minute"] // 1440).astype(int)
    daily = ts.groupby(day)["volume_usd"].sum()
    after = ts.iloc[SALE_HOURS:]
    pool_gap = np.abs(np.log(ts["amm_price"] / ts["mid"])).dropna()
    dex = ts.groupby(day)["dex_volume_usd"].sum() / daily
    out = {
        "launch_day_volume_usd": float(daily.iloc[0]),
        "dex_volume_share": float(ts["dex_volume_usd"].sum() / ts["volume_usd"].sum()),
        "dex_volume_share_day_0": float(dex.iloc[0]),
        "pool_gap_p95": float(pool_gap.quantile(0.95)),
        "pool_gap_max": float(pool_gap.max()),
        "low_after_listing": float(ts["mid"].iloc[:2 * SALE_HOURS].min()),
        "spread_bps_median": float(after["spread_bps"].median()),
        "depth_bid_usd_median": float(after["depth_bid_usd"].median()),
        "depth_ask_usd_median": float(after["depth_ask_usd"].median()),
        **stylized_facts(ts["mid"].to_numpy(), skip=SALE_HOURS),
    }
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
def test_the_run_balances_and_money_moves_only_at_the_inflow_and_exits(calibration):
    result, _ = calibration
    assert result.summary["conservation_error"] == 0.0
    last = result.timeseries.iloc[-1]
    held = sum(v for k, v in last.items() if k.startswith("supply_tokens_"))
    assert held == pytest.approx(150_000_000, rel=1e-12)
    assert last["money_inflow_usd"] > 0 and last["money_outflow_usd"] > 0


@pytest.mark.slow
def test_hourly_returns_have_fat_tails(calibration):
    """Crypto hourly returns are leptokurtic (excess kurtosis well above 0)."""
    assert calibration[1]["excess_kurtosis"] > 1.0


@pytest.mark.slow
def test_volatility_clusters(calibration):
    """|r| is positively autocorrelated at the first lag: busy hours come in runs."""
    f = calibration[1]
    assert f["acf_abs_r_1"] > 2.0 / math.sqrt(f["n"])


@pytest.mark.slow
def test_returns_are_not_linearly_predictable(calibration):
    """No significant linear autocorrelation of r at lags 1-5, each lag judged against its
    heteroskedasticity-robust standard error (volatility clusters, so 1/sqrt(n) would
    understate it) at the 1% level (|z| < 2.58, about a 5% family-wise level for 5 lags)."""
    f = calibration[1]
    for lag in range(1, 6):
        assert abs(f[f"acf_r_{lag}_z"]) < 2.58, (lag, f[f"acf_r_{lag}"], f[f"acf_r_{lag}_z"])


@pytest.mark.slow
def test_launch_day_volume_is_tens_of_millions(calibration):
    """A $150M-FDV listing trades tens of millions of USD on its first day."""
    assert 15e6 < calibration[1]["launch_day_volume_usd"] < 100e6


@pytest.mark.slow
def test_volume_fades_with_attention(calibration):
    """A week in, volume is down from launch but still millions a day."""
    f = calibration[1]
    assert 3e6 < f["volume_usd_per_day_7d"] < 0.8 * f["launch_day_volume_usd"]


@pytest.mark.slow
def test_the_sale_visibly_depresses_the_price(calibration):
    assert calibration[1]["low_after_listing"] < 0.95


@pytest.mark.slow
def test_spread_and_depth_are_plausible(calibration):
    """Main CEX: spread positive and within the 10 bp obligation; ±2% depth at least the
    $100k obligation on each side (the market maker, the other liquidity providers and
    resting retail orders) and not a wall."""
    f = calibration[1]
    assert 0 < f["spread_bps_median"] <= 10.0
    for side in ("bid", "ask"):
        assert 100e3 < f[f"depth_{side}_usd_median"] < 600e3


@pytest.mark.slow
def test_the_pool_tracks_the_books_and_cexs_carry_most_spot_volume(calibration):
    """The pool stays within a few percent of the main CEX, and a young token's spot volume
    is mostly on its CEXs: the DEX 10-35%, from launch day."""
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
