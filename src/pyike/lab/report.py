"""What `pyike lab` prints about a run besides the routers' consoles: how the files loaded,
each check, and the verdict; as text (`% pyike lab: ...` lines, problems on stderr) or, with
`--json`, as records on stdout (`pyike.lab.records`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from pyike.lab.records import Record, check_fields, config_record
from pyike.topology import Check, Topology

REPORT_FORMATS = ("text", "markdown", "json", "html")  # `--report`'s (pyike.lab.report_render)


class Report:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def record(self, record: Record) -> None:
        print(json.dumps(record), flush=False)

    def loading(self, topology: Topology) -> None:
        """What a router's console shows as it reads its configuration: each refused line
        with IOS's message and marker, then how the lab named routers that have no hostname."""
        for refusal in topology.refused:
            if self.as_json:
                self.record(config_record(refusal))
            else:
                print(refusal.format(), file=sys.stderr)
        for note in topology.notes:
            self._note(note)

    def _note(self, note: str) -> None:
        if self.as_json:
            self.record({"type": "note", "text": note})
        else:
            print(f"% pyike lab: {note}")

    def check(self, check: Check, passed: bool) -> None:
        if self.as_json:
            self.record({"type": "check", **check_fields(check, passed)})

    def failed(self, message: str) -> int:
        """The run could not happen (or stopped): the reason, exit status 1."""
        if self.as_json:
            self.record({"type": "verdict", "ok": False, "summary": None, "problems": [message]})
        else:
            print(message, file=sys.stderr)
        return 1

    def verdict(
        self,
        ok: bool,
        summary: str | None,
        problems: Sequence[str],
        notes: Sequence[str] = (),
        *,
        blank: bool = True,
    ) -> int:
        """The notes, the summary line (when the network itself is healthy) and the problems;
        the exit status."""
        if self.as_json:
            self.record(
                {
                    "type": "verdict",
                    "ok": ok,
                    "summary": summary,
                    "problems": list(problems),
                    "notes": list(notes),
                }
            )
            return 0 if ok else 1
        for note in notes:
            self._note(note)
        if summary is not None:
            if blank:
                print()
            print(f"% pyike lab: {summary}")
        for problem in problems:
            print(f"% pyike lab: {problem}", file=sys.stderr)
        return 0 if ok else 1
