"""Load benchmarks: ``python -m bench.receiver`` measures the webhook receiver (see README.md)."""
