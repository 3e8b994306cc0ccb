"""The lab routers' logging buffer: bounded in bytes as IOS's, the oldest lines dropped first,
every message counted, the informational and more severe ones as trap lines too; sized,
filtered by level and turned off as `logging buffered` in force says."""

from __future__ import annotations

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.config.model import LoggingBuffer
from pyike.lab.lab import Lab
from pyike.node.exec.show_logging import LogBuffer, render
from pyike.topology.seed import seed_texts


def test_the_buffer_drops_the_oldest_lines_beyond_its_size() -> None:
    buffer = LogBuffer(lambda: LoggingBuffer(size=100))
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


UP = "*Nov 11 19:30:34.813: %CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP."
DEBUG = "*Nov 11 19:30:34.813: IKEv2:(SESSION ID = 1,SA ID = 1):Processing IKE_AUTH"
DOWN = "*Nov 11 19:31:00.000: %LINEPROTO-3-UPDOWN: a message at level errors"


def test_a_level_keeps_that_level_and_the_more_severe_ones() -> None:
    buffer = LogBuffer(lambda: LoggingBuffer(level=5))  # notifications
    for line in (DEBUG, UP, DOWN):
        buffer.add(line)
    assert buffer.lines() == [UP, DOWN]
    text = render(buffer)
    assert "    Console logging: level debugging, 3 messages logged" in text
    assert "    Buffer logging:  level notifications, 2 messages logged, xml disabled," in text


def test_turned_off_it_keeps_nothing_and_says_so() -> None:
    setting = [LoggingBuffer(size=4096)]
    buffer = LogBuffer(lambda: setting[0])
    buffer.add(UP)
    assert "Log Buffer (4096 bytes):\n\n" + UP + "\n" in render(buffer)
    setting[0] = LoggingBuffer(enabled=False)  # `no logging buffered`, applied by a reload
    buffer.add(DOWN)
    text = render(buffer)
    assert "    Buffer logging:  disabled, xml disabled,\n" in text
    assert "Log Buffer" not in text and UP not in text
    setting[0] = LoggingBuffer()
    buffer.add(DEBUG)
    assert buffer.lines() == [DEBUG]


def test_a_lab_router_buffers_as_its_configuration_says() -> None:
    texts = seed_texts()
    texts["Router1"] = texts["Router1"].replace(
        "hostname Router1\n", "hostname Router1\nlogging buffered 8192 warnings\n"
    )
    lab = Lab([load(text).raise_for_errors() for text in texts.values()], policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(5)
    assert "logging buffered 8192 warnings\n" in lab.exec("Router1", "show running-config")
    quiet, full = (lab.exec(name, "show logging") for name in ("Router1", "Router2"))
    assert "    Buffer logging:  level warnings, 0 messages logged" in quiet
    assert quiet.endswith("Log Buffer (8192 bytes):\n\n")
    assert "Crypto tunnel v2 is UP." in full and "Log Buffer (102400 bytes)" in full
