"""The exogenous world: the token's latent fundamental value and the market's attention.

Both are drawn from the run's named random streams (see randomness.py), never from the agents'
actions' randomness, so runs that differ only in strategy see the same world.

Fundamental value: geometric Brownian motion whose drift follows a regime —
  bust            steady decline (default: to a fifth of the listing value over a year)
  flat            no drift
  boom            steady rise (default: 3x over a year)
  pump_and_dump   a rise to a peak (default 3x in the first 60 days), then a fall to below
                  the listing value (default 0.3x by the end of the year)
  path            through given (day, multiple of the listing value) points, log-linear in
                  between and flat after the last: a real market factor's path (a case study's
                  ETH or bitcoin over the months it covers) as the drift
Attention: the rate of retail arrivals relative to listing day. It decays from listing (most
projects peak at launch) toward a floor, and jumps when something happens (a large one-sided
sale, a sharp move), the jump fading with its own half-life.
"""
from __future__ import annotations

import math
from typing import Literal

import numpy as np

Regime = Literal["bust", "flat", "boom", "pump_and_dump", "path"]
#: the shaped regimes (a path is given, not a shape: experiments that compare regimes use these)
REGIMES: tuple[str, ...] = ("bust", "flat", "boom", "pump_and_dump")
MINUTES_PER_YEAR = 365 * 24 * 60


def regime_log_drift(regime: Regime, minutes: np.ndarray, *, year_multiple: float | None = None,
                     peak_multiple: float = 3.0, peak_day: float = 60.0,
                     end_multiple: float = 0.3, path_days: tuple[float, ...] = (),
                     path_multiples: tuple[float, ...] = ()) -> np.ndarray:
    """The deterministic part of log(value / listing value) at each minute since listing."""
    t = np.asarray(minutes, dtype=np.float64) / MINUTES_PER_YEAR          # years
    if regime == "flat":
        return np.zeros_like(t)
    if regime == "path":
        days, multiples = check_path(path_days, path_multiples)
        return np.interp(t * 365.0, days, np.log(multiples))
    if regime in ("bust", "boom"):
        # None or 0: the regime's default, so a bust falls and a boom rises unless told otherwise
        multiple = year_multiple if year_multiple else (0.2 if regime == "bust" else 3.0)
        _positive(multiple, "year_multiple")
        return math.log(multiple) * t
    if regime == "pump_and_dump":
        _positive(peak_multiple, "peak_multiple")
        _positive(end_multiple, "end_multiple")
        if not 0 < peak_day < 365:
            raise ValueError(f"peak_day must be in (0, 365), got {peak_day!r}")
        t_peak = peak_day / 365.0
        up = math.log(peak_multiple) * t / t_peak
        down = math.log(peak_multiple) + (math.log(end_multiple) - math.log(peak_multiple)) * (
            (t - t_peak) / (1.0 - t_peak))
        return np.where(t <= t_peak, up, down)
    raise ValueError(f"regime must be one of {', '.join(REGIMES)}, path, got {regime!r}")


def check_path(days: tuple[float, ...], multiples: tuple[float, ...], key: str = ""
               ) -> tuple[np.ndarray, np.ndarray]:
    """A path's points, from (day 0, 1) on: ValueError naming what is wrong with them (`key`:
    the names' prefix, "world." when the config asks)."""
    days, multiples = np.asarray(days, dtype=np.float64), np.asarray(multiples, dtype=np.float64)
    if days.shape != multiples.shape or days.ndim != 1 or not len(days):
        raise ValueError(f"{key}path_multiples must give one multiple per day of {key}path_days: "
                         f"{len(days)} days, {len(multiples)} multiples")
    if not (np.all(np.isfinite(days)) and days[0] > 0):
        raise ValueError(f"{key}path_days must be above 0 (day 0 is the listing, at multiple "
                         f"1), got {days.tolist()}")
    if not np.all(np.diff(days) > 0):
        raise ValueError(f"{key}path_days must increase, got {days.tolist()}")
    if not (np.all(np.isfinite(multiples)) and np.all(multiples > 0)):
        raise ValueError(f"{key}path_multiples must be > 0, got {multiples.tolist()}")
    return np.r_[0.0, days], np.r_[1.0, multiples]


