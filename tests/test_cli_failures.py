"""Nothing lost, nothing cryptic: every bad input and fault a newcomer can meet gets one line on
stderr (no traceback) and the documented exit code, and interrupted work keeps what finished.
The command-line cases run `python -m mmabm` in a real subprocess; Ctrl-C is a real SIGINT."""
import importlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import mmabm.runner
from mmabm.cli import main
from mmabm.config import ConfigError, load_config, scenario_names
from mmabm.runner.outputs import json_text, staged_dir, write_atomic
from mmabm.venues.wallets import InsufficientFunds, Wallets

REPO = Path(__file__).parents[1]
SMALL = ["--set", "retail.n_traders=100", "--set", "run.record_every_minutes=30"]


def mmabm_cli(*args: str, cwd: Path = REPO, env: dict | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mmabm", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def one_line(stderr: str) -> str:
    """The error: stderr holds exactly one line, and no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """Results a newcomer might hand to `plot`: a truncated series, an empty Parquet file, an
    empty folder, a file where a folder belongs, a bad TOML, a sweep with no finished run."""
    where = tmp_path_factory.mktemp("broken")
    (where / "cut").mkdir()
    frame = pd.DataFrame({"minute": range(100), "mid": 1.0})
    frame.to_parquet(where / "whole.parquet")
    (where / "cut" / "timeseries.parquet").write_bytes(
        (where / "whole.parquet").read_bytes()[:300])
    (where / "empty").mkdir()
    (where / "empty" / "paths.parquet").write_bytes(b"")
    (where / "nothing").mkdir()
    (where / "a_file").write_text("x")
    (where / "bad.toml").write_text("[run\nseed = ")
    (where / "sweep").mkdir()
    (where / "sweep" / "sweep.json").write_text(json.dumps({"fields": ["a", "b"]}))
    fake = where / "no_dask"
    (fake / "distributed").mkdir(parents=True)
    (fake / "distributed" / "__init__.py").write_text("raise ImportError('no Dask here')\n")
    return where


@pytest.mark.slow      # a Python process per case: the release pass runs them
@pytest.mark.parametrize("args, message", [
    (["run", "--months", "0"], "run.months must cover at least one recorded row"),
    (["run", "--seed", "-1"], "run.seed must be in [0, 9223372036854775807], got -1"),
    (["run", "--seed", "99999999999999999999"], "run.seed must be in"),
    (["run", "--set", "dex.pool_usd=2000000"], "market_maker.usdt_capital (1,000,000 USDT) must "
                                               "fund"),
    (["run", "--set", "market_maker.usdt_capital=1000"], "dex.pool_usd / 2 = 500,000"),
    (["run", "--set", "run.listing_date=yesterday"], "run.listing_date must be a date"),
    (["run", "no_such_scenario"], "neither a file nor a shipped scenario (article, move)"),
    (["run", "{tmp}/bad.toml"], "not valid TOML"),
    (["run", "{tmp}/nothing"], "is a directory, not a TOML file"),
    (["run", "--out", "{tmp}/a_file"], "is a file, not a folder"),
    (["compare", "--workers", "0"], "--workers must be at least 1"),
    (["compare", "--seeds", "0"], "--seeds must be at least 1"),
    (["plot", "{tmp}/cut"], "timeseries.parquet is not a readable Parquet file"),
    (["plot", "{tmp}/empty"], "paths.parquet is not a readable Parquet file"),
    (["plot", "{tmp}/nothing"], "holds no results of mmabm run, compare or sweep"),
    (["plot", "{tmp}/no_folder"], "is not a folder written by mmabm"),
    (["plot", "{tmp}/sweep"], "holds a sweep with no finished run yet"),
])
def test_bad_input_is_one_line_and_exit_2(broken, args, message):
    done = mmabm_cli(*[a.replace("{tmp}", str(broken)) for a in args])
    assert done.returncode == 2
    assert message in one_line(done.stderr)


@pytest.mark.slow
def test_an_unreachable_dask_scheduler_is_one_line(broken, tmp_path):
    done = mmabm_cli("compare", "--months", "0.002", "--seeds", "1", "--out", str(tmp_path),
                     "--dask", "tcp://127.0.0.1:1")
    assert done.returncode == 2
    assert "cannot reach a Dask scheduler at 'tcp://127.0.0.1:1'" in one_line(done.stderr)


@pytest.mark.slow
def test_dask_missing_is_one_line(broken, tmp_path):
    done = mmabm_cli("compare", "--months", "0.002", "--seeds", "1", "--out", str(tmp_path),
                     "--dask", "local", env={"PYTHONPATH": str(broken / "no_dask")})
    assert done.returncode == 2
    assert "--dask needs Dask, which is not installed" in one_line(done.stderr)


@pytest.mark.slow
def test_version_and_shipped_scenarios_outside_the_clone(tmp_path):
    done = mmabm_cli("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("mmabm ")
    done = mmabm_cli("run", "article", "--months", "0.002", *SMALL, "--out", "here",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "here" / "run.json").read_text())["scenario"] == "article"
    assert scenario_names() == ["article", "move"]
    assert load_config("article") == load_config(REPO / "scenarios" / "article.toml")
    assert load_config("move.toml").run.listing_date == "2024-12-09"


def test_a_crash_is_one_line_pointing_at_a_log_with_the_traceback(monkeypatch, capsys,
                                                                   tmp_path):
    def crash(*args, **kwargs):
        raise ZeroDivisionError("a bug deep inside")
    monkeypatch.setattr(mmabm.runner, "run", crash)
    assert main(["run", "--months", "0.002", "--out", str(tmp_path / "out")]) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith("mmabm run: the run of article (strategy article, seed 0) failed: "
                           "ZeroDivisionError: a bug deep inside (traceback in ")
    log = Path(line.rsplit("traceback in ", 1)[1].rstrip(")"))
    assert "Traceback" in log.read_text() and "crash" in log.read_text()
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_compare_whose_runs_all_fail_exits_1(monkeypatch, capsys, tmp_path):
    # the module (the package's `run` is the function): the executor imports run from it
    monkeypatch.setattr(importlib.import_module("mmabm.runner.run"), "run",
                        lambda *a, **k: 1 / 0)
    assert main(["compare", "--months", "0.002", "--seeds", "2", "--workers", "1",
                 "--strategies", "hold,article", "--out", str(tmp_path)]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("  [")]
    assert len(err) == 1 and err[0].startswith("mmabm compare: all 4 runs failed")
    assert "ZeroDivisionError" in err[0]
    assert len(pd.read_parquet(tmp_path / "runs.parquet")) == 4


@pytest.mark.slow
def test_more_workers_than_cpus_are_capped_and_said(capsys, tmp_path):
    assert main(["compare", "--months", "0.002", "--seeds", "1", "--workers", "100000",
                 "--strategies", "hold,article", *SMALL, "--out", str(tmp_path)]) == 0
    assert f"using {os.cpu_count()}" in capsys.readouterr().err


def _interrupt_after(args: list[str], marker: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Start `mmabm args`, wait for `marker` on stderr, send SIGINT (Ctrl-C), collect.

    The child gets the default SIGINT disposition, as from a terminal: a suite started in the
    background (`make test &`, nohup) ignores SIGINT, and a child would inherit that."""
    process = subprocess.Popen([sys.executable, "-m", "mmabm", *args], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = []
    for line in process.stderr:
        seen.append(line)
        if marker in line:
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, out, "".join(seen) + err)


@pytest.mark.slow
def test_ctrl_c_during_a_run_leaves_the_old_results_untouched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"old": true}')
    done = _interrupt_after(["run", "--months", "3", *SMALL, "--out", str(out)], "day    10",
                            tmp_path)
    assert done.returncode == 130
    last = done.stderr.strip().splitlines()[-1]
    assert last == f"mmabm run: interrupted; nothing was written ({out} is as it was)"
    assert "Traceback" not in done.stderr
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert json.loads((out / "summary.json").read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]       # no partial folder left


