"""What the two log-making scripts (`tests.support.charon_logs`, `tests.support.pluto_logs`)
share: their network-namespace lab, the header of a corpus file, and their command line."""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

from tests.support.netns import Lab


class Described(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def what(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def cause(self) -> str: ...


@contextlib.contextmanager
def scratch_lab() -> Iterator[Lab]:
    """Namespaces for one scenario, removed whatever happens."""
    lab = Lab()
    try:
        yield lab
    finally:
        lab.cleanup()


def header(scenario: Described, log: str, script: str, versions: str) -> str:
    """The comment lines that head a corpus file: what it is and how it was made."""
    return (
        f"# {log}: scenario {scenario.name} ({scenario.what}); expected {scenario.outcome}, "
        f"{scenario.cause}.\n"
        f"# Made by `python -m tests.support.{script}` (root, network namespaces): {versions}, "
        f"{time.strftime('%Y-%m-%d')}.\n"
    )


def corpus_args(doc: str | None, scenarios: Mapping[str, object], work: Path) -> argparse.Namespace:
    """`DIRECTORY [SCENARIO...] [--work DIR]`, the scenarios checked against `scenarios`."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("directory", type=Path)
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=", ".join(scenarios))
    parser.add_argument("--work", type=Path, default=work)
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(scenarios)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    return args
