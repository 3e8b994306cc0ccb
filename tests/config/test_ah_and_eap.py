"""AH transforms and EAP authentication, which real configurations carry (issue 13): pyike
reads, keeps and prints them as IOS does, and says plainly that it negotiates neither, so the
tunnels that need them cannot come up."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from pyike.config import LoadResult, load
from pyike.config.diagnostics import INVALID_INPUT
from pyike.config.explain import explain
from pyike.config.model import EapLocal, EapRemote
from pyike.config.query import not_negotiated
from pyike.config.writer import render
from tests.support.paths import SEED_CONFIGS
from tests.support.routers import AH_ROUTER

ROUTER = AH_ROUTER
TS_LINE = 11  # `crypto ipsec transform-set AH ...` in ROUTER


def _warnings(result: LoadResult) -> list[str]:
    return [d.message for d in result.warnings]


# --- AH ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "transforms",
    [
        "ah-md5-hmac",
        "ah-sha-hmac esp-3des",
        "ah-sha256-hmac esp-aes 256 esp-sha-hmac",
        "ah-sha384-hmac esp-gcm 256",
        "ah-sha512-hmac esp-sha512-hmac",
    ],
)
def test_ah_transforms_load_and_print_back_as_configured(transforms: str) -> None:
    result = load(f"crypto ipsec transform-set T {transforms}\n mode transport\n")
    assert result.ok, [d.format() for d in result.errors]
    ts = result.config.transform_sets["T"]
    assert ts.ah is not None and ts.ah.keyword == transforms.split()[0]
    assert ts.mode == "transport"
    assert f"crypto ipsec transform-set T {transforms}\n mode transport\n" in render(result.config)


def test_ios_order_ah_first_whatever_the_typed_order() -> None:
    cfg = load("crypto ipsec transform-set T esp-aes esp-sha-hmac ah-md5-hmac\n").config
    assert "crypto ipsec transform-set T ah-md5-hmac esp-aes esp-sha-hmac\n" in render(cfg)


def test_a_second_ah_transform_is_refused_at_its_keyword() -> None:
    result = load("crypto ipsec transform-set T ah-md5-hmac esp-aes ah-sha-hmac\n")
    (error,) = result.errors
    assert error.message == INVALID_INPUT
    assert error.echo is not None and error.column == error.echo.index("ah-sha-hmac")
    assert "T" not in result.config.transform_sets


def test_the_tunnel_whose_only_set_has_ah_cannot_come_up() -> None:
    result = load(ROUTER)
    assert result.ok
    assert result.blocked == ("Tunnel0",)
    at_set = [d for d in result.warnings if d.line == TS_LINE]
    assert [d.blocks for d in at_set] == ["Tunnel0"]
    assert "ah-sha-hmac: pyike does not negotiate AH" in at_set[0].message
    assert "Tunnel0 cannot come up" in at_set[0].message
    # said once, at the transform set, not again at the tunnel
    assert sum("Tunnel0" in m for m in _warnings(result)) == 1
    assert "AH" in not_negotiated(result.config)["Tunnel0"]  # what the lab and gateway say


def test_config_check_calls_it_usable_but_not_the_tunnel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r1.cfg"
    path.write_text(ROUTER)
    assert main(["config", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"r1.cfg:{TS_LINE}: warning: crypto ipsec transform-set AH: ah-sha-hmac" in out
    assert out.rstrip().endswith("usable, but Tunnel0 cannot come up")


def test_another_set_without_ah_keeps_the_tunnel_up() -> None:
    result = load(ROUTER.replace(" set transform-set AH\n", " set transform-set AH ESP\n"))
    assert result.ok and not result.blocked
    (warning,) = [d for d in result.warnings if d.line == TS_LINE]
    assert warning.blocks is None and "pyike does not negotiate AH" in warning.message
    assert "Tunnel0" not in not_negotiated(result.config)


def test_a_crypto_map_entry_whose_sets_all_have_ah_cannot_come_up() -> None:
    text = (
        ROUTER.split("crypto ipsec profile IPSEC")[0]
        + "access-list 101 permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255\n"
        "crypto map CM 10 ipsec-isakmp\n set peer 10.0.0.2\n set transform-set AH\n"
        " set ikev2-profile PROF\n match address 101\n"
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n crypto map CM\n"
    )
    result = load(text)
    assert result.ok
    assert result.blocked == ("crypto map CM 10",)


def test_an_unused_set_with_ah_is_named_without_blocking_anything() -> None:
    result = load("crypto ipsec transform-set T ah-sha-hmac esp-aes\n")
    assert result.ok and not result.blocked
    assert any("pyike does not negotiate AH" in m for m in _warnings(result))


def test_config_explain_says_why_the_tunnel_does_not_come_up() -> None:
    text = explain(load(ROUTER).config)
    assert "transform set AH: ah-sha-hmac esp-aes esp-sha-hmac, tunnel mode" in text
    assert "pyike does not negotiate AH" in text


# --- EAP ---------------------------------------------------------------------------------------


def _router2(remote: str) -> str:
    r2 = (SEED_CONFIGS / "router2.cfg").read_text()
    assert " authentication remote pre-share\n" in r2
    return r2.replace(" authentication remote pre-share\n", remote)


@pytest.mark.parametrize(
    ("lines", "eap"),
    [
        (" authentication remote eap\n", EapRemote()),
        (" authentication remote eap query-identity\n", EapRemote(query_identity=True)),
        (" authentication remote eap timeout 120\n", EapRemote(timeout=120)),
        (
            " authentication remote eap query-identity\n authentication remote eap timeout 45\n",
            EapRemote(True, 45),
        ),
    ],
)
def test_authentication_remote_eap_is_the_remote_method(lines: str, eap: EapRemote) -> None:
    result = load(_router2(lines))
    assert result.ok, [d.format() for d in result.errors]
    profile = result.config.profiles["IKEV2-SETUP"]
    assert profile.auth_remote == ("eap",) and profile.eap_remote == eap
    assert lines in render(result.config)  # printed back line by line
    assert all("authentication" not in n.command for n in result.config.not_modelled)


def test_eap_without_a_user_list_is_named_at_its_line_and_the_tunnel_cannot_come_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r2.cfg"
    path.write_text(_router2(" authentication remote eap query-identity\n"))
    assert main(["config", "check", str(path)]) == 1
    out = capsys.readouterr().out
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "remote eap" in text
    )
    assert (
        f"r2.cfg:{line}: warning: crypto ikev2 profile IKEV2-SETUP: authentication remote eap"
        in out
    )
    assert "AAA authentication list default is not defined for EAP" in out
    assert "every EAP peer is refused with AUTHENTICATION_FAILED" in out
    assert "no 'authentication remote' method" not in out
    assert out.rstrip().endswith("usable, but Tunnel0 cannot come up")


def test_eap_beside_a_pre_shared_key_leaves_psk_peers_welcome() -> None:
    result = load(_router2(" authentication remote eap\n authentication remote pre-share\n"))
    assert result.ok and not result.blocked
    assert any("only peers using a pre-shared key are accepted" in m for m in _warnings(result))


def test_no_with_an_option_clears_the_option_and_keeps_eap() -> None:
    lines = (
        " authentication remote eap query-identity\n authentication remote eap timeout 60\n"
        " no authentication remote eap query-identity\n"
    )
    profile = load(_router2(lines)).config.profiles["IKEV2-SETUP"]
    assert profile.auth_remote == ("eap",) and profile.eap_remote == EapRemote(timeout=60)
    gone = load(_router2(lines + " no authentication remote eap\n"))
    profile = gone.config.profiles["IKEV2-SETUP"]
    assert profile.auth_remote == () and profile.eap_remote == EapRemote()
    assert "crypto ikev2 profile IKEV2-SETUP: no 'authentication remote' method configured" in [
        d.message for d in gone.errors
    ]


def test_an_eap_timeout_out_of_range_is_refused_at_the_number() -> None:
    result = load(_router2(" authentication remote eap\n authentication remote eap timeout 30\n"))
    (error,) = result.errors
    assert error.message == INVALID_INPUT
    assert error.echo is not None and error.column == error.echo.index("30")


LOCAL_EAP = " authentication local eap mschapv2 username spoke1 password 0 Secr3t-Passw0rd\n"


def test_authentication_local_eap_is_kept_with_its_password_masked() -> None:
    text = (SEED_CONFIGS / "router1.cfg").read_text()
    assert " authentication local pre-share\n" in text
    result = load(text.replace(" authentication local pre-share\n", LOCAL_EAP))
    profile = next(iter(result.config.profiles.values()))
    assert profile.auth_local == ("eap",)
    local = profile.eap_local
    assert isinstance(local, EapLocal) and (local.method, local.username) == ("mschapv2", "spoke1")
    assert local.password is not None and local.password.reveal() == "Secr3t-Passw0rd"
    shown = render(result.config)
    assert " authentication local eap mschapv2 username spoke1 password 6 *****\n" in shown
    assert "Secr3t-Passw0rd" not in shown
    assert "Secr3t-Passw0rd" in render(result.config, show_keys=True)
    assert "Secr3t-Passw0rd" not in repr(result.config) + str(result.diagnostics)
    assert not any("eap" in m for m in _warnings(result))
    assert not result.blocked  # an EAP client (ike/eap_auth.py)
    typed6 = load(
        text.replace(" authentication local pre-share\n", LOCAL_EAP.replace(" 0 ", " 6 "))
    )
    assert any("its EAP password is type 6" in m for m in _warnings(typed6))
    assert typed6.blocked


def test_a_refused_local_eap_line_never_echoes_the_password() -> None:
    bad = " authentication local eap leap username spoke1 password 0 Secr3t-Passw0rd\n"
    result = load(_router2(" authentication remote pre-share\n" + bad))
    (error,) = result.errors
    assert error.message == INVALID_INPUT and error.echo is not None
    assert "Secr3t-Passw0rd" not in error.format()
    assert error.column == error.echo.index("leap")


def test_another_local_method_drops_the_eap_credentials() -> None:
    text = _router2(LOCAL_EAP + " authentication local pre-share\n")
    profile = load(text).config.profiles["IKEV2-SETUP"]
    assert profile.auth_local == ("pre-share",) and profile.eap_local is None


def test_config_explain_names_eap_as_what_the_peer_must_use() -> None:
    text = explain(load(_router2(" authentication remote eap\n")).config)
    assert "the peer must authenticate with eap\n" in text
    assert "this tunnel cannot come up" in text
    assert "AAA authentication list default is not defined for EAP" in text
    users = "aaa new-model\naaa authentication login default local\n"
    assert "cannot come up" not in explain(
        load(users + _router2(" authentication remote eap\n")).config
    )
