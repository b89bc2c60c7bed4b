"""The dealers' news keys switched off: the providers, the latent books and the market maker
quote around the mid alone (the model before dealers read the news). For tests of a mechanism
that dealers moving their quotes with the news would hide (value traders finding a price below
their value, a sale draining the arbitrage desk, one dealer reading the news alone)."""

DEAF = {"liquidity.news_weight": 0.0, "latent.news_weight": 0.0, "market_maker.news_weight": 0.0}
