"""sd_notify without libsystemd: the datagrams systemd reads, to a path or an abstract socket;
the watchdog only for the process systemd meant; nothing without $NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from pyike.net.sd_notify import Notifier


def test_datagrams_to_an_abstract_socket() -> None:
    name = f"pyike-test-{uuid.uuid4().hex}"
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.bind("\0" + name)
    sink.settimeout(5)
    notifier = Notifier("@" + name)
    notifier.ready("1 tunnel(s), 0 IKE SA(s) up")
    notifier.watchdog()
    notifier.stopping()
    assert sink.recv(4096) == b"READY=1\nSTATUS=1 tunnel(s), 0 IKE SA(s) up\n"
    assert sink.recv(4096) == b"WATCHDOG=1\n"
    assert sink.recv(4096).startswith(b"STOPPING=1\nSTATUS=Stopping")
    notifier.close()
    sink.close()


def test_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    notifier = Notifier.from_environment()
    assert notifier.active and notifier.watchdog_interval == 15.0
    assert "NOTIFY_SOCKET" not in os.environ  # programs the daemon runs do not notify
    notifier.ready("x")  # nobody listening: lost, never raised
    assert notifier.lost == 1
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert Notifier.from_environment().watchdog_interval is None  # meant for another process
    assert not Notifier.from_environment().active  # the variables are gone now
