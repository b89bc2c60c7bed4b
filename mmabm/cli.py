"""The `mmabm` command: run, compare, sweep, plot.

    mmabm run article --seed 3 --months 6 --set market_maker.strategy=hold
    mmabm compare article --strategies article,hold,twap_sale --seeds 20
    mmabm sweep experiments/sale_size.toml --workers 2          # or --dask tcp://host:8786
    mmabm plot out/compare
    mmabm strategies                                             # the market maker's policies

A scenario is a TOML file or the name of a shipped one (article, move).
Exit codes: 0 done; 1 failed work (some runs of a compare or sweep failed: recorded, the others
kept; or a run crashed: one line here, the traceback in a log file); 2 bad input (an unknown
key, a value out of range, a missing or unreadable file), with the reason on stderr;
130 interrupted (Ctrl-C): what had finished is kept, nothing is left half-written.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

DEFAULT_SCENARIO = "article"


class InputError(Exception):
    """Bad command-line input: reported on stderr, exit code 2."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("mmabm")
    except PackageNotFoundError:                    # run from a source tree, not installed
        return "unknown"


def _common(parser: argparse.ArgumentParser, out: str) -> None:
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help="scenario: a TOML file or a shipped scenario's name (article, "
                             "move; default: article)")
    parser.add_argument("--months", type=float, help="simulated months (overrides run.months)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value by dotted key, e.g. "
                             "market_maker.strategy=hold (repeatable; checked like the TOML)")
    parser.add_argument("--out", type=Path, default=Path(out), help=f"output directory (default: {out})")


def _where(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=None,
                        help="local processes (default and at most: one per CPU; 1 runs in "
                             "this process)")
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="run on Dask instead: a scheduler address (tcp://host:8786), a "
                             "scheduler file, or 'local' for a LocalCluster "
                             "(needs pip install 'mmabm[cluster]')")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="mmabm", description="Agent-based simulator of a crypto market maker's token-loan "
        "deal: run a scenario, compare strategies on paired seeds, sweep parameters, plot.",
        epilog="Exit codes: 0 done, 1 failed work (failed runs are recorded), 2 bad input, "
               "130 interrupted.")
    top.add_argument("--version", action="version", version=f"mmabm {_version()}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="one run: summary, config, time series, ledger, figures",
                         description="Play one scenario and write summary.json, config.json "
                         "(resolved, with the seed), run.json (code version, command), "
                         "timeseries.parquet, ledger.csv, liquidations.csv (the perp's, by "
                         "month) and the standard figures (prices, liquidity, delta, pnl, "
                         "funding).")
    _common(run, "out/main")
    run.add_argument("--seed", type=int, help="seed (default: the scenario's run.seed)")
    compare = sub.add_parser("compare", help="strategies on the same seeds, paired differences",
                             description="Run each strategy on the same seeds (common random "
                             "numbers), report each summary metric's paired difference against "
                             "the first strategy with a 95% confidence interval, and draw fan "
                             "charts (median, 10-90%) per strategy.")
    _common(compare, "out/compare")
    compare.add_argument("--strategies", default="article,hold,twap_sale",
                         help="comma-separated, the first is the baseline (default: "
                              "article,hold,twap_sale)")
    compare.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default: 10)")
    _where(compare)
    sweep = sub.add_parser("sweep", help="a grid or random design over config fields x seeds",
                           description="Run a sweep file (see mmabm.runner.sweep): results "
                           "go to runs.parquet, summary.parquet and a time-series dataset "
                           "partitioned by run; finished runs are skipped when it is run again.")
    sweep.add_argument("sweep_file", type=Path, help="sweep TOML")
    sweep.add_argument("--out", type=Path, default=None,
                       help="output directory (default: the file's `out`, else out/<name>)")
    _where(sweep)
    dash = sub.add_parser("dash", help="a live dashboard in the browser, or finished results",
                          description="Start a local web dashboard (needs pip install "
                          "'mmabm[viz]'): a scenario plays live (play, pause, step, speed; "
                          "strategy, seed, sale and market parameters; a second strategy side "
                          "by side on the same seed), or a folder written by run, compare or "
                          "sweep is browsed without re-running. Prints the URL; Ctrl-C stops it.")
    dash.add_argument("source", nargs="?", default=DEFAULT_SCENARIO,
                      help="a scenario (name or TOML file; default: article) or a results folder")
    dash.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0: any free)")
    dash.add_argument("--host", default="127.0.0.1", help="address to listen on (default: "
                      "127.0.0.1, this machine only)")
    dash.add_argument("--open", action="store_true", help="open the page in a browser")
    strategies = sub.add_parser("strategies", help="the market-maker strategies available",
                                description="List the built-in strategies with one line each, "
                                "or check a class of yours ('module:Class' or "
                                "'path/file.py:Class') and show its parameters.")
    strategies.add_argument("check", nargs="?", help="a strategy to check and describe")
    plot = sub.add_parser("plot", help="re-draw figures from stored results",
                          description="Re-draw the figures of a run, a comparison (fan charts) "
                          "or a sweep (a heat map of a summary metric over two swept fields).")
    plot.add_argument("results", type=Path, help="a directory written by run, compare or sweep")
    plot.add_argument("--metric", default="price_3m", help="sweep: the summary metric to map")
    plot.add_argument("--x", help="sweep: swept field on the x axis (default: the first)")
    plot.add_argument("--y", help="sweep: swept field on the y axis (default: the second)")
    return top


