"""The transform catalogue: one declaration per transform, every name found back, and no
other source file spelling a transform (issue 12: "one fact in one place")."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from pyike.codec.registry import KE_DATA_LENGTHS, DhId, EncrId, IntegId, PrfId, TransformType
from pyike.config import load
from pyike.crypto import catalogue
from pyike.crypto.catalogue import Transform
from pyike.crypto.dh import new_key_exchange
from pyike.crypto.encr import encr_algorithm
from pyike.crypto.integ import integ_algorithm
from pyike.crypto.prf import prf_algorithm
from tests.support.paths import SRC

PACKAGE = SRC / "pyike"

# Where a transform may be spelled: its IANA id, its declaration, and what computes it.
DECLARED = {"codec/registry.py", "crypto/catalogue.py"}
IMPLEMENTATION = {
    "crypto/modp.py",
    "crypto/encr.py",
    "crypto/integ.py",
    "crypto/prf.py",
    "crypto/mac.py",
    "crypto/dh.py",
    "ipsec/contexts.py",
}
# Text that is not a declaration: IOS configuration the lab's what-if scenarios edit, the
# Korean-to-English translation of the seed document's debug output, and EAP's `md5` method
# (`authentication local eap md5`), which is no transform.
NOT_DECLARATIONS = {
    "lab/scenarios.py": {"3DES", "3des", "aes-cbc-128", "esp-3des", "esp-aes", "esp-sha-hmac",
                         "esp-sha256-hmac"},
    "explain/translate.py": {"Don't use ESN"},
    "config/commands/ikev2.py": {"md5"},
    "frr/translate.py": {"md5"},  # BGP and OSPF authentication keywords
    # a trustpoint's `hash` (certificate signature digests) and certificate fingerprints
    "config/commands/pki.py": {"md5", "sha1", "sha256", "sha384", "sha512"},
    "config/pki_model.py": {"sha256", "sha384"},
    "show/pki.py": {"MD5", "SHA1"},
    # login secrets (type 5 is md5-crypt, `algorithm-type md5|sha256`) and IOS's MD5 hash of an
    # SSH public key (`key-hash ssh-rsa`)
    "config/commands/login.py": {"MD5", "md5", "sha256"},
    "config/login_model.py": {"MD5"},
    "ssh/auth.py": {"MD5"},
    # EAP-MD5 (RFC 3748 method 4) and MSCHAPv2's DES of the NT hash (RFC 2759)
    "eap/authenticator.py": {"MD5"},
    "eap/packet.py": {"MD5", "md5"},
    "eap/peer.py": {"MD5"},
    "eap/mschapv2.py": {"DES"},
    # the JSON schema's example in its docstring
    "show/sa_json.py": {"AES-CBC", "SHA1", "SHA96", "esp-aes", "esp-sha-hmac"},
}  # fmt: skip
# Words that name more than a transform ("NULL" is also an ID type, "NONE" any absence).
ORDINARY_WORDS = {"NULL", "null", "NONE", "none", "ESN", "esn", "IntegId.NONE"}


def _entries() -> Iterator[Transform]:
    yield from catalogue.ENCRYPTIONS
    yield from catalogue.PRFS
    yield from catalogue.INTEGRITIES
    yield from catalogue.GROUPS
    yield from catalogue.ESNS


def _names(entry: Transform) -> set[str]:
    """Every name the entry declares, its IANA id as code refers to it included."""
    attributes = (
        "name", "ios_name", "show_name", "ike_keyword", "esp_keyword", "esp_show", "strongswan",
        "wireshark_ike", "wireshark_esp", "pfs_keyword",
    )  # fmt: skip
    names = {getattr(entry, a, None) for a in attributes}
    names |= set(getattr(entry, "ios_aliases", ()))
    names.add(f"{type(entry.id).__name__}.{entry.id.name}")
    return {n for n in names if n and n not in ORDINARY_WORDS}


def _spelling(name: str) -> re.Pattern[str]:
    # A name on its own: not inside a longer name, nor an attribute (`hashlib.sha256`).
    return re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])")


def _where_spelled() -> dict[str, set[str]]:
    names = {n: _spelling(n) for entry in _entries() for n in _names(entry)}
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        for name, spelling in names.items():
            if name in text and spelling.search(text):  # the substring test rules most out
                found.setdefault(path.relative_to(PACKAGE).as_posix(), set()).add(name)
    return found


def test_each_transform_is_spelled_in_the_catalogue_and_its_implementation_only() -> None:
    allowed = DECLARED | IMPLEMENTATION
    found = _where_spelled()
    elsewhere = {
        file: names - NOT_DECLARATIONS.get(file, set())
        for file, names in found.items()
        if file not in allowed
    }
    assert {file: names for file, names in elsewhere.items() if names} == {}
    files_per_name: dict[str, set[str]] = {}
    for file, names in found.items():
        for name in names - NOT_DECLARATIONS.get(file, set()):
            files_per_name.setdefault(name, set()).add(file)
    assert {n: sorted(f) for n, f in files_per_name.items() if len(f) > 3} == {}


def test_names_that_select_a_transform_are_declared_once() -> None:
    """A keyword or a peer's name must lead to one entry: the lookups keep the first."""
    keys = {
        "IOS encryption": [t.ike_keyword for t in catalogue.ENCRYPTIONS if t.ike_keyword],
        "IOS integrity": [t.ike_keyword for t in catalogue.INTEGRITIES if t.ike_keyword],
        "IOS prf": [t.ike_keyword for t in catalogue.PRFS if t.ike_keyword],
        "IOS ESP keyword and size": [
            (t.esp_keyword, t.key_bits) for t in catalogue.ENCRYPTIONS if t.esp_keyword
        ]
        + [t.esp_keyword for t in catalogue.INTEGRITIES if t.esp_keyword],
        "IOS group keyword": [g.keyword for g in catalogue.GROUPS if g.keyword],
        "strongSwan": [t.strongswan for t in _entries() if t.strongswan],
        "Wireshark": [t.wireshark_ike.upper() for t in catalogue.ENCRYPTIONS if t.wireshark_ike]
        + [t.wireshark_ike.upper() for t in catalogue.INTEGRITIES if t.wireshark_ike],
    }
    for kind, values in keys.items():
        assert len(values) == len(set(values)), kind
    defaults = [t.esp_keyword for t in catalogue.ENCRYPTIONS if t.esp_default]
    assert sorted(defaults) == sorted(
        {t.esp_keyword for t in catalogue.ENCRYPTIONS if t.esp_keyword}
    )


