"""The real strongSwan exchanges in tests/data/vectors: byte-exact round trips, headers as
tshark reads them, and the encrypted contents opened with the logged keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyike.codec import (
    DecodeError,
    IdPayload,
    NotifyPayload,
    SaPayload,
    SkPayload,
    TsPayload,
    decode_message,
    decode_payload_chain,
    encode_message,
    encode_payload_chain,
    open_protected,
)
from pyike.codec import notify_data as nd
from pyike.codec.registry import (
    DhId,
    EncrId,
    ExchangeType,
    IntegId,
    NotifyType,
    PrfId,
    TransformType,
)
from pyike.crypto.keys import IkeSuite
from pyike.crypto.sk import IkeSkCipher
from tests.support.vectors import CAPTURES, ike_datagrams, tshark_summary

IDS = [c.parent.name for c in CAPTURES]


@pytest.mark.parametrize("capture", CAPTURES, ids=IDS)
def test_every_message_re_encodes_byte_for_byte(capture: Path) -> None:
    datagrams = ike_datagrams(capture)
    assert len(datagrams) >= 10
    for datagram in datagrams:
        assert encode_message(decode_message(datagram.payload)) == datagram.payload


@pytest.mark.parametrize("capture", CAPTURES, ids=IDS)
def test_headers_agree_with_tshark(capture: Path) -> None:
    summary = tshark_summary(capture)
    datagrams = ike_datagrams(capture)
    assert sorted(summary) == [d.index for d in datagrams]
    for datagram in datagrams:
        header = decode_message(datagram.payload).header
        expected = summary[datagram.index]
        assert isinstance(header.exchange_type, ExchangeType)
        assert header.exchange_type.name == expected.exchange
        assert header.message_id == expected.message_id
        assert header.initiator == expected.initiator
        assert header.response == expected.response


def _suite(capture: Path) -> IkeSuite:
    """The suite the responder chose, read from its IKE_SA_INIT response (every IKE SA in a
    capture, rekeyed ones included, uses the same transforms)."""
    response = decode_message(ike_datagrams(capture)[1].payload)
    sa = response.first(SaPayload)
    assert sa is not None
    (chosen,) = sa.proposals
    encr, prf, integ, dh = (
        chosen.transforms_of(t)[0]
        for t in (TransformType.ENCR, TransformType.PRF, TransformType.INTEG, TransformType.DH)
    )
    return IkeSuite(
        encr=EncrId(encr.id),
        encr_key_bits=encr.key_length,
        prf=PrfId(prf.id),
        integ=IntegId(integ.id),
        dh=DhId(dh.id),
    )


def _ciphers(capture: Path) -> dict[bytes, tuple[IkeSkCipher, IkeSkCipher]]:
    """SPIi -> (initiator-to-responder, responder-to-initiator) cipher, from keys.json."""
    suite = _suite(capture)
    keys = json.loads(capture.with_name("keys.json").read_text())
    ciphers = {}
    for ike_sa in keys["ike_sas"]:
        key = {name: bytes.fromhex(ike_sa[name]) for name in ("SK_ei", "SK_ai", "SK_er", "SK_ar")}
        ciphers[bytes.fromhex(ike_sa["spi_i"])] = (
            IkeSkCipher.create(suite, key["SK_ei"], key["SK_ai"]),
            IkeSkCipher.create(suite, key["SK_er"], key["SK_ar"]),
        )
    return ciphers


@pytest.mark.parametrize("capture", CAPTURES, ids=IDS)
def test_encrypted_contents_decode_and_re_encode(capture: Path) -> None:
    ciphers = _ciphers(capture)
    seen: dict[str, int] = {}
    for datagram in ike_datagrams(capture):
        message = decode_message(datagram.payload)
        if not isinstance(message.payloads[-1], SkPayload):
            continue
        to_responder, to_initiator = ciphers[message.header.spi_i]
        cipher = to_responder if message.header.initiator else to_initiator
        _, inner = open_protected(datagram.payload, cipher)
        sk = message.payloads[-1]
        plaintext = cipher.open(datagram.payload[: len(datagram.payload) - len(sk.body)], sk.body)
        assert encode_payload_chain(inner) == (sk.first_inner_type if inner else 0, plaintext)
        for payload in inner:
            seen[type(payload).__name__] = seen.get(type(payload).__name__, 0) + 1
        if message.header.exchange_type == ExchangeType.IKE_AUTH and not message.header.response:
            assert [type(p) for p in inner][:1] == [IdPayload]
            assert sum(isinstance(p, TsPayload) for p in inner) == 2
    assert {"IdPayload", "AuthPayload", "SaPayload", "TsPayload", "NoncePayload"} <= set(seen)
    assert seen.get("DeletePayload", 0) >= 1


def test_child_sa_rekey_carries_rekey_sa_notify() -> None:
    """The PFS capture rekeys the Child SA: REKEY_SA names the old ESP SPI."""
    capture = next(c for c in CAPTURES if "pfs" in c.parent.name)
    ciphers = _ciphers(capture)
    rekeys = []
    for datagram in ike_datagrams(capture):
        message = decode_message(datagram.payload)
        header = message.header
        if (
            header.exchange_type == ExchangeType.CREATE_CHILD_SA
            and header.initiator
            and not header.response
        ):
            _, inner = open_protected(datagram.payload, ciphers[header.spi_i][0])
            notify = next(
                (
                    p
                    for p in inner
                    if isinstance(p, NotifyPayload) and p.notify_type == NotifyType.REKEY_SA
                ),
                None,
            )
            if notify is not None:
                rekeys.append(nd.rekey_sa_spi(notify))
                assert any(isinstance(p, SaPayload) for p in inner)
    assert rekeys, "no Child SA rekey found"
    assert all(len(spi) == 4 for _, spi in rekeys)


def _real_inner_chains() -> list[tuple[int, bytes]]:
    chains = []
    for capture in CAPTURES:
        ciphers = _ciphers(capture)
        for datagram in ike_datagrams(capture):
            message = decode_message(datagram.payload)
            sk = message.payloads[-1]
            if isinstance(sk, SkPayload):
                to_responder, to_initiator = ciphers[message.header.spi_i]
                cipher = to_responder if message.header.initiator else to_initiator
                prefix = datagram.payload[: len(datagram.payload) - len(sk.body)]
                chains.append((int(sk.first_inner_type), cipher.open(prefix, sk.body)))
    return chains


REAL_INNER_CHAINS = _real_inner_chains()


@st.composite
def mutated_inner_chains(draw: st.DrawFn) -> tuple[int, bytes]:
    first_type, plaintext = draw(st.sampled_from(REAL_INNER_CHAINS))
    data = bytearray(plaintext)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        how = draw(st.sampled_from(["flip", "byte", "truncate"]))
        if how == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif how == "byte":
            data[position] = draw(st.integers(0, 255))
        else:
            del data[position:]
    return first_type, bytes(data)


@given(mutated_inner_chains())
@settings(max_examples=500)
def test_mutated_decrypted_chains_raise_only_decode_error(chain: tuple[int, bytes]) -> None:
    first_type, data = chain
    try:
        payloads = decode_payload_chain(first_type, data)
    except DecodeError:
        return
    assert encode_payload_chain(payloads) == (first_type if payloads else 0, data)
