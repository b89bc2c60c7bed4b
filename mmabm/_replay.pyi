"""Type stub of the compiled replay loop (mmabm/_replay.pyx)."""
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from mmabm._core import OrderBook

LIMIT: Final[int]
MARKET: Final[int]
CANCEL: Final[int]
EVENT_DTYPE: Final[np.dtype]
REPLAY_FILL_DTYPE: Final[np.dtype]

class ReplayResult(NamedTuple):
    fills: np.ndarray
    bids: np.ndarray
    asks: np.ndarray
    book: OrderBook

def replay(kind: npt.ArrayLike, side: npt.ArrayLike | None = None,
           price: npt.ArrayLike | None = None, qty: npt.ArrayLike | None = None,
           ref: npt.ArrayLike | None = None) -> ReplayResult: ...
