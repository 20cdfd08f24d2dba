"""Pure, seeded generators of demo rows (no database): reused by `seed_demo` and the benchmark data set."""
