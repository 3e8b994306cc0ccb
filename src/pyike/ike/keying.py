"""The key exchange of an IKE SA (RFC 7296 sections 1.2, 1.3.2 and 2.14), one piece of code
for IKE_SA_INIT and for the IKE SA rekey: the proposals offered or chosen, the KE payload and
its INVALID_KE_PAYLOAD retry, the nonces, the Diffie-Hellman secret and the SK_* keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyike.codec import KePayload, NoncePayload, NotifyPayload, SaPayload
from pyike.codec.errors import DecodeError
from pyike.codec.notify_data import invalid_ke_group, invalid_ke_notify
from pyike.codec.registry import DhId, NotifyType, PrfId
from pyike.crypto import catalogue
from pyike.crypto.dh import KeyExchange, new_key_exchange
from pyike.crypto.errors import CryptoError
from pyike.crypto.keys import derive_ike_keys, derive_rekeyed_ike_keys
from pyike.ike.policy import IkeProposalSpec
from pyike.ike.proposals import IkeChoice, accepted_ike, ike_sa_payload, select_ike

if TYPE_CHECKING:
    from pyike.ike.ike_sa import IkeSa

MIN_NONCE = 20  # what IOS sends (the seed's Nonce payloads are 24 octets long)
MAX_INVALID_KE_RETRIES = 2


def nonce_size(specs: list[IkeProposalSpec]) -> int:
    """At least half the key size of the strongest PRF offered (RFC 7296 section 2.10)."""
    sizes = [_prf_key_size(p) for spec in specs for p in spec.prf]
    return max([MIN_NONCE, *[s // 2 for s in sizes]])


def _prf_key_size(prf_id: PrfId) -> int:
    entry = catalogue.prf(prf_id)
    return 32 if entry is None else entry.key_size


class KeyingError(Exception):
    """The exchange cannot go on: the notify to send or report, and why."""

    def __init__(self, notify: NotifyType | None, reason: str, data: bytes = b"") -> None:
        super().__init__(reason)
        self.notify = notify
        self.reason = reason
        self.data = data


@dataclass
class Keying:
    """A Diffie-Hellman exchange and the two nonces of one exchange: the IKE SA's (IKE_SA_INIT,
    IKE SA rekey) or a Child SA's (CREATE_CHILD_SA, with PFS when ``group`` is set)."""

    random_bytes: Callable[[int], bytes]
    group: DhId | None = None
    dh: KeyExchange | None = None
    nonce: bytes = b""  # ours
    peer_nonce: bytes = b""
    peer_ke: bytes = b""
    shared: bytes = field(default=b"", repr=False)

    def generate(self) -> None:
        """A new key pair for ``group``."""
        assert self.group is not None
        try:
            self.dh = new_key_exchange(self.group, self.random_bytes)
        except CryptoError as exc:
            raise KeyingError(
                NotifyType.NO_PROPOSAL_CHOSEN, f"Failed to generate DH key: {exc}"
            ) from None

    def draw_nonce(self, size: int) -> bytes:
        """Our nonce, drawn once (kept when a request is sent again)."""
        if not self.nonce:
            self.nonce = self.random_bytes(size)
        return self.nonce

    def ke_payload(self) -> KePayload:
        assert self.dh is not None and self.group is not None
        return KePayload(self.group, self.dh.public_key())

    def compute_secret(self) -> None:
        assert self.dh is not None
        try:
            self.shared = self.dh.shared_secret(self.peer_ke)
        except CryptoError as exc:
            raise KeyingError(
                NotifyType.INVALID_SYNTAX, f"Failed to compute DH secret: {exc}"
            ) from None

    def take_secret(self) -> bytes | None:
        """The DH secret for the key derivation, forgotten here (None without a DH)."""
        shared, self.shared = self.shared, b""
        return shared if self.dh is not None else None


