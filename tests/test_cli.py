"""`mmabm run`, the main job: files with the documented content, named errors, exit codes."""
import json

import pandas as pd
import pytest

import mmabm
from mmabm.cli import main
from mmabm.config import load_config
from mmabm.plots import delta_figure, events, liquidity_figure, price_figure

TINY = ["run", "--months", "0.01", "--set", "retail.n_traders=100", "--set", "run.record_every_minutes=30"]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("main")
    assert main([*TINY, "--seed", "4", "--out", str(out)]) == 0
    return out


def test_writes_summary_config_series_ledger_and_figures(out):
    summary = json.loads((out / "summary.json").read_text())
    assert summary["initial_sale_tokens"] == 2_300_000 and "mm_pnl_total" in summary
    config = json.loads((out / "config.json").read_text())
    assert config["run"]["seed"] == 4 and config["run"]["months"] == 0.01
    made = json.loads((out / "run.json").read_text())
    assert made["seed"] == 4 and made["code_version"].startswith(mmabm.__version__)
    assert made["command"][:2] == ["mmabm", "run"] and made["wall_s"] > 0
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert {"mid", "amm_price", "mm_delta_liability", "mm_pnl"} <= set(ts.columns)
    assert len(ts) == int(0.01 * 30 * 24 * 60 / 30) + 1
    assert set(pd.read_csv(out / "ledger.csv")["when"]) == {"start", "end"}
    for name in ("prices", "liquidity", "delta", "pnl", "funding"):
        data = (out / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


# whole-model runs: the release pass only (the debug pass traces the same code elsewhere)
@pytest.mark.slow
def test_long_runs_report_progress_on_stderr(tmp_path, capsys):
    assert main(["run", "--months", "0.7", "--set", "retail.n_traders=50", "--set",
                 "retail.launch_orders_per_minute=0.2", "--set", "market_maker.requote_minutes=30",
                 "--set", "arbitrage.reaction_minutes=30", "--set", "run.step_minutes=30",
                 "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "day    10 of 21" in err and "to go" in err


def test_price_figure_draws_every_venue_and_the_news_value(out):
    ts = pd.read_parquet(out / "timeseries.parquet")
    labels = [line.get_label() for line in price_figure(ts).axes[0].get_lines()]
    assert [x for x in labels if not x.startswith("_")] == [
        "main mid", "cex2 mid", "cex3 mid", "DEX pool", "perp mark", "news value (exogenous)"]


def test_price_figure_marks_the_sale_unlocks_maturity_and_strikes():
    ts = pd.DataFrame({"minute": [60, 120, 180, 240, 300], "mid": 1.0, "fundamental": 1.0,
                       "amm_price": 1.0, "perp_mark": 1.0, "mid_main": 1.0,
                       "mm_sold_tokens": [0, 5, 9, 9, 9],
                       "supply_tokens_insider": [0, 0, 0, 10, 20]})
    assert [label for _, label in events(ts)] == ["sale starts", "sale ends", "unlock"]
    assert [day * 1440 for day, _ in events(ts)] == [120, 180, 240]
    config = load_config("article", {"contract.months": 1})
    late = ts.assign(minute=ts["minute"] + 30 * 1440)          # past the 30-day maturity
    assert events(late, config)[-1] == (30, "maturity")
    ax = price_figure(ts, config=config).axes[0]
    strikes = [line for line in ax.get_lines() if line.get_label() == "calls' strikes"]
    assert strikes and strikes[0].get_ydata()[0] == 1.25      # 2.0 is beyond 1.5x the price
    assert len([x for x in ax.get_lines() if x.get_ydata()[0] == 2.0]) == 0
    spread = liquidity_figure(ts.assign(depth_bid_usd=1, depth_ask_usd=1, spread_bps=5), 1e5,
                              10.0).axes[1]
    assert [line.get_label() for line in spread.get_lines()] == ["spread", "obligation's limit"]


def test_delta_figure_shows_holdings_hedge_and_both_views(out):
    ts = pd.read_parquet(out / "timeseries.parquet")
    top, bottom = delta_figure(ts).axes
    assert [line.get_label() for line in top.get_lines()][:2] == ["tokens held (spot + pool)",
                                                                 "perp position"]
    assert len(bottom.get_lines()) == 3                     # two views and the zero line
    held = top.get_lines()[0].get_ydata()
    assert held.max() > 2.0 and held.min() > 0             # millions: the loan, then the sale


@pytest.mark.parametrize("argv, message", [
    (["--set", "market_maker.stratgy=hold"], "unknown key 'market_maker.stratgy'"),
    (["--set", "run.months"], "--set needs KEY=VALUE"),
    (["--months", "-1"], "run.months must be in"),
    (["no/such.toml"], "does not exist"),
])
def test_bad_input_exits_2_with_a_named_error(argv, message, capsys, tmp_path):
    assert main(["run", *argv, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_price_figure_draws_the_news_the_market_reads_only_when_it_has_learnt_from_flow(out):
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert (ts["news_revision"] == 0).all()                  # off by default
    learnt = ts.assign(news_revision=-0.1)
    line = [x for x in price_figure(learnt).axes[0].get_lines()
            if x.get_label() == "news as the market reads it (flow learning)"]
    assert len(line) == 1
    assert line[0].get_ydata()[0] == pytest.approx(ts["fundamental"].iloc[0] * 0.904837, rel=1e-5)


def test_the_obligations_line_says_uptime_and_what_the_misses_cost():
    from mmabm.cli import _obligations_line
    from mmabm.config import Config
    s = {"mm_uptime_main": 0.234, "mm_uptime_cex2": 0.5, "mm_uptime_cex3": 1.0,
         "mm_windows_with_miss": 2.0, "mm_windows_closed": 3.0, "mm_penalties_usdt": 0.0,
         "mm_penalties_unpaid_usdt": 0.0, "mm_calls_forfeited": 0.0,
         "mm_mandate_ended_month": float("nan"), "mm_compliance_tokens": 0.0,
         "mm_compliance_usdt": 0.0, "project_extra_lent_tokens": 0.0}
    line = _obligations_line(s, Config())
    assert "23% / 50% / 100% of the minutes (main / cex2 / cex3)" in line
    assert line.endswith("2 of 3 windows below 0.9")            # nothing else to say
    s |= {"mm_penalties_usdt": 1500.0, "mm_calls_forfeited": 1.0,
          "mm_mandate_ended_month": None, "mm_compliance_tokens": 2000.0,
          "project_extra_lent_tokens": 2000.0}                  # None: JSON's NaN
    line = _obligations_line(s, Config())
    assert "penalties $1,500 paid" in line and "1 call tranches forfeited" in line
    assert "borrowed 2,000 tokens" in line and "mandate" not in line
