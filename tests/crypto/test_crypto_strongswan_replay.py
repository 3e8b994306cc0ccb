"""The whole key schedule replayed from real strongSwan 5.9.8 exchanges (tests/data/vectors).

Nonces, SPIs and the negotiated transforms come from the captures (decrypting the
CREATE_CHILD_SA exchanges with keys pyike derived itself); only the DH shared secrets,
which need a private value, come from the logs (keys.json). Everything pyike derives must
equal what strongSwan logged, and every encrypted message must decrypt and verify.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from pyike.capture import read_capture
from pyike.codec.message import Message, Payload, decode_message
from pyike.codec.payloads import (
    AuthPayload,
    IdPayload,
    KePayload,
    NoncePayload,
    NotifyPayload,
)
from pyike.codec.protect import open_protected
from pyike.codec.registry import (
    DhId,
    EncrId,
    ExchangeType,
    IntegId,
    NotifyType,
    PrfId,
    ProtocolId,
    TransformType,
)
from pyike.codec.sa import Proposal, SaPayload
from pyike.crypto.auth import KEY_PAD, psk_auth, signed_octets, verify_psk_auth
from pyike.crypto.errors import IntegrityError
from pyike.crypto.keys import (
    IkeKeys,
    IkeSuite,
    derive_child_keys,
    derive_ike_keys,
    derive_rekeyed_ike_keys,
)
from pyike.crypto.prf import prf_algorithm
from pyike.crypto.sk import IkeSkCipher
from tests.support.paths import VECTORS

VECTOR_NAMES = sorted(p.name for p in VECTORS.iterdir() if (p / "keys.json").exists())
PSK = b"cisco"


def transform_id(proposal: Proposal, kind: TransformType) -> int:
    (transform,) = proposal.transforms_of(kind)
    return transform.id


def key_length(proposal: Proposal) -> int | None:
    (transform,) = proposal.transforms_of(TransformType.ENCR)
    return transform.key_length


def ike_suite(proposal: Proposal) -> IkeSuite:
    return IkeSuite(
        encr=EncrId(transform_id(proposal, TransformType.ENCR)),
        encr_key_bits=key_length(proposal),
        prf=PrfId(transform_id(proposal, TransformType.PRF)),
        integ=IntegId(transform_id(proposal, TransformType.INTEG)),
        dh=DhId(transform_id(proposal, TransformType.DH)),
    )


def chosen(payloads: list[Payload] | Message) -> Proposal:
    items = payloads.payloads if isinstance(payloads, Message) else payloads
    (sa,) = [p for p in items if isinstance(p, SaPayload)]
    (proposal,) = sa.proposals
    return proposal


def nonce(payloads: list[Payload]) -> bytes:
    (n,) = [p for p in payloads if isinstance(p, NoncePayload)]
    return n.data


def id_body(payload: IdPayload) -> bytes:
    return bytes([payload.id_type]) + payload.reserved.to_bytes(3, "big") + payload.data


@dataclass
class IkeSa:
    suite: IkeSuite
    keys: IkeKeys
    skeyseed: bytes
    ciphers: tuple[IkeSkCipher, IkeSkCipher] = field(init=False)

    def __post_init__(self) -> None:
        self.ciphers = IkeSkCipher.pair(self.suite, self.keys)


@dataclass
class Exchange:
    """A request and its response, decrypted."""

    exchange_type: int
    sa_spis: tuple[bytes, bytes]
    request: list[Payload]
    response: list[Payload]
    request_raw: bytes = b""
    response_raw: bytes = b""


@dataclass
class Replay:
    name: str
    keys_json: dict[str, Any]
    sas: dict[tuple[bytes, bytes], IkeSa]
    exchanges: list[Exchange]
    opened: int
    encrypted: int


def replay(name: str) -> Replay:
    """Walk the capture in order, deriving each IKE SA's keys when its exchange completes."""
    logged = json.loads((VECTORS / name / "keys.json").read_text())
    secrets = [bytes.fromhex(sa["dh_shared_secret"]) for sa in logged["ike_sas"]]
    sas: dict[tuple[bytes, bytes], IkeSa] = {}
    exchanges: list[Exchange] = []
    pending: dict[tuple[bytes, int], tuple[list[Payload], bytes]] = {}
    opened = encrypted = 0
    for datagram in read_capture(VECTORS / name / "handshake.pcap"):
        if not datagram.is_ike:
            continue
        data = datagram.payload
        header = decode_message(data).header
        spis = (header.spi_i, header.spi_r)
        if header.exchange_type == ExchangeType.IKE_SA_INIT:
            payloads = decode_message(data).payloads
        else:
            encrypted += 1
            sa = sas[spis]
            _, payloads = open_protected(data, sa.ciphers[0 if header.initiator else 1])
            opened += 1
        key = (header.spi_i, header.message_id)
        if not header.response:
            pending[key] = (payloads, data)
            continue
        request, request_raw = pending.pop(key)
        exchange = Exchange(header.exchange_type, spis, request, payloads, request_raw, data)
        exchanges.append(exchange)
        if exchange.exchange_type == ExchangeType.IKE_SA_INIT:
            suite = ike_suite(chosen(payloads))
            skeyseed, keys = derive_ike_keys(
                suite, secrets[len(sas)], nonce(request), nonce(payloads), *spis
            )
            sas[spis] = IkeSa(suite, keys, skeyseed)
        elif exchange.exchange_type == ExchangeType.CREATE_CHILD_SA:
            proposal = chosen(payloads)
            if proposal.protocol == ProtocolId.IKE:
                old = sas[spis]
                new_spis = (chosen(request).spi, proposal.spi)
                suite = ike_suite(proposal)
                skeyseed, keys = derive_rekeyed_ike_keys(
                    suite,
                    old.keys.sk_d,
                    secrets[len(sas)],
                    nonce(request),
                    nonce(payloads),
                    *new_spis,
                )
                sas[new_spis] = IkeSa(suite, keys, skeyseed)
    assert not pending, "every request in the capture has its response"
    return Replay(name, logged, sas, exchanges, opened, encrypted)


