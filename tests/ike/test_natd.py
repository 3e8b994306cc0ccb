"""NAT detection (RFC 7296 section 2.23)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pyike.codec.errors import DecodeError
from pyike.codec.registry import NotifyType
from pyike.ike import Endpoint
from pyike.ike.natd import detect, natd_notifies

SPI_I, SPI_R = b"\x01" * 8, b"\x02" * 8
INSIDE = Endpoint.of("192.168.0.2")
PUBLIC = Endpoint.of("203.0.113.7", 1500)
RESPONDER = Endpoint.of("198.51.100.1")


def test_no_nat_when_both_hashes_match() -> None:
    sent = natd_notifies(SPI_I, SPI_R, INSIDE, RESPONDER)
    result = detect(sent, SPI_I, SPI_R, RESPONDER, INSIDE)
    assert result.checked and not result.nat_detected and not result.local_behind_nat


def test_responder_sees_the_initiator_behind_a_nat() -> None:
    sent = natd_notifies(SPI_I, SPI_R, INSIDE, RESPONDER)  # what the initiator hashed
    seen = detect(sent, SPI_I, SPI_R, RESPONDER, PUBLIC)  # where it came from
    assert seen.nat_detected
    assert not seen.remote_matches and seen.local_matches
    assert not seen.local_behind_nat


def test_initiator_learns_it_is_behind_a_nat() -> None:
    answer = natd_notifies(SPI_I, SPI_R, RESPONDER, PUBLIC)  # the responder saw PUBLIC
    seen = detect(answer, SPI_I, SPI_R, INSIDE, RESPONDER)
    assert seen.nat_detected and seen.local_behind_nat


def test_a_port_change_alone_is_a_nat() -> None:
    sent = natd_notifies(SPI_I, SPI_R, INSIDE, RESPONDER)
    assert detect(sent, SPI_I, SPI_R, RESPONDER, replace(INSIDE, port=4500)).nat_detected


def test_any_of_several_source_hashes_may_match() -> None:
    decoy = natd_notifies(SPI_I, SPI_R, Endpoint.of("10.9.9.9"), RESPONDER)[0]
    sent = [decoy, *natd_notifies(SPI_I, SPI_R, INSIDE, RESPONDER)]
    assert not detect(sent, SPI_I, SPI_R, RESPONDER, INSIDE).nat_detected


def test_without_notifies_nothing_is_checked() -> None:
    source_only = natd_notifies(SPI_I, SPI_R, INSIDE, RESPONDER)[:1]
    result = detect(source_only, SPI_I, SPI_R, RESPONDER, INSIDE)
    assert not result.checked and not result.nat_detected


def test_other_spis_give_other_hashes() -> None:
    sent = natd_notifies(SPI_I, bytes(8), INSIDE, RESPONDER)
    assert detect(sent, SPI_I, SPI_R, RESPONDER, INSIDE).nat_detected


def test_a_malformed_hash_is_a_decode_error() -> None:
    source, destination = natd_notifies(SPI_I, SPI_R, INSIDE, RESPONDER)
    short = replace(source, data=source.data[:5])
    assert short.notify_type == NotifyType.NAT_DETECTION_SOURCE_IP
    with pytest.raises(DecodeError):
        detect([short, destination], SPI_I, SPI_R, RESPONDER, INSIDE)
