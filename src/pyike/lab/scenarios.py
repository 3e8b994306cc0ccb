"""Named what-ifs on the seed's two routers: `pyike lab --scenario NAME`.

Each scenario starts from the seed document's configurations and changes them the way an
engineer might have got them wrong (or puts something in the way on the wire), runs the
routers with `debug crypto ikev2 packet`, `internal` and `error` on, and then lets pyike's
own explainer read their debug output, as an engineer would paste it. The scenario behaved
as expected when the explainer's verdict names the expected cause and the run's own checks
(what real routers would show) hold. `dmvpn-spoke-to-spoke` adds a third router, a second
spoke made from Router 2 (Router 1 is the hub).
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.config.model import Config
from pyike.explain import Report, explain_texts
from pyike.explain.catalogue import CAUSE_TEXTS
from pyike.explain.narrative import verdict_title
from pyike.lab.lab import Lab, Output, PolicyFactory
from pyike.lab.lab_ca import enrol
from pyike.sim import match
from pyike.sim.nat import NatBox
from pyike.sim.network import CapturedPacket
from pyike.topology.seed import SEED_FILES, seed_texts

R1, R2 = "Router1", "Router2"
ROUTERS = (R1, R2)
DEBUGS = ("packet", "internal", "error")
PING = "ping 192.168.2.1 source Loopback0"
PING_OK = "Success rate is 100 percent (5/5)"
NEGOTIATION_TIME = 5.0  # virtual seconds: every exchange of a first negotiation is over

Texts = dict[str, str]  # hostname -> configuration text


class ScenarioError(Exception):
    """An unknown scenario name, or a seed configuration that no longer has the line a
    scenario edits."""


@dataclass
class ScenarioRun:
    """What a scenario's driver works with, and what it found wrong."""

    lab: Lab
    problems: list[str] = field(default_factory=list)
    captured: list[CapturedPacket] = field(default_factory=list)

    def expect(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)

    def console(self, host: str) -> list[str]:
        return self.lab.router(host).console

    def shows(self, host: str, text: str) -> bool:
        return any(text in line for line in self.console(host))


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    outcome: str  # the explainer's expected verdict outcome ...
    cause: str  # ... and cause id (`pyike explain --format json`)
    telling: tuple[tuple[str, str], ...]  # (router, text): the debug lines IOS would show
    edit: Callable[[Texts], Texts]
    drive: Callable[[ScenarioRun], None]
    nat_detected: bool = False  # the explainer must see NAT detected in both routers' logs
    routers: tuple[str, ...] = ROUTERS  # those `edit` gives a configuration, in order
    debugs: tuple[str, ...] = ()  # debug commands typed on each router besides IKEv2's
    # Enrolled with the lab CA (lab_ca.VARIANTS: how Router 1's certificate is broken).
    certificates: str | None = None


@dataclass
class ScenarioResult:
    scenario: Scenario
    lab: Lab
    report: Report
    transcripts: dict[str, str]  # per router, as pasted from its console
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def telling_lines(self) -> list[str]:
        """The first debug line of each router that shows what the scenario is about."""
        out = []
        for host, text in self.scenario.telling:
            line = next((x for x in self.lab.router(host).console if text in x), None)
            if line is not None:
                out.append(f"{host}: {line}")
        return out

    def verdict_line(self) -> str:
        verdict = self.report.verdict
        where = f" on {verdict.router}" if verdict.router else ""
        said = f"{verdict_title(verdict, 'en')}{where}: {CAUSE_TEXTS[verdict.cause].title.en}"
        expected = f"{self.scenario.outcome}/{self.scenario.cause}"
        mark = "as expected" if self.ok else f"NOT as expected ({expected})"
        return f"% Verdict ({self.scenario.name}, {mark}): {said}"


# -- configuration edits --------------------------------------------------------------------


def replace_line(text: str, old: str, new: str) -> str:
    """`text` with the one line that reads `old` (ignoring indentation) replaced by `new`
    (empty: removed), indented as the old line was."""
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if line.strip() == old]
    if len(hits) != 1:
        raise ScenarioError(f"the seed configuration has {len(hits)} lines reading {old!r}")
    indent = lines[hits[0]][: len(lines[hits[0]]) - len(lines[hits[0]].lstrip())]
    replacement = [indent + part for part in new.split("\n")] if new else []
    lines[hits[0] : hits[0] + 1] = replacement
    return "\n".join(lines)


