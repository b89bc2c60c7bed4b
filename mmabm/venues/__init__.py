"""Venues: the only way agents trade. Each keeps its accounts honest (locks, fees, settlement)."""
from mmabm.venues._spot import ACCOUNT_DTYPE, TRADE_DTYPE, Rejection, SpotExchange

__all__ = ["ACCOUNT_DTYPE", "TRADE_DTYPE", "Rejection", "SpotExchange"]
