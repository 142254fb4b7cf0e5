"""Scale data and timing harnesses (not part of the test run): ``python -m benchmarks.bench_compare``."""
