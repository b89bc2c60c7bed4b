"""Plain-Python references of the compiled modules, one module here per compiled module.

Each is the readable version of what the compiled one does, step for step in the same order:
the tests check that the compiled code gives the very same results (trade for trade, unit for
unit, array for array), the benchmarks time the compiled code against it, and a reader can
read the rules here without Cython's types and buffers. They live in the package, not in
tests/, because the model itself can run on one (`Arbitrageur.compiled = False`) and the
benchmarks import them without the tests on the path. Nothing else in the model uses them.

    book.py          ReferenceBook             mmabm/_core.pyx's OrderBook (sides: _ladder.pyx)
    replay.py        reference_replay          mmabm/_replay.pyx
    amm_accounts.py  ReferenceSwaps            mmabm/venues/_amm_accounts.pyx (the AMM's swaps)
    arbitrage.py     reference_look, ...       mmabm/agents/_arbitrage.pyx (its `_round`,
                                               `_value`, ... are the helpers named there)
    quoting.py       numpy_ladder              mmabm/agents/_quoting.pyx (the ladder's body)

The other compiled modules have none: their tests check them against closed forms
(_amm.pyx), invariants (_spot.pyx), what the rules must do (_retail.pyx) or numpy's own draws
(_arrivals.pyx).
"""