def _edit(host: str, *changes: tuple[str, str]) -> Callable[[Texts], Texts]:
    def apply(texts: Texts) -> Texts:
        text = texts[host]
        for old, new in changes:
            text = replace_line(text, old, new)
        return {**texts, host: text}

    return apply


def _both(*edits: Callable[[Texts], Texts]) -> Callable[[Texts], Texts]:
    def apply(texts: Texts) -> Texts:
        for each in edits:
            texts = each(texts)
        return texts

    return apply


def _unchanged(texts: Texts) -> Texts:
    return texts


OUTSIDE_ADDRESS = {R1: "ip address 10.0.0.1 255.255.255.0", R2: "ip address 10.0.0.2 255.255.255.0"}


def _crypto_map(host: str, protected: str, peer: str) -> Callable[[Texts], Texts]:
    """Replace the router's VTI (Tunnel0 and its route) by crypto map CMAP on Ethernet0/0,
    whose ACL protects `protected` ("SOURCE WILDCARD DESTINATION WILDCARD")."""

    def apply(texts: Texts) -> Texts:
        text = texts[host]
        start = text.index("interface Tunnel0\n")
        text = text[:start] + text[text.index("!\n", start) + 2 :]
        text = re.sub(r"ip route \S+ \S+ Tunnel0\n?", "", text)
        address = OUTSIDE_ADDRESS[host]
        text = replace_line(text, address, f"crypto map CMAP\n{address}")
        text = text.rstrip("\n") + (
            "\n!\nip access-list extended VPN-TRAFFIC\n"
            f" permit ip {protected}\n"
            "!\ncrypto map CMAP 10 ipsec-isakmp\n"
            f" set peer {peer}\n"
            " set transform-set TS\n"
            " set ikev2-profile IKEV2-SETUP\n"
            " match address VPN-TRAFFIC\n"
        )
        return {**texts, host: text}

    return apply


def _nat_edits(texts: Texts) -> Texts:
    """Router 1 moves inside a NAT (172.20.0.0/24, the box outside as 10.0.0.3) and sends
    NAT keepalives; Router 2's tunnel now points at the NAT's outside address."""
    router1 = replace_line(texts[R1], OUTSIDE_ADDRESS[R1], "ip address 172.20.0.1 255.255.255.0")
    router1 = replace_line(
        router1, "ip route 0.0.0.0 0.0.0.0 10.0.0.2", "ip route 0.0.0.0 0.0.0.0 172.20.0.254"
    )
    router1 = replace_line(
        router1,
        "crypto ipsec transform-set TS esp-3des esp-sha-hmac",
        "crypto ikev2 nat keepalive 20\n!\ncrypto ipsec transform-set TS esp-3des esp-sha-hmac",
    )
    router2 = replace_line(texts[R2], "tunnel destination 10.0.0.1", "tunnel destination 10.0.0.3")
    return {R1: router1, R2: router2}


# -- drivers --------------------------------------------------------------------------------


def _initiate(run: ScenarioRun) -> None:
    """Router 1 brings up its tunnel (or crypto map entry); Router 2 only answers."""
    crypto = run.lab.router(R1).crypto
    for name in list(crypto.specs):
        crypto.start_tunnel(name)


def _no_ike_sa(run: ScenarioRun) -> None:
    _initiate(run)
    run.lab.run_for(NEGOTIATION_TIME)
    for host in ROUTERS:
        run.expect(not run.lab.router(host).crypto.ike_up, f"{host} has an IKE SA up")


def _no_child_sa(run: ScenarioRun) -> None:
    _initiate(run)
    run.lab.run_for(NEGOTIATION_TIME)
    for host in ROUTERS:
        run.expect(not run.lab.router(host).crypto.sad.children, f"{host} installed a child SA")


def _ping_works(run: ScenarioRun) -> None:
    run.expect(PING_OK in run.lab.exec(R1, PING), "the ping through the tunnel failed")


