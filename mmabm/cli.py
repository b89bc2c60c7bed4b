"""The `mmabm` command: run, compare, sweep, plot.

    mmabm run scenarios/article.toml --seed 3 --months 6 --set market_maker.strategy=hold
    mmabm compare scenarios/article.toml --strategies article,hold,twap_sale --seeds 20
    mmabm sweep experiments/sale_size.toml --workers 2          # or --dask tcp://host:8786
    mmabm plot out/compare

Exit codes: 0 done; 1 some runs of a compare or sweep failed (recorded, the others kept);
2 bad input (an unknown key, a value out of range, a missing file), with the reason on stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DEFAULT_SCENARIO = Path("scenarios/article.toml")


class InputError(Exception):
    """Bad command-line input: reported on stderr, exit code 2."""


def _common(parser: argparse.ArgumentParser, out: str) -> None:
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO,
                        help="scenario TOML (default: scenarios/article.toml)")
    parser.add_argument("--months", type=float, help="simulated months (overrides run.months)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value by dotted key, e.g. "
                             "market_maker.strategy=hold (repeatable; checked like the TOML)")
    parser.add_argument("--out", type=Path, default=Path(out), help=f"output directory (default: {out})")


def _where(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=None,
                        help="local processes (default: one per CPU; 1 runs in this process)")
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="run on Dask instead: a scheduler address (tcp://host:8786), a "
                             "scheduler file, or 'local' for a LocalCluster "
                             "(needs pip install 'mmabm[cluster]')")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="mmabm", description="Agent-based simulator of a crypto market maker's token-loan "
        "deal: run a scenario, compare strategies on paired seeds, sweep parameters, plot.",
        epilog="Exit codes: 0 done, 1 some runs failed (recorded), 2 bad input.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="one run: summary, config, time series, ledger, figures",
                         description="Play one scenario and write summary.json, config.json "
                         "(resolved, with the seed), run.json (code version, command), "
                         "timeseries.parquet, ledger.csv and the standard figures (prices, "
                         "liquidity, delta, pnl, funding).")
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
                           description="Run a sweep file (see mmabm.experiment.sweep): results "
                           "go to runs.parquet, summary.parquet and a time-series dataset "
                           "partitioned by run; finished runs are skipped when it is run again.")
    sweep.add_argument("sweep_file", type=Path, help="sweep TOML")
    sweep.add_argument("--out", type=Path, default=None,
                       help="output directory (default: the file's `out`, else out/<name>)")
    _where(sweep)
    plot = sub.add_parser("plot", help="re-draw figures from stored results",
                          description="Re-draw the figures of a run, a comparison (fan charts) "
                          "or a sweep (a heat map of a summary metric over two swept fields).")
    plot.add_argument("results", type=Path, help="a directory written by run, compare or sweep")
    plot.add_argument("--metric", default="price_3m", help="sweep: the summary metric to map")
    plot.add_argument("--x", help="sweep: swept field on the x axis (default: the first)")
    plot.add_argument("--y", help="sweep: swept field on the y axis (default: the second)")
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    args.argv = argv                                     # recorded in run.json
    from mmabm.config import ConfigError
    if getattr(args, "workers", None) is not None and args.workers < 1:
        print(f"mmabm {args.command}: --workers must be at least 1, got {args.workers}",
              file=sys.stderr)
        return 2
    try:
        return {"run": _run, "compare": _compare, "sweep": _sweep, "plot": _plot}[args.command](args)
    except (ConfigError, InputError) as err:
        print(f"mmabm {args.command}: {err}", file=sys.stderr)
        return 2


def _config(args: argparse.Namespace):
    from mmabm.config import load_config
    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set needs KEY=VALUE, got {item!r}")
        overrides[key.strip()] = value.strip()
    if args.months is not None:
        overrides["run.months"] = args.months
    return load_config(args.scenario, overrides)


def provenance(args: argparse.Namespace, seed: int, start: float) -> dict[str, object]:
    """What re-creates a run's files besides config.json: the code version (package and git
    commit), the scenario, the seed, the command line, and the wall time."""
    from mmabm.experiment.provenance import code_version
    return {"code_version": code_version(), "scenario": str(args.scenario), "seed": seed,
            "command": ["mmabm", *args.argv], "wall_s": round(time.perf_counter() - start, 1)}


def _run(args: argparse.Namespace) -> int:
    from mmabm.experiment import run
    from mmabm.plots import standard_figures
    config = _config(args)
    seed = config.run.seed if args.seed is None else args.seed
    print(f"mmabm: {args.scenario} for {config.run.months:g} months, strategy "
          f"{config.market_maker.strategy!r}, seed {seed}")
    start = time.perf_counter()
    result = run(config, seed, progress=True)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(result.summary, indent=1))
    (out / "config.json").write_text(json.dumps(result.config, indent=1))
    (out / "run.json").write_text(json.dumps(provenance(args, result.seed, start),
                                             indent=1))
    result.timeseries.to_parquet(out / "timeseries.parquet")
    result.ledger.to_csv(out / "ledger.csv", index=False)
    figures = standard_figures(result.timeseries, out, config.cex[0].depth_usd,
                               title=f"{args.scenario.stem}: {config.market_maker.strategy}, "
                                     f"seed {result.seed}")
    s = result.summary
    print(f"  initial sale {s['initial_sale_tokens']:,.0f} tokens; sold "
          f"{s['mm_sale_tokens_sold']:,.0f} for ${s['mm_sale_usdt']:,.0f}")
    print(f"  price: 1 month ${s['price_1m']:.4f}, 3 months ${s['price_3m']:.4f}, "
          f"end ${s['price_end']:.4f}; max drawdown {s['max_drawdown']:.1%}")
    print(f"  market maker P&L ${s['mm_pnl_total']:,.0f} (sale ${s['mm_pnl_initial_sale']:,.0f}, "
          f"gamma ${s['mm_pnl_gamma']:,.0f}, funding ${s['mm_pnl_funding']:,.0f}, calls "
          f"${s['mm_pnl_options']:,.0f}, pool fees ${s['mm_pnl_lp_fees']:,.0f})")
    print(f"  project got back {s['project_tokens_returned']:,.0f} tokens and "
          f"${s['project_usdt_received']:,.0f}; conservation problems: {s['conservation_error']:.0f}")
    for path in [out / "summary.json", out / "timeseries.parquet", *figures]:
        print(f"  wrote {path}")
    print(f"  ({time.perf_counter() - start:.0f} s)")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from mmabm.experiment import compare, report_markdown
    from mmabm.experiment.executor import progress_printer
    config = _config(args)
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    if args.seeds < 1:
        raise InputError(f"--seeds must be at least 1, got {args.seeds}")
    print(f"mmabm compare: {', '.join(strategies)} on seeds 0..{args.seeds - 1}, "
          f"{config.run.months:g} months each ({len(strategies) * args.seeds} runs)")
    result = compare(config, strategies, args.seeds, workers=args.workers, dask=args.dask,
                     on_done=progress_printer("run"))
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    result.runs.to_parquet(out / "runs.parquet", index=False)
    result.paired.to_csv(out / "paired.csv", index=False)
    result.paths.to_parquet(out / "paths.parquet", index=False)
    (out / "config.json").write_text(json.dumps(config.to_dict(), indent=1))
    headline = ["price_1m", "price_3m", "price_end", "max_drawdown", "mm_pnl_total",
                "mm_pnl_initial_sale", "mm_pnl_gamma", "project_tokens_returned"]
    (out / "report.md").write_text(f"# {args.scenario.stem}: {', '.join(strategies)}, "
                                   f"{args.seeds} seeds\n\n" + report_markdown(result))
    written = _fans(result.paths, out) if len(result.paths) else []
    print(report_markdown(result, headline))
    for path in [out / "report.md", out / "paired.csv", out / "runs.parquet", *written]:
        print(f"  wrote {path}")
    failed = int(result.runs["error"].notna().sum())
    if failed:
        print(f"  {failed} run(s) failed; their errors are in runs.parquet", file=sys.stderr)
    return 1 if failed else 0


def _fans(paths, out: Path) -> list[Path]:
    from mmabm.experiment import fan
    from mmabm.plots import fan_figure, save
    return [save(fan_figure(fan(paths, column), column), out / f"fan_{column}.png")
            for column in ("mid", "depth_bid_usd", "mm_pnl") if column in paths]


def _sweep(args: argparse.Namespace) -> int:
    from mmabm.experiment import load_sweep, sweep
    from mmabm.experiment.executor import progress_printer
    spec = load_sweep(args.sweep_file)
    out = args.out or spec.out or Path("out") / args.sweep_file.stem
    total = len(spec.points) * len(spec.seeds)
    print(f"mmabm sweep: {len(spec.points)} points x {len(spec.seeds)} seeds = {total} runs "
          f"over {', '.join(spec.fields) or 'nothing'} -> {out}")
    runs = sweep(spec, out, workers=args.workers, dask=args.dask, on_done=progress_printer("run"))
    failed = int((runs["status"] != "ok").sum())
    print(f"  {len(runs) - failed} of {len(runs)} runs finished; results in {out}")
    if failed:
        print(f"  {failed} run(s) failed; their errors are in runs.parquet", file=sys.stderr)
    return 1 if failed else 0


def _plot(args: argparse.Namespace) -> int:
    import pandas as pd
    from mmabm.experiment import heatmap_table
    from mmabm.plots import heatmap_figure, save, standard_figures
    where = args.results
    if (where / "timeseries.parquet").exists():
        config = json.loads((where / "config.json").read_text()) if (where / "config.json").exists() else {}
        obligation = config.get("cex", [{}])[0].get("depth_usd")
        written = standard_figures(pd.read_parquet(where / "timeseries.parquet"), where, obligation)
    elif (where / "paths.parquet").exists():
        written = _fans(pd.read_parquet(where / "paths.parquet"), where)
    elif (where / "summary.parquet").exists() and (where / "sweep.json").exists():
        fields = json.loads((where / "sweep.json").read_text())["fields"]
        x, y = args.x or (fields[0] if fields else None), args.y or (fields[1] if len(fields) > 1 else None)
        if not x or not y:
            raise InputError(f"a heat map needs two swept fields; this sweep has {fields}")
        try:
            table = heatmap_table(pd.read_parquet(where / "summary.parquet"), args.metric, x, y)
        except KeyError as err:
            raise InputError(err.args[0]) from None
        written = [save(heatmap_figure(table, args.metric), where / f"heatmap_{args.metric}.png")]
    else:
        raise InputError(f"{where} holds no results of mmabm run, compare or sweep")
    for path in written:
        print(f"  wrote {path}")
    return 0
