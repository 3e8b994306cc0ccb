"""Recognisers for the IKEv2 debug dialects of IOS, IOS-XE and ASA.

The dialects share most message texts; they differ in the prefix and in how a packet is
announced:

* old IOS (15.x): ``IKEv2:(SA ID = 1):SM Trace-> ...`` and packet headers printed as
  ``Next payload: SA, version: 2.0 Exchange type: IKE_SA_INIT, flags: INITIATOR Message id: 0``;
* IOS-XE 16/17: ``IKEv2:(SESSION ID = 31,SA ID = 1):`` with ``Sending Packet [To a:p/From b:p/VRF
  i0:f0]``, ``Initiator SPI : X - Responder SPI : Y Message id: N`` and
  ``IKEv2 IKE_AUTH Exchange REQUEST``; with ``debug crypto ikev2 internal`` the category prefixes
  ``IKEv2-INTERNAL:``, ``IKEv2-PAK:``, ``IKEv2-ERROR:`` appear;
* ASA: ``IKEv2-PROTO-n: (16): ...`` and ``IKEv2-PLAT-n: SENT PKT [IKE_SA_INIT] [a]:p->[b]:p
  InitSPI=0x.. RespSPI=0x.. MID=..``;
* ``show monitor event-trace crypto ikev2`` prints the same SM trace texts after its own
  timestamp, which the prefix parser accepts as well.

``recognise`` finds every known pattern anywhere in the record (ASA glues several messages
into one line) and returns the events in text order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyike.explain.events import Event, Kind
from pyike.explain.lines import Record, RecordKind

_PREFIX = re.compile(
    r"^\s*(?:IKEv2(?:-[A-Z]+(?:-\d)?)?\s*:\s*)?"
    r"(?:\((?:SESSION\s+ID\s*=\s*(?P<session>\d+)\s*,\s*)?SA\s+ID\s*=\s*(?P<said>\d+)\)\s*:*\s*"
    r"|\((?P<asa>\d+)\)\s*:\s*)?"
)

_HEX = r"[0-9A-Fa-f]+"
_ADDR = r"[0-9A-Fa-f.:]+:\d+(?=[/\]\s])"

_Pattern = tuple[re.Pattern[str], Kind, dict[str, str]]


def _p(pattern: str, kind: Kind, flags: int = 0, **fixed: str) -> _Pattern:
    return re.compile(pattern, flags), kind, dict(fixed)


_I = re.IGNORECASE

_PATTERNS: tuple[_Pattern, ...] = (
    _p(
        rf"SM Trace->\s*SA:\s*I_SPI\s*=\s*(?P<spi_i>{_HEX})\s+R_SPI\s*=\s*(?P<spi_r>{_HEX})\s*"
        rf"\((?P<role>[IR])\)\s*MsgID\s*=\s*(?P<msg_id>{_HEX})\s*CurState:\s*(?P<state>[A-Z0-9_]+?)\s*"
        r"Event\s*:\s*:?\s*(?P<event>EV_[A-Z0-9_]+)",
        Kind.SM_TRACE,
    ),
    _p(
        rf"(?P<verb>Sending|Received)\s+Packet\s*\[(?:To|From)\s+(?P<a>{_ADDR})\s*/\s*(?:From|To)\s+"
        rf"(?P<b>{_ADDR})",
        Kind.PACKET_ADDRESSES,
    ),
    _p(
        rf"Initiator SPI\s*:\s*(?P<spi_i>{_HEX})\s*-\s*Responder SPI\s*:\s*(?P<spi_r>{_HEX})\s*"
        r"Message id:\s*(?P<msg_id>\d+)",
        Kind.PACKET_SPIS,
    ),
    _p(
        r"IKEv2\s+(?P<exchange>IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|INFORMATIONAL|[A-Z_]+)\s+"
        r"Exchange\s+(?P<rr>REQUEST|RESPONSE)",
        Kind.PACKET_EXCHANGE,
    ),
    _p(
        r"Exchange\s+type:\s*(?P<exchange>[A-Z_]+),\s*flags:\s*(?P<flags>[A-Z][A-Z \-]*?)\s*"
        r"(?:\(\d+\):\s*)?Message id:\s*(?P<msg_id>\d+)",
        Kind.PACKET_HEADER,
    ),
    _p(
        r"(?P<verb>SENT|RECV)\s+PKT\s*\[(?P<exchange>[A-Z_]+)\]\s*\[(?P<a>[0-9A-Fa-f.:]+)\]:(?P<ap>\d+)"
        r"\s*->\s*\[(?P<b>[0-9A-Fa-f.:]+)\]:(?P<bp>\d+)\s*InitSPI=0x(?P<spi_i>[0-9A-Fa-f]+)\s*"
        r"RespSPI=0x(?P<spi_r>[0-9A-Fa-f]+)\s*MID=(?P<msg_id>[0-9A-Fa-f]+)",
        Kind.PACKET_SUMMARY,
    ),
    _p(
        r"^\s*(?P<payloads>(?:(?:SA|KE|N|VID|IDi|IDr|AUTH|CFG|TSi|TSr|ENCR|DELETE|CERT|CERTREQ|EAP"
        r"|NOTIFY\([A-Za-z0-9_]+\))\s*)+)$",
        Kind.PAYLOAD_LIST,
    ),
    _p(
        r"^\s*(?P<payloads>SA|KE|N|VID|IDi|IDr|AUTH|CERT|CERTREQ|CFG|TSi|TSr|DELETE|EAP)"
        r"(?:\(\d+\):)?\s+Next payload:",
        Kind.PAYLOAD_LIST,
    ),
    _p(
        r"Building packet for encryption|Generating (?:IKE_SA_INIT|IKE_AUTH) message", Kind.BUILDING
    ),
    _p(r"(?P<how>Construct|Parse)\s+Notify\s+Payload:\s*(?P<name>[A-Z][A-Z0-9_]*)", Kind.NOTIFY),
    _p(r"(?<![A-Za-z])NOTIFY\((?P<name>[A-Z][A-Za-z0-9_]*)\)", Kind.NOTIFY, how="listed"),
    _p(
        r"^\s*Proposal:\s*(?P<number>\d+),\s*Protocol id:\s*(?P<protocol>[A-Z]+)",
        Kind.PROPOSAL,
    ),
    _p(
        r"^\s*type:\s*(?P<type>[1-5]),\s*reserved:\s*0x0,\s*id:\s*(?P<name>.+?)\s*$",
        Kind.TRANSFORM,
        _I,
    ),
    _p(
        r"(?P<protocol>IKE|ESP)\s+Proposal:\s*(?P<number>\d+),.*?Num\. transforms:\s*\d+\s*"
        r"(?P<transforms>(?:[A-Z0-9][\w/'\- ]*?)?)\s*$",
        Kind.PROPOSAL_SUMMARY,
    ),
    _p(
        r"^\s*(?:(?P<protocol>ESP):\s*)?Proposal\s+(?P<number>\d+):\s*(?P<transforms>.+?)\s*$",
        Kind.PROPOSAL_SUMMARY,
    ),
    _p(r"(?P<which>Received|Expected) Policies:", Kind.POLICY_LIST),
    _p(r"^\s*(?P<which>TSi|TSr)\s+Next payload:", Kind.TS_PAYLOAD),
    _p(
        r"start addr:\s*(?P<start>[0-9A-Fa-f.:]+),\s*end addr:\s*(?P<end>[0-9A-Fa-f.:]+)",
        Kind.TS_RANGE,
    ),
    _p(r"start port:\s*(?P<start>\d+),\s*end port:\s*(?P<end>\d+)", Kind.TS_PORTS),
    _p(
        r"Constructing\s+(?P<payload>IDi|IDr)\s+payload:\s*'(?P<value>[^']*)'\s+of\s+type\s+"
        r"'(?P<id_type>[^']*)'",
        Kind.IDENTITY,
        whose="local",
    ),
    _p(
        r"Searching policy based on peer's identity\s*'(?P<value>[^']*)'\s+of\s+type\s+"
        r"'(?P<id_type>[^']*)'",
        Kind.IDENTITY,
        whose="peer",
    ),
    _p(
        r"Session with IKE ID PAIR\s*\((?P<peer>[^,]+),\s*(?P<local>[^)]+)\)\s*is UP",
        Kind.ESTABLISHED,
        what="ike",
    ),
    _p(r"Peer's authentication method is '(?P<method>[^']+)'", Kind.AUTH_METHOD, whose="peer"),
    _p(r"My authentication method is '(?P<method>[^']+)'", Kind.AUTH_METHOD, whose="local"),
    _p(r"^\s*Auth method\s+(?P<method>[A-Za-z0-9_\-]+)", Kind.AUTH_METHOD, whose="payload"),
    _p(
        r"(?:Choosing IKE profile|Using IKEv2 profile)\s*'?(?P<name>[^'\s]+)'?",
        Kind.PROFILE,
    ),
    _p(
        r"Getting preshared key (?:from|by) (?P<what>address \S+|profile keyring \S+)",
        Kind.KEY_LOOKUP,
    ),
    _p(r"Matched peer block\s*'(?P<what>[^']+)'", Kind.KEY_LOOKUP, how="peer block"),
    _p(r"(?:NAT not found|No NAT found)", Kind.NAT, detected="no"),
    _p(
        r"(?P<detail>NAT detected|Host is located NAT (?:inside|outside)|Peer is located NAT "
        r"(?:inside|outside)|NAT (?:INSIDE|OUTSIDE|T is detected)|NAT-T is detected)",
        Kind.NAT,
        _I,
        detected="yes",
    ),
    _p(r"(?:EV_I_OK|EV_R_OK)\b", Kind.ESTABLISHED, what="ike_sm"),
    _p(r"IKEV2 SA created; inserting SA into database", Kind.ESTABLISHED, what="ike"),
    _p(r"CONNECTION STATUS:\s*UP", Kind.ESTABLISHED, what="ike"),
    _p(r"EV_OK_RECD_LOAD_IPSEC|EV_GEN_LOAD_IPSEC", Kind.ESTABLISHED, what="child"),
    # An ASA responder's crypto map lookup for the proposed proxy identities (before the
    # transforms are compared: a match is not yet a child SA).
    _p(r"PROXY MATCH on crypto map (?P<map>\S+) seq (?P<seq>\d+)", Kind.PROXY_MATCH),
    _p(
        r"Crypto Map: No proxy match on map (?P<map>\S+) seq (?P<seq>\d+)",
        Kind.FAILURE,
        cause="ts_mismatch",
    ),
    _p(
        r"Crypto map (?P<map>\S+) seq (?P<seq>\d+)\s+peer doesn't match map entry",
        Kind.FAILURE,
        cause="peer_not_configured",
    ),
    _p(
        r"Computed authentication value for peer differs from what peer sent",
        Kind.FAILURE,
        cause="psk_mismatch",
    ),
    _p(
        r"Peer authentication method configured is mismatching with the method proposed by peer"
        r"|authentication method mismatch",
        Kind.FAILURE,
        _I,
        cause="auth_method_mismatch",
    ),
    _p(r"EAP authentication failed", Kind.FAILURE, cause="eap_failure"),
    _p(r"AAA authorization failed", Kind.FAILURE, cause="aaa_authorization_failed"),
    _p(r"Failed to allocate an address from pool", Kind.FAILURE, cause="address_pool_exhausted"),
    _p(r"Verification of peer's authentication data FAILED", Kind.FAILURE, cause="auth_failed"),
    _p(r"Failed to authenticate the IKE SA", Kind.FAILURE, cause="auth_failed"),
    _p(r"Failed to find a matching policy", Kind.FAILURE, cause="no_matching_policy"),
    _p(r"Received no proposal chosen notify", Kind.FAILURE, cause="peer_no_proposal"),
    _p(r"EV_NO_PROP_CHOSEN", Kind.FAILURE, cause="no_matching_policy"),
    _p(
        r"%PKI-3-CERTIFICATE_INVALID_(?:EXPIRED|NOT_YET_VALID)|certificate \(SN: \w+\) "
        r"(?:has expired|is not yet valid)",
        Kind.FAILURE,
        _I,
        cause="certificate_expired",
    ),
    _p(
        r"%PKI-3-CERTIFICATE_REVOKED|\(SN: \w+\) is revoked",
        Kind.FAILURE,
        _I,
        cause="certificate_revoked",
    ),
    _p(r"%PKI-3-CRL_FETCH_FAIL", Kind.FAILURE, cause="certificate_no_crl"),
    _p(
        r"No suitable trustpoints found|No trustpoint for the peer certificate's issuer"
        r"|Unable to locate cert record|No trust point for cert issuer",
        Kind.FAILURE,
        cause="certificate_untrusted",
    ),
    _p(
        r"Peer identity .* is not in its certificate",
        Kind.FAILURE,
        cause="certificate_identity_mismatch",
    ),
    _p(
        r"EV_CERT_FAIL|Verify cert failed|No suitable trustpoints found|Unable to locate cert "
        r"record|No trust point for cert issuer|certificate (?:has )?expired|certificate is revoked"
        r"|Unsupported cert encoding|Peer requested\s+HTTP URL but never sent|cert(?:ificate)? "
        r"(?:validation|verification) failed|Failed to (?:get|find) (?:a )?certificate",
        Kind.FAILURE,
        _I,
        cause="certificate_error",
    ),
    _p(
        r"Failed to locate an item in the database|(?:no|could not find|couldn't find|failed to "
        r"find)(?: a)? matching (?:IKEv2 )?profile|profile .{0,40}not found",
        Kind.FAILURE,
        _I,
        cause="identity_mismatch",
    ),
    _p(
        r"(?:Failed|Unable) to (?:get|find|locate) (?:the )?(?:peer'?s? )?(?:pre-?shared key|PSK)"
        r"|No pre-?shared key|pre-?shared key (?:was )?not found|keyring .{0,40}not found"
        r"|No matching peer block|Failed to set P1 auth to build policy"
        r"|unable to set self auth method",
        Kind.FAILURE,
        _I,
        cause="key_not_found",
    ),
    _p(
        r"Can't find tunnel group for peer|No tunnel group (?:found|for)|peer .{0,30}not "
        r"configured",
        Kind.FAILURE,
        _I,
        cause="peer_not_configured",
    ),
    # IOS responders also print "Error constructing config reply" when no config mode is
    # configured, in every successful negotiation: it is noise, not a failure.
    _p(
        r"Crypto map .{0,40} is incomplete|Could not build ikev2 policy|No IKEv2 policy found",
        Kind.FAILURE,
        cause="local_config_error",
    ),
    _p(
        r"Selector(?:s)? received from peer (?:is|are) not acceptable|Traffic selectors? .{0,40}"
        r"(?:not acceptable|unacceptable|mismatch)|TS(?: |_)not acceptable",
        Kind.FAILURE,
        _I,
        cause="ts_mismatch",
    ),
    _p(
        r"Failed to receive the AUTH msg before the timer expired",
        Kind.FAILURE,
        cause="auth_timeout",
    ),
    _p(r"(?:Initial|Auth) exchange failed", Kind.FAILURE, cause="exchange_failed"),
    _p(r"Failed SA init exchange", Kind.FAILURE, cause="exchange_failed"),
    _p(r"EV_AUTH_FAIL\b", Kind.FAILURE, cause="auth_failed"),
    _p(r"Retransmitting packet|EV_RE_XMT\b(?!_)", Kind.RETRANSMIT),
    _p(
        r"Maximum number of retransmissions reached|EV_RE_XMT_EXCEED|retransmissions? (?:limit )?"
        r"exceeded",
        Kind.RETRANSMIT_EXHAUSTED,
        _I,
    ),
    _p(
        r"(?:Sending|Received|Process(?:ing)?) DELETE INFO message for (?P<what>IKEv2 SA|IPsec SA)",
        Kind.DELETE,
        _I,
    ),
    _p(r"Process delete request from peer|EV_RECV_DEL\b", Kind.DELETE, direction="received"),
    _p(r"(?:IKE SA )?delete request reason:\s*(?P<reason>.+?)\s*$", Kind.DELETE, _I),
    _p(r"Deleting SA\b", Kind.DELETE, what="sa"),
    _p(
        r"(?P<detail>Sending DPD|DPD (?:timeout|timer expired|failed)|liveness (?:query|check)"
        r"(?: failed)?|dead peer)",
        Kind.DPD,
        _I,
    ),
    _p(r"EV_REKEY_IKESA|EV_CHK_IKE_REKEY|CHILD_R_IKE\b", Kind.REKEY, what="ike"),
    _p(r"NOTIFY\(REKEY_SA\)|Parse Notify Payload:\s*REKEY_SA", Kind.REKEY, what="child"),
)

_CLEAR = re.compile(
    r"^\s*(?:clear\s+(?:crypto\s+(?:ikev2\s+sa|session|sa|isakmp|ikev2)|vpn-sessiondb)\b.*)", _I
)


def _strip_prefix(text: str) -> tuple[str, str | None, str | None]:
    match = _PREFIX.match(text)
    if match is None:  # the pattern can match the empty string, so this is defensive only
        return text, None, None
    said = match.group("said") or match.group("asa")
    return text[match.end() :], said, match.group("session")


def _cli_command(text: str) -> str:
    match = re.match(r"^[A-Za-z][\w.\-]*(?:\([\w\-]+\))?[#>]\s*(?P<command>.*)$", text)
    return match.group("command").strip() if match else ""


def _fields(match: re.Match[str], fixed: dict[str, str]) -> dict[str, str]:
    found = {key: value for key, value in match.groupdict().items() if value is not None}
    return {**fixed, **found}


def _normalise(kind: Kind, fields: dict[str, str]) -> dict[str, str]:
    if kind is Kind.PACKET_ADDRESSES:
        sent = fields["verb"] == "Sending"
        # "Sending Packet [To remote/From local]", "Received Packet [From remote/To local]".
        return {
            "direction": "sent" if sent else "received",
            "remote": fields["a"],
            "local": fields["b"],
        }
    if kind is Kind.PACKET_SUMMARY:
        sent = fields["verb"] == "SENT"
        local = f"{fields['a']}:{fields['ap']}" if sent else f"{fields['b']}:{fields['bp']}"
        remote = f"{fields['b']}:{fields['bp']}" if sent else f"{fields['a']}:{fields['ap']}"
        return {
            "direction": "sent" if sent else "received",
            "exchange": fields["exchange"],
            "local": local,
            "remote": remote,
            "spi_i": fields["spi_i"].upper(),
            "spi_r": fields["spi_r"].upper(),
            "msg_id": str(int(fields["msg_id"], 16)),
        }
    if kind is Kind.PACKET_EXCHANGE:
        return {
            "exchange": fields["exchange"],
            "response": "yes" if fields["rr"] == "RESPONSE" else "no",
        }
    if kind is Kind.PACKET_HEADER:
        flags = fields["flags"]
        return {
            "exchange": fields["exchange"],
            "flags": flags.strip(),
            "msg_id": fields["msg_id"],
            "response": "yes" if "RESPONSE" in flags else "no",
        }
    if kind is Kind.SM_TRACE:
        raw_id = fields["msg_id"]
        msg_id = (
            int(raw_id, 16)
            if len(raw_id) >= 8
            else int(raw_id, 10)
            if raw_id.isdigit()
            else int(raw_id, 16)
        )
        return {
            **fields,
            "spi_i": fields["spi_i"].upper(),
            "spi_r": fields["spi_r"].upper(),
            "msg_id": str(msg_id),
        }
    if kind is Kind.PACKET_SPIS:
        return {**fields, "spi_i": fields["spi_i"].upper(), "spi_r": fields["spi_r"].upper()}
    if kind is Kind.DELETE and "what" in fields:
        what = fields["what"].lower()
        fields = {
            **fields,
            "what": "ike" if "ikev2" in what else "child" if "ipsec" in what else what,
        }
    return fields


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _matches(body: str) -> Iterator[tuple[int, Kind, dict[str, str]]]:
    taken: list[tuple[int, int]] = []
    for pattern, kind, fixed in _PATTERNS:
        for match in pattern.finditer(body):
            span = match.span()
            # An SM trace line also names its event; EV_* patterns must not count it twice.
            if kind is not Kind.SM_TRACE and _overlaps(span, taken) and "EV_" in match.group(0):
                continue
            if kind is Kind.SM_TRACE:
                taken.append(span)
            yield span[0], kind, _normalise(kind, _fields(match, fixed))


def recognise(record: Record) -> list[Event]:
    """The events in one record, in text order; an empty list when nothing is known."""
    if record.kind is RecordKind.CLI:
        command = _cli_command(record.text)
        if _CLEAR.match(command):
            return [Event(Kind.ADMIN_CLEAR, record, {"command": command})]
        return []
    if record.kind in (RecordKind.SYSLOG,):
        return []
    body, sa_id, session_id = _strip_prefix(record.text)
    found = sorted(_matches(body), key=lambda item: item[0])
    events = [Event(kind, record, fields, sa_id, session_id) for _, kind, fields in found]
    if record.kind is RecordKind.OTHER_DEBUG:
        # Only the certificate verdicts of CRYPTO_PKI matter here.
        return [event for event in events if event.kind is Kind.FAILURE]
    return events
