"""A FreeRADIUS server of its own for a test: `radiusd -X -d DIR` with a minimal
configuration written into a temporary directory (one client, 127.0.0.1; users in a `files`
users file; EAP with MD5, GTC and MSCHAPv2, no TLS), listening on a loopback port, stopped by
its pid. Skips when FreeRADIUS is not installed (scripts/install-system-deps installs it)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

RADIUSD = shutil.which("freeradius") or shutil.which("radiusd")
SECRET = "pyike-radius-secret"

_RADIUSD_CONF = """\
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = {dir}
sbindir = /usr/sbin
logdir = {dir}
raddbdir = {dir}
radacctdir = {dir}
name = freeradius
confdir = {dir}
modconfdir = {dir}
run_dir = {dir}
db_dir = {dir}
libdir = /usr/lib/freeradius
pidfile = {dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {{
    destination = stdout
    auth = yes
}}
security {{
    allow_core_dumps = no
    max_attributes = 200
    reject_delay = 0
    status_server = no
}}
thread pool {{
    start_servers = 1
    max_servers = 2
    min_spare_servers = 1
    max_spare_servers = 2
}}
client local {{
    ipv4addr = 127.0.0.1
    secret = {secret}
    require_message_authenticator = yes
}}
modules {{
    files {{
        filename = {dir}/users
    }}
    pap {{
    }}
    mschap {{
    }}
    eap {{
        default_eap_type = mschapv2
        timer_expire = 60
        ignore_unknown_eap_types = no
        max_sessions = 64
        md5 {{
        }}
        gtc {{
            auth_type = PAP
        }}
        mschapv2 {{
            send_error = no
        }}
    }}
}}
server default {{
    listen {{
        type = auth
        ipv4addr = 127.0.0.1
        port = {port}
    }}
    authorize {{
        eap {{
            ok = return
        }}
        files
        pap
    }}
    authenticate {{
        Auth-Type PAP {{
            pap
        }}
        Auth-Type MS-CHAP {{
            mschap
        }}
        eap
    }}
    post-auth {{
    }}
}}
"""


@dataclass(frozen=True)
class Radius:
    address: str
    port: int
    secret: str
    log: Path

    def ios_server(self, name: str = "FR") -> str:
        """This server as an IOS configuration names it: `radius server NAME`."""
        return (
            f"radius server {name}\n address ipv4 {self.address} auth-port {self.port} "
            f"acct-port 1813\n key 0 {self.secret}\n"
        )


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def freeradius(
    tmp: Path, users: str, *, netns: str | None = None, port: int | None = None
) -> Iterator[Radius]:
    """FreeRADIUS with ``users`` (its `users` file format) until the block ends, on
    127.0.0.1 of network namespace ``netns`` (None: this one), on ``port`` (None: a free
    one)."""
    if RADIUSD is None:
        pytest.skip("FreeRADIUS is not installed (scripts/install-system-deps)")
    port = port or free_udp_port()
    prefix = [] if netns is None else ["ip", "netns", "exec", netns]
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "dictionary").write_text("$INCLUDE /usr/share/freeradius/dictionary\n")
    (tmp / "users").write_text(users)
    conf = _RADIUSD_CONF.format(dir=tmp, port=port, secret=SECRET)
    (tmp / "radiusd.conf").write_text(conf)
    log = tmp / "radiusd.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*prefix, RADIUSD, "-X", "-f", "-d", str(tmp), "-n", "radiusd"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while b"Ready to process requests" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"FreeRADIUS did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield Radius("127.0.0.1", port, SECRET, log)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
