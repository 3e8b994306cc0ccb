"""FRRouting's daemons for one router: zebra and the routing daemons its configuration
needs, started inside the router's network namespace under a pathspace of their own (`-N`:
configuration, pid files and vty sockets in /var/run/frr/PATHSPACE, so that several routers'
FRRs share a host), as FRR's own user (FRR refuses root, which is not in its vty group), each
logging to a file of ours. `stop()` ends them and removes the pathspace.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyike.frr.translate import DaemonConfig, FrrSetup
from pyike.frr.vtysh import FRR_STATE_DIR, vty_directory

FRR_DAEMON_DIR = Path("/usr/lib/frr")  # Debian's frr package
FRR_USER = "frr"
ZEBRA_WAIT = 5.0  # for zebra's API socket, before the routing daemons connect to it
STOP_GRACE = 5.0
# What FRR's daemons write beside the pathspaces (ospfd's graceful-restart state).
SHARED_FILES = ("ospfd-gr.json",)
_REFUSED = re.compile(r"on config line (\d+)\b")
_REFUSED_LINE = re.compile(r"(on config line (\d+)):.*$", re.MULTILINE)


class FrrStartError(RuntimeError):
    """FRR could not be started for a router; the message says why."""


def missing(setup: FrrSetup) -> list[str]:
    """The daemons `setup` needs that are not installed."""
    return [d.daemon for d in setup.daemons if not (FRR_DAEMON_DIR / d.daemon).is_file()]


def shared_files() -> set[Path]:
    return {FRR_STATE_DIR / name for name in SHARED_FILES if (FRR_STATE_DIR / name).exists()}


def _quoting(config: DaemonConfig) -> Callable[[re.Match[str]], str]:
    def quote(match: re.Match[str]) -> str:
        return f"{match.group(1)} (IOS: {config.origin(int(match.group(2)))})"

    return quote


@dataclass
class FrrInstance:
    """The FRR of one router: `setup`'s daemons in `namespace`, logs in `logdir`."""

    host: str
    setup: FrrSetup
    namespace: str
    pathspace: str
    logdir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return vty_directory(self.pathspace)

    def log(self, daemon: str) -> Path:
        return self.logdir / f"{self.host}.{daemon}.log"

    def start(self) -> None:
        """zebra first (the others talk to the kernel through it), then the rest."""
        self._prepare_directory()
        for config in self.setup.daemons:
            path = self.directory / f"{config.daemon}.conf"
            path.write_text(config.text, encoding="utf-8")
            path.chmod(0o600)  # may hold keys (BGP passwords, OSPF digests)
            shutil.chown(path, FRR_USER, FRR_USER)
            self._spawn(config.daemon, path)
            if config.daemon == "zebra":
                self._wait_for(self.directory / "zserv.api", "zebra")

    def _prepare_directory(self) -> None:
        try:
            FRR_STATE_DIR.mkdir(mode=0o755, exist_ok=True)
            if self.directory.exists():
                shutil.rmtree(self.directory)
            self.directory.mkdir(mode=0o750)
            shutil.chown(self.directory, FRR_USER, FRR_USER)
        except (OSError, LookupError) as exc:
            raise FrrStartError(f"cannot prepare {self.directory} for FRR: {exc}") from None

    def _spawn(self, daemon: str, config: Path) -> None:
        argv = [
            "ip", "netns", "exec", self.namespace, str(FRR_DAEMON_DIR / daemon),
            "-N", self.pathspace, "-f", str(config), "--log", "stdout", "-P", "0",
        ]  # fmt: skip
        with self.log(daemon).open("wb") as log:
            try:
                self.processes[daemon] = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches us; we stop FRR in order
                )
            except OSError as exc:
                raise FrrStartError(f"cannot start {daemon}: {exc}") from None

    def _wait_for(self, path: Path, daemon: str) -> None:
        deadline = time.monotonic() + ZEBRA_WAIT
        while not path.exists():
            if self.processes[daemon].poll() is not None or time.monotonic() > deadline:
                raise FrrStartError(f"{daemon} did not start: {self.tail(daemon)}")
            time.sleep(0.05)

    def exited(self) -> list[str]:
        return [
            f"{self.host}: FRR {daemon} exited with status {process.returncode}: "
            f"{self.tail(daemon)}"
            for daemon, process in self.processes.items()
            if process.poll() is not None
        ]

    def tail(self, daemon: str) -> str:
        with contextlib.suppress(OSError):
            lines = self.log(daemon).read_text(encoding="utf-8", errors="replace").splitlines()
            return lines[-1] if lines else "no output"
        return "no output"

    def _scrub_logs(self) -> None:
        """FRR's logs quote each line it refused, keys included: quote the IOS line instead,
        keys masked, in the logs a failed run leaves for reading."""
        for config in self.setup.daemons:
            with contextlib.suppress(OSError):
                log = self.log(config.daemon)
                text = log.read_text(encoding="utf-8", errors="replace")
                log.write_text(_REFUSED_LINE.sub(_quoting(config), text), encoding="utf-8")

    def refused(self) -> Iterator[str]:
        """The IOS lines FRR did not take, as its daemons logged them (by line number, so a
        key on such a line is never repeated)."""
        for config in self.setup.daemons:
            with contextlib.suppress(OSError):
                text = self.log(config.daemon).read_text(encoding="utf-8", errors="replace")
                numbers = dict.fromkeys(int(m.group(1)) for m in _REFUSED.finditer(text))
                for number in numbers:
                    origin = config.origin(number)
                    if origin is not None:
                        yield f"{self.host}: FRR {config.daemon} did not take `{origin}`"

    def stop(self) -> None:
        """SIGTERM (routing daemons before zebra), SIGKILL after a grace period; the
        pathspace removed."""
        running = [p for p in reversed(self.processes.values()) if p.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(5)  # the namespace's deletion kills what is left
        shutil.rmtree(self.directory, ignore_errors=True)
        self._scrub_logs()