@pytest.mark.slow
def test_ctrl_c_during_a_compare_keeps_finished_runs_and_it_resumes(tmp_path, capsys):
    args = ["compare", "--months", "0.05", "--seeds", "3", "--workers", "1",
            "--strategies", "hold,article", *SMALL, "--out", str(tmp_path)]
    done = _interrupt_after(args, "[2/6]", tmp_path)
    assert done.returncode == 130 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(
        "mmabm compare: interrupted; the runs that finished are kept in")
    kept = sorted((tmp_path / "runs").glob("*.json"))
    assert 2 <= len(kept) < 6
    assert main(args) == 0
    captured = capsys.readouterr()
    assert f"{len(kept)} of 6 runs were kept from an earlier, interrupted compare" in captured.out
    assert f"[{6 - len(kept)}/{6 - len(kept)}]" in captured.err
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == 6 and runs["error"].isna().all()


@pytest.mark.slow
def test_an_interrupted_sweep_can_be_plotted(tmp_path):
    from mmabm.runner import sweep, sweep_spec
    spec = sweep_spec({"scenario": str(REPO / "scenarios" / "article.toml"), "seeds": 1,
                       "set": {"run.months": 0.002, "retail.n_traders": 100},
                       "grid": {"dex.pool_usd": [500_000.0, 1_000_000.0],
                                "market_maker.quote_levels": [5, 10]}})

    def stop_after_two(outcome, done, total):
        if done == 2:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        sweep(spec, tmp_path, workers=1, on_done=stop_after_two)
    assert json.loads((tmp_path / "sweep.json").read_text())["fields"] == [
        "dex.pool_usd", "market_maker.quote_levels"]
    assert len(pd.read_parquet(tmp_path / "summary.parquet")) == 2
    assert main(["plot", str(tmp_path), "--metric", "price_end"]) == 0
    assert (tmp_path / "heatmap_price_end.png").exists()
    # a metric without values: one line, exit 2, no empty heat map
    assert main(["plot", str(tmp_path), "--metric", "project_tokens_returned"]) == 2
    assert not (tmp_path / "heatmap_project_tokens_returned.png").exists()