def main(argv: list[str] | None = None) -> int:
    """The command line: every failure is one line on stderr and an exit code (see above)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    args.argv = argv                                     # recorded in run.json
    args.what = "this command"                           # named when something fails
    try:
        from mmabm.config import ConfigError
        from mmabm.runner.executor import ClusterError
    except ImportError as err:                           # a checkout whose core was never built
        print(f"mmabm {args.command}: cannot load mmabm ({err}); build it first: "
              f"make .venv/.installed, or pip install -e .", file=sys.stderr)
        return 1
    try:
        _check_where(args)
        return {"run": _run, "compare": _compare, "sweep": _sweep, "plot": _plot,
                "dash": _dash, "strategies": _strategies}[args.command](args)
    except KeyboardInterrupt:
        print(f"mmabm {args.command}: interrupted; {getattr(args, 'kept', 'nothing was written')}",
              file=sys.stderr)
        return 130
    except (ConfigError, InputError, ClusterError, FileExistsError) as err:
        print(f"mmabm {args.command}: {err}", file=sys.stderr)
        return 2
    except Exception as err:                             # a bug or a crash: one line, and a log
        log = _log_traceback(args)
        reason = str(err).splitlines()[0] if str(err) else ""
        print(f"mmabm {args.command}: {args.what} failed: {type(err).__name__}: {reason} "
              f"(traceback in {log})", file=sys.stderr)
        return 1


def _log_traceback(args: argparse.Namespace) -> Path:
    """Write the current exception's traceback, with the command, to a log file."""
    folder = Path(tempfile.gettempdir()) / "mmabm-logs"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"{args.command}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    log.write_text(f"mmabm {' '.join(args.argv)}\n\n{traceback.format_exc()}")
    return log


def _check_where(args: argparse.Namespace) -> None:
    """--workers: at least 1, and at most the CPU count (more only queue; said so)."""
    workers = getattr(args, "workers", None)
    if workers is None:
        return
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    cpus = os.cpu_count() or 1
    if workers > cpus:
        print(f"mmabm {args.command}: --workers {workers} is more than the {cpus} CPUs here; "
              f"using {cpus}", file=sys.stderr)
        args.workers = cpus


def _config(args: argparse.Namespace):
    from mmabm.config import load_config, parse_overrides
    overrides = parse_overrides(args.set)
    if args.months is not None:
        overrides["run.months"] = args.months
    if getattr(args, "seed", None) is not None:
        overrides["run.seed"] = args.seed              # checked like the TOML's
    return load_config(args.scenario, overrides)


