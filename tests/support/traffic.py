"""Traffic through a tunnel for the gateway tests, inside the namespaces only: pings (IPv4
and IPv6), a ping stream that runs while something else happens, and a TCP transfer checked
end to end by digest."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.netns import Lab, Namespace, wait_for


def ping(
    ns: Namespace, source: str, target: str, count: int = 3
) -> subprocess.CompletedProcess[str]:
    return ns.run(
        "ping", "-c", str(count), "-W", "2", "-i", "0.3", "-I", source, target, check=False
    )


def ping6(ns: Namespace, source: str, target: str, count: int = 3) -> str:
    """ping's output, or what went wrong prefixed with "failed: "."""
    done = ns.run(
        "ping", "-6", "-n", "-c", str(count), "-W", "2", "-i", "0.3", "-I", source, target,
        check=False,
    )  # fmt: skip
    return done.stdout if done.returncode == 0 else f"failed: {done.stdout}{done.stderr}"


@dataclass
class PingStream:
    """`ping -i INTERVAL -c COUNT` running in the background."""

    process: subprocess.Popen[bytes]
    log: Path

    def result(self, timeout: float = 60) -> tuple[int, int]:
        """(transmitted, received) once the stream has finished."""
        self.process.wait(timeout)
        text = self.log.read_text()
        found = re.search(r"(\d+) packets transmitted, (\d+) received", text)
        assert found, text
        return int(found[1]), int(found[2])


def ping_stream(
    lab: Lab,
    ns: Namespace,
    source: str,
    target: str,
    log: Path,
    *,
    count: int,
    interval: float = 0.05,
) -> PingStream:
    argv = ["ping", "-n", "-q", "-i", str(interval), "-c", str(count), "-W", "2"]
    process = lab.start(ns, [*argv, "-I", source, target], log)
    return PingStream(process, log)


_SERVER = """
import hashlib, socket, sys
server = socket.create_server((sys.argv[1], int(sys.argv[2])))
conn, _ = server.accept()
digest, total = hashlib.sha256(), 0
while chunk := conn.recv(65536):
    digest.update(chunk)
    total += len(chunk)
open(sys.argv[3], "w").write(f"{total} {digest.hexdigest()}")
"""

_CLIENT = """
import hashlib, random, socket, sys
source, target, port, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = random.Random(size).randbytes(size)
conn = socket.create_connection((target, port), timeout=30, source_address=(source, 0))
conn.sendall(data)
conn.shutdown(socket.SHUT_WR)
conn.recv(1)
print(len(data), hashlib.sha256(data).hexdigest())
"""


def tcp_transfer(
    lab: Lab,
    sender: tuple[Namespace, str],
    receiver: tuple[Namespace, str],
    size: int,
    work: Path,
    port: int = 5001,
) -> float:
    """Sends `size` bytes over TCP from `sender` (namespace, address) to `receiver`; asserts
    they all arrived intact and returns the seconds it took."""
    result = work / f"tcp-{port}.result"
    result.unlink(missing_ok=True)
    ns, address = receiver
    server = lab.start(
        ns,
        [sys.executable, "-c", _SERVER, address, str(port), str(result)],
        work / f"tcp-{port}.server.log",
    )
    wait_for(
        lambda: f"{address}:{port}" in ns.run("ss", "-ltn").stdout,
        10,
        "the TCP server",
    )
    started = time.monotonic()
    client_ns, client_address = sender
    sent = client_ns.run(
        sys.executable, "-c", _CLIENT, client_address, address, str(port), str(size), timeout=120
    )
    elapsed = time.monotonic() - started
    server.wait(30)
    assert result.read_text() == sent.stdout.strip()
    return elapsed