def _no_response(run: ScenarioRun) -> None:
    """UDP 500 toward Router 2 is blocked: Router 1 retransmits with exponential back-off
    (2, 4, 8, 16, 32 s) and gives the SA up; Router 2 never hears a thing."""
    lab = run.lab
    toward_r2 = match.all_of(match.udp_port(500), match.destination("10.0.0.2"))
    dropped_at: list[float] = []

    def blocked(packet: bytes) -> bool:
        if toward_r2(packet):
            dropped_at.append(lab.clock.now)
            return True
        return False

    lab.network.segments["10.0.0.0/24"].faults.block(blocked)
    _initiate(run)
    lab.run_for(130.0)
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(dropped_at)]
    run.expect(gaps == [2.0, 4.0, 8.0, 16.0, 32.0], f"retransmissions at intervals {gaps}")
    crypto = lab.router(R1).crypto
    run.expect(all(sa.closed for sa in crypto.engine.ike_sas), "Router1 kept the half-open SA")
    run.expect(not any(line.startswith("*") for line in run.console(R2)), "Router2 heard the peer")


def _invalid_ke(run: ScenarioRun) -> None:
    _initiate(run)
    run.lab.run_for(NEGOTIATION_TIME)
    for host in ROUTERS:
        show = run.lab.exec(host, "show crypto ikev2 sa")
        run.expect("READY" in show and "DH Grp:2," in show, f"{host} has no group 2 IKE SA")
    _ping_works(run)


def _nat(run: ScenarioRun) -> None:
    lab = run.lab
    nat = NatBox(lab.clock, "172.20.0.254/24", "10.0.0.3/24")
    nat.inside.attach(lab.network.segments["172.20.0.0/24"])
    nat.outside.attach(lab.network.segments["10.0.0.0/24"])
    lab.network.add_capture(run.captured.append)
    _initiate(run)
    lab.run_for(2.0)
    _ping_works(run)
    lab.run_for(65.0)  # idle: the NAT keepalives keep the mapping open
    for host in ROUTERS:
        crypto = lab.router(host).crypto
        run.expect(
            bool(crypto.ike_up) and all(up.local.port == 4500 for up in crypto.ike_up.values()),
            f"{host}'s IKE SA did not float to port 4500",
        )
        child = crypto.sad.tunnel("Tunnel0").current
        run.expect(
            child is not None and child.info.udp_encapsulation,
            f"{host}'s child SA is not UDP-encapsulated",
        )
    outside = [p.data for p in run.captured if p.segment == "10.0.0.0/24"]
    run.expect(not any(match.protocol(50)(p) for p in outside), "raw ESP crossed the NAT's outside")
    run.expect(any(match.esp()(p) for p in outside), "no UDP-encapsulated ESP on port 4500")
    keepalives = [p for p in outside if match.nat_keepalive()(p)]
    run.expect(len(keepalives) >= 2, f"{len(keepalives)} NAT keepalives in 65 idle seconds")


def _rekey_together(run: ScenarioRun, rekey: Callable[[str], None]) -> None:
    for host in ROUTERS:
        run.lab.clock.call_later(0.0, partial(rekey, host))
    run.lab.run_for(10.0)


def _collision(run: ScenarioRun) -> None:
    """The seed's tunnel comes up; then both routers rekey the IKE SA at the same moment,
    and later the child SA: each time the nonce rule keeps one SA."""
    lab = run.lab
    lab.bring_up_tunnels()
    lab.run_for(10.0)

    def rekey_ike(host: str) -> None:
        crypto = lab.router(host).crypto
        for sa_id in list(crypto.ike_up):
            crypto.engine.rekey_ike_sa(crypto.now, sa_id)
        crypto.flush()

    def rekey_child(host: str) -> None:
        crypto = lab.router(host).crypto
        child = crypto.sad.tunnel("Tunnel0").current
        if child is not None:
            crypto.engine.rekey_child_sa(crypto.now, child.info.ike_sa_id, child.info.spi_in)
        crypto.flush()

    _rekey_together(run, rekey_ike)
    _rekey_together(run, rekey_child)
    one, two = (lab.router(host).crypto for host in ROUTERS)
    spis = [{(up.spi_i, up.spi_r) for up in node.ike_up.values()} for node in (one, two)]
    run.expect(len(spis[0]) == 1 and spis[0] == spis[1], "the routers do not share one IKE SA")
    mine, theirs = one.sad.tunnel("Tunnel0").current, two.sad.tunnel("Tunnel0").current
    run.expect(
        mine is not None
        and theirs is not None
        and (mine.spi_in, mine.spi_out) == (theirs.spi_out, theirs.spi_in)
        and len(one.sad.children) == len(two.sad.children) == 1,
        "the routers do not share one child SA",
    )
    _ping_works(run)


