"""`pyike lab --report FORMAT`: the session report (`pyike.lab.sessions`) as text (an aligned
table, then each failure with `pyike explain`'s verdict and its decisive lines), Markdown,
JSON (`RENDERERS`) or HTML (`pyike.lab.report_html`).

The JSON report is one object, schema `pyike-lab-report/1`:

- `schema`: "pyike-lab-report/1".
- `rows`: one object per configured session: `router`, `interface` (the tunnel, or the
  interface holding the crypto map), `entry` (the crypto map entry, "crypto map CMAP 10",
  with " line N" for a further ACL line; null for a tunnel), `kind` ("VTI", "GRE", "DMVPN",
  "crypto map"), `local` and `peer` (addresses, "" when the configuration has none),
  `peer_router` (the lab router at the peer address, or null), `status` (one of `counts`'
  keys), `reason` (what the counters say of a tunnel that carries nothing, or why a session
  was not run; else ""), `cause` (for `IKE failed`, `IPsec failed` and `peer not in lab`:
  `id` (explain's cause id), `summary`, `detail` and `lines`, the decisive debug lines as
  `router`, `line` (in its console, from 1) and `text`; else null), `ike` (`encryption`,
  `prf`, `integrity`, `dh_group`, as `show crypto ikev2 sa` names them) and `esp`
  (`transform`, as `show crypto ipsec sa` names it, and `mode`), each null when not
  negotiated.
- `counts`: how many rows have each status: `established`, `up, no traffic`, `IKE failed`,
  `IPsec failed`, `peer not in lab`, `configuration error`, `not run`.
- `checks`: each `expect` with `host`, `command`, `expect`, `passed`, `where`.
- `notes`: what the lab could not act on (a routing protocol it does not run, ...).
- `verdict`: `ok` (the exit status is 0 when true: every session established and carrying
  traffic, every check passed, every line loaded), `summary` (the line of a healthy network,
  else null), `problems` (one line each).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from pyike.lab.records import check_fields
from pyike.lab.sessions import (
    Cause,
    EspAlgorithms,
    IkeAlgorithms,
    LabReport,
    SessionRow,
    Status,
)

SCHEMA = "pyike-lab-report/1"
PREFIX = "% pyike lab: "
COLUMNS = ("ROUTER", "SESSION", "KIND", "LOCAL", "PEER", "STATUS", "CAUSE", "IKE", "ESP")
# the columns as a markdown or HTML table heads them: words capitalized, acronyms kept
HEADINGS = tuple(name if name in ("IKE", "ESP") else name.capitalize() for name in COLUMNS)


# --- what every format says of a row -----------------------------------------------------------


def ike_text(ike: IkeAlgorithms | None) -> str:
    """The IKE SA's encryption, integrity, PRF and DH group; "-" when none came up."""
    if ike is None:
        return "-"
    return f"{ike.encryption}, {ike.integrity}, PRF {ike.prf}, DH group {ike.dh_group}"


def esp_text(esp: EspAlgorithms | None) -> str:
    """The Child SA's transforms and mode; "-" when none came up."""
    return "-" if esp is None else f"{esp.transform}, {esp.mode} mode"


def cause_cell(row: SessionRow) -> str:
    """A short cause: explain's cause id, "probe lost" for a tunnel carrying nothing."""
    if row.cause is not None:
        return row.cause.id
    return "probe lost" if row.status is Status.NO_TRAFFIC else "-"


def cells(row: SessionRow) -> tuple[str, ...]:
    return (
        row.router,
        row.session,
        row.kind,
        row.local or "-",
        row.peer_label,
        row.status.value,
        cause_cell(row),
        ike_text(row.ike),
        esp_text(row.esp),
    )


def counts_line(report: LabReport) -> str:
    counts = [f"{n} {status.value}" for status, n in report.counts.items() if n]
    return f"{len(report.rows)} sessions: {', '.join(counts) or 'none'}"


