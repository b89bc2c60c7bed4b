"""Running the model: one run now; paired comparisons and sweeps build on it."""
from mmabm.experiment.run import RunResult, run

__all__ = ["RunResult", "run"]
