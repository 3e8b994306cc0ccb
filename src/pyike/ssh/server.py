"""An SSH server (asyncssh) that serves a device's IOS command line (`pyike.host.ios_cli`).

Users log in as the configuration says (`pyike.ssh.auth`); a session gets a vty line
(`vty0`, `vty1`, ... up to the configured `line vty` range, 16 lines without one), IOS's
prompt, echo and line editing (asyncssh's line editor: arrows, history, Ctrl-A/E/U),
Ctrl-Z or Ctrl-C to leave configuration mode. `ssh USER@HOST COMMAND` without a terminal
runs one command and closes. Logins are logged as IOS logs them (`%SEC_LOGIN-5-LOGIN_SUCCESS`,
`%SEC_LOGIN-4-LOGIN_FAILED`); passwords never are.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import cast

import asyncssh
from asyncssh.editor import SSHLineEditorChannel

from pyike.config.login_model import LoginConfig
from pyike.host.ios_cli import Device, IosCli
from pyike.ssh import auth
from pyike.ssh.listen import Listen

DEFAULT_VTY_LINES = 16
_CTRL_Z = "\x1a"
_INTERRUPT = "CTRL-Z"  # the signal the line editor delivers for Ctrl-Z
_JOB_POLL = 0.05  # how often a running command's completion is looked at, in seconds


def _login_time() -> str:
    return time.strftime("%H:%M:%S %Z %a %b %d %Y")


def login_success(user: str, source: str, port: int) -> str:
    return (
        f"%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: {user}] [Source: {source}] "
        f"[localport: {port}] at {_login_time()}"
    )


def login_failed(user: str, source: str, port: int) -> str:
    return (
        f"%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: {user}] [Source: {source}] "
        f"[localport: {port}] [Reason: Login Authentication Failed] at {_login_time()}"
    )


class _Connection(asyncssh.SSHServer):
    """One client's authentication, against the device's configuration as it is now."""

    def __init__(self, server: SshServer) -> None:
        self._server = server
        self._source = ""
        self._local_port = 0
        self._user = ""

    @property
    def _login(self) -> LoginConfig:
        return self._server.device.config.login

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        peer = conn.get_extra_info("peername") or ("", 0)
        local = conn.get_extra_info("sockname") or ("", 0)
        self._source, self._local_port = str(peer[0]), int(local[1])

    def begin_auth(self, username: str) -> bool:
        self._user = username
        if self._login.ssh_refused:
            return True  # every method fails: the vty lines take no SSH
        return not auth.needs_no_password(self._login, username)

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        user = None if self._login.ssh_refused else self._login.users.get(username)
        loop = asyncio.get_running_loop()
        # scrypt and PBKDF2 take tens of milliseconds: not on the loop that moves packets
        ok = await loop.run_in_executor(None, auth.password_matches, user, password)
        if not ok:
            self._server.log(login_failed(username, self._source, self._local_port))
        return ok

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if self._login.ssh_refused:
            return False
        return auth.key_matches(self._login, username, key.public_data)

    def auth_completed(self) -> None:
        self._server.log(login_success(self._user, self._source, self._local_port))


class SshServer:
    """Serves `device`'s command line on one address and port."""

    def __init__(self, device: Device, host_key: asyncssh.SSHKey) -> None:
        self.device = device
        self.host_key = host_key
        self.log = device.log  # the logins, on the device's console
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._lines: set[int] = set()
        self._sessions: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port listened on (the one the kernel chose, for port 0)."""
        assert self._acceptor is not None
        return int(self._acceptor.get_port())

    async def start(self, listen: Listen) -> None:
        self._acceptor = await asyncssh.create_server(
            lambda: _Connection(self),
            listen.host or None,
            listen.port,
            server_host_keys=[self.host_key],
            process_factory=self._session,
            reuse_address=True,
        )

    async def stop(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
            self._acceptor = None

    def _vty_count(self) -> int:
        vty = self.device.config.login.vty
        if not vty:
            return DEFAULT_VTY_LINES
        return max((v.last if v.last is not None else v.first) for v in vty.values()) + 1

    def _take_line(self) -> int | None:
        free = (n for n in range(self._vty_count()) if n not in self._lines)
        number = next(free, None)
        if number is not None:
            self._lines.add(number)
        return number

    async def _session(self, process: asyncssh.SSHServerProcess[str]) -> None:
        number = self._take_line()
        if number is None:
            process.stdout.write("% All vty lines are in use\n")
            process.exit(1)
            return
        try:
            await Session(self.device, process, number).run()
        except (asyncssh.Error, ConnectionError, BrokenPipeError):
            pass  # the client went away
        except Exception as exc:  # a pyike bug ends this session, never the daemon
            self.log(f"%PYIKE-3-INTERNAL: SSH session on vty{number}: {type(exc).__name__}: {exc}")
        finally:
            self._lines.discard(number)
            with contextlib.suppress(Exception):
                process.exit(0)


class Session:
    """One logged-in user's terminal: prompts, lines, replies."""

    def __init__(
        self, device: Device, process: asyncssh.SSHServerProcess[str], number: int
    ) -> None:
        self.process = process
        user = str(process.get_extra_info("username"))
        peer = process.get_extra_info("peername") or ("", 0)
        self.cli = IosCli(
            device,
            user,
            auth.privilege_of(device.config.login, user),
            line=f"vty{number}",
            address=str(peer[0]),
            output=self._monitor_lines,
        )
        # with a terminal, asyncssh's line editor echoes and edits what is typed
        self._terminal = process.get_terminal_type() is not None
        self._editor = cast(SSHLineEditorChannel, process.channel)

    def _write(self, text: str) -> None:
        if text:
            self.process.stdout.write(text)

    def _monitor_lines(self, lines: list[str]) -> None:
        self._write("".join(line + "\n" for line in lines))

    async def run(self) -> None:
        try:
            command = self.process.command
            if command:
                await self._reply(command)
                return
            if self._terminal:
                self._editor.register_key(_CTRL_Z, lambda line, pos: (_INTERRUPT, -1))
            await self._serve()
        finally:
            self.cli.close()

    async def _serve(self) -> None:
        while not self.cli.closed:
            self._write(self.cli.prompt)
            hidden = self.cli.hidden
            if hidden and self._terminal:
                self._editor.set_echo(False)
            try:
                line = await self.process.stdin.readline()
            except (asyncssh.SignalReceived, asyncssh.BreakReceived):
                self._write("\n" + self.cli.interrupt().output)
                continue
            except asyncssh.TerminalSizeChanged:
                continue
            finally:
                if hidden and self._terminal:
                    self._editor.set_echo(True)
            if not line:
                return  # end of input
            if hidden and self._terminal:
                self._write("\n")
            await self._reply(line.rstrip("\r\n"))

    async def _reply(self, line: str) -> None:
        reply = self.cli.handle(line)
        self._write(reply.output)
        if reply.job is not None:
            await reply.job.follow(self._write, lambda: asyncio.sleep(_JOB_POLL))
