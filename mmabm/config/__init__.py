"""One typed, frozen configuration tree for a run, mirroring the TOML sections.

Every field declares its allowed range, so a bad value — from a TOML file, a Python override or
a command-line `--set section.key=value` — is an error that names the dotted key and the range;
an unknown key is an error that lists the known ones. The resolved config is serialised with
every result (`to_dict`), so a run can be re-created.
"""
from __future__ import annotations

import dataclasses
import datetime
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmabm.config.agents import (ArbitrageConfig, BeliefsConfig, LatentConfig,
                                 LiquidityConfig, MarketMakerConfig, MoneyConfig,
                                 ProjectConfig, RetailConfig)
from mmabm.config.fields import (ConfigError, _build, _field, _parse, _plain,  # noqa: F401
                                 _set_dotted)
from mmabm.config.market import (CexConfig, ContractConfig, DexConfig, PerpConfig,
                                 RunConfig, TokenConfig, WorldConfig)
from mmabm.exogenous import check_path


def _default_cexs() -> tuple[CexConfig, ...]:
    return (CexConfig("main", depth_usd=100_000.0), CexConfig("cex2"), CexConfig("cex3"))


@dataclass(frozen=True)
class Config:
    """A whole run. Build it with `load_config`, `Config.from_dict` or `Config()` (the
    article's deal), and change it with `override`."""
    run: RunConfig = field(default_factory=RunConfig)
    token: TokenConfig = field(default_factory=TokenConfig)
    world: WorldConfig = field(default_factory=WorldConfig)
    cex: tuple[CexConfig, ...] = field(default_factory=_default_cexs)
    dex: DexConfig = field(default_factory=DexConfig)
    perp: PerpConfig = field(default_factory=PerpConfig)
    contract: ContractConfig = field(default_factory=ContractConfig)
    market_maker: MarketMakerConfig = field(default_factory=MarketMakerConfig)
    project: ProjectConfig = field(default_factory=ProjectConfig)
    retail: RetailConfig = field(default_factory=RetailConfig)
    beliefs: BeliefsConfig = field(default_factory=BeliefsConfig)
    money: MoneyConfig = field(default_factory=MoneyConfig)
    liquidity: LiquidityConfig = field(default_factory=LiquidityConfig)
    latent: LatentConfig = field(default_factory=LatentConfig)
    arbitrage: ArbitrageConfig = field(default_factory=ArbitrageConfig)

    def __post_init__(self) -> None:
        _check_terms(self)

    # -- derived terms: the article's inventory arithmetic -------------------------------------
    @property
    def quoting_inventory_tokens(self) -> float:
        """Tokens the MM needs for its ask obligations on every CEX."""
        return sum(c.depth_usd for c in self.cex) / self.token.initial_price

    @property
    def pool_inventory_tokens(self) -> float:
        """Tokens the MM puts in the pool (half its value)."""
        return self.dex.pool_usd / 2 / self.token.initial_price

    @property
    def initial_sale_tokens(self) -> float:
        """The article's sale: the loan minus the inventory the obligations need
        (3,000,000 - (200,000 + 500,000) = 2,300,000 for the article's terms), or
        `market_maker.sale_fraction` of the loan when that is set (>= 0)."""
        if self.market_maker.sale_fraction >= 0:
            return self.contract.loan_tokens * self.market_maker.sale_fraction
        return self.max_sale_tokens

    @property
    def max_sale_tokens(self) -> float:
        """The most the market maker can sell and still hold the obligations' inventory."""
        return self.contract.loan_tokens - self.quoting_inventory_tokens - self.pool_inventory_tokens

    # -- conversions ---------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        """A config from nested dicts (TOML tables); unknown keys and bad values name the key."""
        return _build(cls, data, "")

    def to_dict(self) -> dict[str, Any]:
        """The config as nested dicts and lists, ready for JSON or TOML."""
        return _plain(dataclasses.asdict(self))

    def override(self, changes: dict[str, Any]) -> Config:
        """A copy with dotted keys replaced, e.g. {"market_maker.strategy": "hold",
        "cex.0.depth_usd": 2e5}; string values are parsed as TOML values (for --set)."""
        data = self.to_dict()
        for key, value in changes.items():
            _set_dotted(data, key, _parse(value) if isinstance(value, str) else value)
        return Config.from_dict(data)


