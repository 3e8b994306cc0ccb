"""`show crypto session brief`: IOS 15's columns (a public sample rebuilt from its own values
comes out character for character), the two-letter status of each session state, sessions
under the inside VRF they serve; and on a lab hub, a row per spoke, a spoke that cannot come
up shown down."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from pyike.show.session import show_crypto_session_brief
from pyike.show.views import CryptoSessionView, Ident, SessionFlow, SessionIkeSa
from tests.support.dmvpn import SPOKE_NBMA, lab_of, replaced, texts

# `show crypto session brief` on an IOS 15 router with two IKE peers (published in a public
# lab write-up; the values below are its own)
SAMPLE = [
    "Status: A- Active, U - Up, D - Down, I - Idle, S - Standby, N - Negotiating",
    "        K - No IKE",
    "ivrf = (none)",
    "Peer            I/F          Username        Group/Phase1_id          Uptime   Status",
    "10.255.0.46     Tu0                          R14                      00:10:53 UA",
    "10.255.0.12     Tu1                          R15                      00:10:54 UA",
]
LOCAL = ip_address("10.255.0.22")
ANY = Ident(ip_network("0.0.0.0/0"))


def _session(
    interface: str,
    peer: str,
    phase1_id: str | None,
    uptime: int | None,
    *,
    ike: bool = True,
    flows: int = 1,
    ivrf: str | None = None,
) -> CryptoSessionView:
    address = ip_address(peer)
    ike_sas = (SessionIkeSa(LOCAL, address, active=True),) if ike else ()
    return CryptoSessionView(
        interface,
        address,
        ike_sas,
        tuple(SessionFlow(ANY, ANY, active_sas=2) for _ in range(flows)),
        uptime_seconds=uptime,
        phase1_id=phase1_id,
        ivrf=ivrf,
    )


def test_the_public_sample_comes_out_character_for_character() -> None:
    sessions = [
        _session("Tunnel0", "10.255.0.46", "R14", 653),
        _session("Tunnel1", "10.255.0.12", "R15", 654),
    ]
    assert show_crypto_session_brief(sessions) == SAMPLE


def test_each_state_has_its_two_letters_and_each_ivrf_its_own_table() -> None:
    sessions = [
        _session("Tunnel0", "192.0.2.1", None, 90000),  # no identity: the peer's address
        _session("Tunnel1", "192.0.2.2", None, 30, flows=0),
        _session("Tunnel2", "192.0.2.3", None, None, ike=False),
        _session("GigabitEthernet0/1", "192.0.2.4", "vpn.example", 5, ivrf="BLUE"),
    ]
    lines = show_crypto_session_brief(sessions)
    assert lines[2:] == [
        "ivrf = (none)",
        SAMPLE[3],
        "192.0.2.1       Tu0                          192.0.2.1                1d01h    UA",
        "192.0.2.2       Tu1                          192.0.2.2                00:00:30 UI",
        "192.0.2.3       Tu2                          192.0.2.3                         UK",
        "ivrf = BLUE",
        SAMPLE[3],
        "192.0.2.4       Gi0/1                        vpn.example              00:00:05 UA",
    ]
    assert show_crypto_session_brief([])[2:] == ["ivrf = (none)", SAMPLE[3]]


def test_a_hub_lists_each_spoke_and_a_spoke_with_the_wrong_key_is_down() -> None:
    def wrong_key(name: str, text: str) -> str:
        return replaced(text, ("dmvpn-phase3-key", "wrong-key")) if name == "spoke3.cfg" else text

    lab = lab_of(texts(wrong_key), seconds=20)
    rows = lab.exec("Hub", "show crypto session brief").splitlines()[4:]
    assert {row.split()[0]: row.split()[-1] for row in rows} == {
        SPOKE_NBMA[1]: "UA",
        SPOKE_NBMA[2]: "UA",
    }
    spoke = lab.exec("Spoke3", "show crypto session brief").splitlines()[4:]
    assert [row.split()[-1] for row in spoke] in (["D"], ["DN"])  # between tries, or in one
