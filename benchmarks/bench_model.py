"""Speed of the whole model: the article scenario at 1-minute steps.

    .venv/bin/python benchmarks/bench_model.py                 # 12 months (the goal: < 60 s)
    .venv/bin/python benchmarks/bench_model.py --months 0.1    # a quick look
    .venv/bin/python benchmarks/bench_model.py --months 1 --baseline f9ad867
    .venv/bin/python benchmarks/bench_model.py --baseline 0ed587f --set world.annual_vol=1

Prints wall time, simulated minutes per wall second, peak memory, and the orders and fills the
run made (cost should scale with those, not with population x minutes). `--baseline REV` also
builds that commit in a temporary git worktree and times the same run there, in a fresh
process right after this one, and prints the ratio (figures on a shared machine vary from run
to run; a ratio measured in one sitting is what to compare).
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# measure the checkout this file is in, not whichever one the venv's editable install points to
sys.path.insert(0, str(ROOT))
from mmabm.config import ConfigError, load_config, parse_overrides  # noqa: E402
from mmabm.model import MarketModel  # noqa: E402

SCENARIO = ROOT / "scenarios" / "article.toml"
# what the baseline process runs: the API every version of the model has had
TIMED = ("import sys, time; from mmabm.config import load_config; "
         "from mmabm.model import MarketModel; "
         "c = load_config(sys.argv[1], {'run.months': float(sys.argv[2])}); "
         "t = time.perf_counter(); m = MarketModel(c, seed=int(sys.argv[3])); m.run_model(); "
         "print(time.perf_counter() - t)")


def time_baseline(rev: str, months: float, seed: int) -> float:
    """Wall seconds of the same run on commit `rev`, built in a temporary worktree."""
    with tempfile.TemporaryDirectory(prefix="mmabm-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree),
                        rev], check=True)
        try:
            print(f"building {rev} in {tree} ...", file=sys.stderr)
            subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=tree,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            out = subprocess.run([sys.executable, "-c", TIMED, str(tree / "scenarios" /
                                  "article.toml"), str(months), str(seed)], cwd=tree, check=True,
                                 capture_output=True, text=True,
                                 env=os.environ | {"PYTHONPATH": str(tree)})
            return float(out.stdout.split()[-1])
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", metavar="REV",
                        help="also time commit REV (built in a temporary worktree); print the ratio")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="change this checkout's scenario (the baseline runs its own "
                             "default): what a proposed default would cost")
    args = parser.parse_args(argv)
    try:
        config = load_config(SCENARIO, {"run.months": args.months, **parse_overrides(args.set)})
    except ConfigError as err:
        parser.exit(2, f"bench_model: {err}\n")
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
          f"code in {Path(sys.modules['mmabm'].__file__).parent.parent}"
          + (f", with {' '.join(args.set)}" if args.set else ""))
    print(f"  wall time            {wall:8.1f} s   (of which building {built:.1f} s)")
    print(f"  simulated min / s    {minutes / wall:8.0f}")
    print(f"  peak memory          {peak_mib:8.0f} MiB")
    print(f"  retail orders        {orders:8,d}   CEX lots traded {trades:,d}")
    print(f"  12 months at this pace: {wall * 12 / args.months:.0f} s (goal < 60 s)")
    if args.baseline:
        base = time_baseline(args.baseline, args.months, args.seed)
        print(f"  baseline {args.baseline}: {base:.1f} s, so this checkout is "
              f"{base / wall:.2f}x as fast")
    return 0


if __name__ == "__main__":
    sys.exit(main())
