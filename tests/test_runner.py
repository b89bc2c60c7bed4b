"""Paired comparisons, sweeps (local pool and Dask, resume, failures, reproducibility) and the
`mmabm compare | sweep | plot` commands, on tiny scenarios (a few simulated hours). The tests
that run the model are marked slow: the release pass runs them, the debug/coverage pass not."""
import importlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmabm.cli import main
from mmabm.config import Config, ConfigError
from mmabm.runner import compare, fan, heatmap_table, paired_differences, sweep, sweep_spec
from mmabm.runner.compare import t975
from mmabm.plots import fan_figure, heatmap_figure

TINY = Config().override({"run.months": 0.008, "retail.n_traders": 100,
                          "retail.launch_orders_per_minute": 2, "run.record_every_minutes": 30,
                          "market_maker.sale_horizon_hours": 2})
SWEEP = {"scenario": "article.toml", "seeds": 2, "design": "grid",
         "set": {"run.months": 0.008, "retail.n_traders": 100,
                 "retail.launch_orders_per_minute": 2, "run.record_every_minutes": 30},
         "grid": {"dex.pool_usd": [500_000.0, 1_000_000.0],
                  "market_maker.strategy": ["article", "hold"]}}


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory):
    where = tmp_path_factory.mktemp("scenario")
    (where / "article.toml").write_text(
        (Path(__file__).parents[1] / "scenarios" / "article.toml").read_text())
    return where


@pytest.fixture(scope="module")
def paired():
    return compare(TINY, ["hold", "article"], 3, workers=1)


def test_t_quantiles_match_the_table_and_the_normal_limit():
    assert t975(1) == pytest.approx(12.706) and t975(30) == pytest.approx(2.042)
    assert t975(31) == pytest.approx(2.040, abs=2e-3) and t975(10_000) == pytest.approx(1.96, abs=1e-3)
    with pytest.raises(ValueError, match="df must be at least 1"):
        t975(0)


def test_paired_difference_and_interval_by_hand():
    runs = pd.DataFrame({"strategy": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2] * 2,
                         "x": [1.0, 2.0, 3.0, 2.0, 4.0, 3.0], "error": [None] * 6})
    row = paired_differences(runs, "a").iloc[0]
    d = np.array([1.0, 2.0, 0.0])
    half = t975(2) * d.std(ddof=1) / math.sqrt(3)
    assert (row.strategy, row.metric, row.n) == ("b", "x", 3)
    assert row.mean_diff == pytest.approx(1.0) and row.ci_low == pytest.approx(1.0 - half)


@pytest.mark.slow
def test_compare_pairs_strategies_on_common_seeds(paired):
    runs = paired.runs
    assert list(runs["strategy"]) == ["hold"] * 3 + ["article"] * 3
    assert runs["error"].isna().all()
    assert runs["code_version"].nunique() == 1 and runs["code_version"].iat[0] != ""
    assert "code_version" not in set(paired.paired["metric"])     # not a metric
    # common random numbers: the exogenous world is the same for both strategies
    p = paired.paths
    for seed in range(3):
        a = p[(p.strategy == "article") & (p.seed == seed)]["fundamental"].to_numpy()
        h = p[(p.strategy == "hold") & (p.seed == seed)]["fundamental"].to_numpy()
        assert np.array_equal(a, h)
    sale = paired.paired.set_index("metric").loc["mm_sale_tokens_sold"]
    assert sale.mean_diff > 100_000 and sale.ci_low > 0            # only article sells
    assert paired.baseline == "hold"


def test_compare_rejects_unknown_or_single_strategies():
    with pytest.raises(ConfigError, match="market_maker.strategy must be a built-in"):
        compare(TINY, ["article", "dump"], 1)                  # before anything runs
    with pytest.raises(ConfigError, match="at least two distinct"):
        compare(TINY, ["article"], 1)


@pytest.mark.slow
def test_fan_quantiles_and_figure(paired):
    table = fan(paired.paths, "mid")
    assert set(table["strategy"]) == {"hold", "article"}
    assert (table["q10"] <= table["q50"]).all() and (table["q50"] <= table["q90"]).all()
    fig = fan_figure(table, "mid")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["hold (median, 10-90%)",
                                                             "article (median, 10-90%)"]
    assert len(ax.collections) == 2                                # the two bands


