"""A tolerant reader for IOS, IOS-XE and ASA debug output as people paste it.

Input is whatever a user has: a terminal capture, a web page copied as text, a PDF laid out
in columns. The reader turns it into *records*, one per logical debug line, each with the
physical line numbers it came from, its timestamp when it has one, and its text with the
timestamp removed and translated keywords put back into English. Lines that wrapped are
rejoined, even when other text (the other column of a page) sits between the two halves.
Everything it cannot use is reported in ``skipped`` with its line number and a reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pyike.explain.translate import has_hangul, normalise_korean

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name: index + 1 for index, name in enumerate(MONTHS)}

# Longest runs of context a strongly expected continuation may be looked for across
# (the other column of a translated page is typically 10 to 40 lines).
_MAX_GAP = 60
# A physical line at least this long that is followed by a line starting no record is taken
# to have been wrapped by a terminal.
_WRAP_WIDTH = 50


class RecordKind(StrEnum):
    IKEV2 = "ikev2"  # a debug line of the IKEv2 categories
    DUMP = "dump"  # a packet dump or list line belonging to the previous IKEv2 line
    CLI = "cli"  # a prompt with a command, or the echo of one
    SYSLOG = "syslog"  # %FACILITY-SEVERITY-MNEMONIC messages
    OTHER_DEBUG = "other_debug"  # ISAKMP, IPSEC, CRYPTO_PKI and other debug categories


@dataclass(frozen=True, order=True)
class Stamp:
    """A log timestamp; month 0 when the log shows only uptime."""

    month: int
    day: int
    seconds: float
    year: int = 0
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Record:
    source: str
    line: int
    end_line: int
    text: str
    raw: str
    kind: RecordKind
    stamp: Stamp | None = None
    router: str = ""  # the hostname prefix in a stream of several routers' output


@dataclass(frozen=True)
class Skipped:
    source: str
    line: int
    text: str
    reason: str


@dataclass
class ReadResult:
    source: str
    records: list[Record]
    skipped: list[Skipped]
    total_lines: int


_TIMESTAMP = re.compile(
    r"^\s*(?:\d{1,9}:\s+)?[*.]?\s*"
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(?P<day>\d{1,2})"
    r"(?:\s+(?P<year>\d{4}))?\s+"
    r"(?P<time>\d{1,2}:\d{2}:\d{2})(?:[.:](?P<frac>\d{1,6}))?"
    r"(?:\s+(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2}))?\s*:\s?"
)
_UPTIME = re.compile(
    r"^\s*(?:\d{1,9}:\s+)?[*.]?(?P<time>\d{1,2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,6}))?:\s"
)
_SPLIT_PREFIX = re.compile(r"(?<=[A-Za-z0-9_)\]>.])(?=IKEv2(?:-[A-Z]+(?:-\d)?)?:)")

_IKEV2_START = re.compile(r"^\s*(?:IKEv2(?:[-:]|\s+(?:[A-Z_]+\s+Exchange|-?>))|\(\d+\):)")
_CLI = re.compile(r"^[A-Za-z][\w.\-]{0,62}(?:\([\w\-]+\))?[#>]")
_SYSLOG = re.compile(r"^%[A-Z0-9_]+-\d-[A-Z0-9_]+:")
_OTHER_DEBUG = re.compile(
    r"^(?:ISAKMP|IPSEC|IPsec|CRYPTO_PKI|CRYPTO_ENGINE|CRYPTO|CryptoEngine\d*|PKI|AAA|RADIUS)"
    r"\s*[:(\[]"
)
_PAYLOAD_NAME = (
    r"(?:SA|KE|N|VID|IDi|IDr\.?|AUTH|CERT|CERTREQ|CFG|TSi|TSr|DELETE|ENCR|SK|EAP|"
    r"NOTIFY\([A-Za-z0-9_]+\))"
)
_DUMP_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"^\s*{_PAYLOAD_NAME}\s+Next payload:",
        r"^\s*(?:last proposal|Proposal|last transform|type|DH group|Security protocol id"
        r"|Auth method|Id type|Num of TSs|TS type|start port|start addr|cfg type|Cert encoding"
        r"|Auth data|CertReq data|Encrypted data|Attrib type|Attribute type)\b",
        r"^\s*Payload contents:",
        r"^\s*Initiator SPI\s*:",
        r"^\s*(?:ESP:\s*)?Proposal\s+\d+:",
        r"^\s*(?:IKE|ESP)?\s*Proposal:\s*\d+,",
        r"^\s*(?:Received|Expected) Policies:",
        rf"^\s*(?:{_PAYLOAD_NAME}\s*)+$",
        r"^\s*(?:[0-9a-fA-F]{2}\s+){3,}[0-9a-fA-F]{2}\s*$",
        r"^\s*(?:REAL\s+)?Decrypted packet:",
        r"^\s*Data:\s*\d+\s*bytes",
        r"^\s*CONNECTION STATUS:",
        r"^\s*(?:SA|ESP|IKE)\s+(?:Next payload|Proposal)",
        r"^\s*Process\s+delete\s+IPSec\s+API",
    )
)

_SM_TRACE_COMPLETE = re.compile(r"Event\s*:\s*:?\s*EV_[A-Z0-9_]+")
_SM_CONTINUATION = re.compile(
    r"^\s*(?:I_SPI=|R_SPI=|\([IR]\)|MsgID|[0-9A-Fa-f]{6,}\s+CurState|CurState|[A-Z][A-Z0-9_]*\s*Event"
    r"|Event|:?\s*EV_[A-Z0-9_]|ID\s*=\s*\d+\))"
)
_HEADER_CONTINUATION = re.compile(
    r"^\s*(?:\d\.\d\b|Exchange\b|type:|[A-Z_]+,\s*flags|flags|INITIATOR|RESPONDER|MSG-RESPONSE"
    r"|Message id|\d+\s*$)"
)


def _parse_stamp(match: re.Match[str], uptime: bool) -> Stamp:
    hours, minutes, secs = (int(part) for part in match.group("time").split(":"))
    frac = match.group("frac")
    seconds = hours * 3600 + minutes * 60 + secs + (float(f"0.{frac}") if frac else 0.0)
    text = match.group(0).strip().rstrip(":").strip()
    if uptime:
        return Stamp(0, 0, seconds, 0, text)
    year = match.group("year")
    return Stamp(
        _MONTH_NUMBERS[match.group("mon")],
        int(match.group("day")),
        seconds,
        int(year) if year else 0,
        text,
    )


def split_stamp(line: str) -> tuple[Stamp | None, str]:
    """The timestamp at the start of ``line`` (if any) and the rest of the line."""
    match = _TIMESTAMP.match(line)
    if match:
        return _parse_stamp(match, uptime=False), line[match.end() :]
    match = _UPTIME.match(line)
    if match:
        return _parse_stamp(match, uptime=True), line[match.end() :]
    return None, line


def classify(body: str) -> RecordKind | None:
    """The kind of record ``body`` starts, or None when it can only be a continuation."""
    stripped = body.strip()
    if _IKEV2_START.match(stripped):
        return RecordKind.IKEV2
    if _SYSLOG.match(stripped):
        return RecordKind.SYSLOG
    if _OTHER_DEBUG.match(stripped):
        return RecordKind.OTHER_DEBUG
    if any(pattern.match(body) for pattern in _DUMP_PATTERNS):
        return RecordKind.DUMP
    if _CLI.match(stripped) and not has_hangul(stripped):
        return RecordKind.CLI
    return None


def _strong_continuation(pending: str, line: str) -> bool:
    """Whether ``line`` completes ``pending`` in a way that cannot be a coincidence."""
    text = pending.rstrip()
    if "SM Trace->" in text and not _SM_TRACE_COMPLETE.search(text):
        return _SM_CONTINUATION.match(line) is not None
    if re.search(r"\((?:SESSION ID = \d+,\s*)?SA$", text):
        return re.match(r"^\s*ID\s*=\s*\d+\)", line) is not None
    if "Next payload:" in text and "version:" in text and not re.search(r"length:\s*\d+", text):
        return _HEADER_CONTINUATION.match(line) is not None
    if re.search(r"(?:Payload|payload):$", text) and re.search(r"(?:Construct|Parse)", text):
        return re.match(r"^\s*[A-Z(][A-Za-z0-9_()\-]*", line) is not None
    if re.search(r"Num\. transforms:\s*\d+$", text):
        return re.match(r"^\s*[A-Z0-9]", line) is not None
    return False


def _weak_continuation(pending: str, pending_last: str, line: str) -> str | None:
    """The separator to join an adjacent ``line`` with, or None when it does not continue."""
    text = pending.rstrip()
    if not text:
        return " "
    if re.search(r"[A-Z]-$", text) and re.match(r"^\s*[A-Z]", line):
        return ""
    if has_hangul(pending_last[-1:]) and not pending_last[-1:].isspace() and has_hangul(line[:1]):
        return ""
    if re.search(r"[,:=(]$|\bNext$|\bMessage id:$", text) or text.count("[") > text.count("]"):
        return " "
    # A terminal wraps long lines at its width (80 columns, often less on pasted pages).
    if len(pending_last) >= _WRAP_WIDTH and not has_hangul(line) and not has_hangul(pending_last):
        return " "
    return None


@dataclass
class _Pending:
    kind: RecordKind
    line: int
    end_line: int
    stamp: Stamp | None
    parts: list[str]
    separators: list[str]
    last_physical: str

    def text(self) -> str:
        out = self.parts[0]
        for sep, part in zip(self.separators, self.parts[1:], strict=True):
            out += sep + part.strip()
        return out

    def add(self, line_no: int, part: str, separator: str) -> None:
        self.parts.append(part)
        self.separators.append(separator)
        self.end_line = line_no
        self.last_physical = part


def physical_lines(text: str) -> list[str]:
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.splitlines()


def read_log(text: str, source: str = "-") -> ReadResult:
    """Read debug output in any of the shapes described in the module docstring."""
    return read_lines(list(enumerate(physical_lines(text), start=1)), source)


def read_lines(lines: Sequence[tuple[int, str]], source: str, router: str = "") -> ReadResult:
    """Read one router's output, given as (line number in ``source``, line) pairs."""
    records: list[Record] = []
    skipped: list[Skipped] = []
    pending: _Pending | None = None
    gap: list[tuple[int, str]] = []  # lines held back while a strong continuation is awaited
    seen_content = False
    blank_since_pending = False
    # Records flushed while still waiting for their second half: a page laid out in columns
    # can put a whole other debug line between the halves.
    dangling: list[_Pending] = []

    def emit(item: _Pending) -> None:
        joined = item.text()
        # A translated timestamp ("*11월 11일 ...") is only recognised after normalisation.
        _, body = split_stamp(normalise_korean(joined))
        body = body.strip()
        records.append(
            Record(
                source,
                item.line,
                item.end_line,
                body,
                joined.strip(),
                item.kind,
                item.stamp,
                router,
            )
        )

    def flush() -> None:
        nonlocal pending
        if pending is None:
            return
        if _expects_more(pending.text()):
            dangling.append(pending)
            if len(dangling) > 4:
                emit(dangling.pop(0))
        else:
            emit(pending)
        pending = None

    def adopt(number: int, body: str, english: str) -> bool:
        for item in reversed(dangling):
            if number - item.end_line <= _MAX_GAP and _strong_continuation(item.text(), english):
                item.add(number, body, " ")
                if not _expects_more(item.text()):
                    dangling.remove(item)
                    emit(item)
                return True
        return False

    def release_gap(reason: str) -> None:
        for number, content in gap:
            skipped.append(Skipped(source, number, content.strip(), reason))
        gap.clear()

    for number, physical in lines:
        if not physical.strip():
            blank_since_pending = True
            continue
        for piece in _SPLIT_PREFIX.split(physical):
            if not piece.strip():
                continue
            english = normalise_korean(piece)
            stamp, body = split_stamp(english)
            _, raw_body = split_stamp(piece)
            kind = classify(body)
            if stamp is not None:
                kind = kind or RecordKind.IKEV2
            if (
                kind is RecordKind.DUMP
                and pending is not None
                and _expects_more(pending.text())
                and _strong_continuation(pending.text(), english)
            ):
                pending.add(number, raw_body, " ")
                release_gap("text between the halves of a wrapped line")
                continue
            if kind is not None:
                if (
                    pending is not None
                    and stamp is None
                    and not pending.text().strip()
                    and kind is RecordKind.IKEV2
                ):
                    pending.add(number, raw_body, "")
                    release_gap("text between the halves of a wrapped line")
                    seen_content = True
                    continue
                release_gap("text between debug lines (not debug output)")
                flush()
                pending = _Pending(kind, number, number, stamp, [raw_body], [], raw_body)
                blank_since_pending = False
                seen_content = True
                continue
            if pending is not None and _strong_continuation(pending.text(), english):
                pending.add(number, raw_body, " ")
                release_gap("text between the halves of a wrapped line")
                continue
            if pending is not None and not gap and not blank_since_pending:
                separator = _weak_continuation(pending.text(), pending.last_physical, raw_body)
                if separator is not None:
                    pending.add(number, raw_body, separator)
                    continue
            if adopt(number, raw_body, english):
                continue
            if pending is not None and _expects_more(pending.text()) and len(gap) < _MAX_GAP:
                gap.append((number, piece))
                continue
            release_gap("text between debug lines (not debug output)")
            reason = (
                "truncated or unrecognised first line"
                if not seen_content
                else "not debug output (prose, translation or unknown text)"
            )
            seen_content = True
            skipped.append(Skipped(source, number, piece.strip(), reason))
    release_gap("text after an unfinished debug line")
    flush()
    for item in dangling:
        emit(item)
    records.sort(key=lambda record: record.line)
    skipped.sort(key=lambda item: item.line)
    return ReadResult(source, records, skipped, len(lines))


def _expects_more(text: str) -> bool:
    text = text.rstrip()
    return (
        ("SM Trace->" in text and not _SM_TRACE_COMPLETE.search(text))
        or re.search(r"\((?:SESSION ID = \d+,\s*)?SA$", text) is not None
        or ("Next payload:" in text and "version:" in text and "length:" not in text)
        or (re.search(r"Payload:$", text) is not None)
    )
