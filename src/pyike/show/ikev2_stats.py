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


def _three(labels: tuple[str, str, str], first: object, second: object, third: object) -> str:
    a, b, c = labels
    return f"{_cell(a, first)}{_cell(b, second)}{c}{third}"


def _sa_count(direction: str) -> tuple[str, str, str]:
    return (f"Total {direction} IKEv2 SA Count:    ", "active:        ", "negotiating: ")


def _requests(kind: str) -> tuple[str, str, str]:
    return (f"{kind} IKEv2 Requests: ", "accepted:      ", "rejected:    ")


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
    limits = ("System Resource Limit:   ", "Max IKEv2 SAs: ", "Max in nego(in/out): ")
    rejected = ("Rejected IKEv2 Requests: ", "rsrc low:      ", "SA limit:    ")
    return [
        _RULE,
        "                         Crypto IKEv2 SA Statistics",
        _RULE,
        _three(limits, s.system_resource_limit, s.max_sas, nego),
        _three(_sa_count("incoming"), s.incoming_sas, s.incoming_active, s.incoming_negotiating),
        _three(_sa_count("outgoing"), s.outgoing_sas, s.outgoing_active, s.outgoing_negotiating),
        _three(
            _requests("Incoming"), s.incoming_requests, s.incoming_accepted, s.incoming_rejected
        ),
        _three(
            _requests("Outgoing"), s.outgoing_requests, s.outgoing_accepted, s.outgoing_rejected
        ),
        _three(rejected, s.rejected_requests, s.rejected_resource_low, s.rejected_sa_limit),
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