@pytest.fixture(scope="module")
def swept(scenario_dir, tmp_path_factory):
    spec = sweep_spec(SWEEP, base_dir=scenario_dir)
    out = tmp_path_factory.mktemp("sweep")
    return spec, out, sweep(spec, out, workers=2)


@pytest.mark.slow
def test_sweep_writes_runs_summary_and_a_partitioned_series(swept):
    spec, out, runs = swept
    assert len(runs) == 8 and (runs["status"] == "ok").all()
    assert {"run_id", "seed", "dex.pool_usd", "market_maker.strategy", "status", "error",
            "duration_s", "code_version"} <= set(runs.columns)
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 8 and "price_end" in summary
    series = pd.read_parquet(out / "timeseries")
    assert series["run_id"].nunique() == 8 and "mid" in series


@pytest.mark.slow
def test_sweep_resumes_and_records_failures_without_losing_the_others(swept, scenario_dir,
                                                                      monkeypatch):
    spec, out, runs = swept
    calls = []
    run_module = importlib.import_module("mmabm.runner.run")
    real = run_module.run

    def flaky(config, seed=None, progress=False):
        calls.append(seed)
        if seed == 2:
            raise RuntimeError("boom in the model")
        return real(config, seed, progress)

    monkeypatch.setattr(run_module, "run", flaky)
    bigger = sweep_spec({**SWEEP, "seeds": [0, 1, 2]}, base_dir=scenario_dir)
    again = sweep(bigger, out, workers=1)
    assert sorted(calls) == [2, 2, 2, 2]                         # only the new seed ran
    assert len(again) == 12 and (again["status"] == "failed").sum() == 4
    failed = again[again["status"] == "failed"]
    assert failed["error"].str.contains("boom in the model").all()
    assert (again[again["seed"] < 2]["status"] == "ok").all()


@pytest.mark.slow
def test_same_sweep_twice_gives_identical_results(scenario_dir, tmp_path):
    spec = sweep_spec({**SWEEP, "seeds": 1, "grid": {"dex.pool_usd": [500_000.0]}},
                      base_dir=scenario_dir)
    a, b = tmp_path / "a", tmp_path / "b"
    sweep(spec, a, workers=1)
    sweep(spec, b, workers=1)
    pd.testing.assert_frame_equal(pd.read_parquet(a / "summary.parquet"),
                                  pd.read_parquet(b / "summary.parquet"))
    pd.testing.assert_frame_equal(pd.read_parquet(a / "timeseries"), pd.read_parquet(b / "timeseries"))


@pytest.mark.slow
def test_sweep_runs_on_a_dask_local_cluster(scenario_dir, tmp_path):
    pytest.importorskip("distributed")
    spec = sweep_spec({**SWEEP, "grid": {"dex.pool_usd": [500_000.0]}}, base_dir=scenario_dir)
    runs = sweep(spec, tmp_path, dask="local")
    local = sweep(spec, tmp_path / "local", workers=1)
    assert (runs["status"] == "ok").all() and len(runs) == 2
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "summary.parquet"),
                                  pd.read_parquet(tmp_path / "local" / "summary.parquet"))
    assert len(local) == 2


@pytest.mark.parametrize("change, message", [
    ({"grid": {"dex.pool_usd": []}}, "grid.dex.pool_usd must be a non-empty list"),
    ({"grid": {"dex.pool_usd": [-1.0]}}, "dex.pool_usd must be in"),
    ({"grid": {"dex.nope": [1.0]}}, "unknown key 'dex.nope'"),
    ({"seeds": 0}, "seeds must be a count"),
    ({"design": "latin"}, "design must be 'grid' or 'random'"),
    ({"colour": 1}, "unknown sweep key 'colour'"),
    ({"design": "random", "random": {"dex.fee": {"low": 0.01, "high": 0.001}}},
     "random.dex.fee: low must be below high"),
])
def test_bad_sweeps_name_the_key(scenario_dir, change, message):
    with pytest.raises(ConfigError, match=message):
        sweep_spec({**SWEEP, **change}, base_dir=scenario_dir)


