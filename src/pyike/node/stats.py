"""Router-wide IP counters, in the spirit of IOS's `show ip traffic`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class IpStats:
    received: int = 0
    delivered: int = 0
    forwarded: int = 0
    originated: int = 0
    bad_header: int = 0
    no_route: int = 0
    ttl_expired: int = 0
    unknown_protocol: int = 0
    fragmented: int = 0
    fragments_created: int = 0
    couldnt_fragment: int = 0
    reassembled: int = 0
    encapsulation_failed: int = 0
    unreachables_sent: int = 0
    unreachables_rate_limited: int = 0
    time_exceeded_sent: int = 0
    echo_replies_sent: int = 0
    policy_dropped: int = 0
    tunnel_dropped: int = 0
    ike_received: int = 0
    esp_received: int = 0
    esp_dropped: int = 0
    nat_keepalives: int = 0
