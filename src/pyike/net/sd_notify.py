"""systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram per state
change to the socket `$NOTIFY_SOCKET` names (a path, or `@name` in the abstract namespace).

`pyike run` under `Type=notify` says READY=1 once its tunnels are configured and it runs as
its own user, STATUS= with what it does, RELOADING=1 and READY=1 around a SIGHUP reload,
STOPPING=1 when it begins to tear down, and WATCHDOG=1 every half of `$WATCHDOG_USEC` while
its event loop runs (a loop stuck in a bug misses the pings and systemd restarts the
service). Without `$NOTIFY_SOCKET` every call does nothing."""

from __future__ import annotations

import os
import socket
import time

NOTIFY_SOCKET = "NOTIFY_SOCKET"
WATCHDOG_USEC = "WATCHDOG_USEC"
WATCHDOG_PID = "WATCHDOG_PID"


class Notifier:
    def __init__(self, address: str | None, watchdog_usec: int | None = None) -> None:
        """`address`: the socket (`@` for the abstract namespace); None: notify nobody."""
        self._address = (
            None if not address else "\0" + address[1:] if address[0] == "@" else address
        )
        self._sock: socket.socket | None = None
        if self._address is not None:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.watchdog_usec = watchdog_usec
        self.lost = 0  # datagrams the socket refused (systemd gone, queue full)

    @classmethod
    def from_environment(cls) -> Notifier:
        """The notifier systemd's environment asks for; opened before the privilege drop.
        The variables are removed, so that programs the daemon runs do not notify."""
        address = os.environ.pop(NOTIFY_SOCKET, None)
        usec = os.environ.pop(WATCHDOG_USEC, None)
        pid = os.environ.pop(WATCHDOG_PID, None)
        watchdog = int(usec) if usec and usec.isdigit() and int(usec) > 0 else None
        if pid is not None and (not pid.isdigit() or int(pid) != os.getpid()):
            watchdog = None  # the watchdog is meant for another process
        return cls(address, watchdog)

    @property
    def active(self) -> bool:
        return self._sock is not None

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between WATCHDOG=1 pings: half the timeout, as sd_watchdog_enabled(3)
        advises."""
        return None if self.watchdog_usec is None else self.watchdog_usec / 2_000_000

    def notify(self, **fields: str) -> None:
        """One datagram of `NAME=value` lines (READY="1", STATUS="...")."""
        if self._sock is None or self._address is None:
            return
        text = "".join(f"{name.upper()}={value}\n" for name, value in fields.items())
        try:
            self._sock.sendto(text.encode(), self._address)
        except OSError:
            self.lost += 1

    def ready(self, status: str) -> None:
        self.notify(ready="1", status=status)

    def reloading(self) -> None:
        # MONOTONIC_USEC tells systemd >= 253 which reload this is; older ones ignore it
        self.notify(reloading="1", monotonic_usec=str(time.monotonic_ns() // 1000))

    def stopping(self) -> None:
        self.notify(stopping="1", status="Stopping: deleting SAs, removing devices and routes")

    def watchdog(self) -> None:
        self.notify(watchdog="1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
