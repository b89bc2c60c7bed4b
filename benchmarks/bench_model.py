"""Speed of the whole model: the article scenario at 1-minute steps.

    .venv/bin/python benchmarks/bench_model.py                 # 12 months (the goal: < 60 s)
    .venv/bin/python benchmarks/bench_model.py --months 0.1    # a quick look

Prints wall time, simulated minutes per wall second, peak memory, and the orders and fills the
run made (cost should scale with those, not with population x minutes).
"""
import argparse
import resource
import sys
import time
from pathlib import Path

# measure the checkout this file is in, not whichever one the venv's editable install points to
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mmabm.config import load_config  # noqa: E402
from mmabm.model import MarketModel  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "article.toml"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    config = load_config(SCENARIO, {"run.months": args.months})
    start = time.perf_counter()
    model = MarketModel(config, seed=args.seed)
    built = time.perf_counter() - start
    model.run_model()
    wall = time.perf_counter() - start
    minutes = config.run.months * 30 * 24 * 60
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    orders = int(model.retail.orders.sum())
    trades = sum(v.volume_lots for v in model.cexs)
    print(f"{args.months:g} months ({minutes:,.0f} simulated minutes), seed {args.seed}, "
          f"code in {Path(sys.modules['mmabm'].__file__).parent.parent}")
    print(f"  wall time            {wall:8.1f} s   (of which building {built:.1f} s)")
    print(f"  simulated min / s    {minutes / wall:8.0f}")
    print(f"  peak memory          {peak_mib:8.0f} MiB")
    print(f"  retail orders        {orders:8,d}   CEX lots traded {trades:,d}")
    print(f"  12 months at this pace: {wall * 12 / args.months:.0f} s (goal < 60 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