R3 = "Router3"
DMVPN_ROUTERS = (R1, R2, R3)
HUB_TUNNEL = """interface Tunnel0
 ip address 172.16.0.101 255.255.255.0
 ip nhrp network-id 1
 ip nhrp map multicast dynamic
 ip nhrp redirect
 tunnel source Ethernet0/0
 tunnel mode gre multipoint
 tunnel protection ipsec profile phse2-prof"""
SPOKE_TUNNEL = """interface Tunnel0
 ip address 172.16.0.10{n} 255.255.255.0
 ip nhrp network-id 1
 ip nhrp nhs 172.16.0.101 nbma 10.0.0.1 multicast
 ip nhrp shortcut
 tunnel source Ethernet0/0
 tunnel mode gre multipoint
 tunnel protection ipsec profile phse2-prof"""
TO_SPOKE3 = "192.168.3.1"


def _tunnel_block(text: str, block: str) -> str:
    """`text` with its `interface Tunnel0` block (to the `!` after it) replaced by `block`."""
    start = text.index("interface Tunnel0\n")
    end = text.index("!\n", start) if "!\n" in text[start:] else len(text)
    return text[:start] + block + "\n" + text[end:]


def _dmvpn_edits(texts: Texts) -> Texts:
    """Phase 3 DMVPN on the seed's subnet: Router 1 the hub (its Tunnel0 multipoint GRE with
    `ip nhrp redirect`, and DH group 5 too, which the spokes' default proposal offers
    first), Router 2 a spoke registering with it (`ip nhrp shortcut`, every other LAN
    through the hub), Router 3 a second spoke made from Router 2 (10.0.0.3, LAN
    192.168.3.0/24)."""
    hub = replace_line(_tunnel_block(texts[R1], HUB_TUNNEL), "group 2", "group 5 2")
    hub = replace_line(
        hub,
        "ip route 192.168.2.1 255.255.255.255 Tunnel0",
        "ip route 192.168.2.0 255.255.255.0 172.16.0.102\n"
        "ip route 192.168.3.0 255.255.255.0 172.16.0.103",
    )
    spoke = _tunnel_block(texts[R2], SPOKE_TUNNEL.format(n=2))
    spoke = replace_line(
        spoke,
        "ip route 192.168.1.1 255.255.255.255 Tunnel0",
        "ip route 192.168.0.0 255.255.0.0 172.16.0.101",
    )
    third = spoke.replace("hostname Router2", "hostname Router3")
    for old, new in (
        ("ip address 192.168.2.1 255.255.255.0", "ip address 192.168.3.1 255.255.255.0"),
        ("ip address 10.0.0.2 255.255.255.0", "ip address 10.0.0.3 255.255.255.0"),
        ("ip address 172.16.0.102 255.255.255.0", "ip address 172.16.0.103 255.255.255.0"),
    ):
        third = replace_line(third, old, new)
    return {R1: hub, R2: spoke, R3: third}


def _spoke_to_spoke(run: ScenarioRun) -> None:
    """The spokes register; Router 2's first packets to Router 3's LAN cross the hub, which
    redirects; Router 2 resolves the LAN, installs an NHRP route and brings up an IKEv2 SA
    with Router 3, and the next packets go direct."""
    lab = run.lab
    lab.run_for(NEGOTIATION_TIME)
    trace = f"traceroute {TO_SPOKE3} source Loopback0"
    first = lab.exec(R2, trace)
    run.expect("1 172.16.0.101 " in first, "the first packets did not cross the hub")
    second = lab.exec(R2, trace)
    run.expect(
        re.search(r"^ +1 .*172\.16\.0\.103 ", second, re.MULTILINE) is not None
        and "172.16.0.101" not in second,
        "the traceroute after the redirect is not one hop to Router 3",
    )
    sas = lab.exec(R2, "show crypto ikev2 sa")
    run.expect(
        re.search(r"^\d+ +10\.0\.0\.2/500 +10\.0\.0\.3/500 .* READY", sas, re.MULTILINE)
        is not None,
        "no IKEv2 SA between the spokes",
    )
    dmvpn = lab.exec(R2, "show dmvpn")
    run.expect(
        re.search(r"^ +2 10\.0\.0\.3 +172\.16\.0\.103 +UP .* DT1$", dmvpn, re.MULTILINE)
        is not None,
        "show dmvpn on Router2 does not show Router3 as a dynamic peer with its route",
    )
    run.expect(
        PING_OK in lab.exec(R2, f"ping {TO_SPOKE3} source Loopback0"),
        "the ping between the spokes failed",
    )


