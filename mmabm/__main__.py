"""`mmabm` / `python -m mmabm`: the main job — run a scenario, write its summary and figures.

    mmabm                                   # the article's scenario (scenarios/article.toml)
    mmabm my.toml --seed 3 --months 6 --set market_maker.strategy=hold --out out/hold

Writes summary.json, config.json (the resolved config, seed included), timeseries.parquet,
ledger.csv and the standard figures (prices, liquidity, delta, pnl, funding) to --out.
The demo of the bare core is `python -m mmabm.demo`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DEFAULT_SCENARIO = Path("scenarios/article.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mmabm", description="Run a market-maker scenario and write its summary, time "
        "series and figures. Without a scenario: the article's deal (scenarios/article.toml).")
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO,
                        help="scenario TOML (default: scenarios/article.toml)")
    parser.add_argument("--seed", type=int, help="seed (default: the scenario's run.seed)")
    parser.add_argument("--months", type=float, help="simulated months (overrides run.months)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value by dotted key, e.g. "
                             "market_maker.strategy=hold (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("out/main"),
                        help="output directory (default: out/main)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the scenario; returns 0, or 2 for a bad scenario or override (message on stderr)."""
    args = _parser().parse_args(argv)
    from mmabm import ConfigError, load_config, run      # after parsing: --help stays instant
    from mmabm.plots import standard_figures

    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"mmabm: --set needs KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        overrides[key.strip()] = value.strip()
    if args.months is not None:
        overrides["run.months"] = args.months
    try:
        config = load_config(args.scenario, overrides)
    except ConfigError as err:
        print(f"mmabm: {err}", file=sys.stderr)
        return 2
    print(f"mmabm: {args.scenario} for {config.run.months:g} months, strategy "
          f"{config.market_maker.strategy!r}, seed {config.run.seed if args.seed is None else args.seed}")
    start = time.perf_counter()
    result = run(config, args.seed, progress=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(result.summary, indent=1))
    (args.out / "config.json").write_text(json.dumps(result.config, indent=1))
    result.timeseries.to_parquet(args.out / "timeseries.parquet")
    result.ledger.to_csv(args.out / "ledger.csv", index=False)
    figures = standard_figures(result.timeseries, args.out, config.cex[0].depth_usd,
                               title=f"{args.scenario.stem}: {config.market_maker.strategy}, "
                                     f"seed {result.seed}")
    s = result.summary
    print(f"  initial sale {s['initial_sale_tokens']:,.0f} tokens; sold "
          f"{s['mm_sale_tokens_sold']:,.0f} for ${s['mm_sale_usdt']:,.0f}")
    print(f"  price: 1 month ${s['price_1m']:.4f}, 3 months ${s['price_3m']:.4f}, "
          f"end ${s['price_end']:.4f}; max drawdown {s['max_drawdown']:.1%}")
    print(f"  market maker P&L ${s['mm_pnl_total']:,.0f} (sale ${s['mm_pnl_initial_sale']:,.0f}, "
          f"calls ${s['mm_pnl_options']:,.0f}, pool fees ${s['mm_pnl_lp_fees']:,.0f})")
    print(f"  project got back {s['project_tokens_returned']:,.0f} tokens and "
          f"${s['project_usdt_received']:,.0f}; conservation problems: {s['conservation_error']:.0f}")
    for path in [args.out / "summary.json", args.out / "timeseries.parquet", *figures]:
        print(f"  wrote {path}")
    print(f"  ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