@pytest.fixture(scope="module", params=VECTOR_NAMES)
def vector(request: pytest.FixtureRequest) -> Replay:
    return replay(request.param)


def test_vectors_are_present() -> None:
    assert VECTOR_NAMES == ["strongswan-3des", "strongswan-aes128", "strongswan-cbc256-pfs"]


def test_every_encrypted_message_decrypts_and_verifies(vector: Replay) -> None:
    assert vector.encrypted >= 6
    assert vector.opened == vector.encrypted


def test_ike_sa_keys_match_the_log(vector: Replay) -> None:
    logged_sas = vector.keys_json["ike_sas"]
    assert len(vector.sas) == len(logged_sas) == 2  # the first SA and its rekeyed successor
    for (spi_i, spi_r), sa in vector.sas.items():
        (logged,) = [
            s for s in logged_sas if (s["spi_i"], s["spi_r"]) == (spi_i.hex(), spi_r.hex())
        ]
        assert sa.skeyseed.hex() == logged["SKEYSEED"]
        for name in ("sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er", "sk_pi", "sk_pr"):
            assert getattr(sa.keys, name).hex() == logged["SK_" + name[3:]], name


def test_suites_match_the_log(vector: Replay) -> None:
    names = {
        "AES_CBC-128": (EncrId.AES_CBC, 128),
        "AES_CBC-256": (EncrId.AES_CBC, 256),
        "3DES_CBC": (EncrId.TRIPLE_DES, None),
    }
    for sa, logged in zip(vector.sas.values(), vector.keys_json["ike_sas"], strict=True):
        assert (sa.suite.encr, sa.suite.encr_key_bits) == names[logged["encr"]]
        assert sa.suite.integ.name == logged["integ"]
        assert "PRF_" + sa.suite.prf.name == logged["prf"]
        assert sa.suite.dh.name == logged["dh"]


def test_ike_sa_rekey_is_in_the_capture(vector: Replay) -> None:
    rekeys = [
        e
        for e in vector.exchanges
        if e.exchange_type == ExchangeType.CREATE_CHILD_SA
        and chosen(e.response).protocol == ProtocolId.IKE
    ]
    assert len(rekeys) == 1
    # The rekey's KE payloads carry the new DH public values (PFS for the IKE SA).
    assert any(isinstance(p, KePayload) for p in rekeys[0].request)


def child_exchanges(vector: Replay) -> list[tuple[Exchange, bytes, bytes, bool]]:
    """(exchange, Ni, Nr, has PFS) for every exchange that created an ESP SA."""
    first_init = vector.exchanges[0]
    found = []
    for exchange in vector.exchanges:
        if exchange.exchange_type == ExchangeType.IKE_AUTH:
            found.append((exchange, nonce(first_init.request), nonce(first_init.response), False))
        elif (
            exchange.exchange_type == ExchangeType.CREATE_CHILD_SA
            and chosen(exchange.response).protocol == ProtocolId.ESP
        ):
            pfs = any(isinstance(p, KePayload) for p in exchange.request)
            found.append((exchange, nonce(exchange.request), nonce(exchange.response), pfs))
    return found