def fundamental_path(regime: Regime, n_minutes: int, initial_value: float, annual_vol: float,
                     rng: np.random.Generator, *, every: int = 1, tail_df: float = 0.0,
                     vol_of_vol: float = 0.0, vol_halflife_minutes: float = 4320.0,
                     vol_rng: np.random.Generator | None = None,
                     **regime_terms: float) -> np.ndarray:
    """The latent fundamental value at minutes 0, every, 2*every, ... up to n_minutes.

    Log value = regime drift + annual_vol * Brownian motion (no Ito correction: the regime
    drift is the median path, not the mean). Drawing at a coarser `every` keeps a year cheap.
    With `tail_df` > 2 the shocks are Student t with that many degrees of freedom, scaled to
    the same variance: crypto returns are heavy-tailed, and the t describes them well (Chan,
    Chu, Nadarajah & Osterrieder 2017); 0 keeps them normal.

    With `vol_of_vol` > 0 the volatility itself wanders (a log-normal stochastic volatility,
    Taylor 1986): each shock is scaled by exp(h - vol_of_vol²), h an AR(1) with stationary
    standard deviation `vol_of_vol` and half-life `vol_halflife_minutes`, drawn from
    `vol_rng` (its own stream, so the shocks' draws do not move), started from its stationary
    law. The scaling keeps the mean variance annual_vol², so quiet and busy weeks take turns
    around the same average: the volatility clustering of traded assets (Cont 2001), long-lived
    in bitcoin's (Catania & Sandholdt 2019). 0 keeps the volatility constant.
    """
    if not isinstance(n_minutes, int) or n_minutes < 0:
        raise ValueError(f"n_minutes must be an integer >= 0, got {n_minutes!r}")
    if not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be an integer >= 1, got {every!r}")
    _positive(initial_value, "initial_value")
    if not (isinstance(annual_vol, int | float) and 0 <= annual_vol < 50):
        raise ValueError(f"annual_vol must be in [0, 50), got {annual_vol!r}")
    if not (isinstance(tail_df, int | float) and (tail_df == 0 or 2 < tail_df <= 1000)):
        raise ValueError(f"tail_df must be 0 (normal shocks) or in (2, 1000], got {tail_df!r}")
    if not (isinstance(vol_of_vol, int | float) and 0 <= vol_of_vol <= 3):
        raise ValueError(f"vol_of_vol must be in [0, 3], got {vol_of_vol!r}")
    if not (isinstance(vol_halflife_minutes, int | float) and vol_halflife_minutes > 0
            and math.isfinite(vol_halflife_minutes)):
        raise ValueError(f"vol_halflife_minutes must be > 0, got {vol_halflife_minutes!r}")
    if vol_of_vol and vol_rng is None:
        raise ValueError("vol_rng is needed when vol_of_vol > 0 (the volatility's own stream)")
    minutes = np.arange(0, n_minutes + 1, every, dtype=np.float64)
    dt = every / MINUTES_PER_YEAR
    if tail_df:
        unit = rng.standard_t(tail_df, len(minutes) - 1) * math.sqrt((tail_df - 2) / tail_df)
    else:
        unit = rng.standard_normal(len(minutes) - 1)
    if vol_of_vol:
        log_vol = ar1_path(vol_rng.standard_normal(len(unit)), vol_of_vol,
                           vol_halflife_minutes / every)
        unit = unit * np.exp(log_vol - vol_of_vol ** 2)
    shocks = unit * annual_vol * math.sqrt(dt)
    noise = np.concatenate([[0.0], np.cumsum(shocks)])
    drift = regime_log_drift(regime, minutes, **regime_terms)
    return initial_value * np.exp(drift + noise)


def ar1_path(shocks: np.ndarray, sd: float, halflife_steps: float) -> np.ndarray:
    """A stationary Gaussian AR(1) with standard deviation `sd` driven by unit `shocks`, its
    memory halving every `halflife_steps`, started from its stationary law (the crowd's mood
    and the news value's volatility)."""
    phi = 0.5 ** (1.0 / halflife_steps)
    path = np.empty(len(shocks))
    if not len(shocks):
        return path
    path[0] = level = sd * shocks[0]
    scale = sd * math.sqrt(1.0 - phi * phi)          # (sd * root) * shock, as the mood always did
    for h in range(1, len(shocks)):
        level = phi * level + scale * shocks[h]
        path[h] = level
    return path


class Attention:
    """Retail attention: 1.0 at listing, decaying toward `floor`, plus excitation from events.

    Args:
        halflife_days: how fast launch interest fades.
        floor: the long-run level relative to listing day.
        shock_halflife_hours: how fast the excitation from an event fades.
    """

    def __init__(self, halflife_days: float = 30.0, floor: float = 0.05,
                 shock_halflife_hours: float = 12.0) -> None:
        _positive(halflife_days, "halflife_days")
        _positive(shock_halflife_hours, "shock_halflife_hours")
        if not (isinstance(floor, int | float) and 0 <= floor <= 1):
            raise ValueError(f"floor must be in [0, 1], got {floor!r}")
        self.decay = math.log(2) / (halflife_days * 1440.0)        # per minute
        self.shock_decay = math.log(2) / (shock_halflife_hours * 60.0)
        self.floor = floor
        self._excitation = 0.0
        self._signed = 0.0          # the same, each event signed by its direction
        self._excited_at = 0.0

    def base(self, minute: float | np.ndarray) -> float | np.ndarray:
        """Launch interest alone at `minute` since listing."""
        return self.floor + (1.0 - self.floor) * np.exp(-self.decay * np.asarray(minute))

    def _fade(self, minute: float) -> float:
        """What share of the excitation at the last event is left at `minute`."""
        return math.exp(-self.shock_decay * max(0.0, minute - self._excited_at))

    def excitation(self, minute: float) -> float:
        """What is left of past events' excitation at `minute`."""
        return self._excitation * self._fade(minute)

    def shock(self, minute: float, size: float, direction: int = 0) -> None:
        """An event at `minute` (e.g. size = a sharp move over the threshold of one) adds
        `size` to the excitation; earlier excitation keeps fading. `direction` (+1 a rise, -1
        a fall, 0 neither) signs it for `tilt`."""
        if not (isinstance(size, int | float) and size >= 0 and math.isfinite(size)):
            raise ValueError(f"size must be a finite number >= 0, got {size!r}")
        if direction not in (-1, 0, 1):
            raise ValueError(f"direction must be -1, 0 or 1, got {direction!r}")
        fade = self._fade(minute)
        self._excitation = self._excitation * fade + size
        self._signed = self._signed * fade + size * direction
        self._excited_at = minute

    def tilt(self, minute: float) -> float:
        """The direction of what excites the market now, in (-1, 1): the signed excitation
        over 1 + excitation (near +1 after a large rise, -1 after a large fall, 0 when calm)."""
        fade = self._fade(minute)
        return self._signed * fade / (1.0 + self._excitation * fade)

    def level(self, minute: float) -> float:
        """Attention at `minute`: launch interest times (1 + excitation)."""
        base = self.floor + (1.0 - self.floor) * math.exp(-self.decay * minute)
        return base * (1.0 + self.excitation(minute))


def _positive(value: float, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
