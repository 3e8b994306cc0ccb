"""IOS mode semantics on real text: indentation does not matter, a line is tried in the current
mode and then in each enclosing one, blocks pyike does not model keep their sub-commands, and
what is kept without being modelled is counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from pyike.config import load
from pyike.config.cli import not_modelled_table
from pyike.config.diagnostics import INCOMPLETE, INVALID_INPUT, Severity
from pyike.config.grammar import Grammar, Outcome
from pyike.config.lexer import lex, tokenize
from pyike.config.params import PARAM_TYPES
from pyike.config.parser import LineReader
from pyike.config.writer import render

BGP_INDENTED = """\
router bgp 65001
 bgp log-neighbor-changes
 neighbor 169.254.0.1 remote-as 65002
 !
 address-family ipv4
  network 10.0.0.0
  neighbor 169.254.0.1 activate
 exit-address-family
ip route 10.9.0.0 255.255.0.0 10.1.1.1
"""


def _flat(text: str) -> str:
    return "\n".join(line.lstrip(" \t") for line in text.splitlines()) + "\n"


def _errors(text: str) -> list[str]:
    return [d.format() for d in load(text).errors]


def test_a_flat_router_bgp_block_keeps_its_lines_and_nested_address_family() -> None:
    flat = load(_flat(BGP_INDENTED))
    assert flat.errors == ()
    assert render(flat.config) == render(load(BGP_INDENTED).config)
    (block,) = flat.config.unmodelled
    assert block.lines == (
        "router bgp 65001",
        " bgp log-neighbor-changes",
        " neighbor 169.254.0.1 remote-as 65002",
        " address-family ipv4",
        "  network 10.0.0.0",
        "  neighbor 169.254.0.1 activate",
        " exit-address-family",
    )
    assert len(flat.config.routes) == 1  # `ip route` left the block: no mode but global has it


def test_tabs_and_two_spaces_read_like_one_space() -> None:
    shown = render(load(BGP_INDENTED).config)
    for unit in ("\t", "  "):
        text = BGP_INDENTED.replace("  ", unit + unit).replace("\n ", "\n" + unit)
        assert render(load(text).config) == shown


def test_a_typo_in_a_crypto_block_is_an_error_not_unmodelled() -> None:
    text = "crypto ikev2 profile P\n authentcation local pre-share\n aaa accounting eap L\n"
    result = load(text)
    (error,) = [d for d in result.errors if d.line == 2]
    assert (error.message, error.column) == (INVALID_INPUT, 0)
    assert [(n.mode, n.command) for n in result.config.not_modelled] == [
        ("config-ikev2-profile", "aaa accounting eap")
    ]
    assert " aaa accounting eap L" in render(result.config)


def test_an_indented_line_under_a_refused_block_is_not_read_as_a_global_command() -> None:
    result = load("router bgp YOUR_BGP_ASN\n ip route 10.0.0.0 255.0.0.0 10.1.1.1\nhostname R\n")
    (error,) = result.errors
    assert error.line == 1 and error.message == INVALID_INPUT
    assert result.config.routes == () and result.config.hostname == "R"
    (note,) = [d for d in result.diagnostics if "not read" in d.message]
    assert note.message.startswith("1 line(s) after the error at line 1 were not read")


def test_a_flat_refused_block_is_told_apart_by_its_mode_vocabulary() -> None:
    text = (
        "crypto ipsec transform-set T esp-256-aes esp-sha-hmac\n"
        "mode tunnel\n"
        "crypto ipsec profile P\n"
        "set transform-set T\n"
    )
    result = load(text)
    assert [d.line for d in result.errors] == [1, 3]  # the refused line; P names a missing set
    assert any("1 line(s) after the error at line 1" in d.message for d in result.diagnostics)


def test_a_block_typed_outside_its_parent_is_refused_as_a_whole() -> None:
    text = "address-family ipv4 vrf X\nneighbor 10.0.0.1 activate\nexit-address-family\n"
    result = load(text)
    assert [d.line for d in result.errors] == [1]
    assert any("2 line(s) after the error at line 1" in d.message for d in result.diagnostics)


def test_a_sub_mode_takes_its_own_commands_before_the_global_ones() -> None:
    # Both are `ip tcp ...`; the interface has `adjust-mss`, global configuration `synwait-time`.
    result = load("interface Tunnel0\nip tcp adjust-mss 1360\nip tcp synwait-time 10\n")
    assert result.errors == ()
    assert result.config.interfaces["Tunnel0"].tcp_adjust_mss == 1360
    assert [b.lines for b in result.config.unmodelled] == [("ip tcp synwait-time 10",)]


def test_an_abbreviation_of_a_kept_command_yields_to_a_spelled_out_outer_command() -> None:
    # In `router ospf`, `router` abbreviates `router-id`; IOS reads `router bgp 1` globally.
    result = load("router ospf 1\nrouter-id 1.1.1.1\nrouter bgp 1\nneighbor 10.0.0.1 remote-as 2\n")
    assert result.errors == ()
    assert [b.keyword for b in result.config.unmodelled] == ["router ospf", "router bgp"]


def test_unmodelled_sub_commands_of_modelled_modes_are_counted_and_listed() -> None:
    text = (
        "interface Tunnel0\n ip ospf cost 10\n ip ospf network point-to-multipoint\n"
        " ip tcp header-compression iphc-format\n no mop enabled\nline con 0\n logging synchronous\n"
    )
    result = load(text)
    (summary,) = [d for d in result.diagnostics if "not modelled" in d.message]
    assert summary.severity is Severity.NOTE
    assert "config-if: ip ospf (2), ip tcp header-compression, no mop" in summary.message
    assert "1 line(s) inside unmodelled blocks" in summary.message
    table = not_modelled_table(result.config)
    rows = [row.split() for row in table[2:]]
    assert rows[0] == ["config-if", "ip", "ospf", "2", "2"]
    assert rows[-1] == ["config-line", "logging", "synchronous", "1", "7"]


def test_check_verbose_lists_what_is_not_modelled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.cfg"
    path.write_text("interface Tunnel0\nip ospf cost 10\n" + _flat(BGP_INDENTED))
    assert main(["config", "check", str(path)]) == 0
    assert "not modelled, kept as written:\n" not in capsys.readouterr().out
    assert main(["config", "check", "--verbose", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index(f"{path}: not modelled, kept as written:")
    assert out[start + 1].split() == ["mode", "command", "count", "first", "line"]
    assert out[start + 2].split() == ["config-if", "ip", "ospf", "1", "2"]
    assert out[start + 3].split() == ["config", "router", "bgp", "1", "3"]
    assert ["config-router-af", "neighbor", "1", "9"] in [row.split() for row in out]


def test_a_modelled_command_with_a_bad_value_is_not_swallowed_by_the_vocabulary() -> None:
    # `crypto ikev2 nat keepalive` is modelled (5-3600 s): 1 is IOS's invalid input.
    (error,) = load("crypto ikev2 nat keepalive 1\n").errors
    assert error.message == INVALID_INPUT and error.column == len("crypto ikev2 nat keepalive ")


def test_fallback_commands_match_only_where_no_other_does() -> None:
    g = Grammar(PARAM_TYPES)
    modelled = g.add("timer basic <s:INT(5,60)>")
    kept = g.add("timer <rest:LINE>", fallback=True)

    def outcome(text: str) -> tuple[Outcome, int | None]:
        result = g.match(tokenize(text), text)
        return result.outcome, result.match.command if result.match else None

    assert outcome("timer basic 10") == (Outcome.OK, modelled)
    assert outcome("timer basic 1") == (Outcome.INVALID, None)  # the modelled one read further
    assert outcome("timer other 1") == (Outcome.OK, kept)


def test_no_break_spaces_are_refused_with_the_marker_and_named() -> None:
    result = load("crypto ikev2 proposal P\n\u00a0encryption aes-cbc-128\n")
    (error,) = result.errors
    assert (error.message, error.column) == (INVALID_INPUT, 0)
    hint = [d for d in result.diagnostics if d.line == 2 and d.severity is Severity.NOTE]
    assert "no-break space (U+00A0)" in hint[0].message


def test_crlf_tabs_and_trailing_blanks_are_blanks() -> None:
    plain = "crypto ikev2 proposal P\n encryption aes-cbc-128\n integrity sha1\n group 14\n"
    messy = plain.replace("\n ", "\r\n\t").replace("\n", " \t\r\n")
    assert _errors(messy) == []
    assert render(load(messy).config) == render(load(plain).config)
    assert [x.text for x in lex("a\u00a0b\n")] == ["a\u00a0b"]


def test_exec_commands_run_with_do_keep_the_mode() -> None:
    result = load("interface Tunnel0\ndo show ip interface brief\ntunnel source 10.0.0.1\n")
    assert result.errors == ()
    assert result.config.interfaces["Tunnel0"].tunnel_source == "10.0.0.1"
    assert any("(do)" in d.message for d in result.diagnostics)


def test_show_running_config_preamble_is_a_note_not_a_command() -> None:
    result = load("Building configuration...\n\nCurrent configuration : 1234 bytes\nhostname R\n")
    assert result.errors == () and result.config.hostname == "R"
    assert [d.line for d in result.diagnostics if "show running-config" in d.message] == [1, 3]


SESSION = (
    "R9#show running-config\n"
    "Building configuration...\n"
    "hostname R9\n"
    "R9(config)#crypto ikev2 proposal P\n"
    "R9(config-ikev2-proposal)# encryption aes-cbc-128\n"
    " --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08         integrity sha1\n"
    " --More-- \n"
    "R9(config-ikev2-proposal)#group 14\n"
    "crypto ikev2 policy POL\n"
    " proposal P\n"
)


def test_a_pasted_terminal_session_reads_as_its_commands() -> None:
    """A configuration copied from a terminal: the exec line that printed it is skipped, and
    the prompts and pager before commands are read around, each kind noted once."""
    result = load(SESSION)
    assert result.errors == ()
    clean = "hostname R9\ncrypto ikev2 proposal P\n encryption aes-cbc-128\n integrity sha1\n"
    clean += " group 14\ncrypto ikev2 policy POL\n proposal P\n"
    assert render(result.config) == render(load(clean).config)
    notes = [(d.line, d.message) for d in result.diagnostics if d.severity is Severity.NOTE]
    assert notes == [
        (1, "'R9#show running-config' was typed at the exec prompt, not a command: skipped"),
        (2, "'Building configuration...' is output of show running-config, not a command: skipped"),
        (
            4,
            "a prompt ('R9(config)#') pasted with the configuration: read without it, here and later",
        ),
        (6, "the pager's --More-- pasted with the configuration: read without it, here and later"),
    ]


def test_a_key_in_a_pasted_exec_line_is_not_echoed() -> None:
    result = load("R9#username admin password 0 s3cr3t-pw\nhostname R9\n")
    (note,) = [d.message for d in result.diagnostics if "exec prompt" in d.message]
    assert (
        note
        == "'R9#username admin password 0 *****' was typed at the exec prompt, not a command: skipped"
    )
    assert all("s3cr3t" not in d.format() for d in result.diagnostics)


def test_a_prompt_typed_in_configure_terminal_is_invalid_input_as_on_ios() -> None:
    reader = LineReader("hostname R9\n")
    (error,) = reader.feed("R9(config)#crypto ikev2 proposal P").findings
    assert error.message == INVALID_INPUT
    assert reader.prompt == "(config)"


def test_a_certificate_is_data_up_to_quit() -> None:
    text = (
        "crypto pki trustpoint TP\ncrypto pki certificate chain TP\ncertificate self-signed 01\n"
        "3082021F 30820188 A0030201\n  quit\ncrypto ikev2 proposal P\n"
    )
    result = load(text)
    assert "P" in result.config.proposals
    (error,) = result.errors  # the three words are no certificate: said once, at its line
    assert error.line == 3 and "not an X.509 certificate" in error.message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("hostname Cisco:Hub2", "% Hostname contains one or more illegal characters."),
        ("enable", INCOMPLETE),
    ],
)
def test_ios_refusals_of_global_lines(line: str, message: str) -> None:
    (error,) = load(line + "\n").errors
    assert error.message == message


def test_ospfv3_ipsec_keys_are_masked() -> None:
    key = "123456789A123456789B123456789C123456789D"
    text = f"interface Tunnel0\n ipv6 ospf encryption ipsec spi 1001 esp null sha1 {key}\n"
    shown = render(load(text).config)
    assert key not in shown and "spi 1001 esp null sha1 *****" in shown


@pytest.mark.parametrize(
    ("sub_command", "secret"),
    [
        ("ipv6 nhrp authentication AdEs124", "AdEs124"),
        ("ip ospf authentication-key 0 s3cr3t", "s3cr3t"),
        ("ip ospf message-digest-key 1 md5 s3cr3t", "s3cr3t"),
        ("standby 1 authentication md5 key-string s3cr3t", "s3cr3t"),
    ],
)
def test_keys_of_kept_interface_sub_commands_are_masked(sub_command: str, secret: str) -> None:
    shown = render(load(f"interface Tunnel0\n {sub_command}\n").config)
    assert secret not in shown and "*****" in shown


def test_key_chains_and_public_keys_are_shown_and_the_master_key_is_not() -> None:
    text = (
        "key chain OSPF\n key 1\n  key-string 7 0822455D0A16\n"
        "crypto key pubkey-chain rsa\n named-key R2\n"
        "key config-key password-encrypt Master123\n"
    )
    shown = render(load(text).config)
    assert "key chain OSPF\n" in shown and "crypto key pubkey-chain rsa\n named-key R2\n" in shown
    assert "0822455D0A16" not in shown and "Master123" not in shown
