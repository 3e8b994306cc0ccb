"""`pyike lab` with no arguments: the seed document's two routers, end to end."""

from __future__ import annotations

import os
import re
from functools import cache

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.cli import main
from pyike.ike.config_mode import APPLICATION_VERSION
from pyike.lab.seed import LONG_PING, SeedRunResult, run_seed
from tests.support.paths import GOLDEN, SEED_DOCUMENT
from tests.support.seed_document import by_role

_SM = re.compile(r"SM Trace-> SA: .*?\((I|R)\) MsgID = \w+ CurState: (\w+) Event: (\w+)")


@cache
def seed_run() -> SeedRunResult:
    return run_seed(policy_for_config)


def console(host: str) -> list[str]:
    return seed_run().lab.router(host).console


def sm_sequence(host: str) -> list[tuple[str, str]]:
    """(state, event) of every SM Trace line `host` printed."""
    return [(m.group(2), m.group(3)) for line in console(host) if (m := _SM.search(line))]


def test_cli_runs_the_seed_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Router1: Router1#debug crypto ikev2 packet\n")
    assert "Router1: *Nov 11 19:30:34.811: IKEv2:(SA ID = 1):SM Trace-> SA: I_SPI=" in out
    assert "the seed scenario ran as the seed document shows it" in out


def test_the_run_meets_its_own_checks() -> None:
    assert seed_run().problems == []


@pytest.mark.parametrize(("host", "role"), [("Router1", "I"), ("Router2", "R")])
def test_handshake_state_machine_follows_the_seed(host: str, role: str) -> None:
    """Up to READY, each router walks the seed's (state, event) path, as its debug shows."""
    seed = by_role(role)
    handshake_end = next(i for i, step in enumerate(seed) if step[0] == "READY") + 1
    ours = sm_sequence(host)
    assert ours[:handshake_end] == seed[:handshake_end]


def test_both_routers_reach_ready_and_rekey_the_ike_sa() -> None:
    r1, r2 = console("Router1"), console("Router2")
    assert any("CurState: READY Event: EV_I_OK" in line for line in r1)
    assert any("CurState: READY Event: EV_R_OK" in line for line in r2)
    # The 120 s lifetime forces a rekey about 61 s in: CREATE_CHILD_SA at 19:31:35.
    rekey = [line for line in r1 if "Exchange type: CREATE_CHILD_SA, flags: INITIATOR" in line]
    assert rekey and rekey[0].startswith("*Nov 11 19:31:35.")
    assert any("CurState: CHILD_R_IKE Event: EV_REKEY_IKESA" in line for line in r2)


def test_tunnel_comes_up_and_first_ping_succeeds() -> None:
    r1 = console("Router1")
    assert any("Line protocol on Interface Tunnel0, changed state to up" in line for line in r1)
    ping = r1.index("Router1#ping 192.168.2.1 source Loopback0")
    assert r1[ping + 4] == "!!!!!"
    assert r1[ping + 5].startswith("Success rate is 100 percent (5/5)")


def test_show_commands_after_the_long_ping() -> None:
    lab = seed_run().lab
    pings = 5 + int(LONG_PING.rsplit(" ", 1)[1])
    for host in ("Router1", "Router2"):
        ipsec = lab.exec(host, "show crypto ipsec sa")
        assert f"#pkts encaps: {pings}, #pkts encrypt: {pings}, #pkts digest: {pings}" in ipsec
        assert f"#pkts decaps: {pings}, #pkts decrypt: {pings}, #pkts verify: {pings}" in ipsec
        assert "#send errors 0, #recv errors 0" in ipsec
        assert ipsec.count("Status: ACTIVE(ACTIVE)") == 2
        session = lab.exec(host, "show crypto session")
        assert "Session status: UP-ACTIVE" in session
        ike = lab.exec(host, "show crypto ikev2 sa")
        assert re.search(r"10\.0\.0\.\d/500\s+10\.0\.0\.\d/500\s+none/none\s+READY", ike)
        assert "Encr: AES-CBC, keysize: 128, PRF: SHA1, Hash: SHA96, DH Grp:2" in ike
    # The child SA was rekeyed during the ping: new conn ids, and no ping was lost.
    assert "conn id: 17," not in lab.exec("Router1", "show crypto ipsec sa")