#: the scenarios shipped with the package, found by name (`mmabm run article`)
SCENARIOS = Path(__file__).parent.parent / "scenarios"


def scenario_names() -> list[str]:
    """The shipped scenarios' names."""
    return sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def scenario_path(name_or_path: str | Path) -> Path:
    """A scenario file: an existing path as given, else a shipped scenario by name ("article"
    or "article.toml"); neither is a ConfigError that lists the shipped names."""
    path = Path(name_or_path)
    if path.exists() or path.parent != Path("."):
        return path
    shipped = SCENARIOS / (path.name if path.suffix == ".toml" else f"{path.name}.toml")
    if shipped.exists():
        return shipped
    raise ConfigError(f"scenario {str(name_or_path)!r} is neither a file nor a shipped scenario "
                      f"({', '.join(scenario_names())})")


def read_toml(path: str | Path, what: str = "scenario") -> dict[str, Any]:
    """The tables of a TOML file; a missing file, a directory, an unreadable file or bad TOML
    is a ConfigError naming it."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{what} file {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} file {str(path)!r} is a directory, not a TOML file") from None
    except (PermissionError, UnicodeDecodeError) as err:
        raise ConfigError(f"{what} file {str(path)!r} cannot be read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None


def parse_overrides(items: typing.Iterable[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (the `--set` of the CLI and of the experiment scripts) as overrides
    for `load_config`, which converts and checks the values; a malformed one is a ConfigError."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set needs KEY=VALUE, got {item!r}")
        overrides[key.strip()] = value.strip()
    return overrides


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read a TOML scenario, a file or a shipped scenario's name (missing keys take their
    defaults), and apply dotted overrides."""
    config = Config.from_dict(read_toml(scenario_path(path)))
    return config.override(overrides) if overrides else config


# -- building and checking ------------------------------------------------------------------------


#: inventory the market maker puts on each CEX per unit of its depth obligation, each side: the
#: ladder's 5% margin, fees, and room to trade
OBLIGATION_BUFFER = 1.2

#: the dealers' news keys switched off: the providers, the latent books and the market maker
#: quote around the mid alone (the model before 2026-12-03; tests and experiments that need a
#: market where only value traders read the news start from it)
DEAF_DEALERS = {"liquidity.news_weight": 0.0, "latent.news_weight": 0.0,
                "market_maker.news_weight": 0.0}


def strategy_of(mm: MarketMakerConfig):
    """The market maker's strategy: its class resolved and its parameters built and checked
    (ConfigError naming the key, in one line)."""
    from mmabm.strategies import StrategyError, resolve
    try:
        cls = resolve(mm.strategy)
    except StrategyError as err:
        raise ConfigError(str(err)) from None
    if cls.Params is None:
        return cls()
    return cls(_build(cls.Params, mm.params, "market_maker.params."))


