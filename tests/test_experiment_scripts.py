"""The experiment scripts run end to end on a tiny version and write a report with numbers and
the figures it links (contract_length needs month-long contracts and is left to its --quick)."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sale_impact", "delta_neutral", "options_risk", "vol_profits",
                                  "sale_size", "impact_persistence", "market_realism",
                                  "case_move", "news_reach", "gap_drift", "obligations",
                                  "rl_baselines"])
def test_script_writes_a_report_with_numbers_and_figures(name, tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "experiments" / f"{name}.py"), "--months",
                           "0.004", "--seeds", "1", "--workers", "1", "--out", str(tmp_path),
                           "--set", "run.record_every_minutes=60"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# ") and re.search(r"\|\s*-?\d", report)      # a table of numbers
    assert "Changed from the scenario (--set): `run.record_every_minutes=60`." in report
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report)
    assert figures and all((tmp_path / f).stat().st_size > 5_000 for f in figures)
    if name == "impact_persistence":              # what was run, kept with the numbers
        meta = pd.read_parquet(tmp_path / "metaorders.parquet")
        assert meta.attrs == {
            "sale_hours": 24.0, "seller": "maker", "months": 36 / (30 * 24),   # the sale + 12 h
            "sets": {"run.record_every_minutes": "60"}}
        # the law's units, hold's listing day: one seed, so one value for every Q
        assert meta["sigma_D"].nunique() == 1 and meta["sigma_D"].iloc[0] > 0
        assert meta["V_D"].nunique() == 1 and meta["V_D"].iloc[0] > 1e6
        kinds = ["retail noise", "retail momentum", "retail fundamentalist"]
        assert meta[kinds].notna().all().all()          # which retail holds the sale


def test_set_changes_the_base_scenario_and_a_bad_one_is_one_line(tmp_path):
    import argparse
    sys.path.insert(0, str(ROOT / "experiments"))
    import _common
    args = argparse.Namespace(months=1.0, sets={"latent.memory_hours": "24"})
    config = _common.base_config(args, {"latent.width": 0.3})
    assert config.latent.memory_hours == 24 and config.latent.width == 0.3
    assert config.contract.months == 1.0                       # the script's own terms stay
    refused_in_one_line(tmp_path, ["--set", "latent.width=3"],
                        "error: latent.width must be in [0.01, 0.95], got 3")


def refused_in_one_line(out: Path, arguments: list[str], message: str) -> None:
    """impact_persistence with `arguments` stops with usage's exit code, its last line ending
    in `message`, no traceback and nothing written to `out`."""
    done = subprocess.run([sys.executable, str(ROOT / "experiments" / "impact_persistence.py"),
                           *arguments, "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith(message)
    assert not any(out.iterdir())                               # nothing written


def test_the_outside_seller_sells_q_a_minute_at_a_time_while_the_market_maker_holds():
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    from mmabm.config import Config
    from mmabm.model import MarketModel
    base = Config().override({"run.months": 0.01, "retail.n_traders": 200,
                              "market_maker.strategy": "hold", "contract.loan_tokens": ip.LOAN})
    model = MarketModel(base.override(ip.sale_of(240_000.0, "outside")), seed=1)
    model.run_until(3 * 60 + 1)                  # 180 slices of a minute's 1/1440 (lot-rounded)
    insiders = model.insiders
    assert insiders.received_tokens == 240_000.0
    assert insiders.sold_tokens == pytest.approx(30_000.0, rel=0.005)
    assert model.market_maker.sold_tokens == 0.0
    assert ip.sale_of(0.0, "outside")["project.unlock_tokens"] == 0.0   # hold: no unlock at all
    assert ip.sale_of(0.0, "maker") == {}
    assert ip.sale_of(1e6, "maker")["market_maker.sale_fraction"] == 1e6 / ip.LOAN
    assert ip.takers("outside")[-1] == "market_maker" and "market_maker" not in ip.takers("maker")


def test_the_sale_lasts_sale_hours_for_either_seller_and_a_bad_one_is_one_line(tmp_path):
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    from mmabm.config import Config
    from mmabm.model import MarketModel
    base = Config().override({"run.months": 0.01, "retail.n_traders": 200,
                              "market_maker.strategy": "hold", "contract.loan_tokens": ip.LOAN})
    model = MarketModel(base.override(ip.sale_of(60_000.0, "outside", hours=6)), seed=1)
    model.run_until(6 * 60 + 1)                  # 360 slices of a minute: all of it
    assert model.insiders.sold_tokens == pytest.approx(60_000.0, rel=0.005)
    maker = ip.sale_of(1e6, "maker", hours=6)
    assert maker["market_maker.sale_horizon_hours"] == 6
    assert MarketModel(base.override(maker), seed=1).config.market_maker.sale_horizon_hours == 6
    refused_in_one_line(tmp_path, ["--sale-hours", "200"],
                        "argument --sale-hours: must be a number of hours from 1 to 144, "
                        "got '200'")


def test_impact_exponent_not_fitted_is_said_and_holdings_are_per_group_and_horizon():
    import numpy as np
    import pandas as pd
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    meta = pd.DataFrame({"q": [1e6, 1e6, 2e6, 2e6, 4e6, 4e6], "seed": [0, 1] * 3,
                         "peak": [-0.02, 0.01, 0.02, 0.04, 0.05, 0.07]})
    fit = ip.exponent(meta)                          # 1M's mean peak is below hold's
    assert np.isnan(fit["exponent"]) and "Q = 1e+06 is -0.005" in fit["why"]
    good = ip.exponent(meta.assign(peak=[0.01, 0.03, 0.03, 0.05, 0.07, 0.09]))
    assert 0.5 < good["exponent"] < 1.5 and "why" not in good
    assert "at least 3" in ip.exponent(meta[meta.q > 1e6])["why"]    # two sizes: no fit
    meta = meta[meta.q != 2e6]
    for h in ip.HOLDERS:                             # tokens to retail, its USDT to the seller
        for x in ("end", "1w"):
            meta[f"tokens {h} {x}"] = [1e6, 3e6, 2e6, 4e6] if h == "retail" else 0.0
            meta[f"usdt {h} {x}"] = [0.0, 0.0, 5e6, 7e6] if h == "insider" else 0.0
    table = ip.holdings(meta).set_index("holder")
    assert list(table.columns) == ["tokens end", "tokens 1w", "usdt end", "usdt 1w"]
    assert table.loc["retail", "tokens 1w"] == 3.0 and table.loc["insider", "usdt end"] == 6.0
    assert table.drop(index=["retail", "insider"]).abs().to_numpy().sum() == 0


def test_the_decay_path_is_the_mean_gap_each_day_over_the_mean_peak():
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    days = {f"day {d}": [np.nan, np.nan] for d in ip.PATH_DAYS}
    days |= {"day 2": [0.01, 0.03], "day 3": [0.02, 0.02]}          # the runs reach 3 days
    frame = pd.DataFrame({"q": [1e6, 1e6], "peak": [0.03, 0.05], **days})
    path = ip.decay_path(frame)
    assert list(path.columns) == ["Q (tokens)", "day 2", "day 3", "largest se"]
    assert path.loc[0, "day 2"] == 0.5 and path.loc[0, "day 3"] == 0.5    # 0.02 / 0.04
    assert path.loc[0, "largest se"] == round(0.01 / 0.04, 2)     # day 2: 0.0141 / sqrt 2


def test_latent_balance_reads_hold_after_the_sale_the_offset_and_the_hours_of_walls():
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    minutes = np.arange(0, 6 * 60 + 1, 60)            # the sale ends at 2 hours
    base = pd.DataFrame({"mid": [1.0, 1.0, 1.0, 1.01, 0.98, 1.0, 1.0],
                         "latent_centre": [2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                         "latent_bids_1pct": [5.0, 5.0, 5.0, 5.0, 500.0, 100.0, 0.0],
                         "latent_asks_1pct": [5.0, 5.0, 5.0, 5.0, 5.0, 10.0, 0.5]},
                        index=minutes)
    got = ip.latent_balance(base, 120)
    # the four hours after 2: the median of their offsets; one wall, 500 against 5 (100
    # against 10 is not over ten times, nor is 0.5 against none, counted as one token)
    assert got["latent offset"] == pytest.approx(np.median(np.abs(np.log([1.01, 0.98, 1, 1]))))
    assert got["latent walls"] == 0.25
    memory = base.assign(latent_bids_1pct=np.nan, latent_asks_1pct=np.nan)
    assert np.isnan(ip.latent_balance(memory, 120)["latent walls"])
    meta = pd.DataFrame({"seed": [0, 0, 1], "latent offset": [0.01, 0.01, 0.03],
                         "latent walls": [0.5, 0.5, 0.7]})
    line = ip.balance_line(meta)
    assert "2.00% from the latent investors' centre" in line and "in 60% of hours" in line
    assert "no latent book" in ip.balance_line(meta.assign(**{"latent offset": np.nan}))


def test_still_sold_is_the_mean_net_sale_later_over_the_mean_net_sale_at_the_peak():
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    frame = pd.DataFrame({"q": [1e6, 1e6, 2e6, 2e6], "net_sale": [2e6, 3e6, 4e6, 4e6],
                          "net_sale 1w": [1e6, 1.5e6, 2e6, 3e6],
                          "net_sale 1m": [np.nan] * 4})            # the runs stop before a month
    table = ip.still_sold(frame)
    assert list(table.columns) == ["Q (tokens)", "net 1w / end"]
    assert table["net 1w / end"].tolist() == [0.5, 0.62]            # 1.25 / 2.5; 2.5 / 4


def test_day_scale_is_the_listing_day_s_volatility_and_tokens_traded_per_day():
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    minutes = np.arange(0, 2 * 1440 + 1, 60)
    steps = np.where(np.arange(len(minutes) - 1) % 2 == 0, 0.01, -0.01)
    steps[24:] *= 5                                    # the second day is wilder: not read
    mid = 2.0 * np.exp(np.concatenate([[0.0], np.cumsum(steps)]))
    base = pd.DataFrame({"mid": mid, "volume_usd": 1000.0 * mid}, index=minutes)
    sigma, volume = ip.day_scale(base)
    assert sigma == pytest.approx(np.std(steps[:24], ddof=1) * np.sqrt(24))
    assert volume == pytest.approx(24 * 1000.0)         # 1,000 tokens an hour
    sigma, volume = ip.day_scale(base.loc[:720])        # a run of 12 hours: its rate per day
    assert volume == pytest.approx(24 * 1000.0) and sigma == pytest.approx(
        np.std(steps[:12], ddof=1) * np.sqrt(24))


def test_the_prefactor_is_the_same_for_every_size_under_the_square_root_law():
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    rng = np.random.default_rng(3)
    rows = []
    for seed in range(20):
        sigma, volume = rng.uniform(0.03, 0.08), rng.uniform(2e7, 4e7)
        for q in (2.5e5, 1e6, 4e6):
            law = 0.8 * sigma * np.sqrt(q / volume)
            rows.append({"q": q, "seed": seed, "sigma_D": sigma, "V_D": volume,
                         "peak": law if q < 4e6 else 2 * law})   # the largest sale: twice
    table = ip.prefactor(pd.DataFrame(rows), np.random.default_rng(0))
    assert table["Y"].tolist() == [0.8, 0.8, 1.6]
    low, high = (float(x) for x in table.loc[0, "Y 95% CI"].strip("[]").split(", "))
    assert low == high == 0.8                           # every seed on the law: no spread
    assert table.loc[1, "Q / V_D"] == round(np.mean([1e6 / r["V_D"] for r in rows
                                                     if r["q"] == 1e6]), 4)
    one = ip.prefactor(pd.DataFrame(rows[:3]), np.random.default_rng(0))   # one seed
    assert one["Y"].tolist() == [0.8, 0.8, 1.6] and set(one["Y 95% CI"]) == {"(one seed)"}


def test_retail_kinds_are_shares_of_the_net_sale_at_the_run_s_end():
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    frame = pd.DataFrame({"q": [1e6, 1e6], "net_sale run end": [1e6, 3e6],
                          "retail noise": [0.5e6, 0.5e6], "retail momentum": [0.0, -0.2e6],
                          "retail fundamentalist": [0.2e6, 0.6e6]})
    table = ip.retail_kinds(frame)
    assert list(table.columns) == ["Q (tokens)", "noise", "momentum", "fundamentalist"]
    assert table.iloc[0, 1:].tolist() == [0.25, -0.05, 0.2]          # means over 2M
    args = type("Args", (), {"months": 0.05, "sale_hours": 24.0})()
    assert ip.end_label(args) == "12 hours after the sale ends"
    args.months = 1.0
    assert ip.end_label(args) == "29 days after the sale ends"


@pytest.mark.slow
def test_part_two_reports_each_strategy_s_levels_hold_included(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "experiments" / "impact_persistence.py"),
                           "--part", "strategies", "--months", "0.004", "--seeds", "1",
                           "--workers", "1", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    levels = pd.read_parquet(tmp_path / "strategy_levels.parquet")
    assert set(levels["strategy"]) == {"hold", "article", "twap_sale"}
    assert (levels["depth_2pct_usd"] > 0).all() and (levels["price_end"] > 0).all()
    section = (tmp_path / "report.md").read_text().split("## Part 2: levels, hold included")[1]
    hold = next(line for line in section.splitlines() if line.startswith("| adaptive | hold |"))
    price = levels.query("beliefs == 'adaptive' and strategy == 'hold'")["price_end"].iloc[0]
    assert hold.split("|")[3].strip().split(" [")[0] == f"{price:.3g}"     # the mean, unsigned


def test_sizes_are_tokens_from_10k_to_4m_and_a_bad_one_is_one_line(tmp_path):
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_persistence as ip
    assert ip._size("1e6") == 1_000_000.0 and ip._size("4000000") == ip.SIZES[-1]
    refused_in_one_line(tmp_path, ["--sizes", "1e6", "5e6"],
                        "argument --sizes: must be a number of tokens from 10000 to 4000000, "
                        "got '5e6'")
    refused_in_one_line(tmp_path, ["--sizes", "nan"],
                        "argument --sizes: must be a number of tokens from 10000 to 4000000, "
                        "got 'nan'")


def test_gap_drift_splits_the_gap_s_change_by_news_hours_and_reads_the_maker_s_excess():
    sys.path.insert(0, str(ROOT / "experiments"))
    import gap_drift as gd
    hours = np.arange(0, 12 * 24 + 1)
    news = np.ones(len(hours))
    loud = hours % 10 == 0                              # a jump of the news every 10 hours
    news = np.exp(np.cumsum(np.where(loud, 0.05, 0.0)))
    hold = pd.DataFrame({"mid": 1.0, "fundamental": news, "supply_tokens_market_maker": 10e6},
                        index=pd.Index(hours * 60.0, name="minute"))
    # the sale's world: 4% below from day 1, then 0.1% lower in each hour without news (the
    # hour of a jump and the next are news hours), and 0.1M tokens above its aim
    quiet = ~(loud | np.roll(loud, 1)) & (hours > 5 * 24)
    gap = np.where(hours >= 24, 0.04, 0.0) + 0.001 * np.cumsum(quiet)
    sale = hold.assign(mid=np.exp(-gap), supply_tokens_market_maker=10e6 - 1e6 + 1e5)
    out = gd.drift(hold, sale, q=1e6, from_day=5)
    assert out["peak"] == pytest.approx(0.04) and out["at from_day"] == pytest.approx(0.04)
    assert out["in quiet hours"] == pytest.approx(0.001 * quiet.sum())
    assert out["in news hours"] == pytest.approx(0.0, abs=1e-12)
    assert out["drift"] == pytest.approx(out["in quiet hours"])
    assert out["excess day 7"] == pytest.approx(1e5) and np.isnan(out["excess day 14"])
    assert out["gap day 10"] == pytest.approx(gap[10 * 24])
    table = gd.summary(pd.DataFrame([{"seed": 0, **out}, {"seed": 1, **out}]))
    assert "excess day 14 (M tokens)" not in set(table["figure"])        # days not reached
    assert table.set_index("figure").loc["excess day 7 (M tokens)", "mean"] == pytest.approx(0.1)


def test_set_reaches_every_script_own_scenario_and_sweep_and_a_swept_key_is_refused(tmp_path):
    import argparse
    sys.path.insert(0, str(ROOT / "experiments"))
    import _common
    args = argparse.Namespace(seeds=2, sets={"latent.memory_hours": "24", "world.regime": "bust"},
                              scenario=_common.SCENARIO)
    spec = _common.sweep_of(args, {"world.regime": "boom"}, {"world.annual_vol": [0.5, 1.0]})
    assert spec["set"] == {"latent.memory_hours": "24", "world.regime": "boom"}  # the script's stay
    assert spec["grid"] == {"world.annual_vol": [0.5, 1.0]} and spec["seeds"] == 2
    # case_move checks --set against MOVE's scenario (the article's refused a MOVE-sized key)
    done = subprocess.run([sys.executable, str(ROOT / "experiments" / "case_move.py"), "--set",
                           "retail.early_tokens=2e10", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "token.total_supply (1e+10) must cover" in done.stderr.strip().splitlines()[-1]
    done = subprocess.run([sys.executable, str(ROOT / "experiments" / "vol_profits.py"), "--set",
                           "world.annual_vol=0.3", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip().splitlines()[-1].endswith(
        "--set world.annual_vol: this script sweeps it (world.annual_vol, world.year_multiple)")
    assert not any(tmp_path.iterdir())


def metaorders_frame(delta: float, week: float, month: float, seeds: int = 6) -> pd.DataFrame:
    """A metaorders.parquet of five sizes whose peaks grow like Q^delta (a little noise by
    seed) and whose gaps are `week` and `month` of the peak."""
    rng = np.random.default_rng(1)
    rows = []
    for q in (2.5e5, 5e5, 1e6, 2e6, 4e6):
        for seed in range(seeds):
            peak = 0.05 * (q / 4e6) ** delta * (1 + 0.02 * rng.standard_normal())
            rows.append({"q": q, "seed": seed, "peak": peak, "1w": week * peak,
                         "1m": month * peak})
    return pd.DataFrame(rows)


def test_the_frontier_places_a_setting_by_its_exponent_and_what_stays(tmp_path):
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_frontier as fr
    cases = {"inside": (0.55, 0.6, 0.7), "steep": (0.8, 0.6, 0.7),       # delta above
             "week": (0.55, 0.3, 0.7), "month": (0.55, 0.6, 0.9)}       # a share outside
    for name, (delta, week, month) in cases.items():
        (tmp_path / name).mkdir()
        frame = metaorders_frame(delta, week, month)
        frame.attrs = {"sale_hours": 12.0, "seller": "maker", "months": 1.0,
                       "sets": {"latent.width": "0.25"}}
        frame.to_parquet(tmp_path / name / "metaorders.parquet")
    m = {name: fr.measure(tmp_path / name) for name in cases}
    assert abs(m["inside"]["fit"]["exponent"] - 0.55) < 0.03
    assert abs(m["steep"]["fit"]["exponent"] - 0.8) < 0.03
    assert np.allclose(fr.placed(m["inside"], "1w"), 0.6) and len(fr.placed(m["month"], "1m")) == 4
    assert [fr.meets(m[name]) for name in cases] == [True, False, False, False]
    assert m["inside"]["label"] == "12 h, width=0.25" and m["inside"]["seeds"] == 6
    done = subprocess.run([sys.executable, str(ROOT / "experiments" / "impact_frontier.py"),
                           str(tmp_path / "inside"), str(tmp_path / "week"),
                           "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = (tmp_path / "out" / "report.md").read_text()
    assert "| 1w / peak, 0.25M / 0.5M / 1M / 2M / 4M |" in report
    assert re.search(r"\| 12 h, width=0\.25 \| 6 \| 0\.5[456] \[0\.5\d, 0\.5\d\] \| "
                     r"0\.60 / 0\.60 / 0\.60 / 0\.60 / 0\.60 \|", report)
    assert [line.split(" | ")[-2] for line in report.splitlines()
            if line.startswith("| 12 h")] == ["yes", "no"]
    assert (tmp_path / "out" / "impact_frontier.png").stat().st_size > 20_000


def test_the_frontier_reads_an_older_output_s_report_and_refuses_bad_ones_in_one_line(tmp_path):
    sys.path.insert(0, str(ROOT / "experiments"))
    import impact_frontier as fr
    old = tmp_path / "old"
    old.mkdir()
    metaorders_frame(0.6, 0.5, 0.7).to_parquet(old / "metaorders.parquet")   # no record
    (old / "report.md").write_text(
        "# Does the sale's impact last?\n\nChanged from the scenario (--set): "
        "`latent.slow_share=0.25`, `latent.width=0.3`.\n\n## Part 1: a sale of Q tokens over "
        "18 hours by the market maker against holding (loan 10M)\n")
    assert fr.measure(old)["label"] == "18 h, slow_share=0.25, width=0.3"
    (old / "report.md").write_text("## Part 1: a sale of Q tokens over 24 hours by an outside "
                                   "seller (insiders) against holding (loan 10M)\n")
    assert fr.measure(old)["label"] == "outside seller, 24 h"
    short, corrupt = tmp_path / "short", tmp_path / "corrupt"
    short.mkdir(), corrupt.mkdir()
    metaorders_frame(0.6, 0.5, np.nan).to_parquet(short / "metaorders.parquet")
    (corrupt / "metaorders.parquet").write_bytes(b"PAR1 not really")
    nocol, empty, small = tmp_path / "nocol", tmp_path / "empty", tmp_path / "small"
    for d, frame in ((nocol, metaorders_frame(0.6, 0.5, 0.7).drop(columns="1m")),
                     (empty, metaorders_frame(0.6, 0.5, 0.7).iloc[:0]),
                     (small, metaorders_frame(0.6, 0.5, 0.7).query("q < 5e5"))):
        d.mkdir()
        frame.to_parquet(d / "metaorders.parquet")
    (tmp_path / "no_report").mkdir()
    metaorders_frame(0.6, 0.5, 0.7).to_parquet(tmp_path / "no_report" / "metaorders.parquet")
    assert fr.measure(tmp_path / "no_report")["label"] == "? h, (no record of the run)=?"
    for directory, message in ((tmp_path / "none", "metaorders.parquet not found"),
                               (short, "do not reach a month"),
                               (corrupt, "is not a readable Parquet file"),
                               (nocol, "has no 1m column"), (empty, "has no runs"),
                               (small, "no sale of 0.5M or more")):
        with pytest.raises(SystemExit) as stop:          # sys.exit(text): one line, status 1
            fr.measure(directory)
        assert message in str(stop.value.code) and "\n" not in str(stop.value.code)
