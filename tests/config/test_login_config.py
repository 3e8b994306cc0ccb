"""Who may log in, as the configuration says it: users with their privilege and stored
passwords (typed secrets hashed as IOS hashes them), enable secrets, SSH public keys by their
MD5 fingerprint, the vty lines; printed back as IOS prints them, secrets masked unless asked."""

from __future__ import annotations

import base64

from pyike.config import load, writer
from pyike.config.commands.login import BAD_ENCRYPTED_SECRET, public_key_of
from pyike.config.login_model import key_fingerprint

# An Ed25519 public key in OpenSSH's one-line form, its MD5 fingerprint as IOS shows it.
KEY_BLOB = bytes.fromhex("0000000b7373682d65643235353139000000") + bytes([32]) + bytes(range(32))
KEY_LINE = "ssh-ed25519 " + base64.b64encode(KEY_BLOB).decode() + " admin@laptop"

CONFIG = f"""hostname R1
enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0
username admin privilege 15 secret 0 Adm1n pass
username op password 7 0822455D0A16
username viewer algorithm-type sha256 secret view
username robot privilege 15 secret 9 $9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6
ip ssh version 2
ip ssh pubkey-chain
  username admin
   key-string
    {KEY_LINE[:40]}
    {KEY_LINE[40:]}
    exit
  username robot
   key-hash ssh-rsa 8F:B4:F8:58:DD:7E:5A:FB:37:27:80:EC:65:3D:B3:71 robot
line con 0
 logging synchronous
line vty 0 4
 exec-timeout 5 0
 login local
 transport input ssh
"""


def test_users_and_their_passwords() -> None:
    result = load(CONFIG, "r1.cfg")
    assert result.ok, [d.format() for d in result.diagnostics]
    login = result.config.login
    admin, op, viewer = login.users["admin"], login.users["op"], login.users["viewer"]
    assert admin.privilege == 15 and admin.secret is not None and admin.secret.kind == 9
    assert admin.secret.value.startswith("$9$") and "Adm1n" not in admin.secret.value
    assert admin.secret.matches("Adm1n pass") and not admin.secret.matches("Adm1n")
    assert op.privilege == 1 and op.password is not None and op.password.matches("cisco")
    assert viewer.secret is not None and viewer.secret.kind == 8 and viewer.secret.matches("view")
    assert login.users["robot"].stored is not None
    assert login.users["robot"].stored.matches("hashcat")
    enable = login.enable_password()
    assert enable is not None and enable.matches("cisco")
    assert "Adm1n" not in repr(result.config.login)


def test_ssh_keys_are_kept_by_fingerprint_and_vty_lines_by_their_settings() -> None:
    login = load(CONFIG, "r1.cfg").config.login
    (admin_key,) = login.ssh_keys["admin"]
    assert admin_key.algorithm == "ssh-ed25519" and admin_key.comment == "admin@laptop"
    assert admin_key.fingerprint == key_fingerprint(KEY_BLOB)
    (robot_key,) = login.ssh_keys["robot"]
    assert robot_key.fingerprint == "8FB4F858DD7E5AFB372780EC653DB371"
    vty = login.vty[0]
    assert (vty.first, vty.last, vty.login_local, vty.transports) == (0, 4, True, ("ssh",))
    assert vty.allows_ssh and not login.ssh_refused
    assert login.ssh_version == 2


def test_transport_input_none_refuses_ssh() -> None:
    login = load("line vty 0 15\n transport input none\n", "c").config.login
    assert login.ssh_refused


def test_printed_as_ios_prints_it_masked_unless_asked_and_read_back_the_same() -> None:
    config = load(CONFIG, "r1.cfg").config
    shown = writer.render(config)
    assert "username admin privilege 15 secret 9 *****" in shown
    assert "username op password 7 *****" in shown
    assert "enable secret 5 *****" in shown
    assert "0822455D0A16" not in shown and "$9$" not in shown
    full = writer.render(config, show_keys=True)
    assert "username op password 7 0822455D0A16" in full
    assert f"   key-hash ssh-ed25519 {key_fingerprint(KEY_BLOB)} admin@laptop" in full
    assert "line vty 0 4\n exec-timeout 5 0\n login local\n transport input ssh\n" in full
    again = load(full, "again.cfg")
    assert again.ok and again.config.login == config.login
    assert writer.render(again.config, show_keys=True) == full


def test_a_malformed_hash_or_key_gets_ios_errors() -> None:
    result = load(
        "username bob secret 5 notahash\n"
        "ip ssh pubkey-chain\n username bob\n  key-hash ssh-rsa 12345\n",
        "bad.cfg",
    )
    messages = [d.message for d in result.errors]
    assert messages == [BAD_ENCRYPTED_SECRET, "% Invalid input detected at '^' marker."]
    assert "bob" not in result.config.login.users


def test_a_pasted_key_string_without_its_algorithm_word() -> None:
    key = public_key_of(base64.b64encode(KEY_BLOB).decode())
    assert key is not None and key.algorithm == "ssh-ed25519" and key.comment == ""
    assert public_key_of("ssh-rsa not-base64!") is None
