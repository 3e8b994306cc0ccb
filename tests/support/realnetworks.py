"""The corpus networks of tests/data/realnetworks: each directory is one network of the
real-configuration corpus (tests/data/realconfigs) as a lab. `network.lab` names its corpus
files (`# corpus: PATH`) and holds the checks; `STEM.add` is appended to corpus file STEM (what
the page leaves out, as an engineer would paste it after the published text) and `STEM.pre`
typed before it (what the page gives earlier than an excerpt that ends with `end`); other `*.cfg`
files are the routers the page does not show (an ISP between the sites). A `# expected: TEXT`
line in `network.lab` names a verdict the lab must print (a tunnel pyike cannot bring up). A
`# netns only: WHY` line marks a network only `pyike lab --netns` runs (a routing protocol the
simulated lab does not run): it is in NETNS_GROUPS, not GROUPS."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.paths import DATA, REALCONFIGS

CORPUS = REALCONFIGS
NETWORKS = DATA / "realnetworks"
_MEMBER = re.compile(r"^# corpus: (\S+)$", re.MULTILINE)
_EXPECTED = re.compile(r"^# expected: (.+)$", re.MULTILINE)
_NETNS_ONLY = re.compile(r"^# netns only: (.+)$", re.MULTILINE)


def netns_only(group: Path) -> str | None:
    """Why only `pyike lab --netns` runs the group's network; None when the simulated lab does."""
    found = _NETNS_ONLY.search((group / "network.lab").read_text())
    return found[1] if found else None


_ALL = sorted(p for p in NETWORKS.iterdir() if p.is_dir())
GROUPS = [g for g in _ALL if netns_only(g) is None]
NETNS_GROUPS = [g for g in _ALL if netns_only(g) is not None]


_CORPUS_PATH = re.compile(r"\b[a-z0-9-]+/[\w.-]+\.cfg\b")


def paired_files() -> set[str]:
    """The corpus files whose INDEX.md row names a partner among the corpus files."""
    paired = set()
    for row in (CORPUS / "INDEX.md").read_text().splitlines():
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        if len(cells) >= 6 and cells[1].startswith("`") and _CORPUS_PATH.search(cells[3]):
            paired.add(f"{cells[0]}/{cells[1].strip('`')}")
    return paired


def members(group: Path) -> list[Path]:
    return [CORPUS / m for m in _MEMBER.findall((group / "network.lab").read_text())]


def expected_verdicts(group: Path) -> list[str]:
    """The `% pyike lab:` verdict lines the group's lab prints besides refused lines (`#
    expected: TEXT`, in order): tunnels pyike does not bring up, and why."""
    return [f"% pyike lab: {v}" for v in _EXPECTED.findall((group / "network.lab").read_text())]


def assemble(group: Path, into: Path) -> None:
    """The group's lab directory: each corpus file as published with its `.add` lines after
    it, the routers the page does not show, and the checks."""
    for corpus in members(group):
        text = corpus.read_bytes().decode()
        addition = group / f"{corpus.stem}.add"
        if addition.exists():
            text += "\n" + addition.read_text()
        before = group / f"{corpus.stem}.pre"
        if before.exists():
            text = before.read_text() + text
        (into / corpus.name).write_text(text, newline="")
    for extra in [*group.glob("*.cfg"), group / "network.lab"]:
        (into / extra.name).write_text(extra.read_text())
