"""``python -m kg.cli``, as the tests and benchmarks start it."""

from kg.cli import main

main()
