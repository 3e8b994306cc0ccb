"""Published ESP test vectors: AES-GCM packets from draft-mcgrew-gcm-test-01 (RFC 4106 has
none of its own) and the ESP example of RFC 7634 appendix A (ChaCha20-Poly1305).

Each vector is the KEYMAT (cipher key | 4-octet salt), SPI, sequence number (64-bit when the
vector uses ESN), IV, the encrypted part in the clear (payload | padding | pad length | next
header) and the whole ESP packet with only the low 32 sequence bits on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pyike.codec.registry import EncrId
from pyike.ipsec import EspMode, EspTransform, InboundEspSa, esp_transform
from pyike.ipsec.contexts import esp_context
from pyike.ipsec.esp import encrypted_part, high_order_bits, pack_header


def h(text: str) -> bytes:
    return bytes.fromhex("".join(text.split()))


@dataclass(frozen=True)
class Vector:
    name: str
    encr_id: EncrId
    keymat: bytes
    spi: int
    seq: int
    esn: bool
    iv: bytes
    plaintext: bytes
    packet: bytes


def gcm(name: str, key: str, spi: str, seq: str, nonce: str, plaintext: str, sealed: str) -> Vector:
    n = h(nonce)
    return Vector(
        name,
        EncrId.AES_GCM_16,
        h(key) + n[:4],
        int(spi, 16),
        int(seq, 16),
        len(seq) == 16,
        n[4:],
        h(plaintext),
        h(spi) + h(seq)[-4:] + n[4:] + h(sealed),
    )


VECTORS = [
    gcm(
        "gcm-test-1",
        "4c80cdefbb5d10da906ac73c3613a634",
        "00004321",
        "8765432100000000",
        "2e443b684956ed7e3b244cfe",
        """45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000
        00000000045f736970045f756470037369700963796265726369747902646b00
        0021000101020201""",
        """fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34
        cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce
        61bc17d768fd9732459018148f6cbe722fd04796562dfdb4""",
    ),
    gcm(
        "gcm-test-2",
        "feffe9928665731c6d6a8f9467308308",
        "0000a5f8",
        "0000000a",
        "cafebabefacedbaddecaf888",
        """4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100
        0001000000000000037369700963796265726369747902646b00000100010001""",
        """deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c
        3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1
        83b70d3aa8bc6ee4c309e9d85a41ad4a""",
    ),
    gcm(
        "gcm-test-3",
        "abbccddef00112233445566778899aababbccddef00112233445566778899aab",
        "4a2cbfe3",
        "00000002",
        "112233440102030405060708",
        """4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000
        7002400020bf0000020405b40101040201020201""",
        """ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763
        748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c49
        15956c96""",
    ),
    gcm(
        "gcm-test-4",
        "00000000000000000000000000000000",
        "00000000",
        "00000001",
        "000000000000000000000000",
        """4500003c99c500008001cb7a40679318010101010800075c0200440061626364
        65666768696a6b6c6d6e6f707172737475767761626364656667686901020201""",
        """4688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284
        456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3
        f821d496eeb096e98ad2b69e4799c71d""",
    ),
    gcm(
        "gcm-test-5",
        "3de09874b388e6491988d0c3607eae1f",
        "42f67e3f",
        "1010101010101010",
        "57690e434e280000a2fca1a3",
        """4500003c99c300008001cb7c40679318010101010800085c0200430061626364
        65666768696a6b6c6d6e6f707172737475767761626364656667686901020201""",
        """fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c357917
        65acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320a
        e0d731cc978ecafaeae88f00e80d6e48""",
    ),
    gcm(
        "gcm-test-6",
        "3de09874b388e6491988d0c3607eae1f",
        "42f67e3f",
        "1010101010101010",
        "57690e434e280000a2fca1a3",
        "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
        """fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed369f071f
        35e034be95f112e4e7d05d35""",
    ),
    gcm(
        "gcm-test-7",
        "feffe9928665731c6d6a8f9467308308feffe9928665731c",
        "0000a5f8",
        "0000000a",
        "cafebabefacedbaddecaf888",
        "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e501016d075680001",
        """a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0
        315b27452144cc7795457b9652037f5318027b5b4cd7a636""",
    ),
    gcm(
        "gcm-test-8",
        "abbccddef00112233445566778899aab",
        "00000100",
        "0000000000000001",
        "decaf888cafedebaceface74",
        """4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d5
        00004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec95
        9b6266c04722b14923010101""",
        """18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f
        9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c22
        6f2127b27db35724e7845d68651f57e65f354f75ff17015769623436""",
    ),
    gcm(
        "gcm-test-9",
        "abbccddef00112233445566778899aababbccddef00112233445566778899aab",
        "17405e67",
        "156f3126dd0db99b",
        "73616c74616e640169766563",
        "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb71260250101f646d540001",
        """f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57f
        f4d3a31ce673119e451626c2415771e3b7eebca614c89b35""",
    ),
    gcm(
        "gcm-test-10",
        "3de09874b388e6491988d0c3607eae1f",
        "42f67e3f",
        "1010101010101010",
        "57690e434e280000a2fca1a3",
        """45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b
        000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b32
        5ae270c03899493915010101""",
        """fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d541828
        00cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39
        ab533163aad4550ee5160975cdb608c5769189609763b8e18caa81e2""",
    ),
    gcm(
        "gcm-test-11",
        "abbccddef00112233445566778899aababbccddef00112233445566778899aab",
        "17405e67",
        "156f3126dd0db99b",
        "73616c74616e640169766563",
        """636973636f0172756c657301746865016e6574776501646566696e6501746865
        746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f
        72726f7701020201""",
        """d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18
        d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b0
        12a49363412364f8c0cac587f249e56b11e24f30e44ccc76""",
    ),
    gcm(
        "gcm-test-12",
        "7d773d00c144c525ac619d18c84a3f47",
        "335467ae",
        "ffffffff",
        "d966426743457e9182443bc6",
        "01020201",
        "437f866bcb3f699fe9b0822bac961c4504bef270",
    ),
    gcm(
        "gcm-test-13",
        "abbccddef00112233445566778899aab",
        "00000100",
        "0000000000000001",
        "decaf888cafedebaceface74",
        "746f016265016f72016e6f7401746f0162650001",
        "29c9fc69a197d038ccdd14e2ddfcaa0543332164412503524303ed3c6c5f283843af8c3e",
    ),
    gcm(
        "gcm-test-14",
        "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961",
        "796b6963",
        "ffffffffffffffff",
        "7475726e333021696765746d",
        """45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364
        65666768696a6b6c6d6e6f707172737401020201""",
        """f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a86
        4cd3d78ca4ae68a32b42458fb57dbe821dcc63b9d0937ba2945f669368661a32
        9fb4c053""",
    ),
    Vector(
        "rfc7634-appendix-a",
        EncrId.CHACHA20_POLY1305,
        h("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f a0a1a2a3"),
        0x01020304,
        5,
        False,
        h("1011121314151617"),
        h(
            """4500 0054 a6f2 0000 4001 e778 c633 6405 c000 0205 0800 5b7a 3a08 0000
            553b ec10 0007 3627 0809 0a0b 0c0d 0e0f 1011 1213 1415 1617 1819 1a1b
            1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637
            01020204"""
        ),
        h(
            """01020304 00000005 1011121314151617
            240394 28b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c614ee80
            99d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3cbec163fac469b
            502773f6fb94e664da9165b82829f641e076aaa8266b7fb0f7b11b369907e1ad43"""
        ),
    ),
]


def transform_of(v: Vector) -> EspTransform:
    return esp_transform(v.encr_id, (len(v.keymat) - 4) * 8)


@pytest.mark.parametrize("v", VECTORS, ids=lambda v: v.name)
def test_sealing_the_plaintext_gives_the_published_packet(v: Vector) -> None:
    context = esp_context(transform_of(v), v.keymat, b"")
    seq_hi = high_order_bits(v.seq) if v.esn else b""
    assert context.seal(pack_header(v.spi, v.seq), v.iv, v.plaintext, seq_hi) == v.packet


@pytest.mark.parametrize("v", VECTORS, ids=lambda v: v.name)
def test_the_published_padding_is_what_pyike_would_add(v: Vector) -> None:
    pad = v.plaintext[-2]
    payload = v.plaintext[: -2 - pad]
    assert encrypted_part(payload, v.plaintext[-1], 4) == v.plaintext


@pytest.mark.parametrize("v", VECTORS, ids=lambda v: v.name)
def test_an_inbound_sa_accepts_the_published_packet(v: Vector) -> None:
    sa = InboundEspSa(v.spi or 1, transform_of(v), v.keymat, mode=EspMode.TRANSPORT, esn=v.esn)
    if v.spi == 0:  # gcm-test-4 uses the reserved SPI 0, which no SA can have
        sa.spi = 0
    sa.replay.accept(v.seq - 1)  # the traffic that came before, so ESN infers the high half
    result = sa.decapsulate(v.packet)
    assert result.seq == v.seq
    pad = v.plaintext[-2]
    assert (result.next_header, result.payload) == (v.plaintext[-1], v.plaintext[: -2 - pad])


@pytest.mark.parametrize("v", [v for v in VECTORS if v.esn], ids=lambda v: v.name)
def test_esn_vectors_fail_without_the_high_half(v: Vector) -> None:
    # The high 32 bits are in the AAD though not on the wire: dropping them breaks the ICV.
    context = esp_context(transform_of(v), v.keymat, b"")
    assert context.seal(pack_header(v.spi, v.seq), v.iv, v.plaintext, b"") != v.packet
