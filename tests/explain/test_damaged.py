"""Hand-damaged variants of the corpus logs still get the same verdict and timeline."""

from __future__ import annotations

import textwrap

import pytest

from pyike.explain import explain_texts
from pyike.explain.report import Report
from tests.support.paths import EXPLAIN_CORPUS

PSK = "asa-psk-mismatch-responder.log"
XE = "iosxe-16.7-child-no-proposal-then-no-response.log"
DH = "asa-dh-group-mismatch-responder.log"


def _text(name: str) -> str:
    return (EXPLAIN_CORPUS / name).read_text(encoding="utf-8")


def _summary(report: Report) -> tuple[str, str, tuple[tuple[str, ...], ...]]:
    exchanges = tuple(
        tuple(f"{ex.type}/{ex.result}" for ex in timeline.exchanges)
        for timeline in report.timelines
    )
    return report.verdict.outcome, report.verdict.cause, exchanges


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def _wrapped(text: str, width: int = 72) -> str:
    out = []
    for line in text.splitlines():
        out.extend(textwrap.wrap(line, width, break_long_words=True, drop_whitespace=False) or [""])
    return "\n".join(out)


def _truncated(text: str) -> str:
    # Cut in the middle of the first and of the last line, as a scrolled-off capture does.
    lines = text.splitlines()
    lines[0] = lines[0][len(lines[0]) // 2 :]
    lines[-1] = lines[-1][: len(lines[-1]) // 2]
    return "\n".join(lines)


def _interleaved(text: str) -> str:
    noise = [
        "R1#show clock",
        "*10:31:02.123 UTC Mon Mar 1 2021",
        "%SYS-5-CONFIG_I: Configured from console by admin on vty0",
        "ISAKMP: (0):purging node 1234",
        "IPSEC(key_engine): got a queue event with 1 KMI message(s)",
    ]
    out = []
    for index, line in enumerate(text.splitlines()):
        out.append(line)
        if index % 17 == 5:
            out.append(noise[index % len(noise)])
    return "\n".join(out)


def _timestamped(text: str) -> str:
    return "\n".join(
        f"Mar  1 2021 10:{index // 60 % 60:02d}:{index % 60:02d}.{index % 1000:03d} UTC: {line}"
        if line.startswith("IKEv2")
        else line
        for index, line in enumerate(text.splitlines())
    )


VARIANTS = {
    "crlf": _crlf,
    "wrapped": _wrapped,
    "truncated": _truncated,
    "interleaved": _interleaved,
    "timestamped": _timestamped,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", [PSK, XE, DH])
def test_variant_keeps_the_verdict(name: str, variant: str) -> None:
    original = explain_texts([(name, _text(name))])
    damaged = explain_texts([(name, VARIANTS[variant](_text(name)))])
    assert _summary(damaged) == _summary(original)


def test_truncated_first_line_is_reported() -> None:
    report = explain_texts([(PSK, _truncated(_text(PSK)))])
    first = min(item.line for item in report.skipped)
    assert first == 1
    assert report.skipped[0].reason == "truncated or unrecognised first line"


def test_interleaved_noise_is_reported_with_line_numbers() -> None:
    text = _interleaved(_text(PSK))
    report = explain_texts([(PSK, text)])
    lines = text.splitlines()
    reasons = {item.line: item.reason for item in report.skipped}
    for number, line in enumerate(lines, start=1):
        if line.startswith("R1#"):
            assert reasons[number] == "CLI prompt or command"
        if line.startswith("%SYS"):
            assert reasons[number] == "syslog message (not IKEv2 debug)"
        if line.startswith("ISAKMP"):
            assert reasons[number] == "other debug category"


def test_two_files_merge_by_spi() -> None:
    seed_lines = [
        "*Nov 11 19:30:34.811: IKEv2:(SA ID = 1):SM Trace-> SA: I_SPI=F074D8BBD5A59F0B "
        "R_SPI=0000000000000000 (I) MsgID = 00000000 CurState: IDLE Event: EV_INIT_SA",
        "*Nov 11 19:30:34.824: IKEv2:(SA ID = 1):SM Trace-> SA: I_SPI=F074D8BBD5A59F0B "
        "R_SPI=F94020DD8CB4B9C4 (I) MsgID = 00000000 CurState: I_WAIT_INIT Event: EV_RECV_INIT",
        "*Nov 11 19:30:34.841: IKEv2:(SA ID = 1):SM Trace-> SA: I_SPI=F074D8BBD5A59F0B "
        "R_SPI=F94020DD8CB4B9C4 (I) MsgID = 00000001 CurState: READY Event: EV_I_OK",
    ]
    responder = [
        "*Nov 11 19:30:34.814: IKEv2:(SA ID = 1):SM Trace-> SA: I_SPI=F074D8BBD5A59F0B "
        "R_SPI=F94020DD8CB4B9C4 (R) MsgID = 00000000 CurState: IDLE Event:EV_RECV_INIT",
        "*Nov 11 19:30:34.840: IKEv2:(SA ID = 1):SM Trace-> SA: I_SPI=F074D8BBD5A59F0B "
        "R_SPI=F94020DD8CB4B9C4 (R) MsgID = 00000001 CurState: READY Event: EV_R_OK",
    ]
    report = explain_texts([("r1.log", "\n".join(seed_lines)), ("r2.log", "\n".join(responder))])
    assert [(tl.router, tl.role, tl.spi_i) for tl in report.timelines] == [
        ("r1.log", "initiator", "F074D8BBD5A59F0B"),
        ("r2.log", "responder", "F074D8BBD5A59F0B"),
    ]
    assert report.verdict.outcome == "success"
    assert {evidence.source for evidence in report.verdict.evidence} == {"r1.log", "r2.log"}
