"""The real configurations of tests/data/realconfigs load as IOS takes them.

Every file loads with no error except on the lines IOS itself would refuse (INDEX.md says which
and why: placeholders, notes, exec commands, no-break spaces, ...), where pyike's message is
IOS's, with its marker. A few more errors follow from what the published text leaves out or from
a refused line (a transform set that was refused, a VRF the page never defines). The number of
lines each file keeps without modelling them is recorded, so that growth in coverage shows. Every
file also reads the same flat, indented with tabs or with two spaces per level.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from pyike.config import LoadResult, load, load_file
from pyike.config.diagnostics import INCOMPLETE, INVALID_INPUT, Diagnostic
from pyike.config.lexer import lex
from pyike.config.writer import render
from tests.support.paths import REALCONFIGS

CORPUS = REALCONFIGS
FILES = sorted(CORPUS.glob("*/*.cfg"))
NAMES = [str(p.relative_to(CORPUS)) for p in FILES]

_NBSP = "indented with no-break spaces (U+00A0), which IOS takes as part of a word"
_SHOW_RUN = "show running-config"

# Lines IOS itself refuses in the published text, and why (INDEX.md; line numbers of the file).
REFUSED: dict[str, dict[int, str]] = {
    "certificates/skydevil-hub2-dmvpn-ikev2-rsa-sig.cfg": {12: "':' in the hostname"},
    "certificates/skydevil-spoke4-dmvpn-ikev2-rsa-sig.cfg": {12: "':' in the hostname"},
    "vrf/skydevil-spoke5-dmvpn-ikev2-fvrf-isp2.cfg": {12: "':' in the hostname"},
    "cloud/aviatrix-s2c-cisco-ios-ikev2-two-tunnels.cfg": {
        74: "'esp-256-aes' is not an IOS transform (IOS spells it 'esp-aes 256')",
        133: "'esp-256-aes' again",
        190: "the page's closing prose",
        191: "a URL",
    },
    "cloud/aws-cisco-ios-12.4-bgp-two-tunnels.cfg": {
        55: "placeholder YOUR_UPLINK_ADDRESS",
        63: "placeholder YOUR_UPLINK_ADDRESS",
        131: "placeholder YOUR_UPLINK_ADDRESS",
        158: "placeholder YOUR_BGP_ASN (its neighbor lines are not read)",
        207: "placeholder YOUR_UPLINK_ADDRESS",
        215: "placeholder YOUR_UPLINK_ADDRESS",
        283: "placeholder YOUR_UPLINK_ADDRESS",
        310: "placeholder YOUR_BGP_ASN",
    },
    "cloud/aws-cisco-ios-12.4-static-two-tunnels.cfg": {
        37: "placeholder CUSTOMER_IP",
        45: "placeholder CUSTOMER_IP",
        114: "placeholder CUSTOMER_IP",
        174: "placeholder CUSTOMER_IP",
        182: "placeholder CUSTOMER_IP",
        250: "placeholder CUSTOMER_IP",
    },
    "cloud/azure-asr-ios-xe-15.2-route-based.cfg": {
        24: "placeholder 40.76.X.X",
        25: "placeholder 40.76.X.X",
        46: "placeholder 40.76.X.X",
        52: "placeholder <NameOfYourOutsideInterface>",
        53: "placeholder 40.76.X.X",
        89: "placeholder <NameOfYourOutsideInterface>",
    },
    "cloud/azure-isr-ios-15.1-dynamic-routing.cfg": {
        7: "GitHub editor leftover glued to the first comment",
        24: "placeholder <azure gateway ip>",
        25: "placeholder <azure gateway ip>",
        43: "placeholder <azure gateway ip> (the peer's lines are not read)",
        51: "placeholder <azure gateway ip>",
        82: "placeholder <azure gateway ip>",
    },
    "cloud/fabferri-csr5-azure-vpngw-dual-bgp.cfg": {
        76: "the export leaves out 'vrf definition GS' (IOS: % VRF GS not configured.)",
    },
    "cloud/gcp-asr1000-ios-xe-16.6-cloud-vpn.cfg": {
        n: _NBSP
        for n in (18, 19, 20, 33, 34, 35, 37, 38, 43, 44, 46, 48, 53, 54, 56, 61, 65, 66, 69)
    },
    "cloud/gcp-asr1000-redundant-tunnels-fragment.cfg": {
        n: _NBSP for n in (19, 20, 22, 24, 29, 30, 32, 37, 38, 40, 42, 43, 44, 45, 46, 47, 48, 50)
    },
    "crypto-map/ij-cmap-ikev2-asym-psk-r11.cfg": {8: "exec command 'sh cyrpto ...', with a typo"},
    "crypto-map/ij-cmap-ikev2-asym-psk-r5.cfg": {9: "exec command 'sh cyrpto ...', with a typo"},
    "crypto-map/ij-cmap-ikev2-r11.cfg": {8: "exec command 'sh cyrpto ...', with a typo"},
    "crypto-map/ij-cmap-ikev2-r5.cfg": {9: "exec command 'sh cyrpto ...', with a typo"},
    "dmvpn/jc-dmvpn-p3-ikev2-smart-defaults.cfg": {
        20: "the author's note '###...'",
        37: "the author's note",
        55: "the author's note",
    },
    "dmvpn/randynin-dmvpn-p3-ikev2-hub-site-b.cfg": {8: "exec 'ena'", 9: "exec 'conf t'"},
    "dmvpn/randynin-dmvpn-p3-ikev2-spoke-site-a.cfg": {8: "exec 'ena'", 9: "exec 'conf t'"},
    "flexvpn/bw-flexvpn-p2p-doha-dvti.cfg": {8: "note '# Phase 1'", 29: "note '# Phase 2'"},
    "flexvpn/bw-flexvpn-p2p-tokyo-svti.cfg": {8: "note '# Phase 1'", 29: "note '# Phase 2'"},
    "flexvpn/bw-flexvpn-s2s-melbourne-hub.cfg": {8: "note '# aaa config ...'"},
    "flexvpn/bw-flexvpn-s2s-perth-spoke.cfg": {48: "'virtual-template' under an IPsec profile"},
    "flexvpn/bw-flexvpn-s2s-riyadh-spoke.cfg": {48: "'virtual-template' under an IPsec profile"},
    "ipv6/jc-dmvpn-ipv6-over-ipv4-smart-defaults.cfg": {7: "the author's note '### ...'"},
    "ipv6/jc-ipv6-gre-ipsec-ikev1-site-a.cfg": {7: "stray 'somesay!'"},
    "ipv6/jc-ipv6-gre-ipsec-ikev1-site-b.cfg": {7: "stray 'somesay!'"},
    "ipv6/jc-svti-ipv6-ikev1-both-ends.cfg": {
        7: "a title",
        9: "exec 'config t'",
        40: "exec 'config t'",
    },
    "vrf/azure-asr-route-based-fvrf-bgp.cfg": {
        11: "prose without '!'",
        28: "placeholder 40.76.X.X",
        29: "placeholder 40.76.X.X",
        58: "placeholder 40.76.X.X",
        65: "placeholder <NameOfYourOutsideInterface>",
        66: "placeholder 40.76.X.X",
        102: "placeholder <NameOfYourOutsideInterface>",
        108: "'ip route vrf' without the VRF's name",
        134: "'address-family ipv4 vrf' without 'router bgp' (its lines are not read)",
    },
}

# Errors that follow from a refused line or from what the published text leaves out.
CONSEQUENCES: dict[str, dict[int, str]] = {
    "cloud/aviatrix-s2c-cisco-ios-ikev2-two-tunnels.cfg": {
        79: "transform set 200 was refused",
        137: "transform set 201 was refused",
    },
    "cloud/gcp-asr1000-ios-xe-16.6-cloud-vpn.cfg": {
        17: "the proposal's lines were refused",
        31: "the profile's authentication lines were refused",
        45: "the transform set was refused",
    },
    "cloud/gcp-asr1000-redundant-tunnels-fragment.cfg": {
        26: "IPsec profile VPN_SCALE_TEST_VTI_2 is not on the page",
    },
    "gre-ipsec/jc-gre-ikev2-ikev1-site-a.cfg": {102: "IPsec profile IPV4 is not defined"},
    "remote-access/inrim-isr4451-flexvpn-ra-eap-radius.cfg": {
        59: "transform sets AES_GCM_256 and AES_CBC_256_HMAC_SHA1 are not on the page",
    },
}

# Files that still fail for reasons outside the reader: expected to fail until those land.
PENDING: dict[str, str] = {}

# How many lines each file keeps without modelling them (commands and the lines of their
# blocks): when pyike models more, or knows more of IOS's vocabulary, these change.
NOT_MODELLED: dict[str, int] = {
    "certificates/jc-csr-pki-ikev1-cmap-client.cfg": 32,
    "certificates/jc-csr-pki-ikev1-dynmap-server.cfg": 32,
    "certificates/skydevil-hub2-dmvpn-ikev2-rsa-sig.cfg": 53,
    "certificates/skydevil-spoke4-dmvpn-ikev2-rsa-sig.cfg": 47,
    "cloud/aviatrix-s2c-cisco-ios-ikev2-two-tunnels.cfg": 16,
    "cloud/aws-cisco-ios-12.4-bgp-two-tunnels.cfg": 4,
    "cloud/aws-cisco-ios-12.4-static-two-tunnels.cfg": 4,
    "cloud/azure-asr-ios-xe-15.2-route-based.cfg": 0,
    "cloud/azure-isr-ios-15.1-dynamic-routing.cfg": 0,
    "cloud/fabferri-csr5-azure-vpngw-dual-bgp.cfg": 34,
    "cloud/gcp-asr1000-ios-xe-16.6-cloud-vpn.cfg": 6,
    "cloud/gcp-asr1000-redundant-tunnels-fragment.cfg": 6,
    "crypto-map/bw-cmap-ikev2-nz.cfg": 0,
    "crypto-map/bw-cmap-ikev2-uk.cfg": 0,
    "crypto-map/ij-cmap-ikev2-asym-psk-r11.cfg": 0,
    "crypto-map/ij-cmap-ikev2-asym-psk-r5.cfg": 0,
    "crypto-map/ij-cmap-ikev2-r11.cfg": 0,
    "crypto-map/ij-cmap-ikev2-r5.cfg": 0,
    "crypto-map/jc-ra-gw-1-ikev1-dynamic-map-aggressive.cfg": 105,
    "dmvpn/ij-dmvpn-p1-ikev1-r11-hub.cfg": 7,
    "dmvpn/ij-dmvpn-p1-ikev1-r5-spoke.cfg": 4,
    "dmvpn/ij-dmvpn-p2-fvrf-ikev2-r11-hub.cfg": 8,
    "dmvpn/ij-dmvpn-p2-fvrf-ikev2-r5-spoke.cfg": 4,
    "dmvpn/ij-dmvpn-p2-ikev2-r11-hub.cfg": 8,
    "dmvpn/ij-dmvpn-p2-ikev2-r17-spoke.cfg": 5,
    "dmvpn/ij-dmvpn-p3-ikev1-r11-hub.cfg": 7,
    "dmvpn/ij-dmvpn-p3-ikev1-r5-spoke.cfg": 4,
    "dmvpn/jc-dmvpn-p3-ikev2-smart-defaults.cfg": 6,
    "dmvpn/randynin-dmvpn-p3-ikev2-hub-site-b.cfg": 11,
    "dmvpn/randynin-dmvpn-p3-ikev2-spoke-site-a.cfg": 11,
    "dmvpn/vyos-doc-cisco-dmvpn-spoke-ikev1.cfg": 5,
    "flexvpn/bw-flexvpn-p2p-doha-dvti.cfg": 4,
    "flexvpn/bw-flexvpn-p2p-tokyo-svti.cfg": 4,
    "flexvpn/bw-flexvpn-s2s-melbourne-hub.cfg": 6,
    "flexvpn/bw-flexvpn-s2s-perth-spoke.cfg": 6,
    "flexvpn/bw-flexvpn-s2s-riyadh-spoke.cfg": 7,
    "flexvpn/morris-flexvpn-hub-st-br1.cfg": 0,
    "flexvpn/morris-flexvpn-spoke1-st-br2.cfg": 0,
    "flexvpn/morris-flexvpn-spoke2-st-br3.cfg": 0,
    "flexvpn/morris-flexvpn-spoke3-st-br4.cfg": 0,
    "flexvpn/vyos-doc-cisco-flexvpn-hub-for-vyos-spoke.cfg": 2,
    "gre-ipsec/ij-gre-ikev1-cmap-r11.cfg": 5,
    "gre-ipsec/ij-gre-ikev2-r11-hub.cfg": 6,
    "gre-ipsec/ij-gre-ikev2-r17.cfg": 5,
    "gre-ipsec/jc-ce1-gre-ikev1-cmap-hostname-id.cfg": 155,
    "gre-ipsec/jc-gre-ikev2-ikev1-site-a.cfg": 25,
    "gre-ipsec/jc-gre-ikev2-ikev1-site-b.cfg": 26,
    "ipv6/jc-dmvpn-ipv6-over-ipv4-smart-defaults.cfg": 3,
    "ipv6/jc-ipv6-gre-ipsec-ikev1-site-a.cfg": 97,
    "ipv6/jc-ipv6-gre-ipsec-ikev1-site-b.cfg": 84,
    "ipv6/jc-svti-ipv6-ikev1-both-ends.cfg": 11,
    "remote-access/inrim-isr4451-flexvpn-ra-eap-radius.cfg": 4,
    "remote-access/jc-ezvpn-server-ikev1-dvti.cfg": 9,
    "remote-access/jc-ezvpn-server-ikev1-dynamic-map.cfg": 10,
    "remote-access/yinghli-csr1000v-win10-eap-cert.cfg": 1,
    "running-config/batfish-lhr-border-02-aws-ikev1-vti.cfg": 98,
    "running-config/fuat-iosv-15.9-dmvpn-dual-hub-p3-hub1.cfg": 50,
    "running-config/fuat-iosv-15.9-dmvpn-dual-hub-p3-spoke1.cfg": 50,
    "running-config/jc-csr-dmvpn-ikev2-fvrf-hub.cfg": 40,
    "running-config/jc-csr-dmvpn-ikev2-fvrf-spoke1.cfg": 38,
    "running-config/jc-csr-dmvpn-ikev2-fvrf-spoke2.cfg": 38,
    "vrf/azure-asr-route-based-fvrf-bgp.cfg": 0,
    "vrf/ij-gre-fvrf-ikev2-r11.cfg": 6,
    "vrf/ij-gre-fvrf-ikev2-r17.cfg": 5,
    "vrf/skydevil-spoke5-dmvpn-ikev2-fvrf-isp2.cfg": 55,
    "vti-psk/bw-megalab-svti-ikev2-napier.cfg": 3,
    "vti-psk/bw-megalab-svti-ikev2-nelson.cfg": 3,
    "vti-psk/bw-svti-ikev2-nz.cfg": 3,
    "vti-psk/bw-svti-ikev2-uk.cfg": 3,
    "vti-psk/ij-vti-ikev2-r11-hub.cfg": 5,
    "vti-psk/ij-vti-ikev2-r17.cfg": 4,
    "vti-psk/ij-vti-ikev2-r5.cfg": 3,
    "vti-psk/perv-r10-c2-ios-xe-17.3-vti-ikev2.cfg": 59,
    "vti-psk/perv-r9-c1-ios-xe-17.3-vti-ikev2.cfg": 62,
}


def _cases(test_pending: bool) -> list[object]:
    cases: list[object] = []
    for path, name in zip(FILES, NAMES, strict=True):
        marks = []
        if test_pending and name in PENDING:
            marks.append(pytest.mark.xfail(strict=True, reason=PENDING[name]))
        cases.append(pytest.param(path, name, id=name, marks=marks))
    return cases


def _is_ios_message(d: Diagnostic) -> bool:
    if d.message == INVALID_INPUT:
        return d.column is not None  # with the '^' marker
    return d.message == INCOMPLETE or d.message.startswith("% ")


def test_every_file_has_its_data() -> None:
    assert sorted(NOT_MODELLED) == sorted(NAMES)
    listed = {*REFUSED, *CONSEQUENCES, *PENDING}
    assert listed <= set(NAMES), listed - set(NAMES)


@pytest.mark.parametrize(("path", "name"), _cases(test_pending=True))
def test_loads_with_errors_only_where_ios_refuses(path: Path, name: str) -> None:
    result = load_file(path)
    text = "\n".join(d.format() for d in result.errors)
    refused, following = REFUSED.get(name, {}), CONSEQUENCES.get(name, {})
    assert {d.line for d in result.errors} == {*refused, *following}, text
    for d in result.errors:
        if d.line in refused:
            assert _is_ios_message(d), d.format()


@pytest.mark.parametrize(("path", "name"), _cases(test_pending=False))
def test_not_modelled_lines_are_counted(path: Path, name: str) -> None:
    counted = len(load_file(path).config.not_modelled)
    assert counted == NOT_MODELLED[name], f"{name}: now {counted}, update NOT_MODELLED"


def test_show_running_config_preamble_is_skipped_with_a_note() -> None:
    result = load_file(CORPUS / "running-config/jc-csr-dmvpn-ikev2-fvrf-hub.cfg")
    notes = [d for d in result.diagnostics if d.line in (7, 9)]
    assert [d.is_error for d in notes] == [False, False]
    assert all(_SHOW_RUN in d.message for d in notes)


def test_no_break_spaces_are_named_on_their_line() -> None:
    result = load_file(CORPUS / "cloud/gcp-asr1000-ios-xe-16.6-cloud-vpn.cfg")
    hints = {d.line for d in result.diagnostics if "no-break space (U+00A0)" in d.message}
    assert hints == set(REFUSED["cloud/gcp-asr1000-ios-xe-16.6-cloud-vpn.cfg"])


# --- the same text, indented otherwise --------------------------------------------------------


def _levels(lines: list[str], verbatim: set[int]) -> list[int | None]:
    """Each line's nesting level by its indentation (None: keep the line as it is)."""
    widths, levels = [0], []
    for number, text in enumerate(lines, 1):
        if number in verbatim or not text.strip(" \t"):
            levels.append(None)
            continue
        width = len(text) - len(text.lstrip(" \t"))
        while width < widths[-1]:
            widths.pop()
        if width > widths[-1]:
            widths.append(width)
        levels.append(len(widths) - 1)
    return levels