def provenance(args: argparse.Namespace, seed: int, start: float) -> dict[str, object]:
    """What re-creates a run's files besides config.json: the code version (package and git
    commit), the scenario, the seed, the command line, and the wall time."""
    from mmabm.runner.provenance import code_version
    return {"code_version": code_version(), "scenario": str(args.scenario), "seed": seed,
            "command": ["mmabm", *args.argv], "wall_s": round(time.perf_counter() - start, 1)}


def _months(months: float) -> str:
    """'1 month', '12 months', '0.5 months'."""
    return f"{months:g} month" + ("" if months == 1 else "s")


def _n(x: float, spec: str = ",.0f", missing: str = "none") -> str:
    """A summary number, or `missing` where it does not apply (NaN: null in summary.json)."""
    return missing if x != x else format(x, spec)


def _run(args: argparse.Namespace) -> int:
    from mmabm.runner import run
    from mmabm.runner.outputs import check_out_dir, json_text, staged_dir
    from mmabm.plots import standard_figures
    config = _config(args)
    seed = config.run.seed
    check_out_dir(args.out)
    name = Path(str(args.scenario)).stem
    args.what = f"the run of {name} (strategy {config.market_maker.strategy}, seed {seed})"
    args.kept = f"nothing was written ({args.out} is as it was)"
    print(f"mmabm: {name} for {_months(config.run.months)}, strategy "
          f"{config.market_maker.strategy!r}, seed {seed}")
    start = time.perf_counter()
    result = run(config, seed, progress=True)
    out = args.out
    with staged_dir(out) as tmp:            # all of it or nothing, never mixed with a past run
        (tmp / "summary.json").write_text(json_text(result.summary))
        (tmp / "config.json").write_text(json_text(result.config))
        (tmp / "run.json").write_text(json_text(provenance(args, result.seed, start)))
        result.timeseries.to_parquet(tmp / "timeseries.parquet")
        result.ledger.to_csv(tmp / "ledger.csv", index=False)
        result.liquidations.to_csv(tmp / "liquidations.csv", index=False)
        figures = standard_figures(result.timeseries, tmp, config.cex[0].depth_usd,
                                   title=f"The {name} scenario under the "
                                         f"{config.market_maker.strategy} strategy, seed "
                                         f"{result.seed}", config=config)
    figures = [out / f.name for f in figures]
    s = result.summary
    print(f"  initial sale {_n(s['initial_sale_tokens'])} tokens; sold "
          f"{_n(s['mm_sale_tokens_sold'])} for ${_n(s['mm_sale_usdt'])}")
    print(f"  price: 1 month ${_n(s['price_1m'], '.4f')}, 3 months ${_n(s['price_3m'], '.4f')}, "
          f"end ${_n(s['price_end'], '.4f')}; max drawdown {_n(s['max_drawdown'], '.1%')}")
    print(f"  market maker P&L ${_n(s['mm_pnl_total'])} (sale ${_n(s['mm_pnl_initial_sale'])}, "
          f"gamma ${_n(s['mm_pnl_gamma'])}, funding ${_n(s['mm_pnl_funding'])}, calls "
          f"${_n(s['mm_pnl_options'])}, pool fees ${_n(s['mm_pnl_lp_fees'])})")
    returned = _n(s["project_tokens_returned"], missing="")
    print(f"  project got back {returned} tokens and ${_n(s['project_usdt_received'])}"
          if returned else "  the contract has not matured: nothing returned to the project yet",
          end="")
    print(f"; conservation problems: {_n(s['conservation_error'])}")
    if returned:
        print(f"  its perp hedge at maturity {_n(s['mm_hedge_at_maturity_tokens'])} tokens: "
              f"{_n(s['mm_hedge_closed_in_book_tokens'])} closed in the book, "
              f"{_n(s['mm_hedge_deleveraged_tokens'])} by auto-deleveraging, "
              f"{_n(s['mm_hedge_left_tokens'])} left open")
    print(_obligations_line(s, config))
    print(f"  perp: {_n(s['perp_liquidations'])} liquidation orders closed "
          f"{_n(s['perp_liquidated_positions'])} positions ({_n(s['perp_liquidated_long_tokens'])} "
          f"tokens long, {_n(s['perp_liquidated_short_tokens'])} short; "
          f"{_n(s['perp_liquidations_market_maker'])} of the orders against the market maker); "
          f"insurance fund ${_n(s['perp_insurance_fund_usdt'])} (liquidations.csv by month)")
    for path in [out / "summary.json", out / "timeseries.parquet", *figures]:
        print(f"  wrote {path}")
    print(f"  ({time.perf_counter() - start:.0f} s)")
    return 0


