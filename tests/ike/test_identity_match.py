"""`match identity remote` as the engine applies it to the responder's identity."""

from __future__ import annotations

import pytest

from pyike.ike import Identity, IdentityMatch


@pytest.mark.parametrize(
    ("match", "identity", "expected"),
    [
        (IdentityMatch("address", "0.0.0.0"), Identity.address("192.0.2.1"), True),
        (IdentityMatch("address", "10.0.0.0/24"), Identity.address("10.0.0.9"), True),
        (IdentityMatch("address", "10.0.0.0/24"), Identity.address("10.0.1.9"), False),
        (IdentityMatch("address", "0.0.0.0/0"), Identity.address("2001:db8::1"), False),
        (IdentityMatch("address", "10.0.0.0/24"), Identity.fqdn("10.0.0.9"), False),
        (IdentityMatch("fqdn", "R2.example.com"), Identity.fqdn("r2.example.com"), True),
        (IdentityMatch("fqdn", "example.com"), Identity.fqdn("r2.example.com"), False),
        (IdentityMatch("fqdn", "example.com", True), Identity.fqdn("r2.example.com"), True),
        (IdentityMatch("fqdn", "example.com", True), Identity.fqdn("r2.badexample.com"), False),
        (IdentityMatch("email", "corp.com", True), Identity.email("a@corp.com"), True),
        (IdentityMatch("email", "corp.com", True), Identity.email("a@sub.corp.com"), False),
        (IdentityMatch("email", "a@corp.com"), Identity.fqdn("a@corp.com"), False),
        (IdentityMatch("key-id", "KEY1"), Identity.key_id("KEY1"), True),
        (IdentityMatch("key-id", "KEY1"), Identity.key_id("key1"), False),
    ],
)
def test_identity_match(match: IdentityMatch, identity: Identity, expected: bool) -> None:
    assert match.matches(identity) is expected
