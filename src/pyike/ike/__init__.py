"""The sans-IO IKEv2 engine with IOS's personality (RFC 7296, 7383).

Start with `IkeEngine` (engine.py) and the `Policy` protocol (policy.py).
"""

from pyike.ike.engine import IkeEngine
from pyike.ike.events import (
    ChildSaDeleted,
    ChildSaInfo,
    ChildSaInstalled,
    ChildSaMoved,
    Datagram,
    Endpoint,
    EngineEvent,
    IkeSaDown,
    IkeSaUp,
    NegotiationFailed,
)
from pyike.ike.policy import (
    DEFAULT_IKE_PROPOSAL,
    DpdSettings,
    EngineSettings,
    Identity,
    IdentityMatch,
    IkeProposalSpec,
    KeyringPeer,
    Policy,
    ProfileSpec,
    StaticPolicy,
    TransformSetSpec,
    TunnelSpec,
    ike_proposal,
)
from pyike.ike.states import Event, State
from pyike.ike.trace import Direction, ErrorTrace, InfoTrace, PacketTrace, SmTrace, TraceRecord
from pyike.traffic_selector import TrafficSelector

__all__ = [
    "DEFAULT_IKE_PROPOSAL",
    "ChildSaDeleted",
    "ChildSaInfo",
    "ChildSaInstalled",
    "ChildSaMoved",
    "Datagram",
    "Direction",
    "DpdSettings",
    "Endpoint",
    "EngineEvent",
    "EngineSettings",
    "ErrorTrace",
    "Event",
    "Identity",
    "IdentityMatch",
    "IkeEngine",
    "IkeProposalSpec",
    "IkeSaDown",
    "IkeSaUp",
    "InfoTrace",
    "KeyringPeer",
    "NegotiationFailed",
    "PacketTrace",
    "Policy",
    "ProfileSpec",
    "SmTrace",
    "State",
    "StaticPolicy",
    "TraceRecord",
    "TrafficSelector",
    "TransformSetSpec",
    "TunnelSpec",
    "ike_proposal",
]