def _check_terms(c: Config) -> None:
    """Terms that are each in range but impossible together."""
    strategy_of(c.market_maker)
    try:
        datetime.date.fromisoformat(c.run.listing_date)
    except ValueError:
        raise ConfigError(f"run.listing_date must be a date like 2025-01-01, got "
                          f"{c.run.listing_date!r}") from None
    if c.run.months * 30 * 1440 < c.run.record_every_minutes:
        raise ConfigError(f"run.months must cover at least one recorded row (run.record_every_"
                          f"minutes = {c.run.record_every_minutes} minutes = "
                          f"{c.run.record_every_minutes / 43200:.3g} months), got {c.run.months:g}")
    try:
        check_path(c.world.path_days, c.world.path_multiples, key="world.")
    except ValueError as err:
        raise ConfigError(str(err)) from None
    if len(c.contract.strikes) != len(c.contract.option_tokens):
        raise ConfigError(f"contract.option_tokens must give one size per strike: "
                          f"{len(c.contract.strikes)} strikes, {len(c.contract.option_tokens)} sizes")
    if c.contract.loan_tokens > c.token.total_supply:
        raise ConfigError(f"contract.loan_tokens must be at most token.total_supply "
                          f"({c.token.total_supply:g}), got {c.contract.loan_tokens:g}")
    spoken_for = (c.contract.loan_tokens + c.retail.float_tokens + c.project.unlock_tokens
                  + c.arbitrage.tokens_per_venue * (len(c.cex) + 1) + c.retail.early_tokens
                  + (c.liquidity.tokens_per_venue + c.latent.tokens_per_venue)
                  * sum(x.depth_usd for x in c.cex) / max(c.cex[0].depth_usd, 1e-300)
                  + c.arbitrage.perp_usdt / c.token.initial_price)      # the basis desk's
    if spoken_for > c.token.total_supply:
        raise ConfigError(f"token.total_supply ({c.token.total_supply:g}) must cover the loan, the "
                          f"retail float, the early holders' tokens, the insiders' unlocks, the "
                          f"arbitrage and basis desks' and the liquidity providers' and latent books' tokens ({spoken_for:g})")
    funding_usdt = OBLIGATION_BUFFER * sum(x.depth_usd for x in c.cex) + c.dex.pool_usd / 2
    if funding_usdt > c.market_maker.usdt_capital:
        raise ConfigError(
            f"market_maker.usdt_capital ({c.market_maker.usdt_capital:,.0f} USDT) must fund the "
            f"market maker's venues at listing: {funding_usdt:,.0f} USDT ({OBLIGATION_BUFFER:g} x "
            f"the cex.*.depth_usd bids, {OBLIGATION_BUFFER * sum(x.depth_usd for x in c.cex):,.0f}, "
            f"+ the pool's USDT half, dex.pool_usd / 2 = {c.dex.pool_usd / 2:,.0f}); raise the "
            f"capital or lower the depth or the pool")
    if c.max_sale_tokens < 0:
        raise ConfigError(f"contract.loan_tokens ({c.contract.loan_tokens:g}) must cover the "
                          f"inventory the obligations need ({c.quoting_inventory_tokens:g} for "
                          f"quoting + {c.pool_inventory_tokens:g} for the pool)")
    funding_tokens = OBLIGATION_BUFFER * c.quoting_inventory_tokens + c.pool_inventory_tokens
    if funding_tokens > c.contract.loan_tokens:
        raise ConfigError(
            f"contract.loan_tokens ({c.contract.loan_tokens:,.0f}) must fund the market maker's "
            f"venues at listing: {funding_tokens:,.0f} tokens ({OBLIGATION_BUFFER:g} x the "
            f"cex.*.depth_usd asks + the pool's token half, at token.initial_price)")
    fraction = c.market_maker.sale_fraction
    if (-1 < fraction < 0) or c.initial_sale_tokens > c.max_sale_tokens * (1 + 1e-12):
        raise ConfigError(f"market_maker.sale_fraction must be -1 (the article's arithmetic) or "
                          f"in [0, {c.max_sale_tokens / max(c.contract.loan_tokens, 1e-300):.4f}] "
                          f"(at most the loan minus the obligations' inventory), got {fraction:g}")
    if 0 < c.world.news_tail_df <= 2:
        raise ConfigError(f"world.news_tail_df must be 0 (normal shocks) or in (2, 1000] (a t "
                          f"with 2 or fewer degrees of freedom has no variance), got "
                          f"{c.world.news_tail_df:g}")
    if c.perp.maintenance_margin > c.perp.initial_margin:
        raise ConfigError(f"perp.maintenance_margin must be at most perp.initial_margin "
                          f"({c.perp.initial_margin:g}), got {c.perp.maintenance_margin:g}")
    shares = (c.retail.noise_share, c.retail.momentum_share, c.retail.fundamentalist_share,
              c.retail.perp_share)
    if abs(sum(shares) - 1.0) > 1e-9:
        raise ConfigError(f"retail.*_share must add up to 1, got {sum(shares):g}")
    if c.market_maker.inner_rungs > c.market_maker.quote_levels:
        raise ConfigError(f"market_maker.inner_rungs must be at most market_maker.quote_levels "
                          f"({c.market_maker.quote_levels}), got {c.market_maker.inner_rungs}")
    names = [x.name for x in c.cex]
    if len(set(names)) != len(names):
        raise ConfigError(f"cex names must be unique, got {names}")
    for i, x in enumerate(c.cex):
        if x.maker_fee < -x.taker_fee:
            raise ConfigError(f"cex.{i}.maker_fee rebate must not exceed cex.{i}.taker_fee")
