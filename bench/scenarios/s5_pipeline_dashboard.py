"""Scenario 5: the pipeline / forecast dashboard of a manager with a 50-person subtree over 200,000
opportunities, beside the sum of its tiles' SQL aggregates.

Waiting for the sales app (opportunities, forecasts): the issue that builds it adds `run` here, with the
opportunities in the data set (seed_demo --scale large) and the rollup tables the target asks for.
"""

ID = "5"
TITLE = "Pipeline / forecast dashboard, manager with a 50-person subtree, 200,000 opportunities"
TARGET = "≤ 1.5x the sum of the tiles' SQL aggregates, p95 ≤ 300 ms; a tile over 100 ms reads a rollup"
FLOOR = "the sum of the tiles' SQL aggregates (seen ~15 ms per quarter, ~91 ms all history)"
LIMIT_SECONDS = 0
NEEDS_DATA = True
WAITING = "waiting for the sales app"