def test_missing_or_malformed_sweep_files_are_named(tmp_path):
    from mmabm.runner import load_sweep
    with pytest.raises(ConfigError, match="sweep file .*nope.toml' does not exist"):
        load_sweep(tmp_path / "nope.toml")
    (tmp_path / "bad.toml").write_text("seeds = [\n")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_sweep(tmp_path / "bad.toml")


def test_random_design_draws_reproducible_points_in_range(scenario_dir):
    data = {**SWEEP, "design": "random", "samples": 5, "grid": {},       # capital for 1e7
            "set": {**SWEEP["set"], "market_maker.usdt_capital": 6e6},
            "random": {"dex.pool_usd": {"low": 1e5, "high": 1e7, "log": True}}}
    a, b = sweep_spec(data, scenario_dir), sweep_spec(data, scenario_dir)
    values = [p["dex.pool_usd"] for p in a.points]
    assert a.points == b.points and len(values) == 5 and all(1e5 <= v <= 1e7 for v in values)


@pytest.mark.slow
def test_heatmap_table_and_figure(swept):
    spec, out, _ = swept
    summary = pd.read_parquet(out / "summary.parquet")
    table = heatmap_table(summary, "price_end", "dex.pool_usd", "market_maker.strategy")
    assert table.shape == (2, 2) and table.notna().all().all()
    fig = heatmap_figure(table, "price_end")
    assert fig.axes[0].get_images()[0].get_array().shape == (2, 2)
    with pytest.raises(KeyError, match="'nope' is not a column"):
        heatmap_table(summary, "nope", "dex.pool_usd", "market_maker.strategy")


@pytest.mark.slow
def test_cli_compare_sweep_and_plot_end_to_end(scenario_dir, tmp_path, capsys):
    tiny = ["--months", "0.008", "--set", "retail.n_traders=100",
            "--set", "retail.launch_orders_per_minute=2", "--set", "run.record_every_minutes=30"]
    out = tmp_path / "cmp"
    assert main(["compare", str(scenario_dir / "article.toml"), *tiny, "--strategies",
                 "hold,article", "--seeds", "2", "--workers", "1", "--out", str(out)]) == 0
    for name in ("report.md", "paired.csv", "runs.parquet", "paths.parquet", "fan_mid.png"):
        assert (out / name).stat().st_size > 0
    assert "| article | price_end |" in (out / "report.md").read_text()
    (out / "fan_mid.png").unlink()
    assert main(["plot", str(out)]) == 0 and (out / "fan_mid.png").read_bytes()[:4] == b"\x89PNG"

    sweep_file = scenario_dir / "tiny_sweep.toml"
    sweep_file.write_text('scenario = "article.toml"\nseeds = 1\n[set]\n"run.months" = 0.008\n'
                          '"retail.n_traders" = 100\n[grid]\n"dex.pool_usd" = [5e5, 1e6]\n'
                          '"dex.fee" = [0.001, 0.003]\n')
    swept = tmp_path / "sw"
    assert main(["sweep", str(sweep_file), "--workers", "1", "--out", str(swept)]) == 0
    assert main(["plot", str(swept), "--metric", "price_end"]) == 0
    assert (swept / "heatmap_price_end.png").stat().st_size > 10_000
    assert json.loads((swept / "sweep.json").read_text())["fields"] == ["dex.pool_usd", "dex.fee"]
    assert main(["plot", str(swept), "--metric", "nope"]) == 2
    assert "'nope' is not a column" in capsys.readouterr().err
    assert main(["plot", str(tmp_path)]) == 2
    assert main(["compare", "--strategies", "article", "--seeds", "1"]) == 2
    assert main(["sweep", str(sweep_file), "--workers", "0"]) == 2
    assert "--workers must be at least 1, got 0" in capsys.readouterr().err
    with pytest.raises(ValueError, match="workers must be an integer >= 1"):
        sweep(sweep_spec(SWEEP, base_dir=scenario_dir), tmp_path / "w0", workers=0)
