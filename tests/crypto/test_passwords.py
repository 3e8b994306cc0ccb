"""IOS's stored login passwords: published hashes of known passwords verify, wrong ones do
not, and hashes made here verify as the same type."""

from __future__ import annotations

import pytest

from pyike.crypto import passwords

# Published examples of each format with the password they hide: hashcat's example hashes
# for Cisco type 5 (md5crypt), 8 (PBKDF2-SHA256) and 9 (scrypt), and the classic type 5 and
# type 7 examples of the password "cisco".
KNOWN = [
    (5, "$1$28772684$iEwNOgGugqO9.bIz5sk8k/", "hashcat"),
    (5, "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "cisco"),
    (8, "$8$TnGX/fE4KGHOVU$pEhnEvxrvaynpi8j4f.EMHr6M.FzU8xnZnBr/tJdFWk", "hashcat"),
    (9, "$9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6", "hashcat"),
    (7, "0822455D0A16", "cisco"),
    (0, "plain words", "plain words"),
]


@pytest.mark.parametrize(("kind", "stored", "password"), KNOWN)
def test_known_passwords_verify(kind: int, stored: str, password: str) -> None:
    assert passwords.verify(kind, stored, password)
    assert not passwords.verify(kind, stored, password + "x")
    assert not passwords.verify(kind, stored, "")


@pytest.mark.parametrize("kind", [5, 8, 9])
def test_hashes_made_here_verify_and_carry_their_salt(kind: int) -> None:
    salt = passwords.salt_from(bytes(range(20)), passwords.SALT_LENGTH[kind])
    stored = passwords.hash_secret(kind, "Secr3t pass", salt)
    assert stored.split("$")[2] == salt
    assert passwords.verify(kind, stored, "Secr3t pass")
    assert not passwords.verify(kind, stored, "secr3t pass")
    passwords.check_stored(kind, stored)


@pytest.mark.parametrize(
    ("kind", "stored"),
    [(5, "1$abc$def"), (8, "$9$abc$def"), (9, "$9$$x"), (7, "0G22"), (7, "99ABCD"), (6, "x")],
)
def test_malformed_stored_passwords_are_refused_never_raise(kind: int, stored: str) -> None:
    with pytest.raises(passwords.PasswordFormatError):
        passwords.check_stored(kind, stored)
    assert not passwords.verify(kind, stored, "anything")
