"""`pyike lab --scenario certificates` and the certificate failures: the seed's routers
enrolled with the lab CA at run time, the tunnel up (or refused as IOS refuses), the IOS lines
that tell, and explain's verdict on the lab's own debug output."""

from __future__ import annotations

import pytest

from pyike.lab.lab_ca import enrol
from pyike.lab.scenarios import CERTIFICATE_FAILURES, run_scenario, scenario_configs
from pyike.topology.seed import seed_texts


def test_the_certificates_scenario_brings_the_tunnel_up_with_signatures() -> None:
    result = run_scenario("certificates")
    assert result.ok, result.problems
    r2 = "\n".join(result.transcripts["Router2"].splitlines())
    assert "Peer's authentication method is 'ECDSA'" in r2
    assert "CRYPTO_PKI: (A16A8) Certificate is verified" in r2
    assert "My authentication method is 'ECDSA'" in r2
    show = result.lab.exec("Router2", "show crypto ikev2 sa detailed")
    assert "READY" in show


@pytest.mark.parametrize("name", [f[0] for f in CERTIFICATE_FAILURES])
def test_each_certificate_failure_gets_its_verdict(name: str) -> None:
    result = run_scenario(name)
    assert result.ok, result.problems
    cause = next(f[2] for f in CERTIFICATE_FAILURES if f[0] == name)
    assert result.report.verdict.cause == cause
    assert not result.lab.router("Router1").crypto.ike_up


def test_the_lab_ca_is_deterministic_from_the_seed() -> None:
    one, two = enrol(seed_texts(), "good", 7), enrol(seed_texts(), "good", 7)
    assert one.texts == two.texts
    assert enrol(seed_texts(), "good", 8).texts["Router1"] != one.texts["Router1"]


def test_the_configs_carry_trustpoint_chain_and_profile_lines() -> None:
    router1 = scenario_configs("certificates")[0]
    trustpoint = router1.trustpoints["LAB-CA"]
    assert [c.role for c in trustpoint.chain] == ["certificate", "ca"]
    assert trustpoint.eckeypair == "Router1"
    profile = router1.profiles["IKEV2-SETUP"]
    assert profile.auth_local == ("ecdsa-sig",) and profile.pki_trustpoints == (("LAB-CA", ""),)
