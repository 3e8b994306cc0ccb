"""`configure terminal` line by line (`LineReader`): the mode after each line, IOS's errors
with the marker's column in the line as typed (not in its masked echo), a refused line
leaving the mode as it was, `end` and a top-level `exit` leaving, the result validated."""

from __future__ import annotations

from pyike.config.parser import LineReader

RUNNING = "hostname R1\ninterface Tunnel0\n ip address 10.0.0.1 255.255.255.0\n!\nend\n"


def test_modes_follow_the_lines() -> None:
    reader = LineReader(RUNNING)
    assert reader.prompt == "(config)"
    assert reader.feed("crypto ikev2 keyring KR").findings == ()
    assert reader.prompt == "(config-ikev2-keyring)"
    reader.feed("peer P")
    assert reader.prompt == "(config-ikev2-keyring-peer)"
    reader.feed("interface Tunnel0")  # an outer mode's command, as IOS takes it
    assert reader.prompt == "(config-if)"
    assert reader.feed("exit").leaves is False and reader.prompt == "(config)"
    assert reader.feed("exit").leaves is True


def test_the_marker_is_under_the_bad_word_as_typed_after_a_secret() -> None:
    reader = LineReader(RUNNING)
    typed = reader.feed("crypto isakmp key verylongsecretkey adress 1.2.3.4")
    (error,) = typed.findings
    assert error.message == "% Invalid input detected at '^' marker."
    assert typed.marker == len("crypto isakmp key verylongsecretkey ")
    assert "verylongsecretkey" not in (error.echo or "")


def test_a_refused_block_opener_leaves_the_mode_unchanged() -> None:
    reader = LineReader(RUNNING)
    reader.feed("crypto ikev2 proposal")
    assert reader.prompt == "(config)"
    (error,) = reader.feed("encryption aes-cbc-128").findings  # not a global command
    assert error.column is not None


def test_end_leaves_and_the_result_has_every_line_taken() -> None:
    reader = LineReader(RUNNING)
    for line in ("interface Tunnel0", "tunnel destination 192.0.2.2", "hostname R2"):
        assert reader.feed(line).findings == ()
    assert reader.feed("end").leaves
    config, findings = reader.result()
    assert config.hostname == "R2" and not [d for d in findings if d.is_error]
    assert str(config.interfaces["Tunnel0"].tunnel_destination) == "192.0.2.2"
    assert str(config.interfaces["Tunnel0"].addresses[0][0]) == "10.0.0.1"
