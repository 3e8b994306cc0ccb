"""`show crypto ikev2 stats` and `show crypto ikev2 stats exchange`, in IOS-XE's layout.

In the exchange table every exchange has a row; the notify, configuration payload and other
counter sections list only what was counted, as IOS does.
"""

from __future__ import annotations

from pyike.config import query
from pyike.config.defaults import MAX_IN_NEGOTIATION
from pyike.config.model import Config
from pyike.show.views import Ikev2ExchangeStats, Ikev2Stats, MessageCounts

_RULE = "-" * 80

# The exchange rows, in IOS's order.
EXCHANGES = (
    "IKE_SA_INIT",
    "IKE_AUTH",
    "CREATE_CHILD_SA",
    "CREATE_CHILD_SA_IKE_REKEY",
    "CREATE_CHILD_SA_IPSEC",
    "CREATE_CHILD_SA_IPSEC_REKEY",
    "INFORMATIONAL",
)


def _cell(label: str, value: object) -> str:
    text = str(value)
    return f"{label}{text:<{max(9, len(text) + 1)}}"


def _three(cells: tuple[tuple[str, object], tuple[str, object], tuple[str, object]]) -> str:
    (a, av), (b, bv), (c, cv) = cells
    return f"{_cell(a, av)}{_cell(b, bv)}{c}{cv}"


def in_negotiation_limits(cfg: Config) -> tuple[int, int]:
    """`Max in nego(in/out)`: the configured limits, IOS's defaults where none is set."""
    settings = query.ike_sa_settings(cfg, None)
    default_in, default_out = MAX_IN_NEGOTIATION
    return (
        settings.max_in_negotiation_in or default_in,
        settings.max_in_negotiation_out or default_out,
    )


def show_crypto_ikev2_stats(stats: Ikev2Stats) -> list[str]:
    s = stats
    nego = f"{s.max_in_negotiation_in}/{s.max_in_negotiation_out}"
    return [
        _RULE,
        "                         Crypto IKEv2 SA Statistics",
        _RULE,
        _three(
            (
                ("System Resource Limit:   ", s.system_resource_limit),
                ("Max IKEv2 SAs: ", s.max_sas),
                ("Max in nego(in/out): ", nego),
            )
        ),
        _three(
            (
                ("Total incoming IKEv2 SA Count:    ", s.incoming_sas),
                ("active:        ", s.incoming_active),
                ("negotiating: ", s.incoming_negotiating),
            )
        ),
        _three(
            (
                ("Total outgoing IKEv2 SA Count:    ", s.outgoing_sas),
                ("active:        ", s.outgoing_active),
                ("negotiating: ", s.outgoing_negotiating),
            )
        ),
        _three(
            (
                ("Incoming IKEv2 Requests: ", s.incoming_requests),
                ("accepted:      ", s.incoming_accepted),
                ("rejected:    ", s.incoming_rejected),
            )
        ),
        _three(
            (
                ("Outgoing IKEv2 Requests: ", s.outgoing_requests),
                ("accepted:      ", s.outgoing_accepted),
                ("rejected:    ", s.outgoing_rejected),
            )
        ),
        _three(
            (
                ("Rejected IKEv2 Requests: ", s.rejected_requests),
                ("rsrc low:      ", s.rejected_resource_low),
                ("SA limit:    ", s.rejected_sa_limit),
            )
        ),
        f"IKEv2 packets dropped at dispatch: {s.dropped_at_dispatch}",
        f"Incoming Requests dropped as LOW Q limit reached : {s.dropped_low_queue}",
        f"Incoming IKEV2 Cookie Challenged Requests: {s.cookie_challenged}",
        f"    {_cell('accepted: ', s.cookie_accepted)}{_cell('rejected: ', s.cookie_rejected)}"
        f"rejected no cookie: {s.cookie_rejected_no_cookie}",
        f"Total Deleted sessions of Cert Revoked Peers: {s.deleted_cert_revoked}",
    ]


def _four(name: str, counts: MessageCounts) -> str:
    return (
        f"{name:<32}{counts.tx_request:<10}{counts.tx_response:<10}"
        f"{counts.rx_request:<10}{counts.rx_response}"
    )


_FOUR_HEADING = f"{'':<32}{'TX REQ':<10}{'TX RES':<10}{'RX REQ':<10}RX RES"


def _section(title: str, rows: dict[str, MessageCounts]) -> list[str]:
    lines = [title, _FOUR_HEADING, _RULE]
    lines += [_four(name, counts) for name, counts in rows.items() if counts.total]
    return [*lines, ""]


def show_crypto_ikev2_stats_exchange(stats: Ikev2ExchangeStats) -> list[str]:
    lines = [
        "                        Crypto IKEv2 SA Exchange Statistics",
        _RULE,
        "EXCHANGES",
        _FOUR_HEADING,
        _RULE,
    ]
    lines += [_four(name, stats.exchanges.get(name, MessageCounts())) for name in EXCHANGES]
    lines += [_four(n, c) for n, c in stats.exchanges.items() if n not in EXCHANGES]
    lines.append("")
    lines += _section("ERROR NOTIFY", stats.error_notifies)
    lines += _section("OTHER NOTIFY", stats.other_notifies)
    lines += ["CONFIG PAYLOAD TYPE             TX        RX", _RULE]
    lines += [f"{n:<32}{tx:<10}{rx}" for n, (tx, rx) in stats.config_payloads.items() if tx or rx]
    lines += ["", "OTHER COUNTERS", _RULE]
    lines += [f"{n:<32}{count}" for n, count in stats.other_counters.items() if count]
    return lines