def _strategies(args: argparse.Namespace) -> int:
    """List the built-ins, or resolve one strategy and show its parameters."""
    import dataclasses

    from mmabm.config import ConfigError
    from mmabm.strategies import StrategyError, describe, resolve
    if args.check is None:
        rows = describe()
        width = max(len(name) for name, _ in rows)
        for name, line in rows:
            print(f"  {name:<{width}}  {line}")
        print("  yours: market_maker.strategy = 'module:Class' or 'path/file.py:Class' "
              "(docs/extending.md)")
        return 0
    try:
        cls = resolve(args.check)
    except StrategyError as err:
        raise ConfigError(str(err)) from None
    print(f"  {args.check}: {cls.description or cls.__doc__ or cls.__name__}".rstrip())
    print(f"  initial sale (sale_execution = auto): {cls.sale_execution}")
    for f in dataclasses.fields(cls.Params) if cls.Params is not None else ():
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        span = f" in [{lo:g}, {hi:g}]" if lo is not None else ""
        print(f"  market_maker.params.{f.name} = {f.default!r}{span}: {f.metadata.get('doc', '')}")
    return 0


def _obligations_line(s: dict, config) -> str:
    """One line: the maker's own quoting uptime per CEX, the windows with a miss, and what
    the misses and the compliance policy cost."""
    names = [c.name for c in config.cex]
    line = (f"  its own quotes met the obligations "
            f"{' / '.join(_n(s[f'mm_uptime_{n}'], '.0%') for n in names)} of the minutes "
            f"({' / '.join(names)}); {_n(s['mm_windows_with_miss'])} of "
            f"{_n(s['mm_windows_closed'])} windows below {config.contract.uptime_threshold:g}")
    if s["mm_penalties_usdt"] or s["mm_penalties_unpaid_usdt"]:
        line += (f"; penalties ${_n(s['mm_penalties_usdt'])} paid, "
                 f"${_n(s['mm_penalties_unpaid_usdt'])} unpaid")
    if s["mm_calls_forfeited"]:
        line += f"; {_n(s['mm_calls_forfeited'])} call tranches forfeited"
    ended = s["mm_mandate_ended_month"]
    if ended is not None and ended == ended:
        line += f"; mandate ended in month {ended:.1f}"
    if s["mm_compliance_tokens"]:
        how = "borrowed" if s["project_extra_lent_tokens"] else "bought"
        line += (f"; {how} {_n(s['mm_compliance_tokens'])} tokens for its asks"
                 + (f" (${_n(s['mm_compliance_usdt'])})" if how == "bought" else ""))
    return line


