"""Scenario 7: route a burst of 10,000 leads to 500 partners with every rule on, beside an update-plus-log
transaction rate measured with pgbench.

Waiting for the partners app (lead distribution rules, partner profiles): the issue that builds it adds `run`
here; the floor is a pgbench script that updates a lead's owner and inserts one log row per transaction.
"""

ID = "7"
TITLE = "Route a burst of 10,000 leads to 500 partners, all rules on"
TARGET = "≥ 0.2x the floor, sustained"
FLOOR = "update-plus-log transactions per second with pgbench (seen ~4.5k/s)"
LIMIT_SECONDS = 0
NEEDS_DATA = True
WAITING = "waiting for the partners app"
