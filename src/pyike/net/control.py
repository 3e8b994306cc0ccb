"""The gateway's control socket: IOS exec commands from `pyike exec` and `pyike cli`.

A Unix stream socket (mode 0600 in a 0700 directory, owned by the daemon's user; peers must be
root or that user, checked with SO_PEERCRED) carrying JSON lines:

    -> {"command": "show crypto ikev2 sa detailed"}
    <- {"output": "...", "prompt": "Router1#"}
    <- {"log": "*Nov 11 19:30:34.811: IKEv2:..."}      after `terminal monitor`

Each command gets exactly one "output" answer, in order; "log" lines (debug output) may come
between answers to a connection that asked for them.

Scripts ask for structured answers instead of scraping show output:

    -> {"query": "sas"}
    <- {"query": "sas", "result": {"schema": "pyike-sas/1", "ike_sas": [...], "ipsec": [...]}}
    <- {"query": "foo", "error": "Unknown query foo (known: sas, memory, reload)"}

(`pyike.show.sa_json` documents the document `sas` gives, `pyike.net.memory` the one `memory`
gives; `reload` reloads the configuration as SIGHUP does and answers once it is done;
`pyike exec --query NAME` prints them.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONTROL_PATH = "/run/pyike/pyike.sock"
MAX_REQUEST = 64 * 1024
MONITOR_ON = "terminal monitor"
MONITOR_OFF = "terminal no monitor"
LineSink = Callable[[list[str]], None]


class ControlError(OSError):
    """The daemon cannot be reached, or spoke out of turn."""


def encode(message: dict[str, object]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def decode_request(line: bytes, key: str = "command") -> str | None:
    """The command (or, with `key` "query", the query) of one request line; None for
    anything else."""
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(message, dict):
        return None
    value = message.get(key)
    return value if isinstance(value, str) else None


def peer_uid(sock: socket.socket) -> int | None:
    try:
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


Executor = Callable[[str], str]
# A query's answer (a JSON object), or None for a query there is no such answer to.
Querier = Callable[[str], dict[str, object] | None]


@dataclass
class ControlServer:
    """Serves `execute` on a Unix socket at `path`."""

    path: Path
    execute: Executor
    prompt: Callable[[], str]
    query: Querier | None = None
    queries: tuple[str, ...] = ()  # their names, for the error a wrong one gets
    # Where the console sends its lines (`Console.monitors`): `broadcast` is among them only
    # while a connection is under `terminal monitor`, so that a console no one reads is silent.
    monitors: list[LineSink] | None = None
    _server: asyncio.AbstractServer | None = None
    _monitors: set[asyncio.StreamWriter] = field(default_factory=set)

    async def start(self, owner: tuple[int, int] | None = None) -> None:
        """Listen; `owner` (uid, gid): the user the daemon becomes, who gets the socket, and
        the directory when it is made here (so that it can remove the socket at the end)."""
        directory = self.path.parent
        made = not directory.exists()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileNotFoundError):
            if self.path.is_socket():
                self.path.unlink()  # left by a daemon that died
        old = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._serve, path=str(self.path), limit=MAX_REQUEST
            )
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        if owner is not None:
            os.chown(self.path, *owner)
            if made:
                os.chown(directory, *owner)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._monitors):
                writer.close()
            self._server = None
        # a daemon that dropped privileges may not remove it from a directory it does not
        # own: the next start removes it
        with contextlib.suppress(FileNotFoundError, PermissionError):
            self.path.unlink()

    def broadcast(self, lines: list[str]) -> None:
        """Debug lines to every connection under `terminal monitor`."""
        for writer in list(self._monitors):
            if writer.is_closing():
                self._monitors.discard(writer)
                continue
            for line in lines:
                writer.write(encode({"log": line}))

    def _monitor(self, writer: asyncio.StreamWriter, on: bool) -> None:
        """`writer` asked for the log lines (`on`), or no longer does (or is gone)."""
        if on:
            self._monitors.add(writer)
        else:
            self._monitors.discard(writer)
        if self.monitors is None:
            return
        listed = self.broadcast in self.monitors
        if self._monitors and not listed:
            self.monitors.append(self.broadcast)
        elif not self._monitors and listed:
            self.monitors.remove(self.broadcast)

    def _answer(self, query: str) -> dict[str, object]:
        result = self.query(query) if self.query is not None else None
        if result is None:
            known = ", ".join(self.queries) or "none"
            return {"query": query, "error": f"Unknown query {query} (known: {known})"}
        return {"query": query, "result": result}

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        uid = peer_uid(sock) if sock is not None else None
        if uid is None or uid not in (0, os.geteuid()):
            writer.write(encode({"output": "% Access denied\n", "prompt": ""}))
            writer.close()
            return
        try:
            while True:
                try:
                    line = await reader.readline()
                except (asyncio.LimitOverrunError, ValueError):
                    break
                if not line:
                    break
                query = decode_request(line, "query")
                if query is not None:
                    writer.write(encode(self._answer(query)))
                    await writer.drain()
                    continue
                command = decode_request(line)
                if command is None:
                    output = "% Malformed control request\n"
                elif command.strip() == MONITOR_ON:
                    self._monitor(writer, True)
                    output = ""
                elif command.strip() == MONITOR_OFF:
                    self._monitor(writer, False)
                    output = ""
                else:
                    output = self.execute(command)
                writer.write(encode({"output": output, "prompt": self.prompt()}))
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self._monitor(writer, False)
            writer.close()


class ControlClient:
    """A blocking client for `pyike exec` and `pyike cli`."""

    def __init__(self, path: str | Path, timeout: float = 30.0) -> None:
        self.path = str(path)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(self.path)
        except OSError as exc:
            self._sock.close()
            raise ControlError(
                exc.errno, f"cannot reach the pyike daemon at {self.path}: {exc.strerror}"
            ) from None
        self._buffer = b""
        self.prompt = ""
        self.on_log: Callable[[str], None] | None = None

    def close(self) -> None:
        self._sock.close()

    def _message(self) -> dict[str, object]:
        while b"\n" not in self._buffer:
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                raise ControlError(0, "the pyike daemon did not answer") from None
            if not chunk:
                raise ControlError(0, "the pyike daemon closed the connection")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError:
            raise ControlError(0, "the pyike daemon sent a malformed answer") from None
        if not isinstance(message, dict):
            raise ControlError(0, "the pyike daemon sent a malformed answer")
        return message

    def run(self, command: str) -> str:
        self._sock.sendall(encode({"command": command}))
        while True:
            message = self._message()
            if "log" in message:
                if self.on_log is not None:
                    self.on_log(str(message["log"]))
                continue
            self.prompt = str(message.get("prompt", ""))
            return str(message.get("output", ""))

    def query(self, name: str) -> dict[str, object]:
        """The structured answer to query `name`; ControlError with the daemon's words for
        a query it does not know."""
        self._sock.sendall(encode({"query": name}))
        while True:
            message = self._message()
            if "log" in message:
                continue
            if "error" in message:
                raise ControlError(0, str(message["error"]))
            result = message.get("result")
            if not isinstance(result, dict):
                raise ControlError(0, "the pyike daemon sent a malformed answer")
            return result

    def poll_logs(self, timeout: float) -> None:
        """Deliver log lines that arrive within `timeout` seconds (after `terminal monitor`)."""
        self._sock.settimeout(timeout)
        try:
            while True:
                message = self._message()
                if "log" in message and self.on_log is not None:
                    self.on_log(str(message["log"]))
        except ControlError:
            pass
        finally:
            self._sock.settimeout(30.0)
