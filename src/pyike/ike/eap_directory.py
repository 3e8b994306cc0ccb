"""What the engine asks its policy about EAP (RFC 7296 section 2.16) and AAA: for a server
profile (`authentication remote eap`), the user database its EAP authenticator checks or the
AAA group it relays EAP to; for a client profile (`authentication local eap`), the
credentials it presents; for a profile with `keyring aaa`, the AAA group that knows each
peer's pre-shared keys. Kept apart from eap_auth.py and aaa_keys.py so that policy.py can
name it without importing the IKE_AUTH machinery."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from pyike.eap.authenticator import Users
from pyike.eap.packet import EapType

if TYPE_CHECKING:  # policy.py imports this module
    from pyike.ike.policy import Identity


@dataclass(frozen=True)
class EapCredentials:
    """`authentication local eap [METHOD] username U password P`."""

    username: str
    password: str = field(repr=False)
    method: EapType | None = None  # None: whichever method the server offers


@dataclass(frozen=True)
class EapRelay:
    """A server profile whose EAP goes to AAA server group ``group`` (RADIUS, RFC 3579):
    the engine relays each EAP response (`EapRelayRequest`) and the host answers."""

    group: str


@dataclass(frozen=True)
class EapRelayAnswer:
    """AAA's answer to one relayed EAP response: ``outcome`` is `challenge` (``eap``: the next
    request), `accept` (``eap``: Success; ``msk``), `reject` or `error` (``reason``)."""

    outcome: str
    eap: bytes = b""
    msk: bytes | None = field(default=None, repr=False)
    reason: str = ""
    attributes: tuple[str, ...] = ()  # an Access-Accept's Cisco-AVPairs (authorization)


@dataclass(frozen=True)
class PskAnswer:
    """AAA's pre-shared keys for a peer (`ipsec:ikev2-password-local|remote`): ``local``
    signs our AUTH, ``remote`` verifies the peer's; both None and ``reason`` when there are
    none (rejected, or no answer)."""

    local: bytes | None = field(default=None, repr=False)
    remote: bytes | None = field(default=None, repr=False)
    reason: str = ""
    # the Access-Accept's other `Cisco-AVPair` values (`aaa authorization user psk cached`)
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AaaQuestion:
    """One authorization Access-Request (`aaa authorization group|user ... list LIST [NAME]`,
    LIST asking RADIUS group ``group``): ``kind`` is `group` or `user`, ``username`` the
    User-Name sent."""

    kind: str
    group: str
    username: str


@dataclass(frozen=True)
class AuthorizationAnswer:
    """AAA's answers to a peer's `AaaQuestion`s: each kind's Access-Accept `Cisco-AVPair`
    values; ``reason`` (IOS's words) when one was rejected or not answered."""

    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reason: str = ""


AaaReply = EapRelayAnswer | PskAnswer | AuthorizationAnswer  # AAA's answer to an AaaRequest


class EapDirectory(Protocol):
    def users(self, profile: str) -> Users | EapRelay | str:
        """The accounts EAP checks for peers of server profile ``profile``, or the AAA group
        it relays EAP to; why there are none (IOS's words) when it cannot authenticate
        anybody."""
        ...

    def credentials(self, profile: str) -> EapCredentials | str:
        """What client profile ``profile`` presents; why it has nothing to present."""
        ...

    def psk_group(self, profile: str) -> str | None:
        """The AAA group asked for each peer's keys (`keyring aaa LIST`, LIST's first
        method `group NAME`); None: the keys are the configuration's."""
        ...

    def psk_user(self, profile: str, remote_id: Identity) -> str | None:
        """The User-Name the keys of peer ``remote_id`` are asked for: its identity, or the
        name `keyring aaa LIST name-mangler M` derives (None: M derives none)."""
        ...