def test_lookups_find_each_entry_by_its_names() -> None:
    for encr in catalogue.ENCRYPTIONS:
        assert catalogue.encryption(encr.id, encr.key_length) is encr
        if encr.ike_keyword:
            assert catalogue.ike_encryption_keyword(encr.ike_keyword) is encr
        if encr.esp_keyword:
            size = encr.key_length
            assert catalogue.esp_encryption_keyword(encr.esp_keyword, size) is encr
        if encr.wireshark_ike:
            assert catalogue.wireshark_encryption(encr.wireshark_ike) is encr
        if encr.strongswan:
            assert catalogue.strongswan(encr.strongswan) is encr
    for integ in catalogue.INTEGRITIES:
        assert catalogue.integrity(integ.id) is integ
        if integ.ike_keyword:
            assert catalogue.integrity_keyword(integ.ike_keyword) is integ
        if integ.esp_keyword:
            assert catalogue.esp_integrity_keyword(integ.esp_keyword) is integ
        if integ.wireshark_ike:
            assert catalogue.wireshark_integrity(integ.wireshark_ike.lower()) is integ
    for prf in catalogue.PRFS:
        assert catalogue.prf(prf.id) is prf and catalogue.strongswan(prf.strongswan or "") is prf
    for group in catalogue.GROUPS:
        assert catalogue.dh_group(group.id) is group
        assert catalogue.strongswan(group.strongswan) is group
        if group.keyword:
            assert catalogue.group_keyword(group.keyword) is group
            assert catalogue.group_keyword(f"group{group.keyword}") is group


