"""`pyike config check|show|explain` through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.paths import CONFIG_CORPUS, EXAMPLES, REALCONFIGS, SEED_CONFIGS


def test_check_seed_configs_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "config",
                "check",
                str(SEED_CONFIGS / "router1.cfg"),
                str(SEED_CONFIGS / "router2.cfg"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "router1.cfg: 0 error(s), 0 warning(s): usable" in out
    assert "is not used by any IKEv2 policy" in out  # router2's orphan proposal


def test_check_reports_every_error_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    path = CONFIG_CORPUS / "err_undefined_references.cfg"
    assert main(["config", "check", str(path), str(SEED_CONFIGS / "router1.cfg")]) == 1
    out = capsys.readouterr().out
    assert out.count("does not exist") == 8
    assert "8 error(s)" in out


def test_check_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", "/nonexistent/r.cfg"]) == 1
    assert "/nonexistent/r.cfg" in capsys.readouterr().err


def test_show_masks_keys_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", str(SEED_CONFIGS / "router1.cfg")]) == 0
    masked = capsys.readouterr().out
    assert "cisco" not in masked and "pre-shared-key local 6 *****" in masked
    assert main(["config", "show", str(SEED_CONFIGS / "router1.cfg"), "--show-keys"]) == 0
    assert "pre-shared-key local cisco" in capsys.readouterr().out


def test_show_section_filters_blocks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", str(SEED_CONFIGS / "router1.cfg"), "crypto"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("crypto ikev2 proposal PHASE1-prop\n")
    assert "interface Loopback0" not in out
    assert main(["config", "show", str(SEED_CONFIGS / "router1.cfg"), "Tunnel0"]) == 0
    out = capsys.readouterr().out
    assert "interface Tunnel0" in out and "ip route 192.168.2.1" in out
    assert "crypto ikev2" not in out


def test_show_with_errors_prints_findings_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", str(CONFIG_CORPUS / "err_key_not_echoed.cfg")]) == 1
    captured = capsys.readouterr()
    assert "% Invalid input detected at '^' marker." in captured.err
    assert "topsecret" not in captured.err + captured.out


def test_explain_names_keys_not_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "explain", str(SEED_CONFIGS / "router2.cfg")]) == 0
    out = capsys.readouterr().out
    assert "IKEv2 policy default (smart default)" in out
    assert "AES-CBC-256, AES-CBC-192, AES-CBC-128" in out
    assert "local key of keyring KEYRNG peer peer2" in out
    assert "cisco" not in out
    assert "protects 0.0.0.0/0 <-> 0.0.0.0/0" in out


@pytest.mark.parametrize(
    ("example", "keys"),
    [
        (
            "dmvpn-phase3",
            "keyring DMVPN-KEYS, the entry its address or identity matches (peer ANY)",
        ),
        (
            "flexvpn-hub-spokes",
            "keyring KEYS, the entry its address or identity matches (peer SPOKES)",
        ),
    ],
)
def test_explain_keys_a_hubs_peers_as_they_come(
    example: str, keys: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hub's mGRE tunnel or virtual template knows no peer in advance: its keyring's
    wildcard entry keys each one, and no key is said to be missing."""
    assert main(["config", "explain", str(EXAMPLES / example / "hub.cfg")]) == 0
    out = capsys.readouterr().out
    assert f"    each peer's keys from {keys}\n" in out
    assert "no local key" not in out and "no remote key" not in out


def test_explain_names_the_peer_it_has_no_key_for(capsys: pytest.CaptureFixture[str]) -> None:
    """The keyring has 10.0.1.10; `tunnel destination 10.0.10.1` (the source's typo) has none."""
    spoke = REALCONFIGS / "flexvpn" / "morris-flexvpn-spoke1-st-br2.cfg"
    main(["config", "explain", str(spoke)])
    out = capsys.readouterr().out
    assert "    no local key found for peer 10.0.10.1: our AUTH cannot be computed\n" in out
    assert "    no remote key found for peer 10.0.10.1: its AUTH cannot be checked\n" in out


def test_explain_crypto_map(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "explain", str(CONFIG_CORPUS / "ok_crypto_map_numbered_acl.cfg")]) == 0
    out = capsys.readouterr().out
    assert "crypto map CMAP 10: to 192.0.2.1 from 192.0.2.2" in out
    assert "protects 10.10.0.0/16 <-> 10.20.0.0/16" in out
    assert "PFS: group 14 (MODP_2048)" in out


def test_explain_broken_config_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "explain", str(CONFIG_CORPUS / "err_no_policy_at_all.cfg")]) == 1
    assert "no IKEv2 policy" in capsys.readouterr().err


def test_config_without_action_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 2
    assert "check" in capsys.readouterr().out


ELF_HEAD = b"\x7fELF\x02\x01\x01\x00"  # as /bin/ls begins: the first NUL is byte 7


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (ELF_HEAD + bytes(range(256)) * 64, 7),
        (b"hostname R1\n" + bytes(range(0x80, 0x100)) * 4, 12),  # no NUL, but not UTF-8
    ],
)
def test_binary_input_is_one_clear_line_for_every_command_that_reads_configs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, offset: int
) -> None:
    binary = tmp_path / "a.out"
    binary.write_bytes(data)
    message = f"{binary}: not a text file (binary data at byte {offset})"
    for command in (["config", "check"], ["config", "show"], ["config", "explain"]):
        assert main([*command, str(binary)]) == 1
        assert capsys.readouterr() == ("", message + "\n")
    assert main(["lab", str(binary)]) == 1
    assert capsys.readouterr() == ("", f"% {message}\n")
    assert main(["run", str(binary)]) == 1
    assert capsys.readouterr() == ("", f"% pyike run: cannot read {message}\n")


def test_a_few_latin1_bytes_in_a_description_are_tolerated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (SEED_CONFIGS / "router1.cfg").read_text()
    described = text.replace("interface Tunnel0\n", "interface Tunnel0\n description Caf\xe9\n")
    latin1 = tmp_path / "r1.cfg"
    latin1.write_bytes(described.encode("latin-1"))
    assert b"Caf\xe9\n" in latin1.read_bytes()
    assert main(["config", "check", str(latin1)]) == 0
    assert "0 error(s)" in capsys.readouterr().out
