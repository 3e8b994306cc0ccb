"""pyike run against strongSwan's charon, pyike in one namespace and charon in another:
the seed's proposals and modern ones, asymmetric PSKs, pyike as responder and as initiator,
ping through the tunnel both ways. Runs in CI (scripts/install-system-deps installs
strongSwan; with PYIKE_REQUIRE_TOOLS set a missing charon fails the run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.interop import check_traffic, pyike_log, topology
from tests.support.netns import Lab
from tests.support.strongswan import (
    CBC256_SUITE,
    GCM_SUITE,
    GROUP24_SUITE,
    SEED_3DES_SUITE,
    SEED_SUITE,
    Suite,
)

pytestmark = pytest.mark.interop


@pytest.mark.parametrize(
    "suite", [SEED_SUITE, SEED_3DES_SUITE, GCM_SUITE, GROUP24_SUITE], ids=lambda s: s.name
)
def test_pyike_responds_to_charon(netlab: Lab, tmp_path: Path, suite: Suite) -> None:
    t = topology(netlab, tmp_path, suite, "--passive")
    t.charon.swan("--initiate", "--child", "net", "--timeout", "20")
    check_traffic(t)
    log = pyike_log(tmp_path)
    assert "(R) MsgID = 00000001 CurState: READY" in log


@pytest.mark.parametrize(
    "suite", [SEED_SUITE, CBC256_SUITE, GCM_SUITE, GROUP24_SUITE], ids=lambda s: s.name
)
def test_pyike_initiates_to_charon(netlab: Lab, tmp_path: Path, suite: Suite) -> None:
    t = topology(netlab, tmp_path, suite)
    check_traffic(t)
    assert "(I) MsgID = 00000001 CurState: READY" in pyike_log(tmp_path)
    # IOS's default CFG_REQUEST (ike/config_mode.py): charon reads every attribute, private
    # ones included, and without pools answers with no CP payload, which pyike accepts.
    cp = "CPRQ(DNS DNS NBNS NBNS SUBNET VER U_SPLITDNS U_BANNER (28692) U_BKPSRV U_DEFDOM)"
    assert f"parsed IKE_AUTH request 1 [ V IDi AUTH {cp} SA" in t.charon.log
    assert "generating IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]" in t.charon.log
