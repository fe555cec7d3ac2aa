"""Developer tools outside the runtime package: the benchmark, the browser helpers, page snapshots."""
