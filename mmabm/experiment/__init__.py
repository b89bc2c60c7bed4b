"""Running the model: one run, paired comparisons of strategies, and parameter sweeps."""
from mmabm.experiment.compare import Comparison, compare, fan, paired_differences, report_markdown
from mmabm.experiment.run import RunResult, run
from mmabm.experiment.sweep import SweepSpec, heatmap_table, load_sweep, sweep, sweep_spec

__all__ = ["Comparison", "RunResult", "SweepSpec", "compare", "fan", "heatmap_table",
           "load_sweep", "paired_differences", "report_markdown", "run", "sweep", "sweep_spec"]
