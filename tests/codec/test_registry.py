from __future__ import annotations

from pyike.codec.registry import (
    AuthMethod,
    DhId,
    EncrId,
    ExchangeType,
    IntegId,
    NotifyType,
    PayloadType,
    as_enum,
    is_aead,
    name_of,
    needs_key_length,
)


def test_name_of_gives_the_iana_name_or_a_clear_fallback() -> None:
    assert name_of(NotifyType, 16430) == "IKEV2_FRAGMENTATION_SUPPORTED"
    assert name_of(NotifyType, 40960) == "UNKNOWN(40960)"
    assert name_of(EncrId, 3) == "TRIPLE_DES"
    assert name_of(PayloadType, 200) == "UNKNOWN(200)"


def test_as_enum_keeps_unknown_values_as_int() -> None:
    assert as_enum(DhId, 31) is DhId.CURVE25519
    value = as_enum(DhId, 1234)
    assert value == 1234 and not isinstance(value, DhId)


def test_aead_and_key_length_tables() -> None:
    for aead in (EncrId.AES_GCM_8, EncrId.AES_GCM_12, EncrId.AES_GCM_16, EncrId.AES_CCM_16):
        assert is_aead(aead) and needs_key_length(aead)
    assert is_aead(EncrId.CHACHA20_POLY1305) and not needs_key_length(EncrId.CHACHA20_POLY1305)
    assert needs_key_length(EncrId.AES_CBC) and not is_aead(EncrId.AES_CBC)
    assert not needs_key_length(EncrId.TRIPLE_DES) and not is_aead(EncrId.TRIPLE_DES)


def test_spot_values_from_the_iana_registry() -> None:
    spot = {
        ExchangeType.IKE_INTERMEDIATE: 43,
        ExchangeType.IKE_FOLLOWUP_KE: 44,
        PayloadType.SKF: 53,
        PayloadType.PS: 54,
        NotifyType.SIGNATURE_HASH_ALGORITHMS: 16431,
        NotifyType.ADDITIONAL_KEY_EXCHANGE: 16441,
        NotifyType.TS_UNACCEPTABLE: 38,
        NotifyType.INVALID_KE_PAYLOAD: 17,
        IntegId.HMAC_SHA2_512_256: 14,
        DhId.CURVE448: 32,
        AuthMethod.DIGITAL_SIGNATURE: 14,
    }
    assert {member.name: int(member) for member in spot} == {
        member.name: value for member, value in spot.items()
    }
