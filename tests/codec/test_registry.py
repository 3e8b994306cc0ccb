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
    """Every CCM and GCM cipher is AEAD with a key length; ChaCha20 is AEAD without one."""
    combined = [
        encr
        for encr in EncrId
        if encr.name.startswith(("AES_", "CAMELLIA_"))
        and ("_CCM_" in encr.name or "_GCM_" in encr.name)
    ]
    assert len(combined) == 11  # 8, 12 and 16 octet ICVs, and RFC 8750's implicit IVs
    for encr in combined:
        assert is_aead(encr) and needs_key_length(encr), encr.name
    for encr in (EncrId.CHACHA20_POLY1305, EncrId.CHACHA20_POLY1305_IIV):
        assert is_aead(encr) and not needs_key_length(encr), encr.name
    for encr in (EncrId.AES_CBC, EncrId.AES_CTR, EncrId.CAMELLIA_CBC, EncrId.CAMELLIA_CTR):
        assert needs_key_length(encr) and not is_aead(encr), encr.name
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