def test_debug_never_shows_the_psk() -> None:
    assert not any("cisco" in line for line in seed_run().lab.transcript)


def test_config_shows_on_the_lab_routers() -> None:
    lab = seed_run().lab
    proposal = lab.exec("Router2", "show crypto ikev2 proposal default")
    assert "DH Group   : DH_GROUP_1536_MODP/Group 5 DH_GROUP_1024_MODP/Group 2" in proposal
    assert "{ esp-3des esp-sha-hmac  }" in lab.exec("Router1", "show crypto ipsec transform-set")
    bad = lab.exec("Router1", "show crypto ikev2 sa bogus")
    assert "% Invalid input detected at '^' marker." in bad


GOLDEN_DEBUG = GOLDEN / "lab-seed-debug.txt"


def test_golden_debug_and_show_output() -> None:
    """Everything both routers print with debugging on (seed 0), byte for byte. After an
    intended change of output, regenerate with PYIKE_REGENERATE_GOLDEN=1."""
    transcript = seed_run().lab.transcript
    end = transcript.index("Router2: Router2#undebug all") + 2
    text = "\n".join(transcript[:end]) + "\n"
    if os.environ.get("PYIKE_REGENERATE_GOLDEN"):
        GOLDEN_DEBUG.write_text(text, encoding="utf-8")
    assert text == GOLDEN_DEBUG.read_text(encoding="utf-8")


_STAMP = re.compile(r"^\*\w+ +\d+ [\d:.]+: ")


def _cfg_block(lines: list[str]) -> str:
    """From the first `CFG  Next payload` line to the SA payload after it, timestamps and
    spacing undone."""
    text = " ".join(" ".join(_STAMP.sub("", line) for line in lines).split())
    start = text.index("CFG Next payload")
    return text[start : text.index("SA Next payload: TSi", start)]


def test_ike_auth_carries_the_seeds_cfg_request() -> None:
    """Router1's IKE_AUTH request carries IOS's default CFG_REQUEST (seed lines 801-804 and
    911-925): the same attributes in the same order with the same lengths, but for pyike's own
    application version, so the payload is shorter than the seed's 309 by exactly the version
    strings' difference; Router2, without an authorization policy, answers no CFG_REPLY and
    its response keeps the seed's 252 bytes."""
    seed_text = " ".join(SEED_DOCUMENT.read_text(encoding="utf-8").split())
    start = seed_text.index("CFG 다음 페이로드: SA", seed_text.index("length: 556"))
    seed_block = seed_text[start : seed_text.index("SA Next payload: TSi", start)]
    seed_lengths = [int(n) for n in re.findall(r"(?:length|길이): (\d+)", seed_block)]
    seed_unknown = re.findall(r"알 수 없음 - (\d+)", seed_block)
    ours = _cfg_block(console("Router2"))
    our_lengths = [int(n) for n in re.findall(r"length: (\d+)", ours)]
    version = len(APPLICATION_VERSION)
    assert our_lengths[6] == version
    assert our_lengths[0] == seed_lengths[0] - (seed_lengths[6] - version) == 52 + version
    assert our_lengths[1:6] + our_lengths[7:] == seed_lengths[1:6] + seed_lengths[7:]
    assert re.findall(r"Unknown - (\d+)", ours) == seed_unknown
    assert "cfg type: CFG_REQUEST" in ours
    # as in the seed, the sender's dump lists no attribute; the parser stamps each
    assert not any("attrib type" in line for line in console("Router1"))
    stamped = [line for line in console("Router2") if _STAMP.match(line) and "attrib type" in line]
    assert len(stamped) == len(seed_lengths) - 1
    response = "Exchange type: IKE_AUTH, flags: RESPONDER MSG-RESPONSE Message id: 1, length: 252"
    assert any(response in line for line in console("Router1"))
    assert not any("cfg type: CFG_REPLY" in line for line in console("Router1"))
