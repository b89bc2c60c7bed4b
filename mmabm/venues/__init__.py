"""Venues: the only way agents trade. Each keeps its accounts honest (locks, fees, settlement),
and `check_conservation` proves the whole model's books balance."""
from mmabm.venues._spot import ACCOUNT_DTYPE, TRADE_DTYPE, SpotExchange
from mmabm.venues.errors import Rejection
from mmabm.venues.amm import AmmVenue, LpPosition
from mmabm.venues.options import CallOption, EwmaVolatility, bs_greeks, bs_price
from mmabm.venues.perp import Liquidation, PerpExchange
from mmabm.venues.conservation import (ConservationError, audit_model, check_conservation, defund,
                                       fund)
from mmabm.venues.wallets import InsufficientFunds, Wallets

__all__ = ["ACCOUNT_DTYPE", "TRADE_DTYPE", "AmmVenue", "CallOption", "ConservationError",
           "EwmaVolatility", "InsufficientFunds", "Liquidation", "LpPosition", "PerpExchange",
           "Rejection", "SpotExchange", "Wallets", "audit_model", "bs_greeks", "bs_price",
           "check_conservation", "defund", "fund"]
