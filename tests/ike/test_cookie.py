"""Stateless cookies (RFC 7296 section 2.6): verification and secret rotation."""

from __future__ import annotations

import ipaddress
import random

from pyike.ike.cookie import CookieJar

ADDR = ipaddress.ip_address("192.0.2.1")
OTHER = ipaddress.ip_address("192.0.2.2")
NONCE = b"n" * 32
SPI = b"\x11" * 8


def jar(lifetime: float = 300.0) -> CookieJar:
    return CookieJar(random.Random(3).randbytes, lifetime)


def test_a_cookie_verifies_for_the_same_request_only() -> None:
    j = jar()
    cookie = j.make(0.0, NONCE, ADDR, SPI)
    assert j.verify(1.0, cookie, NONCE, ADDR, SPI)
    assert not j.verify(1.0, cookie, b"m" * 32, ADDR, SPI)
    assert not j.verify(1.0, cookie, NONCE, OTHER, SPI)
    assert not j.verify(1.0, cookie, NONCE, ADDR, b"\x22" * 8)


def test_tampered_or_truncated_cookies_fail() -> None:
    j = jar()
    cookie = j.make(0.0, NONCE, ADDR, SPI)
    flipped = cookie[:-1] + bytes([cookie[-1] ^ 1])
    assert not j.verify(0.0, flipped, NONCE, ADDR, SPI)
    assert not j.verify(0.0, cookie[:-1], NONCE, ADDR, SPI)
    assert not j.verify(0.0, bytes([cookie[0] ^ 0x80]) + cookie[1:], NONCE, ADDR, SPI)
    assert not j.verify(0.0, b"", NONCE, ADDR, SPI)


def test_the_previous_secret_stays_valid_for_one_period() -> None:
    j = jar(lifetime=100.0)
    old = j.make(0.0, NONCE, ADDR, SPI)
    new = j.make(150.0, NONCE, ADDR, SPI)  # the secret rotated at 150 s
    assert new != old and new[0] != old[0]
    assert j.verify(150.0, old, NONCE, ADDR, SPI)
    assert j.verify(150.0, new, NONCE, ADDR, SPI)
    j.make(260.0, NONCE, ADDR, SPI)  # rotated again: the first secret is gone
    assert not j.verify(260.0, old, NONCE, ADDR, SPI)
    assert j.verify(260.0, new, NONCE, ADDR, SPI)


def test_two_routers_make_different_cookies() -> None:
    a = CookieJar(random.Random(1).randbytes, 300.0)
    b = CookieJar(random.Random(2).randbytes, 300.0)
    cookie = a.make(0.0, NONCE, ADDR, SPI)
    assert cookie != b.make(0.0, NONCE, ADDR, SPI)
    assert not b.verify(0.0, cookie, NONCE, ADDR, SPI)
