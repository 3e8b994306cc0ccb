"""Text, Markdown, JSON and HTML reports, and the `pyike explain` command."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from pyike.cli import main
from pyike.explain import explain_texts
from pyike.explain.catalogue import CAUSES, OUTCOMES
from pyike.explain.render_html import render_html
from pyike.explain.render_json import SCHEMA, to_dict
from pyike.explain.render_text import render_text
from tests.support.paths import EXPLAIN_CORPUS, SEED_DOCUMENT

DH = EXPLAIN_CORPUS / "asa-dh-group-mismatch-responder.log"
XE = EXPLAIN_CORPUS / "iosxe-16.7-child-no-proposal-then-no-response.log"


def _report(path: Path = DH):  # type: ignore[no-untyped-def]
    return explain_texts([(path.name, path.read_text(encoding="utf-8"))])


def test_json_schema_top_level_and_verdict() -> None:
    data = to_dict(_report())
    assert data["schema"] == SCHEMA
    verdict = data["verdict"]
    assert verdict["outcome"] in OUTCOMES and verdict["cause"] in CAUSES
    assert (verdict["outcome"], verdict["cause"]) == ("failure", "ike_proposal_mismatch")
    assert verdict["differing_transforms"] == ["DH group"]
    assert {item["line"] for item in verdict["evidence"]} >= {55, 57, 61}
    assert verdict["fix"] and "crypto ikev2 proposal" in verdict["fix"][0]
    (sa,) = data["ike_sas"]
    assert sa["spi_i"] == "F13536FC573A07C4" and sa["role"] == "responder"
    (exchange,) = sa["exchanges"]
    assert exchange["type"] == "IKE_SA_INIT" and exchange["result"] == "failed"
    assert exchange["response"]["notifies"] == ["NO_PROPOSAL_CHOSEN"]
    assert exchange["request"]["proposals"][0]["transforms"][-1] == "DH_GROUP_2048_MODP/Group 14"
    assert "summary_ko" not in verdict
    korean = to_dict(_report(), "ko")
    assert korean["verdict"]["summary_ko"].startswith("IKE 제안 불일치")


def test_json_lists_every_skipped_line() -> None:
    data = to_dict(_report(XE))
    assert {"source": XE.name, "line": 2, "reason": "CLI prompt or command"} in data["skipped"]


def test_text_and_markdown() -> None:
    report = _report()
    text = render_text(report)
    assert "Verdict: failure — ike_proposal_mismatch" in text
    assert "Transform types that differ: DH group" in text
    assert f"{DH.name}:55  IKEv2-PROTO-1: (24): Failed to find a matching policy" in text
    assert "IKE_SA_INIT, msg 0, peer requests: failed" in text
    markdown = render_text(report, markdown=True)
    assert markdown.startswith("# pyike explain")
    assert "## Verdict: failure — ike_proposal_mismatch" in markdown
    korean = render_text(report, "ko")
    assert "다른 변환 유형: DH group" in korean and "변경할 구성:" in korean


def test_html_is_self_contained_with_a_sequence_diagram() -> None:
    page = render_html(_report(XE), "ko")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "IKE_AUTH response NO_PROPOSAL_CHOSEN" in page
    assert "<script" not in page and not re.search(r"(src|href)=\"https?:", page)
    assert 'lang="ko"' in page and "child SA" in page
    # Log text is escaped, never interpreted as markup.
    hostile = explain_texts(
        [("x", "IKEv2:(SA ID = 1):<script>alert(1)</script> Failed to find a matching policy")]
    )
    assert "<script>alert" not in render_html(hostile)


def test_cli_files_formats_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(DH), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"]["cause"] == "ike_proposal_mismatch"
    assert main(["explain", str(DH), str(XE), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "2 file(s)" in out
    assert main(["explain", str(EXPLAIN_CORPUS / "missing.log")]) == 1
    assert "% Cannot read" in capsys.readouterr().err


def test_a_binary_file_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "/bin/ls"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "% Cannot read /bin/ls: not a text file (binary data at byte 7)"


def test_a_log_without_ike_says_so_not_that_a_negotiation_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.log"
    empty.write_text("")
    assert main(["explain", str(empty)]) == 0
    out = capsys.readouterr().out
    assert "Verdict: unknown — no_negotiation\n  The input holds no IKEv2 negotiation" in out
    assert "negotiation stopped" not in out


def test_cli_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(DH.read_bytes()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["explain", "-", "--format", "html"]) == 0
    assert "ike_proposal_mismatch" in capsys.readouterr().out


def test_no_secrets_in_reports() -> None:
    text = "IKEv2:(SA ID = 1):Use preshared key for id 10.0.0.2, key len 8\ncrypto ikev2 keyring K\n pre-shared-key local s3cr3t-key"
    report = explain_texts([("x", text)])
    for output in (render_text(report), render_html(report), json.dumps(to_dict(report))):
        assert "s3cr3t-key" not in output


def _diagram_heads(page: str) -> list[tuple[str, str]]:
    """(this router, the peer): the two lifeline labels of each sequence diagram."""
    heads = re.findall(r'<text x="\d+" y="18" text-anchor="middle">([^<]*)</text>', page)
    return list(zip(heads[::2], heads[1::2], strict=True))


def test_html_diagram_names_the_peer_from_the_key_lookup_when_packets_show_no_address() -> None:
    """The seed's debug prints no packet addresses; `Getting preshared key from address
    10.0.0.2` names the peer."""
    heads = _diagram_heads(render_html(_report(SEED_DOCUMENT)))
    assert ("this router (initiator)", "peer 10.0.0.2") in heads
    assert ("this router (responder)", "peer 10.0.0.1") in heads
    # a rekeyed SA whose lines name no peer says so, not a bare "peer"
    assert all(peer.startswith("peer ") and peer != "peer " for _, peer in heads)
    assert ("this router (initiator)", "peer (address not in the log)") in heads


def test_html_diagram_names_the_router_of_a_multi_router_stream() -> None:
    log = (EXPLAIN_CORPUS / "lab" / "psk-mismatch-router1.log").read_text(encoding="utf-8")
    stream = "".join(f"Router1: {line}\n" for line in log.splitlines())
    page = render_html(explain_texts([("lab", stream)]))
    assert _diagram_heads(page) == [("Router1 (initiator)", "peer 10.0.0.2")]
    assert "<p>Seen in: Router1</p>" in page
    assert "<pre>lab:148 (Router1)  IKEv2:Parse Notify Payload: AUTHENTICATION_FAILED" in page


def test_timeline_headings_say_the_outcome_once_and_the_cause_when_it_differs() -> None:
    text = render_text(_report(SEED_DOCUMENT))
    headings = [line for line in text.splitlines() if line.startswith("IKE SA ")]
    assert len(headings) == 4
    assert all(line.endswith(": success") for line in headings), headings
    failed = render_text(_report(EXPLAIN_CORPUS / "asa-psk-mismatch-responder.log"))
    assert "(responder): failure — psk_mismatch" in failed
    assert "failure, psk_mismatch" not in failed
    page = render_html(_report(SEED_DOCUMENT))
    assert "success, success" not in page and "(initiator): success</h2>" in page