# -- the scenarios --------------------------------------------------------------------------


def _tunnel_and_ping(run: ScenarioRun) -> None:
    _initiate(run)
    run.lab.run_for(NEGOTIATION_TIME)
    for host in ROUTERS:
        run.expect(bool(run.lab.router(host).crypto.ike_up), f"{host} has no IKE SA up")
    _ping_works(run)


PKI_DEBUGS = ("debug crypto pki validation", "debug crypto pki transactions")
# (name, lab_ca variant, explain's cause, Router 2's telling line, summary)
CERTIFICATE_FAILURES = (
    (
        "cert-expired",
        "expired",
        "certificate_expired",
        "%PKI-3-CERTIFICATE_INVALID_EXPIRED",
        "Router 1's certificate expired 30 days before the routers' clock: Router 2 refuses "
        "it, AUTHENTICATION_FAILED",
    ),
    (
        "cert-untrusted-issuer",
        "untrusted",
        "certificate_untrusted",
        "No suitable trustpoints found",
        "Router 1's certificate comes from a CA Router 2 has no trustpoint for: "
        "AUTHENTICATION_FAILED",
    ),
    (
        "cert-identity-mismatch",
        "identity",
        "certificate_identity_mismatch",
        "is not in its certificate",
        "Router 1 identifies itself as 10.0.0.1 but its certificate names 10.0.0.99: "
        "AUTHENTICATION_FAILED",
    ),
    (
        "cert-revoked",
        "revoked",
        "certificate_revoked",
        "%PKI-3-CERTIFICATE_REVOKED",
        "Router 2 checks the CRL (`revocation-check crl`), which lists Router 1's certificate: "
        "AUTHENTICATION_FAILED",
    ),
)


# eap-bad-password: Router 2 an EAP server with one local user, Router 1 its client.
EAP_USERS = (
    "hostname Router2\n!\naaa new-model\naaa authentication login EAP-USERS local\n"
    "username alice password 0 Alice-Pass1"
)
EAP_SERVER = (
    "authentication remote pre-share",
    "authentication remote eap query-identity\naaa authentication eap EAP-USERS",
)
EAP_CLIENT = "authentication local eap mschapv2 username alice password 0 Wrong-Pass"


# aaa-authorization-failed: Router 2 authorizes PSK peers through a policy it never defines.
AAA_NEW_MODEL = "hostname Router2\n!\naaa new-model\naaa authorization network FLEX local"
AAA_GROUP = "keyring local KEYRNG\naaa authorization group psk list FLEX SPOKES"

# pool-exhausted: Router 2 a FlexVPN hub lending addresses from a pool of one; Routers 1 and 3
# ask for one each (`ip address negotiated`).
POOL_HUB = (
    "hostname Router2\n!\naaa new-model\naaa authorization network FLEX local\n"
    "crypto ikev2 authorization policy SPOKES\n pool SPOKES\n"
    "ip local pool SPOKES 172.16.0.150 172.16.0.150"
)
POOL_TEMPLATE = """interface Virtual-Template1 type tunnel
 ip unnumbered Loopback0
 tunnel mode ipsec ipv4
 tunnel protection ipsec profile phse2-prof"""
LENT = "172.16.0.150"


def _pool_edits(texts: Texts) -> Texts:
    hub = replace_line(texts[R2], "hostname Router2", POOL_HUB)
    hub = replace_line(hub, "keyring local KEYRNG", AAA_GROUP + "\nvirtual-template 1")
    hub = replace_line(
        _tunnel_block(hub, POOL_TEMPLATE), "ip route 192.168.1.1 255.255.255.255 Tunnel0", ""
    )
    client = replace_line(
        texts[R1], "ip address 172.16.0.101 255.255.255.0", "ip address negotiated"
    )
    third = client.replace("hostname Router1", "hostname Router3")
    for old, new in (
        ("ip address 192.168.1.1 255.255.255.0", "ip address 192.168.3.1 255.255.255.0"),
        ("ip address 10.0.0.1 255.255.255.0", "ip address 10.0.0.3 255.255.255.0"),
    ):
        third = replace_line(third, old, new)
    return {R1: client, R2: hub, R3: third}