def _reindented(text: str, unit: str) -> str:
    """`text` with IOS's blanks (spaces, tabs) before each command replaced by `unit` per level;
    banner bodies stay as they are."""
    lines = re.split(r"\r\n|\r|\n", text)
    verbatim = {x.number + 1 + k for x in lex(text) for k in range(len(x.continuation))}
    out = []
    for line, level in zip(lines, _levels(lines, verbatim), strict=True):
        out.append(line if level is None else unit * level + line.lstrip(" \t"))
    return "\n".join(out)


def _outcome(result: LoadResult) -> tuple[str, list[tuple[object, ...]]]:
    findings = [(d.severity, d.message, d.line, d.echo, d.column) for d in result.diagnostics]
    return render(result.config), findings


@functools.cache
def _as_published(path: Path) -> tuple[str, list[tuple[object, ...]]]:
    return _outcome(load(path.read_text(encoding="utf-8"), path.name))


@pytest.mark.parametrize(("path", "name"), _cases(test_pending=False))
@pytest.mark.parametrize("unit", ["", "\t", "  "], ids=["flat", "tabs", "two-spaces"])
def test_reads_the_same_however_indented(path: Path, name: str, unit: str) -> None:
    text = _reindented(path.read_text(encoding="utf-8"), unit)
    assert _outcome(load(text, path.name)) == _as_published(path)