def test_ios_names_resolve_with_their_ambiguities() -> None:
    sha256 = catalogue.by_ios_name("sha256")
    assert [t.transform_type for t in sha256] == [TransformType.PRF, TransformType.INTEG]
    (cbc,) = catalogue.by_ios_name("AES-CBC")
    (cbc_256,) = catalogue.by_ios_name("AES-CBC-256")
    assert (cbc.id, cbc_256.id, cbc_256.key_length) == (EncrId.AES_CBC, EncrId.AES_CBC, 256)
    (group_24,) = catalogue.by_ios_name("DH_GROUP_2048_256_MODP/Group 24")
    assert group_24.id == DhId.MODP_2048_256
    assert catalogue.by_ios_name("RC5") == ()


def test_implemented_entries_build_algorithms_of_their_sizes() -> None:
    assert all(e.is_aead == (e.icv_size > 0) for e in catalogue.ENCRYPTIONS)
    for encr in (t for t in catalogue.ENCRYPTIONS if t.implemented):
        algorithm = encr_algorithm(encr.id, encr.key_length)
        assert (algorithm.key_size, algorithm.iv_size, algorithm.is_aead) == (
            encr.key_size,
            encr.iv_size,
            encr.is_aead,
        )
    for integ in (t for t in catalogue.INTEGRITIES if t.implemented):
        algorithm = integ_algorithm(integ.id)
        assert len(algorithm.compute(bytes(integ.key_size), b"data")) == integ.icv_size
    for prf in catalogue.PRFS:
        assert len(prf_algorithm(prf.id)(b"key", b"data")) == prf.output_size


@pytest.mark.parametrize("group", catalogue.GROUPS, ids=lambda g: g.id.name)
def test_groups_public_values_have_the_registry_length(group: catalogue.DhGroup) -> None:
    assert group.public_size == KE_DATA_LENGTHS[group.id]
    drawn = iter(range(1, 1 << 20))
    exchange = new_key_exchange(group.id, lambda n: next(drawn).to_bytes(n, "big"))
    assert len(exchange.public_key()) == group.public_size


def test_integrity_algorithms_pair_with_the_prf_of_their_hash() -> None:
    """IOS's PRF for a proposal without `prf` is the integrity algorithm's hash as a PRF."""
    for integ in catalogue.INTEGRITIES:
        if integ.prf is not None:
            prf = catalogue.prf(integ.prf)
            assert prf is not None and prf.hash is not None and integ.hash is not None
            assert prf.hash.name == integ.hash.name
    paired = {i.id: i.prf for i in catalogue.IOS_DEFAULT_IKE_PROPOSAL.integrity}
    assert paired[IntegId.HMAC_SHA1_96] == PrfId.HMAC_SHA1


def test_esn_and_paired_prf_lookups() -> None:
    assert catalogue.esn_for(True).enabled and not catalogue.esn_for(False).enabled
    assert {catalogue.esn_for(flag).id for flag in (True, False)} == {e.id for e in catalogue.ESNS}
    paired = catalogue.prfs_paired_with([IntegId.HMAC_SHA1_96, IntegId.AES_XCBC_96, 999])
    assert paired == (PrfId.HMAC_SHA1,)


def test_transform_sets_name_the_cipher_they_negotiate() -> None:
    """A cipher keyword without a size is IOS's default size; no cipher at all is ENCR_NULL."""
    cfg = load(
        "crypto ipsec transform-set AES esp-aes esp-sha-hmac\n"
        "crypto ipsec transform-set GCM esp-gcm\n"
        "crypto ipsec transform-set HMAC esp-sha-hmac\n"
    ).config
    ciphers = {name: ts.cipher for name, ts in cfg.transform_sets.items()}
    assert (ciphers["AES"].id, ciphers["AES"].key_length) == (EncrId.AES_CBC, 128)
    assert (ciphers["GCM"].id, ciphers["GCM"].key_length) == (EncrId.AES_GCM_16, 128)
    assert (ciphers["HMAC"].id, ciphers["HMAC"].key_length) == (EncrId.NULL, None)
