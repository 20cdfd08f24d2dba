"""Forge CRM benchmarks: every figure measured beside the floor of this machine, in the same run.

`make bench` (or `python -m bench`) runs the scenarios in `bench/scenarios/` one after another against the
PostgreSQL database `forge_bench` on 127.0.0.1, writes a JSON file per run to `bench/results/` and regenerates
`docs/performance.md` from the latest result of every scenario. See bench/README.md.
"""