@dataclass
class IkeKeying(Keying):
    """The key exchange of an IKE SA with the proposals ``specs`` of the local address."""

    specs: list[IkeProposalSpec] = field(default_factory=list)
    offer: SaPayload | None = None  # the initiator's, to check the answer against
    choice: IkeChoice | None = None
    retries: int = 0

    def nonce_payload(self) -> NoncePayload:
        return NoncePayload(self.draw_nonce(nonce_size(self.specs)))

    def install(self, sa: IkeSa, rekeyed: IkeSa | None = None) -> None:
        """The new SA's nonces and keys: from the DH secret and the nonces, and for a rekey
        from the SK_d of the SA it replaces (``rekeyed``) too. The secret is forgotten."""
        assert self.choice is not None
        suite = self.choice.suite
        shared, self.shared = self.shared, b""
        ni, nr = (self.nonce, self.peer_nonce) if sa.initiator else (self.peer_nonce, self.nonce)
        if rekeyed is None:
            _, keys = derive_ike_keys(suite, shared, ni, nr, sa.spi_i, sa.spi_r)
        else:
            old_suite, old_keys = rekeyed.suite, rekeyed.keys
            assert old_suite is not None and old_keys is not None
            _, keys = derive_rekeyed_ike_keys(
                suite, old_keys.sk_d, shared, ni, nr, sa.spi_i, sa.spi_r, old_prf=old_suite.prf
            )
        sa.ni, sa.nr = ni, nr
        sa.install_keys(suite, keys)

    def load_specs(self, sa: IkeSa) -> list[IkeProposalSpec]:
        """The proposals configured for the SA's local address, announced as IOS does."""
        self.specs = list(sa.ctx.policy.ike_proposals(sa.local))
        for spec in self.specs:
            sa.ctx.info(None, f"Adding Proposal {spec.name} to toolkit policy")
        return self.specs

    # --- initiator --------------------------------------------------------------------------

    def offer_payload(self, spi: bytes = b"") -> SaPayload:
        self.offer = ike_sa_payload(self.specs, spi)
        return self.offer

    def accept(self, answer: SaPayload, ke: KePayload, nonce: NoncePayload) -> IkeChoice:
        """The responder's choice, checked against what we offered."""
        assert self.offer is not None
        choice = accepted_ike(self.offer, answer)
        if choice is None:
            raise KeyingError(
                NotifyType.NO_PROPOSAL_CHOSEN, "Responder chose a proposal that was not offered"
            )
        if ke.group != choice.suite.dh or ke.group != self.group:
            raise KeyingError(
                NotifyType.INVALID_KE_PAYLOAD,
                "Responder KE group does not match the chosen proposal",
            )
        self.choice = choice
        self.peer_nonce = nonce.data
        self.peer_ke = ke.data
        return choice

    def retry_group(self, notify: NotifyPayload) -> DhId:
        """The group the responder asked for with INVALID_KE_PAYLOAD, when we offered it and
        have not tried it (RFC 7296 section 1.2)."""
        try:
            group = invalid_ke_group(notify)
        except DecodeError as exc:
            raise KeyingError(None, f"Malformed INVALID_KE_PAYLOAD: {exc.detail}") from None
        offered = {g for spec in self.specs for g in spec.groups}
        if group not in offered or group == self.group or self.retries >= MAX_INVALID_KE_RETRIES:
            raise KeyingError(
                NotifyType.INVALID_KE_PAYLOAD,
                f"Peer requested DH group {int(group)}, which was not offered",
            )
        self.retries += 1
        return DhId(group)

    # --- responder --------------------------------------------------------------------------

    def select(
        self, offered: SaPayload, ke: KePayload, nonce: NoncePayload, prefer_own: bool
    ) -> IkeChoice:
        """Our choice from the initiator's offer; INVALID_KE_PAYLOAD naming our group when its
        KE is for another."""
        choice = select_ike(self.specs, offered, int(ke.group), prefer_own)
        if choice is None:
            raise KeyingError(NotifyType.NO_PROPOSAL_CHOSEN, "Failed to find a matching policy")
        if ke.group != choice.suite.dh:
            raise KeyingError(
                NotifyType.INVALID_KE_PAYLOAD,
                f"KE payload group {int(ke.group)} is not the selected group "
                f"{int(choice.suite.dh)}",
                invalid_ke_notify(choice.suite.dh).data,
            )
        self.choice = choice
        self.group = choice.suite.dh
        self.peer_nonce = nonce.data
        self.peer_ke = ke.data
        return choice
