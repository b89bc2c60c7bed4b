"""Venues: the only way agents trade. Each keeps its accounts honest (locks, fees, settlement),
and `check_conservation` proves the whole model's books balance."""
from mmabm.venues._spot import ACCOUNT_DTYPE, TRADE_DTYPE, Rejection, SpotExchange
from mmabm.venues.amm import AmmVenue, LpPosition
from mmabm.venues.conservation import (ConservationError, audit_model, check_conservation, defund,
                                       fund)
from mmabm.venues.wallets import InsufficientFunds, Wallets

__all__ = ["ACCOUNT_DTYPE", "TRADE_DTYPE", "AmmVenue", "ConservationError", "InsufficientFunds",
           "LpPosition", "Rejection", "SpotExchange", "Wallets", "audit_model",
           "check_conservation", "defund", "fund"]
