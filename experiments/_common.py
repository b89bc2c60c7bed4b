"""Shared plumbing of the experiment scripts: options, the base config, the report file.

Each script answers one question of ../README.md ("Experiments") and writes its figures and a
Markdown report of the numbers it measured (no pre-written conclusions) to out/experiments/NAME/.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "article.toml"
sys.path.insert(0, str(ROOT))          # run from a checkout without installing, too

try:
    import pandas as pd  # noqa: E402
    import mmabm  # noqa: F401
except ImportError as err:        # a Python without the project's environment
    sys.exit(f"{Path(sys.argv[0]).name}: {err.name or err} is not installed in this Python "
             f"({sys.executable}); run the experiments with the project's environment, "
             f".venv/bin/python experiments/{Path(sys.argv[0]).name} (make run creates it)")

from mmabm.config import Config, ConfigError, load_config, parse_overrides  # noqa: E402
from mmabm.runner.executor import progress_printer  # noqa: E402

progress = progress_printer("run")      # each script's on_done: status, time so far, ETA


def options(description: str, *, quick: tuple[float, int], full: tuple[float, int],
            extra: tuple = (), scenario: Path = SCENARIO,
            swept: tuple[str, ...] = ()) -> argparse.Namespace:
    """--quick (months, seeds) for a look in a few minutes, else the full version; --set
    KEY=VALUE changes the script's base `scenario` (checked here, one line if wrong, as is a
    key the script itself sweeps: one of `swept`); each of `extra` adds a script's own options
    to the parser."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help=f"a smaller version: {quick[0]:g} months, {quick[1]} seeds "
                             f"(full: {full[0]:g} months, {full[1]} seeds)")
    parser.add_argument("--months", type=float, help="simulated months per run")
    parser.add_argument("--seeds", type=int, help="seeds per configuration")
    parser.add_argument("--workers", type=int, default=None, help="local processes (default: CPUs)")
    parser.add_argument("--dask", default=None, help="Dask scheduler address, file, or 'local'")
    parser.add_argument("--out", type=Path, default=None, help="output directory")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="change a key of the base scenario (repeatable), e.g. "
                             "--set latent.memory_hours=24")
    for add in extra:
        add(parser)
    args = parser.parse_args()
    try:
        args.sets = parse_overrides(args.set)
        load_config(scenario, args.sets)
    except ConfigError as err:
        parser.error(str(err))
    for key in args.sets:
        if key in swept:
            parser.error(f"--set {key}: this script sweeps it ({', '.join(swept)})")
    args.scenario = scenario
    months, seeds = quick if args.quick else full
    args.months = args.months or months
    args.seeds = args.seeds or seeds
    name = Path(sys.argv[0]).stem
    args.out = args.out or ROOT / "out" / "experiments" / (name + ("_quick" if args.quick else ""))
    args.out.mkdir(parents=True, exist_ok=True)
    args.started = time.perf_counter()
    print(f"{name}: {args.months:g} months, {args.seeds} seeds -> {args.out}", file=sys.stderr)
    return args


def number_in(low: float, high: float, what: str):
    """An argparse type: a number from `low` to `high`, else one line that says so ("must be
    WHAT from LOW to HIGH, got 'TEXT'")."""
    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            x = float("nan")
        if not low <= x <= high:
            raise argparse.ArgumentTypeError(
                f"must be {what} from {low:.10g} to {high:.10g}, got {text!r}")
        return x
    return parse


def sweep_of(args: argparse.Namespace, fixed: dict, grid: dict) -> dict:
    """A sweep spec of the script's scenario over `grid`, the user's --set and then the
    script's `fixed` keys held for every point (options() refused a --set of a swept key)."""
    return {"scenario": str(args.scenario), "seeds": args.seeds,
            "set": {**getattr(args, "sets", {}), **fixed}, "grid": grid}


def base_config(args: argparse.Namespace, changes: dict | None = None) -> Config:
    """The article's scenario for `args.months` (the contract as long as the run, so maturity
    falls inside it), with the user's --set and then the script's `changes`."""
    return load_config(SCENARIO, {"run.months": args.months,
                                  "contract.months": max(1.0, args.months),
                                  **getattr(args, "sets", {}), **(changes or {})})


def table(frame: pd.DataFrame, floatfmt: str = "{:,.4g}") -> str:
    """A DataFrame as a Markdown table."""
    cols = list(frame.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def grid_table(pivot: pd.DataFrame) -> str:
    """A heat-map table (rows: one swept field, columns: the other) with both fields named."""
    frame = pivot.copy()
    frame.columns = [f"{pivot.columns.name} = {c:g}" if isinstance(c, float | int) else
                     f"{pivot.columns.name} = {c}" for c in pivot.columns]
    return table(frame.reset_index())


def write_report(args: argparse.Namespace, title: str, sections: list[str],
                 figures: list[Path]) -> Path:
    """report.md: what was run, the numbers, the figures."""
    spent = time.perf_counter() - args.started
    body = [f"# {title}", "",
            f"{getattr(args, 'scenario_label', 'Article scenario')}, "
            f"{getattr(args, 'run_months', args.months):g} months per run, "
            f"{args.seeds} "
            f"seed{'s' if args.seeds != 1 else ''} "
            f"(common random numbers across the compared settings); {spent:.0f} s wall.", "",
            *([f"Changed from the scenario (--set): "
               f"{', '.join(f'`{k}={v}`' for k, v in args.sets.items())}.", ""]
              if getattr(args, "sets", None) else []),
            *sections, "", *[f"![{p.stem}]({p.name})" for p in figures], ""]
    path = args.out / "report.md"
    path.write_text("\n".join(body))
    print(f"wrote {path}", file=sys.stderr)
    return path
