"""pyike's show output for the seed scenario against the seed document's own output."""

from __future__ import annotations

import re

import pytest

from pyike.show import show_crypto_ikev2_sa, show_crypto_ipsec_sa, show_crypto_session
from tests.support import seed_views
from tests.support.seed_document import normalise, seed_block

# Lines IOS-XE prints in `show crypto ikev2 sa detailed` that IOS 15.1 (the seed) does not.
IOS_XE_ONLY = (
    "Fragmentation not configured.",
    "Dynamic Route Update: disabled",
    "Extended Authentication not configured.",
    "IPv6 Crypto IKEv2 SA",
)


def _as_ios_15(lines: list[str]) -> list[str]:
    out = [line for line in normalise(lines) if line not in IOS_XE_ONLY]
    return [re.sub(r" PRF: \w+,", "", line) for line in out]


@pytest.mark.parametrize(
    ("router", "last"), [(1, "Initiator of SA : Yes"), (2, "Initiator of SA : No")]
)
def test_ikev2_sa_detailed_matches_seed(router: int, last: str) -> None:
    command = "show crypto ikev2 sa" if router == 1 else "show crypto ikev2 sa detailed"
    seed = seed_block(f"Router{router}#", command, last)
    ours = show_crypto_ikev2_sa([seed_views.ike_sa(router)], detailed=True)
    assert _as_ios_15(ours) == seed


def test_ikev2_sa_detailed_exact_ios_xe_text() -> None:
    assert show_crypto_ikev2_sa([seed_views.ike_sa(1)], detailed=True) == [
        " IPv4 Crypto IKEv2  SA ",
        "",
        "Tunnel-id Local                 Remote                fvrf/ivrf            Status ",
        "1         10.0.0.1/500          10.0.0.2/500          none/none            READY ",
        "      Encr: AES-CBC, keysize: 128, PRF: SHA1, Hash: SHA96, DH Grp:2, Auth sign: PSK, Auth verify: PSK",
        "      Life/Active Time: 120/10 sec",
        "      CE id: 1006, Session-id: 4",
        "      Status Description: Negotiation done",
        "      Local spi: E58F925107F8B73F       Remote spi: AFD098F4147869DA",
        "      Local id: 10.0.0.1",
        "      Remote id: 10.0.0.2",
        "      Local req msg id:  2              Remote req msg id:  0",
        "      Local next msg id: 2              Remote next msg id: 0",
        "      Local req queued:  2              Remote req queued:  0",
        "      Local window:      5              Remote window:      5",
        "      DPD configured for 0 seconds, retry 0",
        "      Fragmentation not  configured.",
        "      Dynamic Route Update: disabled",
        "      Extended Authentication not configured.",
        "      NAT-T is not detected",
        "      Cisco Trust Security SGT is disabled",
        "      Initiator of SA : Yes",
        "",
        " IPv6 Crypto IKEv2  SA ",
        "",
    ]


@pytest.mark.parametrize("router", [1, 2])
def test_ipsec_sa_matches_seed(router: int) -> None:
    seed = seed_block(f"Router{router}#", "show crypto ipsec sa", "outbound pcp sas:")
    ours = show_crypto_ipsec_sa([seed_views.ipsec_interface(router)])
    assert normalise(ours) == seed


def test_ipsec_sa_exact_spacing_of_the_sa_block() -> None:
    lines = show_crypto_ipsec_sa([seed_views.ipsec_interface(1)])
    start = lines.index("     inbound esp sas:")
    assert lines[start : start + 9] == [
        "     inbound esp sas:",
        "      spi: 0x6B74CB79(1802816377)",
        "        transform: esp-3des esp-sha-hmac ,",
        "        in use settings ={Tunnel, }",
        "        conn id: 18, flow_id: SW:18, sibling_flags 80000040, crypto map: Tunnel0-head-0",
        "        sa timing: remaining key lifetime (k/sec): (4276853/3592)",
        "        IV size: 8 bytes",
        "        replay detection support: Y",
        "        Status: ACTIVE(ACTIVE)",
    ]


@pytest.mark.parametrize(
    ("router", "command"), [(1, "show crypto session"), (2, "show cry session")]
)
def test_crypto_session_matches_seed(router: int, command: str) -> None:
    seed = seed_block(f"Router{router}#", command, "Active SAs: 2, origin: crypto map")
    ours = show_crypto_session([seed_views.crypto_session(router)])
    assert normalise(ours) == seed
