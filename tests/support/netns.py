"""Network namespaces for the gateway tests and the benchmarks: unique names, veth pairs,
processes started inside them, and a teardown that kills those processes by pid and deletes
the namespaces even when the test failed."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PYIKE = [sys.executable, "-m", "pyike"]

NO_NETNS = os.geteuid() != 0 or shutil.which("ip") is None
NO_NETNS_REASON = "network namespace tests need root and iproute2"
needs_root = pytest.mark.skipif(NO_NETNS, reason=NO_NETNS_REASON)


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), check=check, capture_output=True, text=True, timeout=30)


@dataclass
class Namespace:
    name: str

    def run(
        self, *args: str, check: bool = True, timeout: float = 30
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ip", "netns", "exec", self.name, *args],
            check=check,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def ip(self, *args: str) -> str:
        return self.run("ip", *args).stdout


@dataclass
class Lab:
    """Namespaces and processes owned by one test."""

    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    namespaces: list[Namespace] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def namespace(self, role: str) -> Namespace:
        ns = Namespace(f"pyike-{role}-{self.tag}")
        sh("ip", "netns", "add", ns.name)
        self.namespaces.append(ns)
        ns.ip("link", "set", "lo", "up")
        return ns

    def veth(
        self,
        a: Namespace,
        a_addr: str,
        b: Namespace,
        b_addr: str,
        suffix: str = "",
        *,
        nodad: bool = False,
    ) -> tuple[str, str]:
        """A veth pair from `a` to `b`; `suffix` tells apart several pairs of one test.
        `nodad`: IPv6 addresses without duplicate address detection, usable at once."""
        left, right = f"va{self.tag}{suffix}", f"vb{self.tag}{suffix}"
        sh(
            "ip",
            "link",
            "add",
            left,
            "netns",
            a.name,
            "type",
            "veth",
            "peer",
            "name",
            right,
            "netns",
            b.name,
        )
        for ns, dev, addr in ((a, left, a_addr), (b, right, b_addr)):
            ns.ip("addr", "add", addr, "dev", dev, *(["nodad"] if nodad else []))
            ns.ip("link", "set", dev, "up")
        return left, right

    def start(
        self, ns: Namespace, argv: Sequence[str], log: Path, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        out = log.open("wb")
        proc = subprocess.Popen(
            ["ip", "netns", "exec", ns.name, *argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        out.close()
        self.processes.append(proc)
        return proc

    def cleanup(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in self.processes:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for ns in self.namespaces:
            # anything still running inside (a charon forked by a test) goes by its pid
            pids = sh("ip", "netns", "pids", ns.name, check=False).stdout.split()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            sh("ip", "netns", "del", ns.name, check=False)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
