"""The seed document's live state at the time of its show commands, as pyike's views."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from pyike.codec.registry import DhId, EncrId, IntegId, PrfId
from pyike.config.query import TrafficSelector
from pyike.show.views import (
    ChildSaView,
    CryptoSessionView,
    EspSaView,
    FlowCounters,
    Ident,
    IkeSaState,
    IkeSaView,
    IkeSessionView,
    IpsecFlowView,
    IpsecInterfaceView,
    SessionFlow,
    SessionIkeSa,
)

R1 = IPv4Address("10.0.0.1")
R2 = IPv4Address("10.0.0.2")
ANY = IPv4Network("0.0.0.0/0")
ANY_TS = TrafficSelector.of(ANY)


def ike_sa(router: int) -> IkeSaView:
    initiator = router == 1
    return IkeSaView(
        tunnel_id=1 if initiator else 2,
        local=R1 if initiator else R2,
        remote=R2 if initiator else R1,
        state=IkeSaState.READY,
        encryption=EncrId.AES_CBC,
        key_bits=128,
        prf=PrfId.HMAC_SHA1,
        integrity=IntegId.HMAC_SHA1_96,
        dh_group=DhId.MODP_1024,
        lifetime=120,
        active_time=10 if initiator else 37,
        local_spi=0xE58F925107F8B73F if initiator else 0xAFD098F4147869DA,
        remote_spi=0xAFD098F4147869DA if initiator else 0xE58F925107F8B73F,
        local_id=str(R1 if initiator else R2),
        remote_id=str(R2 if initiator else R1),
        initiator=initiator,
        ce_id=1006,
        session_id=4,
        local_req_msg_id=2 if initiator else 0,
        remote_req_msg_id=0 if initiator else 2,
        local_next_msg_id=2 if initiator else 0,
        remote_next_msg_id=0 if initiator else 2,
        local_req_queued=2 if initiator else 0,
        remote_req_queued=0 if initiator else 2,
    )


def esp(spi: int, conn_id: int, kb: int, sec: int) -> EspSaView:
    return EspSaView(
        spi=spi,
        encryption=EncrId.TRIPLE_DES,
        key_bits=None,
        integrity=IntegId.HMAC_SHA1_96,
        conn_id=conn_id,
        crypto_map="Tunnel0-head-0",
        remaining_kilobytes=kb,
        remaining_seconds=sec,
        iv_size=8,
    )


SPI_R1_IN = 0x6B74CB79
SPI_R2_IN = 0xF6083ADD


def ipsec_interface(router: int, plaintext_mtu: int | None = None) -> IpsecInterfaceView:
    r1 = router == 1
    packets = 10 if r1 else 5
    kb, sec = (4276853, 3592) if r1 else (4347479, 3584)
    flow = IpsecFlowView(
        local_ident=Ident(ANY, 256),
        remote_ident=Ident(ANY, 256),
        peer=R2 if r1 else R1,
        local_endpoint=R1 if r1 else R2,
        counters=FlowCounters(encaps=packets, decaps=packets),
        plaintext_mtu=plaintext_mtu,
        inbound=(esp(SPI_R1_IN, 18, kb, sec) if r1 else esp(SPI_R2_IN, 17, kb, sec),),
        outbound=(esp(SPI_R2_IN, 17, kb, sec) if r1 else esp(SPI_R1_IN, 18, kb, sec),),
    )
    return IpsecInterfaceView("Tunnel0", "Tunnel0-head-0", R1 if r1 else R2, (flow,))


def crypto_session(router: int) -> CryptoSessionView:
    r1 = router == 1
    local, remote = (R1, R2) if r1 else (R2, R1)
    return CryptoSessionView(
        interface="Tunnel0",
        peer=remote,
        ike_sas=(SessionIkeSa(local, remote, active=True, conn_id=1, remaining_seconds=110),),
        flows=(
            SessionFlow(
                Ident(ANY, 256),
                Ident(ANY, 256),
                active_sas=2,
                decrypted=10 if r1 else 5,
                encrypted=10 if r1 else 5,
                remaining_kilobytes=4276853 if r1 else 4347479,
                remaining_seconds=3592 if r1 else 3584,
            ),
        ),
        profile="IKEV2-SETUP",
        uptime_seconds=52,
        session_id=4,
    )


def ike_session(router: int) -> IkeSessionView:
    r1 = router == 1
    child = ChildSaView(
        ANY_TS,
        ANY_TS,
        spi_in=SPI_R1_IN if r1 else SPI_R2_IN,
        spi_out=SPI_R2_IN if r1 else SPI_R1_IN,
        encryption=EncrId.TRIPLE_DES,
        key_bits=None,
        integrity=IntegId.HMAC_SHA1_96,
    )
    return IkeSessionView(4, (ike_sa(router),), (child,))
