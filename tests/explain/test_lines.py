"""The tolerant reader: timestamps, translations, wrapped lines, skipped lines."""

from __future__ import annotations

import pytest

from pyike.explain.events import Kind
from pyike.explain.lines import RecordKind, read_log, split_stamp
from pyike.explain.recognise import recognise
from pyike.explain.translate import normalise_korean


@pytest.mark.parametrize(
    ("line", "month", "day", "seconds", "rest"),
    [
        ("*Nov 11 19:30:34.811: IKEv2:x", 11, 11, 70234.811, "IKEv2:x"),
        (".Nov 11 19:30:34.811: IKEv2:x", 11, 11, 70234.811, "IKEv2:x"),
        ("Nov 30 2024 11:16:54.881 UTC: IKEv2-INTERNAL:x", 11, 30, 40614.881, "IKEv2-INTERNAL:x"),
        ("2328304: Jun  8 19:14:38.051 GMT: IKEv2:x", 6, 8, 69278.051, "IKEv2:x"),
        ("000123: *Mar  1 00:01:02.345: IKEv2:x", 3, 1, 62.345, "IKEv2:x"),
        ("00:27:07: ISAKMP (0:2): x", 0, 0, 1627.0, "ISAKMP (0:2): x"),
    ],
)
def test_timestamp_forms(line: str, month: int, day: int, seconds: float, rest: str) -> None:
    stamp, body = split_stamp(line)
    assert stamp is not None
    assert (stamp.month, stamp.day, body) == (month, day, rest)
    assert stamp.seconds == pytest.approx(seconds)


def test_missing_timestamp() -> None:
    assert split_stamp("IKEv2:(SA ID = 1):Generate skeyid") == (
        None,
        "IKEv2:(SA ID = 1):Generate skeyid",
    )


def test_korean_date_and_keywords() -> None:
    line = "*11월 11일 19:30:34.811: IKEv2:(SA ID = 1):작업: Action_Null 이벤트: EV_X"
    assert (
        normalise_korean(line)
        == "*Nov 11 19:30:34.811: IKEv2:(SA ID = 1):Action: Action_Null Event: EV_X"
    )
    assert normalise_korean("plain English") == "plain English"
    assert normalise_korean("13월 1일") == "13월 1일"


def test_wrapped_sm_trace_is_rejoined_across_the_other_column() -> None:
    text = "\n".join(
        (
            "*11월 11일 19:30:34.811: IKEv2:(SA ID = 1):SM Trace-> SA: ",
            "I_SPI=F074D8BBD5A59F0B R_SPI=0000000000000000 (I) MsgID = ",
            "00000000 CurState: I_BLD_INIT 이벤트: ",
            "",
            "pre-shared-key ",
            "local cisco",
            "",
            "EV_OK_RECD_DH_PUBKEY_RESP ",
        )
    )
    result = read_log(text, "page")
    (record,) = result.records
    assert (record.line, record.end_line) == (1, 8)
    assert record.text.endswith("CurState: I_BLD_INIT Event: EV_OK_RECD_DH_PUBKEY_RESP")
    assert [(item.line, item.reason) for item in result.skipped] == [
        (5, "text between the halves of a wrapped line"),
        (6, "text between the halves of a wrapped line"),
    ]
    (event,) = recognise(record)
    assert event.kind is Kind.SM_TRACE
    assert event.get("event") == "EV_OK_RECD_DH_PUBKEY_RESP"
    assert event.sa_id == "1"


def test_half_line_after_another_record_is_adopted() -> None:
    text = "\n".join(
        (
            "*Nov 11 19:30:34.840: IKEv2:(SA ID = 1):SM Trace-> SA: I_SPI=F074D8BBD5A59F0B",
            "*Nov 11 19:30:34.834: IKEv2:Got a packet from dispatcher",
            "R_SPI=F94020DD8CB4B9C4 (R) MsgID = 00000001 CurState: AUTH_DONE Event: EV_CHK4_ROLE",
        )
    )
    records = read_log(text).records
    assert [(record.line, record.end_line) for record in records] == [(1, 3), (2, 2)]


def test_glued_asa_messages_are_split() -> None:
    text = "IKEv2-PROTO-5: Construct Notify Payload: NO_PROPOSAL_CHOSENIKEv2-PROTO-5: (24): Abort exchange"
    records = read_log(text).records
    assert [record.text for record in records] == [
        "IKEv2-PROTO-5: Construct Notify Payload: NO_PROPOSAL_CHOSEN",
        "IKEv2-PROTO-5: (24): Abort exchange",
    ]
    assert records[0].line == records[1].line == 1


def test_kinds_and_skip_reasons() -> None:
    text = "\r\n".join(
        (
            "ve: EV_TRUNCATED_START",
            "R1#debug crypto ikev2",
            "%CRYPTO-6-IKMP_MODE_FAILURE: whatever",
            "CRYPTO_PKI: validation path has 1 certs",
            "IKEv2:(SA ID = 1):Generate skeyid",
            "Some prose someone pasted",
        )
    )
    result = read_log(text, "x")
    kinds = [record.kind for record in result.records]
    assert kinds == [RecordKind.CLI, RecordKind.SYSLOG, RecordKind.OTHER_DEBUG, RecordKind.IKEV2]
    assert [(item.line, item.reason) for item in result.skipped] == [
        (1, "truncated or unrecognised first line"),
        (6, "not debug output (prose, translation or unknown text)"),
    ]
    assert result.total_lines == 6


def test_byte_order_mark_and_empty_input() -> None:
    assert read_log("").records == []
    (record,) = read_log("\ufeffIKEv2:Got a packet from dispatcher").records
    assert record.text == "IKEv2:Got a packet from dispatcher"


def test_iosxe_internal_category_and_event_trace_lines() -> None:
    text = "\n".join(
        (
            "Nov 30 2024 11:16:54.881 UTC: IKEv2-INTERNAL:(SESSION ID = 444548,SA ID = 9):SM Trace-> "
            "SA: I_SPI=112AD55D6FE6B89B R_SPI=4890461ECAA32FE3 (I) MsgID = 1 CurState: I_WAIT_AUTH "
            "Event: EV_NO_EVENT",
            # The shape `show monitor event-trace crypto ikev2` is assumed to print (not verified
            # against a real capture): its own timestamp, then the SM trace text.
            "*Jul 18 14:38:09.083: (SA ID = 3):SM Trace-> SA: I_SPI=0102030405060708 "
            "R_SPI=0000000000000000 (I) MsgID = 0 CurState: IDLE Event: EV_INIT_SA",
        )
    )
    first, second = (event for record in read_log(text).records for event in recognise(record))
    assert (first.session_id, first.sa_id, first.get("msg_id"), first.get("state")) == (
        "444548",
        "9",
        "1",
        "I_WAIT_AUTH",
    )
    assert (second.sa_id, second.get("event")) == ("3", "EV_INIT_SA")