def _compare(args: argparse.Namespace) -> int:
    from mmabm.runner import compare, report_markdown
    from mmabm.runner.executor import progress_printer
    from mmabm.runner.outputs import check_out_dir, json_text, write_atomic
    config = _config(args)
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    if args.seeds < 1:
        raise InputError(f"--seeds must be at least 1, got {args.seeds}")
    out, total = args.out, len(strategies) * args.seeds
    check_out_dir(out)
    store = out / "runs"
    args.what = f"the comparison of {', '.join(strategies)}"
    args.kept = (f"the runs that finished are kept in {store}; the same command resumes "
                 f"from there")
    print(f"mmabm compare: {', '.join(strategies)} on seeds 0..{args.seeds - 1}, "
          f"{_months(config.run.months)} each ({total} runs)")
    result = compare(config, strategies, args.seeds, workers=args.workers, dask=args.dask,
                     on_done=progress_printer("run"), store=store)
    failed = int(result.runs["error"].notna().sum()) if "error" in result.runs else 0
    resumed = int(result.runs["resumed"].sum()) if "resumed" in result.runs else 0
    if resumed:
        print(f"  {resumed} of {total} runs were kept from an earlier, interrupted compare "
              f"({store})")
    if failed == len(result.runs):
        first = str(result.runs["error"].dropna().iloc[0]).strip().splitlines()[-1]
        write_atomic(out / "runs.parquet",
                     lambda tmp: result.runs.to_parquet(tmp, index=False))
        print(f"mmabm compare: all {failed} runs failed, nothing to compare; the first: "
              f"{first} (every error is in {out / 'runs.parquet'})", file=sys.stderr)
        return 1
    write_atomic(out / "runs.parquet", lambda tmp: result.runs.to_parquet(tmp, index=False))
    write_atomic(out / "paired.csv", lambda tmp: result.paired.to_csv(tmp, index=False))
    write_atomic(out / "paths.parquet", lambda tmp: result.paths.to_parquet(tmp, index=False))
    write_atomic(out / "config.json", lambda tmp: tmp.write_text(json_text(config.to_dict())))
    headline = ["price_1m", "price_3m", "price_end", "max_drawdown", "mm_pnl_total",
                "mm_pnl_initial_sale", "mm_pnl_gamma", "project_tokens_returned"]
    name = Path(str(args.scenario)).stem
    write_atomic(out / "report.md", lambda tmp: tmp.write_text(
        f"# {name}: {', '.join(strategies)}, {args.seeds} seed"
        f"{'s' if args.seeds != 1 else ''}\n\n" + report_markdown(result)))
    written = _fans(result.paths, out) if len(result.paths) else []
    print(report_markdown(result, headline))
    for path in [out / "report.md", out / "paired.csv", out / "runs.parquet", *written]:
        print(f"  wrote {path}")
    if failed:
        print(f"  {failed} run(s) failed; their errors are in runs.parquet", file=sys.stderr)
    return 1 if failed else 0


def _fans(paths, out: Path) -> list[Path]:
    from mmabm.runner import fan
    from mmabm.plots import fan_figure, save
    return [save(fan_figure(fan(paths, column), column), out / f"fan_{column}.png")
            for column in ("mid", "depth_bid_usd", "mm_pnl")
            if column in paths and paths[column].notna().any()]


def _sweep(args: argparse.Namespace) -> int:
    from mmabm.runner import load_sweep, sweep
    from mmabm.runner.executor import progress_printer
    spec = load_sweep(args.sweep_file)
    out = args.out or spec.out or Path("out") / args.sweep_file.stem
    total = len(spec.points) * len(spec.seeds)
    print(f"mmabm sweep: {len(spec.points)} points x {len(spec.seeds)} seeds = {total} runs "
          f"over {', '.join(spec.fields) or 'nothing'} -> {out}")
    args.what = f"the sweep {args.sweep_file}"
    args.kept = (f"the runs that finished are in {out}; the same command resumes from there "
                 f"(mmabm plot {out} draws what is done)")
    runs = sweep(spec, out, workers=args.workers, dask=args.dask, on_done=progress_printer("run"))
    failed = int((runs["status"] != "ok").sum())
    print(f"  {len(runs) - failed} of {len(runs)} runs finished; results in {out}")
    if failed:
        print(f"  {failed} run(s) failed; their errors are in runs.parquet", file=sys.stderr)
    return 1 if failed else 0


