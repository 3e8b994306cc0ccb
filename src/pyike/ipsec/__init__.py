"""The ESP data plane (RFC 4303): SAs with anti-replay, counters and volume limits, the keyed
cipher contexts behind them, and the outer IPv4/IPv6/UDP headers around ESP packets."""

from pyike.codec.udp_encap import Carried
from pyike.ipsec.errors import (
    EspConfigError,
    EspError,
    EspIntegrityError,
    EspLifetimeExpired,
    EspMalformedPacket,
    EspPaddingError,
    EspPayloadError,
    EspReplayError,
    EspSpiMismatch,
)
from pyike.ipsec.esp import NEXT_HEADER_IPV4, NEXT_HEADER_IPV6, NO_NEXT_HEADER, Decapsulated
from pyike.ipsec.outer import DfBit, OuterPacket, outer_df, unwrap, wrap
from pyike.ipsec.replay import DEFAULT_WINDOW, MAX_WINDOW, ReplayWindow
from pyike.ipsec.sa import (
    EspMode,
    InboundCounters,
    InboundEspSa,
    LimitState,
    OutboundCounters,
    OutboundEspSa,
    SaLimits,
    child_sa_pair,
)
from pyike.ipsec.transforms import EspTransform, esp_transform

__all__ = [
    "DEFAULT_WINDOW",
    "MAX_WINDOW",
    "NEXT_HEADER_IPV4",
    "NEXT_HEADER_IPV6",
    "NO_NEXT_HEADER",
    "Carried",
    "Decapsulated",
    "DfBit",
    "EspConfigError",
    "EspError",
    "EspIntegrityError",
    "EspLifetimeExpired",
    "EspMalformedPacket",
    "EspMode",
    "EspPaddingError",
    "EspPayloadError",
    "EspReplayError",
    "EspSpiMismatch",
    "EspTransform",
    "InboundCounters",
    "InboundEspSa",
    "LimitState",
    "OutboundCounters",
    "OutboundEspSa",
    "OuterPacket",
    "ReplayWindow",
    "SaLimits",
    "child_sa_pair",
    "esp_transform",
    "outer_df",
    "unwrap",
    "wrap",
]
