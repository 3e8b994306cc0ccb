"""What the tests (and the benchmarks) share: harnesses, topologies, peers, data paths.

Nothing here is a test. Test modules import from here, never from one another; see
tests/test_test_layout.py."""