def _dash(args: argparse.Namespace) -> int:
    """Check what to open, then run the Solara server in the foreground."""
    import signal
    import subprocess
    from mmabm.config import load_config
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be in [0, 65535], got {args.port}")
    where = Path(str(args.source))
    if where.is_dir():
        from mmabm.live import read_results
        results = read_results(where)                  # a ConfigError names what is wrong
        what = f"{results.kind} results in {where}"
    else:
        load_config(args.source)                      # the same errors as `mmabm run`
        what = f"the {where.stem} scenario, live"
    try:
        import solara  # noqa: F401
    except ImportError:
        raise InputError("the dashboard needs Solara: pip install 'mmabm[viz]'") from None
    env = {**os.environ, "MMABM_DASH_SOURCE": str(where.resolve() if where.exists()
                                                   else args.source)}
    print(f"mmabm dash: {what} at http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    args.kept = "the dashboard stopped"
    command = [sys.executable, "-m", "solara", "run", "mmabm.dashboard:Page", "--host", args.host,
               "--port", str(args.port), "--production", "--log-level", "warning",
               "--open" if args.open else "--no-open"]
    server = subprocess.Popen(command, env=env)

    def stop(signum, frame):                 # `kill` stops the server too, as Ctrl-C does
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    try:
        return 0 if server.wait() in (0, -2, 130) else 1
    except KeyboardInterrupt:
        server.terminate()
        server.wait(timeout=10)
        raise


def _read_parquet(path: Path):
    """A Parquet file written by mmabm; an empty, truncated or foreign file is an InputError."""
    import pandas as pd
    try:
        return pd.read_parquet(path)
    except Exception as err:                   # pyarrow's ArrowInvalid, OSError, ...
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"{path} is not a readable Parquet file ({reason}); it may have been "
                         f"cut short: run the command that wrote it again") from None


def _read_json(path: Path) -> dict:
    import json
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise InputError(f"{path} is not readable JSON ({err}); run the command that wrote it "
                         f"again") from None


def _plot(args: argparse.Namespace) -> int:
    from mmabm.config import ConfigError
    from mmabm.runner import heatmap_table
    from mmabm.plots import heatmap_figure, save, standard_figures
    where = args.results
    if not where.is_dir():
        raise InputError(f"{where} is not a folder written by mmabm run, compare or sweep")
    if (where / "timeseries.parquet").exists():
        config = _read_json(where / "config.json") if (where / "config.json").exists() else {}
        obligation = config.get("cex", [{}])[0].get("depth_usd")
        try:                                   # the strikes, the maturity, the spread limit
            from mmabm.config import Config
            resolved = Config.from_dict(config) if config else None
        except ConfigError:                    # written by another version: draw without them
            resolved = None
        written = standard_figures(_read_parquet(where / "timeseries.parquet"), where, obligation,
                                   config=resolved)
    elif (where / "paths.parquet").exists():
        written = _fans(_read_parquet(where / "paths.parquet"), where)
    elif (where / "summary.parquet").exists() and (where / "sweep.json").exists():
        fields = _read_json(where / "sweep.json").get("fields", [])
        x, y = args.x or (fields[0] if fields else None), args.y or (fields[1] if len(fields) > 1 else None)
        if not x or not y:
            raise InputError(f"a heat map needs two swept fields; this sweep has {fields}")
        try:
            table = heatmap_table(_read_parquet(where / "summary.parquet"), args.metric, x, y)
        except KeyError as err:
            raise InputError(err.args[0]) from None
        if not table.notna().to_numpy().any():
            raise InputError(f"metric {args.metric!r} has no values in this sweep's finished "
                             f"runs: nothing to map (choose another with --metric)")
        written = [save(heatmap_figure(table, args.metric), where / f"heatmap_{args.metric}.png")]
    elif (where / "sweep.json").exists():
        raise InputError(f"{where} holds a sweep with no finished run yet")
    else:
        raise InputError(f"{where} holds no results of mmabm run, compare or sweep")
    if not written:
        raise InputError(f"{where} holds no values to draw")
    for path in written:
        print(f"  wrote {path}")
    return 0
