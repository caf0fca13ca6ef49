"""`make bench`: how fast and how lean the pipeline is on the demo company, as JSON in
`bench/results/` and a summary in `docs/performance.md`. Measurements run in child
processes against a demo API server process, never inside the test suite."""
