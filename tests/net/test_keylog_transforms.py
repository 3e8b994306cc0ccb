"""The key log names each transform as Wireshark does, from the catalogue; an IKE SA whose
cipher Wireshark's IKEv2 table cannot name (DES) is noted, not written as a line it rejects."""

from __future__ import annotations

from dataclasses import astuple

from pyike.codec.registry import EncrId, IntegId
from pyike.crypto.keys import ChildKeys, IkeKeys
from pyike.ike.events import ChildSaInfo, Endpoint
from pyike.net.keylog import esp_key_lines, ike_key_line, split_keylog
from pyike.wireshark_keys import parse_key_table
from tests.support.gateway_inputs import child_sa_info

IKE_KEYS = IkeKeys(*(bytes([i]) * 8 for i in range(7)))


def _des_child() -> ChildSaInfo:
    return child_sa_info(
        encr=EncrId.DES,
        encr_key_bits=None,
        integ=IntegId.HMAC_SHA2_384_192,
        udp_encapsulation=False,
        local=Endpoint.of("10.0.0.1", 500),
        remote=Endpoint.of("10.0.0.2", 500),
        keys=ChildKeys(b"\x01" * 8, b"\x02" * 48, b"\x03" * 8, b"\x04" * 48),
    )


def test_esp_lines_name_des_and_sha384_as_wireshark_does() -> None:
    outbound, inbound = esp_key_lines(_des_child())
    assert outbound == (
        '"IPv4","10.0.0.1","10.0.0.2","0x0badf00d","DES-CBC [RFC2405]",'
        f'"0x{"01" * 8}","HMAC-SHA-384-192 [RFC4868]","0x{"02" * 48}"'
    )
    assert '"DES-CBC [RFC2405]","0x0303030303030303"' in inbound


def test_an_ike_sa_wireshark_cannot_name_is_a_comment_the_readers_pass_over() -> None:
    line = ike_key_line(b"\xaa" * 8, b"\xbb" * 8, EncrId.DES, None, IntegId.HMAC_SHA1_96, IKE_KEYS)
    assert line.startswith("# aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbb: keys not logged")
    assert "DES" in line
    assert not any(key.hex() in line for key in astuple(IKE_KEYS))  # no key in the note
    ike, esp = split_keylog(line + "\n")
    assert (ike, esp) == ([], [])
    assert parse_key_table(line) == []
    good = ike_key_line(
        b"\xaa" * 8, b"\xbb" * 8, EncrId.TRIPLE_DES, None, IntegId.HMAC_SHA1_96, IKE_KEYS
    )
    assert good.endswith(
        '"3DES [RFC2451]",0101010101010101,0202020202020202,"HMAC_SHA1_96 [RFC2404]"'
    )