def _pool_exhausted(run: ScenarioRun) -> None:
    """Router 1 takes the pool's one address; Router 3's IKE SA comes up without a Child SA."""
    lab = run.lab
    for host in (R1, R3):
        crypto = lab.router(host).crypto
        for name in list(crypto.specs):
            crypto.start_tunnel(name)
        lab.run_for(NEGOTIATION_TIME)
    first = lab.router(R1).router.interface("Tunnel0").primary
    run.expect(first is not None and str(first.ip) == LENT, f"Router 1 was not lent {LENT}")
    third = lab.router(R3).crypto
    run.expect(bool(third.ike_up), "Router 3 has no IKE SA")
    run.expect(not third.sad.children, "Router 3 installed a child SA")


def _notify(name: str) -> tuple[tuple[str, str], ...]:
    return ((R2, f"Construct Notify Payload: {name}"), (R1, f"Parse Notify Payload: {name}"))


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "psk-mismatch",
            "Router 2's remote pre-shared key differs: AUTHENTICATION_FAILED in IKE_AUTH",
            "failure",
            "psk_mismatch",
            (
                (R2, "Verification of peer's authentication data FAILED"),
                *_notify("AUTHENTICATION_FAILED"),
            ),
            _edit(R2, ("pre-shared-key remote cisco", "pre-shared-key remote cisco123")),
            _no_ike_sa,
        ),
        Scenario(
            "eap-bad-password",
            "Router 1 authenticates with EAP-MSCHAPv2 as alice with the wrong password; "
            "Router 2 checks its local users: EAP Failure, AUTHENTICATION_FAILED",
            "failure",
            "eap_failure",
            (
                (R2, "Peer's authentication method is 'EAP'"),
                (R2, "EAP authentication failed: wrong password for user 'alice'"),
                (R1, "EAP authentication failed"),
            ),
            _both(
                _edit(R1, ("authentication local pre-share", EAP_CLIENT)),
                _edit(R2, ("hostname Router2", EAP_USERS), EAP_SERVER),
            ),
            _no_ike_sa,
        ),
        Scenario(
            "aaa-authorization-failed",
            "Router 2 authorizes pre-shared-key peers (`aaa authorization group psk list FLEX "
            "SPOKES`) through a policy it never defines: AUTHENTICATION_FAILED in IKE_AUTH",
            "failure",
            "aaa_authorization_failed",
            ((R2, "AAA authorization failed"), *_notify("AUTHENTICATION_FAILED")),
            _edit(R2, ("hostname Router2", AAA_NEW_MODEL), ("keyring local KEYRNG", AAA_GROUP)),
            _no_ike_sa,
        ),
        Scenario(
            "pool-exhausted",
            "Router 2, a FlexVPN hub, lends addresses from a pool of one; Router 1 takes it, "
            "Router 3 is answered INTERNAL_ADDRESS_FAILURE: its IKE SA comes up, its Child SA "
            "does not",
            "partial",
            "address_pool_exhausted",
            (
                (R2, "Failed to allocate an address from pool SPOKES"),
                (R2, "Construct Notify Payload: INTERNAL_ADDRESS_FAILURE"),
                (R3, "Parse Notify Payload: INTERNAL_ADDRESS_FAILURE"),
            ),
            _pool_edits,
            _pool_exhausted,
            routers=DMVPN_ROUTERS,
        ),
        Scenario(
            "proposal-mismatch",
            "Router 1 offers only 3DES, Router 2's default proposal has none: "
            "NO_PROPOSAL_CHOSEN in IKE_SA_INIT",
            "failure",
            "ike_proposal_mismatch",
            ((R2, "Failed to find a matching policy"), *_notify("NO_PROPOSAL_CHOSEN")),
            _edit(R1, ("encryption 3des aes-cbc-128", "encryption 3des")),
            _no_ike_sa,
        ),
        Scenario(
            "transform-mismatch",
            "the transform sets differ (esp-3des vs esp-aes 256): NO_PROPOSAL_CHOSEN for the "
            "child SA in IKE_AUTH",
            "partial",
            "child_proposal_mismatch",
            ((R2, "Child SA not created: NO_PROPOSAL_CHOSEN"), *_notify("NO_PROPOSAL_CHOSEN")),
            _edit(
                R2,
                (
                    "crypto ipsec transform-set TS esp-3des esp-sha-hmac",
                    "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac",
                ),
            ),
            _no_child_sa,
        ),
        Scenario(
            "transport-mismatch",
            "GRE over IPsec where Router 2's transform set says `mode transport require` and "
            "Router 1's tunnel mode only: NO_PROPOSAL_CHOSEN for the child SA in IKE_AUTH",
            "partial",
            "child_proposal_mismatch",
            (
                (R2, "requires transport mode (mode transport require)"),
                *_notify("NO_PROPOSAL_CHOSEN"),
            ),
            _both(
                _edit(R1, ("tunnel mode ipsec ipv4", "tunnel mode gre ip")),
                _edit(
                    R2,
                    ("tunnel mode ipsec ipv4", "tunnel mode gre ip"),
                    (
                        "crypto ipsec transform-set TS esp-3des esp-sha-hmac",
                        "crypto ipsec transform-set TS esp-3des esp-sha-hmac\n mode transport "
                        "require",
                    ),
                ),
            ),
            _no_child_sa,
        ),
        Scenario(
            "ts-mismatch",
            "crypto maps whose ACLs do not mirror (Router 2 protects 192.168.3.0/24): "
            "TS_UNACCEPTABLE in IKE_AUTH",
            "partial",
            "ts_mismatch",
            ((R2, "Child SA not created: TS_UNACCEPTABLE"), *_notify("TS_UNACCEPTABLE")),
            _both(
                _crypto_map(R1, "192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255", "10.0.0.2"),
                _crypto_map(R2, "192.168.2.0 0.0.0.255 192.168.3.0 0.0.0.255", "10.0.0.1"),
            ),
            _no_child_sa,
        ),
        Scenario(
            "no-response",
            "UDP 500 to Router 2 is blocked: retransmissions with back-off, then the SA is "
            "given up",
            "failure",
            "no_response",
            (
                (R1, "Retransmitting packet"),
                (R1, "Maximum number of retransmissions reached"),
            ),
            _unchanged,
            _no_response,
        ),
        Scenario(
            "invalid-ke",
            "Router 1 proposes group 14 first, Router 2 accepts only 5 and 2: "
            "INVALID_KE_PAYLOAD, then a retry in group 2 that succeeds",
            "success",
            "invalid_ke",
            (*_notify("INVALID_KE_PAYLOAD"), (R1, "CurState: READY Event: EV_I_OK")),
            _edit(R1, ("group 2", "group 14 2")),
            _invalid_ke,
        ),
        Scenario(
            "nat",
            "Router 1 behind a NAT: NAT detected, float to 4500, UDP-encapsulated ESP, "
            "NAT keepalives, and the ping works",
            "success",
            "success",
            (
                (R1, "Host is located NAT inside"),
                (R2, "Peer is located NAT inside"),
                (R1, "NAT detected: floating to port 4500"),
            ),
            _nat_edits,
            _nat,
            nat_detected=True,
        ),
        Scenario(
            "collision",
            "both routers rekey the IKE SA, then the child SA, at the same moment: the nonce "
            "rule keeps one SA each time",
            "success",
            "success",
            (
                (R1, "IKE SA rekey collision"),
                (R2, "IKE SA rekey collision"),
                (R1, "Child SA rekey collision:"),
                (R2, "Child SA rekey collision:"),
            ),
            _unchanged,
            _collision,
        ),
        Scenario(
            "dmvpn-spoke-to-spoke",
            "DMVPN phase 3 (Router 1 the hub, Routers 2 and 3 spokes): the first packets "
            "between the spokes cross the hub, which redirects; then a direct IKEv2 SA and "
            "an NHRP route",
            "success",
            "success",
            (
                (R1, "NHRP: Send Traffic Indication via Tunnel0"),
                (R2, "NHRP: Receive Traffic Indication via Tunnel0"),
                (R2, "NHRP: Receive Resolution Reply via Tunnel0"),
                (R3, "NHRP: Receive Resolution Request via Tunnel0"),
            ),
            _dmvpn_edits,
            _spoke_to_spoke,
            routers=DMVPN_ROUTERS,
            debugs=("debug nhrp",),
        ),
        Scenario(
            "certificates",
            "both routers enrolled with one lab CA (ECDSA P-256), authenticating with "
            "`ecdsa-sig` through trustpoint LAB-CA: CERTREQ, CERT and signatures, and the ping "
            "works",
            "success",
            "success",
            (
                (R1, "Sending certificate request"),
                (R2, "Peer's authentication method is 'ECDSA'"),
                (R2, "Verification of peer's authentication data PASSED"),
                (R1, "Verification of peer's authentication data PASSED"),
            ),
            _unchanged,
            _tunnel_and_ping,
            debugs=PKI_DEBUGS,
            certificates="good",
        ),
        *(
            Scenario(
                name,
                summary,
                "failure",
                cause,
                ((R2, telling), (R2, "Verify cert failed"), *_notify("AUTHENTICATION_FAILED")),
                _unchanged,
                _no_ike_sa,
                debugs=PKI_DEBUGS,
                certificates=variant,
            )
            for name, variant, cause, telling, summary in CERTIFICATE_FAILURES
        ),
    )
}