@pytest.mark.slow
def test_summary_is_strict_json_with_null_where_a_metric_does_not_apply(tmp_path):
    assert main(["run", "--months", "0.01", *SMALL, "--set", "market_maker.strategy=hold",
                 "--out", str(tmp_path)]) == 0
    text = (tmp_path / "summary.json").read_text()
    summary = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert summary["initial_sale_tokens"] is None            # hold makes no initial sale
    assert summary["project_tokens_returned"] is None        # the contract has not matured
    assert summary["price_1m"] is None and summary["price_end"] > 0
    ts = pd.read_parquet(tmp_path / "timeseries.parquet")
    assert list(ts.columns[:2]) == ["minute", "timestamp"]
    assert ts["timestamp"].iloc[0] == pd.Timestamp("2025-01-01") + pd.Timedelta(
        minutes=int(ts["minute"].iloc[0]))
    ledger = pd.read_csv(tmp_path / "ledger.csv")
    assert {"market_maker", "project", "noise"} <= set(ledger["agent"])
    assert (ledger.loc[ledger["owner"] >= 1_000_000, "agent"] != "market_maker").all()


def test_json_text_writes_null_for_values_that_do_not_exist():
    import numpy as np
    text = json_text({"a": float("nan"), "b": [np.float64("inf"), 1.5], "c": np.int64(3)})
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "c": 3}


def test_staged_output_replaces_all_or_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with staged_dir(out) as tmp:
            (tmp / "new.txt").write_text("new")
            raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    with staged_dir(out) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in out.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def cut_short(path):
        path.write_text("half")
        raise ValueError("cut")
    with pytest.raises(ValueError):
        write_atomic(out / "new.txt", cut_short)
    assert (out / "new.txt").read_text() == "new"
    assert sorted(p.name for p in out.iterdir()) == ["new.txt"]


def test_wallet_errors_name_the_agent_and_amounts_in_usdt_and_tokens():
    wallets = Wallets()
    wallets.describe = {7: "market_maker"}.__getitem__
    wallets.mint(7, usdt=760_000, tokens=2_760_000)
    with pytest.raises(InsufficientFunds, match=r"market_maker \(owner 7\) holds 760,000.00 USDT "
                       r"and 2,760,000.00 tokens in its wallet, cannot send 1,000,000.00 USDT"):
        wallets.send(7, 1_000_000 * 10**6, 0)
    with pytest.raises(InsufficientFunds, match=r"^owner 8 holds 0.00 USDT"):
        wallets.send(8, 1, 0)


def test_contract_terms_the_market_maker_cannot_fund_name_the_keys():
    with pytest.raises(ConfigError, match=r"market_maker.usdt_capital \(1,000,000 USDT\) must "
                       r"fund .* 1,240,000 USDT .*dex.pool_usd / 2 = 1,000,000"):
        load_config("article", {"dex.pool_usd": 2_000_000})
    with pytest.raises(ConfigError, match=r"contract.loan_tokens \(720,000\) must fund"):
        load_config("article", {"contract.loan_tokens": 720_000, "market_maker.sale_fraction": 0})
    assert load_config("article", {"dex.pool_usd": 2_000_000,
                                   "market_maker.usdt_capital": 1_240_000})


def test_an_unbuilt_core_is_one_line_that_says_how_to_build(monkeypatch, capsys):
    """A source checkout whose compiled modules are missing: the import error, named, and the
    command that builds them, not a traceback."""
    monkeypatch.setitem(sys.modules, "mmabm.runner.executor", None)   # import -> ImportError
    assert main(["run", "--months", "0.01"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot load mmabm" in err[0] and "pip install -e ." in err[0]