@dataclass(frozen=True)
class Failure:
    """Why a session is not established: explain's verdict (cause, what it means, the
    specifics) and its decisive lines, or the counters' or the configuration's reason."""

    heading: str  # the router, session, peer and status
    said: list[str]
    quoted: list[str]  # the decisive debug lines, "ROUTER:LINE: TEXT"


def failures(report: LabReport) -> list[Failure]:
    """Each session not established; a verdict already given for the other end of the same
    IKE SAs is referred to, not repeated."""
    out: list[Failure] = []
    told: dict[Cause, str] = {}
    for row in report.rows:
        if row.established:
            continue
        heading = f"{row.title}: {row.status.value}"
        cause = row.cause
        if cause is None:
            out.append(Failure(heading, [row.reason] if row.reason else [], []))
        elif cause in told:
            out.append(Failure(heading, [f"as for {told[cause]}"], []))
        else:
            told[cause] = f"{row.router} {row.session}"
            said = [f"{cause.id}: {cause.summary}", *([cause.detail] if cause.detail else [])]
            quoted = [f"{line.router}:{line.line}: {line.text}" for line in cause.lines]
            out.append(Failure(heading, said, quoted))
    return out


# --- text ------------------------------------------------------------------------------------


def table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Columns aligned on the widest cell (the last column is not padded)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    ]


def render_text(report: LabReport) -> str:
    lines = table([COLUMNS, *(cells(row) for row in report.rows)])
    for failure in failures(report):
        lines += ["", failure.heading, *(f"  {line}" for line in failure.said)]
        lines += [f"    {line}" for line in failure.quoted]
    lines += ["", *_verdict_lines(report)]
    return "\n".join(lines) + "\n"


def _verdict_lines(report: LabReport) -> list[str]:
    passed = sum(passed for _, passed in report.checks)
    checks = f"; {passed} of {len(report.checks)} checks passed" if report.checks else ""
    out = [PREFIX + counts_line(report) + checks]
    out += [f"{PREFIX}{note}" for note in report.notes]
    if report.summary is not None:
        out.append(PREFIX + report.summary)
    return out + [PREFIX + problem for problem in report.lab_problems]


# --- Markdown --------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def render_markdown(report: LabReport) -> str:
    lines = [
        "| " + " | ".join(HEADINGS) + " |",
        "|" + "---|" * len(HEADINGS),
        *("| " + " | ".join(_md_cell(c) for c in cells(row)) + " |" for row in report.rows),
    ]
    found = failures(report)
    if found:
        lines += ["", "## Sessions not established"]
    for failure in found:
        lines += ["", f"**{_md_cell(failure.heading)}**", ""]
        lines += [f"- {_md_cell(line)}" for line in failure.said]
        if failure.quoted:
            lines += ["", "```", *failure.quoted, "```"]
    lines += ["", "## Verdict", ""]
    lines += [f"- {_md_cell(line.removeprefix(PREFIX))}" for line in _verdict_lines(report)]
    return "\n".join(lines) + "\n"


# --- JSON ------------------------------------------------------------------------------------


def report_object(report: LabReport) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "rows": [_row_object(row) for row in report.rows],
        "counts": {status.value: n for status, n in report.counts.items()},
        "checks": [check_fields(check, passed) for check, passed in report.checks],
        "notes": report.notes,
        "verdict": {"ok": report.ok, "summary": report.summary, "problems": report.problems},
    }


def _row_object(row: SessionRow) -> dict[str, object]:
    out = asdict(row)
    out["status"] = row.status.value
    return out


def render_json(report: LabReport) -> str:
    return json.dumps(report_object(report), indent=2) + "\n"


# The formats but HTML (`pyike.lab.report_html`), by name (`pyike.lab.report.REPORT_FORMATS`)
RENDERERS: dict[str, Callable[[LabReport], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}


__all__ = [
    "RENDERERS",
    "SCHEMA",
    "Failure",
    "cells",
    "counts_line",
    "esp_text",
    "failures",
    "ike_text",
    "render_json",
    "render_markdown",
    "render_text",
    "report_object",
]
