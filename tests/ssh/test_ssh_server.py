"""netmiko's cisco_ios driver, unmodified, on pyike's SSH server: it logs in with a
configured user, finds the prompt, sends commands and configuration, saves; wrong passwords
and unknown users are refused and logged, a user's public key from `ip ssh pubkey-chain`
logs in, a privilege 1 user cannot configure, `transport input none` refuses everyone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncssh
import pytest
from netmiko import BaseConnection
from netmiko.exceptions import NetmikoAuthenticationException

from pyike.config.login_model import key_fingerprint
from tests.support.cli_device import USERS, RecordingDevice
from tests.support.ssh_server import netmiko_ios, serving

BASE = "hostname Edge1\ninterface Loopback0\n ip address 192.0.2.1 255.255.255.255\n" + USERS


def connect(port: int, username: str, password: str) -> BaseConnection:
    return netmiko_ios(port, username=username, password=password, timeout=20, auth_timeout=20)


@contextmanager
def logged_in(device: RecordingDevice, username: str, password: str) -> Iterator[BaseConnection]:
    """netmiko logged in to ``device``'s SSH server until the block ends."""
    with serving(device) as port:
        conn = connect(port, username, password)
        try:
            yield conn
        finally:
            conn.disconnect()


def test_netmiko_configures_and_saves(tmp_path: Path) -> None:
    device = RecordingDevice(BASE, tmp_path / "edge1.cfg")
    with logged_in(device, "admin", "Adm1n") as conn:
        assert conn.find_prompt() == "Edge1#"
        assert conn.send_command("show clock").startswith("*10:00:00")
        out = conn.send_config_set(
            ["crypto ikev2 proposal P2", "encryption aes-gcm-256", "prf sha384", "group 20"]
        )
        assert "Edge1(config-ikev2-proposal)#group 20" in out
        assert "Invalid" not in out and conn.find_prompt() == "Edge1#"
        assert "[OK]" in conn.save_config()
        bad = conn.send_config_set(["crypto ikev2 proposal P3", "encryptoin aes-cbc-128"])
        assert "Edge1(config-ikev2-proposal)#encryptoin aes-cbc-128\n" in bad
        marker = " " * len("Edge1(config-ikev2-proposal)#") + "^\n"
        assert marker + "% Invalid input detected at '^' marker." in bad
    assert "P2" in device.config.proposals
    assert "crypto ikev2 proposal P2" in (tmp_path / "edge1.cfg").read_text()
    assert any(
        "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin]" in m for m in device.logged
    )
    assert any(
        m.startswith("%SYS-5-CONFIG_I: Configured from console by admin on vty0")
        for m in device.logged
    )


def test_wrong_password_and_unknown_user_are_refused(tmp_path: Path) -> None:
    device = RecordingDevice(BASE, tmp_path / "edge1.cfg")
    with serving(device) as port:
        for user, password in (("admin", "adm1n"), ("nobody", "Adm1n")):
            with pytest.raises(NetmikoAuthenticationException):
                connect(port, user, password)
    failures = [m for m in device.logged if "%SEC_LOGIN-4-LOGIN_FAILED" in m]
    assert any("[user: admin]" in m for m in failures)
    assert any("[user: nobody]" in m for m in failures)
    assert not any("adm1n" in m or "Adm1n" in m for m in device.logged)


def test_privilege_1_cannot_configure_terminal(tmp_path: Path) -> None:
    device = RecordingDevice(BASE, tmp_path / "edge1.cfg")
    with logged_in(device, "guest", "guest") as conn:
        assert conn.find_prompt() == "Edge1>"
        out = conn.send_command("configure terminal", expect_string=r"Edge1>")
        assert out == " " * len("Edge1>") + "^\n% Invalid input detected at '^' marker."
        conn.secret = "En4ble"
        conn.enable()
        assert conn.find_prompt() == "Edge1#"


async def _run_with_key(port: int, key: asyncssh.SSHKey, user: str, command: str) -> str:
    async with asyncssh.connect(
        "127.0.0.1",
        port,
        username=user,
        client_keys=[key],
        known_hosts=None,
        password=None,
        agent_path=None,
    ) as conn:
        result = await conn.run(command, check=False)
        return str(result.stdout)


def test_a_public_key_of_the_pubkey_chain_logs_in_and_runs_a_command(tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    other = asyncssh.generate_private_key("ssh-ed25519")
    fingerprint = key_fingerprint(key.public_data)
    text = BASE + f"ip ssh pubkey-chain\n username admin\n  key-hash ssh-ed25519 {fingerprint}\n"
    device = RecordingDevice(text, tmp_path / "edge1.cfg")
    with serving(device) as port:
        shown = asyncio.run(_run_with_key(port, key, "admin", "show clock"))
        assert shown.startswith("*10:00:00")
        with pytest.raises(asyncssh.PermissionDenied):
            asyncio.run(_run_with_key(port, other, "admin", "show clock"))
        with pytest.raises(asyncssh.PermissionDenied):
            asyncio.run(_run_with_key(port, key, "guest", "show clock"))


def test_transport_input_none_refuses_ssh(tmp_path: Path) -> None:
    device = RecordingDevice(BASE + "line vty 0 4\n transport input none\n", tmp_path / "e.cfg")
    with serving(device) as port, pytest.raises(NetmikoAuthenticationException):
        connect(port, "admin", "Adm1n")
