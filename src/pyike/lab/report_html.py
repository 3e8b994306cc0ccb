"""`pyike lab --report html`: the session report as one self-contained page (no external
resources): the verdict, a topology drawing, the table with status colours, and each
failure with `pyike explain`'s verdict and decisive lines.

The drawing is inline SVG laid out deterministically: the routers as boxes on a circle in
the topology's order, then each peer address that is no lab router's (dashed). Each session
row is drawn as half a line, from its router to the middle of the way to its peer, coloured
by that row's status: the two ends of one tunnel meet in the middle, each in its own colour,
and a row whose peer has no session back ends in a dashed grey half. Several sessions
between the same two boxes are drawn as parallel curves.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from html import escape

from pyike.lab.report_render import COLUMNS, HEADINGS, cells, counts_line, failures
from pyike.lab.sessions import LabReport, SessionRow, Status

COLOURS = {
    Status.ESTABLISHED: "#2e7d32",
    Status.NO_TRAFFIC: "#ef6c00",
    Status.IKE_FAILED: "#c62828",
    Status.IPSEC_FAILED: "#ad1457",
    Status.PEER_NOT_IN_LAB: "#1565c0",
    Status.CONFIGURATION_ERROR: "#6d4c41",
    Status.NOT_RUN: "#757575",
}
BOX_WIDTH, BOX_HEIGHT = 120, 34
SPACING = 170  # pixels of circle per box
PARALLEL = 16  # pixels between parallel sessions of two boxes
MARGIN = 90


def slug(status: Status) -> str:
    """The status as a CSS class: "up, no traffic" is "up-no-traffic"."""
    return "-".join(status.value.lower().replace(",", "").split())


# --- layout ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    name: str  # a router's hostname, or a peer address no lab router holds
    x: float
    y: float
    router: bool


def layout(report: LabReport) -> tuple[dict[str, Node], float]:
    """Every router, then every peer outside the lab, on one circle from the top, clockwise;
    and the side of the square they fit in."""
    routers = report.routers
    outside = [row.peer for row in report.rows if row.peer and row.peer_router is None]
    names = [*routers, *dict.fromkeys(p for p in outside if p not in routers)]
    radius = max(120.0, len(names) * SPACING / (2 * math.pi))
    centre = radius + MARGIN
    nodes = {}
    for index, name in enumerate(names):
        angle = 2 * math.pi * index / len(names) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        nodes[name] = Node(name, round(x, 1), round(y, 1), index < len(routers))
    return nodes, 2 * centre


def _far_end(row: SessionRow) -> str | None:
    return row.peer_router or row.peer or None


def _halves(
    report: LabReport, nodes: dict[str, Node]
) -> list[tuple[SessionRow | None, Node, Node, float]]:
    """(row, from, to, offset) of each half line: the rows from each end of a pair of boxes,
    the i-th of one end facing the i-th of the other (offset: which parallel curve); a
    missing i-th row at the far end is a None half."""
    by_pair: dict[tuple[str, str], list[SessionRow]] = defaultdict(list)
    for row in report.rows:
        far = _far_end(row)
        if far is not None and far in nodes and far != row.router:
            by_pair[(row.router, far)].append(row)
    halves: list[tuple[SessionRow | None, Node, Node, float]] = []
    done: set[tuple[str, str]] = set()
    place = {name: index for index, name in enumerate(nodes)}
    for (near, far), rows in by_pair.items():
        if (near, far) in done:
            continue
        done |= {(near, far), (far, near)}
        back = by_pair.get((far, near), [])
        count = max(len(rows), len(back))
        sign = 1 if place[near] < place[far] else -1  # the same side, seen from either end
        for index in range(count):
            offset = sign * (index - (count - 1) / 2) * PARALLEL
            mine = rows[index] if index < len(rows) else None
            theirs = back[index] if index < len(back) else None
            halves.append((mine, nodes[near], nodes[far], offset))
            halves.append((theirs, nodes[far], nodes[near], -offset))
    return halves


def _half_path(start: Node, end: Node, offset: float) -> str:
    """The first half of a quadratic curve from `start` to `end` bowed `offset` pixels to
    its left (de Casteljau: control point halfway to the curve's control, end at its middle)."""
    dx, dy = end.x - start.x, end.y - start.y
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    cx = (start.x + end.x) / 2 + 2 * offset * nx
    cy = (start.y + end.y) / 2 + 2 * offset * ny
    mx, my = (start.x + 2 * cx + end.x) / 4, (start.y + 2 * cy + end.y) / 4
    qx, qy = (start.x + cx) / 2, (start.y + cy) / 2
    return f"M {start.x:.1f} {start.y:.1f} Q {qx:.1f} {qy:.1f} {mx:.1f} {my:.1f}"


# --- SVG -------------------------------------------------------------------------------------


def topology_svg(report: LabReport) -> str:
    nodes, size = layout(report)
    parts = [
        f'<svg class="topology" xmlns="http://www.w3.org/2000/svg" width="{size:.0f}" '
        f'height="{size:.0f}" viewBox="0 0 {size:.0f} {size:.0f}" role="img" '
        'aria-label="the lab\'s routers and their sessions">'
    ]
    for row, start, end, offset in _halves(report, nodes):
        parts.append(_half_svg(row, start, end, offset))
    for node in nodes.values():
        parts.append(_node_svg(node))
    parts.append("</svg>")
    return "\n".join(parts)


def _half_svg(row: SessionRow | None, start: Node, end: Node, offset: float) -> str:
    path = _half_path(start, end, offset)
    if row is None:
        title = f"{start.name}: no session back to {end.name}"
        return (
            f'<path class="session-none" d="{path}" fill="none" stroke="#bdbdbd" '
            f'stroke-width="2" stroke-dasharray="5 4"><title>{escape(title)}</title></path>'
        )
    title = f"{row.title}: {row.status.value}"
    return (
        f'<path class="session {slug(row.status)}" data-router="{escape(row.router)}" '
        f'data-session="{escape(row.session)}" data-status="{escape(row.status.value)}" '
        f'd="{path}" fill="none" stroke="{COLOURS[row.status]}" stroke-width="4">'
        f"<title>{escape(title)}</title></path>"
    )


def _node_svg(node: Node) -> str:
    x, y = node.x - BOX_WIDTH / 2, node.y - BOX_HEIGHT / 2
    kind = "router" if node.router else "outside"
    dash = "" if node.router else ' stroke-dasharray="4 3"'
    label = escape(node.name)
    what = "lab router" if node.router else "peer address no lab router holds"
    return (
        f'<g class="{kind}" data-name="{label}"><title>{label}: {what}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" '
        f'fill="{"#ffffff" if node.router else "#f5f5f5"}" stroke="#37474f" '
        f'stroke-width="1.5"{dash}/>'
        f'<text x="{node.x:.1f}" y="{node.y + 5:.1f}" text-anchor="middle">{label}</text></g>'
    )


# --- the page --------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #212121; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #cfd8dc; padding: 0.3em 0.6em; text-align: left; }
table.sessions td { white-space: nowrap; }
th { background: #eceff1; }
td.status { color: #ffffff; font-weight: 600; }
svg text { font-size: 13px; }
pre { background: #fafafa; border: 1px solid #e0e0e0; padding: 0.5em; overflow-x: auto; }
.verdict.ok { color: #2e7d32; } .verdict.failed { color: #c62828; }
.legend span { display: inline-block; margin-right: 1em; }
.legend i { display: inline-block; width: 1.5em; height: 0.5em; margin-right: 0.3em; }
"""


def render_html(report: LabReport) -> str:
    state = "ok" if report.ok else "failed"
    verdict = "every session established" if report.ok else "not every session established"
    body = [
        "<h1>pyike lab report</h1>",
        f'<p class="verdict {state}">{escape(verdict)}: {escape(counts_line(report))}</p>',
        _legend(),
        topology_svg(report),
        _table(report),
        *_failures_html(report),
        *_verdict_html(report),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>pyike lab report</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _legend() -> str:
    items = "".join(
        f'<span><i style="background:{COLOURS[s]}"></i>{escape(s.value)}</span>' for s in Status
    )
    return f'<p class="legend">{items}</p>'


def _table(report: LabReport) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in HEADINGS)
    rows = []
    for row in report.rows:
        tds = []
        for name, cell in zip(COLUMNS, cells(row), strict=True):
            if name == "STATUS":
                tds.append(
                    f'<td class="status" style="background:{COLOURS[row.status]}">'
                    f"{escape(cell)}</td>"
                )
            else:
                tds.append(f"<td>{escape(cell)}</td>")
        rows.append(f'<tr class="session-row {slug(row.status)}">{"".join(tds)}</tr>')
    return (
        f'<table class="sessions">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def _failures_html(report: LabReport) -> list[str]:
    found = failures(report)
    out = ["<h2>Sessions not established</h2>"] if found else []
    for failure in found:
        out.append(f'<section class="failure"><h3>{escape(failure.heading)}</h3>')
        out += [f"<p>{escape(line)}</p>" for line in failure.said]
        if failure.quoted:
            out.append(f'<pre class="decisive">{escape(chr(10).join(failure.quoted))}</pre>')
        out.append("</section>")
    return out


def _verdict_html(report: LabReport) -> list[str]:
    lines = [f"<li>{escape(problem)}</li>" for problem in report.lab_problems]
    lines += [f"<li>{escape(note)}</li>" for note in report.notes]
    if report.summary is not None:
        lines.append(f"<li>{escape(report.summary)}</li>")
    checks = [
        f'<li class="{"passed" if passed else "failed"}">{escape(check.host)}: '
        f"<code>{escape(check.command)}</code> {'passed' if passed else 'failed'}</li>"
        for check, passed in report.checks
    ]
    out = ["<h2>Verdict</h2>", f"<ul>{''.join(lines)}</ul>"]
    if checks:
        out += ["<h2>Checks</h2>", f"<ul>{''.join(checks)}</ul>"]
    return out


__all__ = ["render_html", "slug", "topology_svg"]
