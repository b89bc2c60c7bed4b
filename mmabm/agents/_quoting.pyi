"""Type stub of the compiled obligation-ladder body (mmabm/agents/_quoting.pyx)."""
import numpy as np
import numpy.typing as npt

def build(mid_usd: float, skew: float, max_spread: float, below: tuple[float, ...],
          above: tuple[float, ...], tick_size: float, lot_size: float, depth_usd: float,
          margin: float, lean: float) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                                  npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def totals(bid_prices: npt.NDArray[np.int64], bid_lots: npt.NDArray[np.int64],
           ask_prices: npt.NDArray[np.int64], ask_lots: npt.NDArray[np.int64], tick_size: float,
           lot_size: float) -> tuple[float, float, float, int, int]: ...