def scenario_named(name: str) -> Scenario:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ScenarioError(
            f"% Unknown scenario '{name}'; `pyike lab --list-scenarios` lists: "
            + ", ".join(SCENARIOS)
        )
    return scenario


def _prepared(scenario: Scenario, seed: int) -> tuple[list[Config], PolicyFactory]:
    """The scenario's configurations, and how each router's policy is made (with the lab
    CA's keys and CRLs when it uses certificates)."""
    texts = scenario.edit(seed_texts())
    factory: PolicyFactory = policy_for_config
    if scenario.certificates is not None:
        pki = enrol(texts, scenario.certificates, seed)
        texts, factory = pki.texts, pki.policy_factory()
    configs = []
    for host in scenario.routers:
        result = load(texts[host], file=SEED_FILES.get(host, f"{host.lower()}.cfg"))
        result.raise_for_errors()
        configs.append(result.config)
    return configs, factory


def scenario_configs(name: str, seed: int = 0) -> list[Config]:
    return _prepared(scenario_named(name), seed)[0]


def run_scenario(name: str, *, seed: int = 0, output: Output | None = None) -> ScenarioResult:
    scenario = scenario_named(name)
    configs, factory = _prepared(scenario, seed)
    lab = Lab(configs, factory, seed=seed, output=output)
    for host in scenario.routers:
        for command in (*(f"debug crypto ikev2 {word}" for word in DEBUGS), *scenario.debugs):
            lab.exec(host, command)
    run = ScenarioRun(lab)
    scenario.drive(run)
    transcripts = {host: "\n".join(lab.router(host).console) + "\n" for host in scenario.routers}
    report = explain_texts(list(transcripts.items()))
    problems = list(run.problems)
    verdict = report.verdict
    if (verdict.outcome, verdict.cause) != (scenario.outcome, scenario.cause):
        problems.append(
            f"the explainer says {verdict.outcome}/{verdict.cause}, "
            f"expected {scenario.outcome}/{scenario.cause}"
        )
    for host, text in scenario.telling:
        if not any(text in line for line in lab.router(host).console):
            problems.append(f"{host} never printed {text!r}")
    if scenario.nat_detected:
        for host in ROUTERS:
            if not any(t.router == host and t.nat == "detected" for t in report.timelines):
                problems.append(f"the explainer does not see NAT in {host}'s log")
    return ScenarioResult(scenario, lab, report, transcripts, problems)


def list_lines() -> Sequence[str]:
    width = max(len(name) for name in SCENARIOS)
    return [f"{s.name:<{width}}  {s.summary}" for s in SCENARIOS.values()]


# -- `pyike lab --scenario NAME`, `--list-scenarios` ----------------------------------------


def run_cli(args: argparse.Namespace) -> int:
    if args.list_scenarios:
        for line in list_lines():
            print(line)
        return 0
    if getattr(args, "configs", None):
        print("% --scenario runs on the seed's two routers: give no CONFIG", file=sys.stderr)
        return 2
    try:
        scenario_named(args.scenario)
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return 2
    result = run_scenario(args.scenario, seed=args.seed, output=None if args.quiet else print)
    if not args.quiet:
        print()
        print("% What the routers show:")
        for line in result.telling_lines():
            print(line)
    print(result.verdict_line())
    for problem in result.problems:
        print(f"% pyike lab: {problem}", file=sys.stderr)
    return 0 if result.ok else 1