def test_child_sa_keymat_matches_the_log(vector: Replay) -> None:
    logged_children = vector.keys_json["child_sas"]
    children = child_exchanges(vector)
    assert len(children) == len(logged_children)
    for exchange, ni, nr, pfs in children:
        request_spi = chosen(exchange.request).spi  # the initiator's inbound SPI
        (logged,) = [c for c in logged_children if c["spi_in"] == request_spi.hex()]
        assert chosen(exchange.response).spi.hex() == logged["spi_out"]
        proposal = chosen(exchange.response)
        shared = bytes.fromhex(logged["dh_shared_secret"]) if pfs else None
        assert pfs == ("dh_shared_secret" in logged)
        if "seed" in logged:
            assert (shared or b"") + ni + nr == bytes.fromhex(logged["seed"])
        carrier = vector.sas[exchange.sa_spis]
        keys = derive_child_keys(
            carrier.suite.prf,
            carrier.keys.sk_d,
            ni,
            nr,
            shared,
            EncrId(transform_id(proposal, TransformType.ENCR)),
            key_length(proposal),
            IntegId(transform_id(proposal, TransformType.INTEG)),
        )
        assert keys.encr_i.hex() == logged["encr_i"]
        assert keys.integ_i.hex() == logged["integ_i"]
        assert keys.encr_r.hex() == logged["encr_r"]
        assert keys.integ_r.hex() == logged["integ_r"]


def test_pfs_vector_rekeys_children_on_both_ike_sas() -> None:
    vector = replay("strongswan-cbc256-pfs")
    children = child_exchanges(vector)
    assert [pfs for *_, pfs in children] == [False, True, True]
    carriers = [exchange.sa_spis for exchange, *_ in children]
    assert carriers[1] == carriers[0] != carriers[2]  # the last is keyed from the new SK_d


def test_psk_auth_matches_the_log_and_the_capture(vector: Replay) -> None:
    init = vector.exchanges[0]
    (auth_exchange,) = [e for e in vector.exchanges if e.exchange_type == ExchangeType.IKE_AUTH]
    sa = vector.sas[init.sa_spis]
    prf_id = sa.suite.prf
    idi = next(p for p in auth_exchange.request if isinstance(p, IdPayload))
    idr = next(p for p in auth_exchange.response if isinstance(p, IdPayload))
    initiator_octets = signed_octets(
        init.request_raw, nonce(init.response), prf_id, sa.keys.sk_pi, id_body(idi)
    )
    responder_octets = signed_octets(
        init.response_raw, nonce(init.request), prf_id, sa.keys.sk_pr, id_body(idr)
    )
    logged = vector.keys_json["auth_computations"]
    assert [initiator_octets.hex(), responder_octets.hex()] == [a["octets"] for a in logged]
    for octets, entry, message in (
        (initiator_octets, logged[0], auth_exchange.request),
        (responder_octets, logged[1], auth_exchange.response),
    ):
        prf = prf_algorithm(prf_id)
        assert prf(PSK, KEY_PAD).hex() == entry["prf_secret_keypad"]
        assert psk_auth(prf_id, PSK, octets).hex() == entry["AUTH"]
        auth = next(p for p in message if isinstance(p, AuthPayload))
        assert auth.data.hex() == entry["AUTH"]
        assert verify_psk_auth(prf_id, PSK, octets, auth.data)
        assert not verify_psk_auth(prf_id, b"Cisco", octets, auth.data)


def test_a_wrong_key_fails_integrity(vector: Replay) -> None:
    sa = next(iter(vector.sas.values()))
    cipher = IkeSkCipher.create(sa.suite, sa.keys.sk_ei, bytes(len(sa.keys.sk_ai)))
    for datagram in read_capture(VECTORS / vector.name / "handshake.pcap"):
        header = decode_message(datagram.payload).header if datagram.is_ike else None
        if header and header.exchange_type == ExchangeType.IKE_AUTH and header.initiator:
            with pytest.raises(IntegrityError):
                open_protected(datagram.payload, cipher)
            return
    pytest.fail("no IKE_AUTH request in the capture")


def test_rekey_notify_marks_child_rekeys() -> None:
    vector = replay("strongswan-cbc256-pfs")
    rekeys = [
        e
        for e in vector.exchanges
        if any(
            isinstance(p, NotifyPayload) and p.notify_type == NotifyType.REKEY_SA for p in e.request
        )
    ]
    assert len(rekeys) == 2
