"""The IOS command line a logged-in user gets, without a terminal: prompts by privilege,
enable, configuration mode with IOS's messages and markers, the change applied when the
session leaves configuration mode, write memory and copy running-config startup-config."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pyike.config import load_file, writer
from pyike.host.config_mode import ENTER_MESSAGE
from pyike.host.ios_cli import BAD_SECRETS, PASSWORD_PROMPT, IosCli
from pyike.topology.seed import seed_configs
from tests.support.cli_device import USERS, RecordingDevice

INVALID = "% Invalid input detected at '^' marker.\n"


@pytest.fixture
def device(tmp_path: Path) -> RecordingDevice:
    text = writer.render(seed_configs()[0], show_keys=True).replace("end\n", "") + USERS
    startup = tmp_path / "router1.cfg"
    startup.write_text(text)
    startup.chmod(0o640)
    return RecordingDevice(text, startup)


def typed(cli: IosCli, *lines: str) -> str:
    """What a terminal shows: each prompt, the line typed, the reply."""
    out = ""
    for line in lines:
        out += cli.prompt + line + "\n" + cli.handle(line).output
    return out + cli.prompt


def test_privileged_user_configures_and_the_change_is_applied_on_end(
    device: RecordingDevice,
) -> None:
    cli = IosCli(device, "admin", 15, line="vty0", address="192.0.2.9")
    shown = typed(
        cli,
        "configure terminal",
        "crypto ikev2 proposal NEW",
        "encryption aes-cbc-256",
        "integrity sha256",
        "group 19",
        "interface Tunnel7",
        "ip address 10.7.7.1 255.255.255.252",
        "end",
    )
    assert shown == (
        "Router1#configure terminal\n"
        + ENTER_MESSAGE
        + "Router1(config)#crypto ikev2 proposal NEW\n"
        "Router1(config-ikev2-proposal)#encryption aes-cbc-256\n"
        "Router1(config-ikev2-proposal)#integrity sha256\n"
        "Router1(config-ikev2-proposal)#group 19\n"
        "Router1(config-ikev2-proposal)#interface Tunnel7\n"
        "Router1(config-if)#ip address 10.7.7.1 255.255.255.252\n"
        "Router1(config-if)#end\n"
        "Router1#"
    )
    (applied,) = device.applied
    assert "NEW" in applied.proposals and "Tunnel7" in applied.interfaces
    assert device.logged == [
        "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.9)"
    ]
    assert "crypto ikev2 proposal NEW" in cli.handle("show running-config").output


def test_bad_lines_get_the_marker_under_the_line_as_typed_and_change_nothing(
    device: RecordingDevice,
) -> None:
    cli = IosCli(device, "admin", 15)
    shown = typed(cli, "conf t", "crypto ikev2 proposl X", "username x secret 5 nothash", "\x1a")
    assert (
        "Router1(config)#crypto ikev2 proposl X\n"
        "                             ^\n" + INVALID + "Router1(config)#username x" in shown
    )
    assert "ERROR: The secret you entered is not a valid encrypted secret.\n" in shown
    assert cli.interrupt().output == ""  # Ctrl-Z: out of configuration mode
    assert cli.prompt == "Router1#"
    assert device.applied[-1].proposals.keys() == device.config.proposals.keys()
    assert "x" not in device.config.login.users


def test_a_secret_typed_in_configuration_mode_is_never_echoed_back(device: RecordingDevice) -> None:
    cli = IosCli(device, "admin", 15)
    shown = typed(cli, "configure terminal", "username bob privilege 15 secret 0 Sw0rdfish", "end")
    shown += typed(cli, "show running-config")
    assert "Sw0rdfish" not in shown.split("secret 0 Sw0rdfish\n", 1)[1]
    assert "username bob privilege 15 secret 9 *****" in shown
    assert device.config.login.users["bob"].stored is not None
    assert device.config.login.users["bob"].stored.matches("Sw0rdfish")


def test_user_exec_cannot_configure_until_enable(device: RecordingDevice) -> None:
    cli = IosCli(device, "guest", 1)
    assert cli.prompt == "Router1>"
    assert cli.handle("configure terminal").output == " " * 8 + "^\n" + INVALID
    assert cli.handle("show running-config").output == " " * 13 + "^\n" + INVALID
    assert cli.handle("show clock").output.startswith("*10:00:00")
    assert cli.handle("enable").output == ""
    assert cli.prompt == PASSWORD_PROMPT and cli.hidden
    assert cli.handle("wrong").output == ""
    assert cli.handle("En4ble").output == ""
    assert cli.prompt == "Router1#" and not cli.hidden
    assert cli.handle("configure terminal").output == ENTER_MESSAGE
    assert cli.handle("end").output == ""
    assert cli.handle("disable").output == "" and cli.prompt == "Router1>"


def test_three_wrong_enable_passwords(device: RecordingDevice) -> None:
    cli = IosCli(device, "guest", 1)
    cli.handle("enable")
    assert [cli.handle(p).output for p in ("a", "b", "c")] == ["", "", BAD_SECRETS + "\n\n"]
    assert cli.prompt == "Router1>"


def test_a_refused_configuration_is_not_applied(tmp_path: Path) -> None:
    device = RecordingDevice("hostname R5\n" + USERS, tmp_path / "r5.cfg", refuse="no such device")
    cli = IosCli(device, "admin", 15)
    out = typed(cli, "configure terminal", "hostname R6", "end")
    assert "R6(config)#end\n% Configuration not applied: no such device\nR5#" in out
    assert device.config.hostname == "R5"


def test_an_inconsistent_configuration_is_not_applied(device: RecordingDevice) -> None:
    cli = IosCli(device, "admin", 15)
    out = typed(
        cli,
        "configure terminal",
        "interface Tunnel0",
        "tunnel protection ipsec profile NOPE",
        "end",
    )
    assert "% Configuration not applied: the running configuration is unchanged\n" in out
    assert device.applied == []


def test_write_memory_saves_atomically_with_the_old_mode(device: RecordingDevice) -> None:
    cli = IosCli(device, "admin", 15)
    typed(cli, "configure terminal", "ip route 10.9.0.0 255.255.0.0 Tunnel0", "end")
    assert cli.handle("write memory").output == "Building configuration...\n[OK]\n"
    assert stat.S_IMODE(device.startup.stat().st_mode) == 0o640
    saved = load_file(device.startup)
    assert saved.ok
    running = writer.render(device.config, show_keys=True)
    assert writer.render(saved.config, show_keys=True) == running
    assert "ip route 10.9.0.0 255.255.0.0 Tunnel0" in device.startup.read_text()
    assert "pre-shared-key local cisco" in device.startup.read_text()  # keys kept in the file
    assert saved.config.login == device.config.login
    assert list(device.startup.parent.iterdir()) == [device.startup]  # no temporary left


def test_copy_running_config_startup_config_asks_for_the_name(device: RecordingDevice) -> None:
    cli = IosCli(device, "admin", 15)
    assert cli.handle("copy run start").output == ""
    assert cli.prompt == "Destination filename [startup-config]? "
    assert cli.handle("").output == "Building configuration...\n[OK]\n"
    cli.handle("copy running-config startup-config")
    assert cli.handle("flash:x").output == "% pyike saves the startup-config only\n"


def test_a_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    device = RecordingDevice("hostname R5\n" + USERS, tmp_path / "missing" / "r5.cfg")
    out = IosCli(device, "admin", 15).handle("write").output
    assert out == (
        "Building configuration...\n"
        f"%Error opening {tmp_path / 'missing' / 'r5.cfg'} (No such file or directory)\n"
    )


def test_terminal_commands_and_exit(device: RecordingDevice) -> None:
    cli = IosCli(device, "admin", 15, output=lambda lines: None)
    assert typed(cli, "terminal length 0", "terminal width 511") == (
        "Router1#terminal length 0\nRouter1#terminal width 511\nRouter1#"
    )
    assert (cli.length, cli.width) == (0, 511)
    assert cli.handle("terminal width 9999").output.endswith(INVALID)
    cli.handle("terminal monitor")
    assert len(device.sinks) == 1
    assert not cli.closed and cli.handle("exit").output == "" and cli.closed
    cli.close()
    assert device.sinks == []


def test_do_runs_exec_commands_in_configuration_mode(device: RecordingDevice) -> None:
    cli = IosCli(device, "admin", 15)
    cli.handle("configure terminal")
    assert cli.handle("do show clock").output.startswith("*10:00:00")
    assert cli.prompt == "Router1(config)#"
