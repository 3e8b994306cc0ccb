"""Prometheus metrics of a `pyike run --metrics PORT` scraped from inside its namespace, as
samples keyed by name and labels."""

from __future__ import annotations

import sys

from prometheus_client.parser import text_string_to_metric_families

from tests.support.netns import Namespace

SCRAPE = (
    "import sys, urllib.request\n"
    "with urllib.request.urlopen(sys.argv[1], timeout=20) as answer:\n"
    "    assert answer.headers['Content-Type'].startswith('text/plain'), answer.headers\n"
    "    sys.stdout.write(answer.read().decode())\n"
)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(ns: Namespace, port: int) -> Samples:
    text = ns.run(sys.executable, "-c", SCRAPE, f"http://127.0.0.1:{port}/metrics").stdout
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)
