"""The lab routers' logging buffer: bounded in bytes as IOS's, the oldest lines dropped first,
every message counted, the informational and more severe ones as trap lines too."""

from __future__ import annotations

from pyike.node.exec.show_logging import LogBuffer, render


def test_the_buffer_drops_the_oldest_lines_beyond_its_size() -> None:
    buffer = LogBuffer(size=100)
    lines = [f"*Nov 11 19:30:{n:02}.000: %LINEPROTO-5-UPDOWN: line {n}" for n in range(5)]
    for line in lines:
        buffer.add(line)
    kept = buffer.lines()
    assert kept == lines[-len(kept) :] and 0 < len(kept) < len(lines)
    assert sum(len(line) + 1 for line in kept) <= 100
    assert buffer.logged == 5


def test_debug_lines_are_logged_but_are_no_trap_lines() -> None:
    buffer = LogBuffer()
    buffer.add("*Nov 11 19:30:34.813: IKEv2:(SESSION ID = 1,SA ID = 1):Processing IKE_AUTH")
    buffer.add("*Nov 11 19:30:34.813: %CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP.")
    buffer.add("*Nov 11 19:30:35.000: %SYS-7-DEBUG: a message at level debugging")
    text = render(buffer)
    assert "Buffer logging:  level debugging, 3 messages logged" in text
    assert "Trap logging: level informational, 1 message lines logged" in text
    assert text.endswith(
        "Processing IKE_AUTH\n" + buffer.lines()[1] + "\n" + buffer.lines()[2] + "\n"
    )
