"""IkeEngine: one per router. Datagrams, time and commands go in; datagrams, events, trace
records and the next deadline come out. It never reads a clock, an RNG or a socket."""

from __future__ import annotations

import heapq
from collections.abc import Callable

from pyike.codec import (
    IkeHeader,
    Message,
    NoncePayload,
    NotifyPayload,
    Payload,
    SaPayload,
    SkfPayload,
    SkPayload,
    decode_header,
    decode_message,
    encode_message,
    make_flags,
    open_protected_fragment,
)
from pyike.codec.errors import DecodeError
from pyike.codec.notify_data import cookie_notify, cookie_value
from pyike.codec.protect import open_decoded
from pyike.codec.registry import ExchangeType, NotifyType, ProtocolId
from pyike.codec.udp_encap import NAT_T_PORT, NON_ESP_MARKER, NatTPayload, nat_t_payload
from pyike.crypto.errors import CryptoError
from pyike.ike import child_create, informational, timers
from pyike.ike.child_create import ChildCreateResponse
from pyike.ike.context import Context, TrafficSource
from pyike.ike.eap_directory import AuthorizationAnswer, EapRelayAnswer, PskAnswer
from pyike.ike.events import (
    CookieChecked,
    Datagram,
    Endpoint,
    EngineEvent,
    InitRequestRefused,
    IPAddress,
    MessageDropped,
)
from pyike.ike.fragments import MAX_FRAGMENTS, FragmentBuffer
from pyike.ike.handshake import Handshake
from pyike.ike.ike_rekey import IkeRekeyResponse, start_ike_rekey
from pyike.ike.ike_sa import IkeSa
from pyike.ike.informational import InfoResponse
from pyike.ike.policy import EngineSettings, Policy, TunnelSpec
from pyike.ike.states import EV, State
from pyike.ike.succession import claim_children
from pyike.ike.task import Response
from pyike.ike.trace import Direction, TraceKind, TraceRecord
from pyike.ike.window import Verdict

# Beyond this many SAs touched since the last next_deadline(), every SA is looked at again.
_TOUCHED_LIMIT = 1024
# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_READY = State.READY
_IKE_SA_INIT, _IKE_AUTH = ExchangeType.IKE_SA_INIT, ExchangeType.IKE_AUTH
_RECEIVED = Direction.RECEIVED


class IkeEngine:
    def __init__(
        self,
        policy: Policy,
        random_bytes: Callable[[int], bytes],
        traffic: TrafficSource | None = None,
    ) -> None:
        """``traffic``: the ESP layer (the SA database), asked when Child SAs last sent and
        received packets: dead peer detection counts ESP from the peer as hearing from it,
        and on-demand DPD checks only a peer that traffic was sent to."""
        self._ctx = Context(policy, random_bytes, traffic, timers.DEADLINE_INPUTS)
        self._handshakes: dict[int, Handshake] = {}
        # Each SA's next deadline, and a heap of them (entries no longer in `_deadline_of`
        # are stale and skipped): next_deadline() looks again only at the SAs the inputs
        # since the previous call touched, not at every SA.
        self._deadline_of: dict[int, float] = {}
        self._deadline_heap: list[tuple[float, int]] = []
        self._rescan = True
        self._settings_seen: EngineSettings | None = None

    # --- tracing ----------------------------------------------------------------------------

    @property
    def trace_kinds(self) -> frozenset[TraceKind]:
        """The kinds of TraceRecord the engine makes (all of them unless narrowed): a sink
        that shows no debug output needs no SM, info or error records."""
        return self._ctx.trace_kinds

    @trace_kinds.setter
    def trace_kinds(self, kinds: frozenset[TraceKind]) -> None:
        self._ctx.trace_kinds = kinds

    # --- inspection -------------------------------------------------------------------------

    @property
    def ike_sas(self) -> list[IkeSa]:
        """The SAs this engine holds (read them, do not change them)."""
        return list(self._ctx.sas.values())

    def ike_sa(self, sa_id: int) -> IkeSa | None:
        return self._ctx.sas.get(sa_id)

    @property
    def retransmissions(self) -> int:
        """Requests sent again for want of a response, since the engine started."""
        return self._ctx.retransmissions

    def ike_sas_with_peer(self, address: IPAddress) -> list[IkeSa]:
        """The SAs with the peer at ``address``, oldest first (read them, do not change them)."""
        return self._ctx.by_peer.get(str(address))

    # --- outputs ----------------------------------------------------------------------------

    def datagrams_to_send(self) -> list[Datagram]:
        out, self._ctx.datagrams = self._ctx.datagrams, []
        return out

    def events(self) -> list[EngineEvent]:
        out, self._ctx.events = self._ctx.events, []
        return out

    def trace(self) -> list[TraceRecord]:
        out, self._ctx.trace = self._ctx.trace, []
        return out

    def next_deadline(self) -> float | None:
        ctx = self._ctx
        touched = ctx.touched
        if self._rescan or ctx.settings is not self._settings_seen:
            self._rescan_deadlines()
        elif touched:
            # An SA's rekey partner may change with it (a rekey moves work between them).
            related = set(touched)
            for sa_id in touched:
                sa = ctx.sas.get(sa_id)
                if sa is not None:
                    if sa.rekeyed_to is not None:
                        related.add(sa.rekeyed_to.sa_id)
                    if sa.rekeyed_from is not None:
                        related.add(sa.rekeyed_from)
            for sa_id in related:
                self._update_deadline(sa_id)
        touched.clear()
        heap = self._deadline_heap
        while heap:
            at, sa_id = heap[0]
            if self._deadline_of.get(sa_id) == at:
                return at
            heapq.heappop(heap)
        return None

    def scan_deadline(self) -> float | None:
        """What next_deadline() returns, found by looking at every SA."""
        found = [
            at for sa in self._ctx.sas.values() if (at := timers.next_deadline(sa)) is not None
        ]
        return min(found, default=None)

    def _rescan_deadlines(self) -> None:
        self._rescan = False
        self._settings_seen = self._ctx.settings
        self._deadline_of = {
            sa_id: at
            for sa_id, sa in self._ctx.sas.items()
            if (at := timers.next_deadline(sa)) is not None
        }
        self._deadline_heap = [(at, sa_id) for sa_id, at in self._deadline_of.items()]
        heapq.heapify(self._deadline_heap)

    def _update_deadline(self, sa_id: int) -> None:
        sa = self._ctx.sas.get(sa_id)
        at = None if sa is None else timers.next_deadline(sa)
        if at == self._deadline_of.get(sa_id):
            return
        if at is None:
            del self._deadline_of[sa_id]
            return
        self._deadline_of[sa_id] = at
        heapq.heappush(self._deadline_heap, (at, sa_id))
        if len(self._deadline_heap) > 2 * len(self._deadline_of) + 64:
            self._deadline_heap = [(t, i) for i, t in self._deadline_of.items()]
            heapq.heapify(self._deadline_heap)

    # --- commands ---------------------------------------------------------------------------

    def initiate(self, now: float, tunnel: TunnelSpec) -> int:
        """What a router does when traffic hits a tunnel or crypto map with no SA: starts
        IKE_SA_INIT with ``tunnel.remote``. Returns the new SA's id."""
        ctx = self._ctx
        ctx.now = now  # only the new SA's deadlines change
        ctx.info(None, f"% Getting preshared key from address {tunnel.remote.host}")
        sa = IkeSa(
            ctx,
            initiator=True,
            local=tunnel.local,
            remote=tunnel.remote,
            spi_i=ctx.new_spi(8),
        )
        sa.tunnel = tunnel
        ctx.add(sa, sa.spi_i)
        ctx.info(None, f"({sa.sa_id}): Choosing IKE profile {tunnel.profile}")
        ctx.info(None, "New ikev2 sa request admitted")
        ctx.info(None, "Incrementing outgoing negotiating sa count by one")
        handshake = Handshake(sa, tunnel)
        self._handshakes[sa.sa_id] = handshake
        self._guarded(lambda: handshake.run(EV.EV_INIT_SA))
        return sa.sa_id

    def delete_ike_sa(self, now: float, sa_id: int, reason: str = "Deleted by user") -> None:
        self._on_sa(now, sa_id, lambda sa: informational.delete_ike(sa, reason))

    def delete_child_sa(
        self, now: float, sa_id: int, spi_in: bytes, reason: str = "Deleted by user"
    ) -> None:
        self._on_sa(now, sa_id, lambda sa: informational.delete_child(sa, spi_in, reason))

    def clear(self, now: float, peer: Endpoint | None = None) -> None:
        """`clear crypto ikev2 sa [peer ADDR]` / `clear crypto session`: delete (and tell the
        peer) every SA, or those with one peer."""
        self._command(now)
        for sa in list(self._ctx.sas.values()):
            if peer is None or sa.remote.address == peer.address:
                self._guarded(lambda sa=sa: informational.delete_ike(sa, "Cleared by user"))  # type: ignore[misc]

    def rekey_ike_sa(self, now: float, sa_id: int) -> None:
        self._on_sa(now, sa_id, start_ike_rekey)

    def rekey_child_sa(self, now: float, sa_id: int, spi_in: bytes) -> None:
        self._on_sa(now, sa_id, lambda sa: child_create.start_rekey(sa, spi_in))

    def create_child_sa(
        self, now: float, sa_id: int, tunnel: TunnelSpec, *, if_missing: bool = False
    ) -> None:
        """A further Child SA on an established IKE SA (another crypto map entry).
        ``if_missing``: only if, when its turn comes, ``tunnel`` has no Child SA yet (what a
        tunnel that lost its SA asks for)."""
        self._on_sa(
            now, sa_id, lambda sa: child_create.start_new(sa, tunnel, if_missing=if_missing)
        )

    def eap_answer(self, now: float, sa_id: int, answer: EapRelayAnswer) -> None:
        """AAA's answer to the `EapRelayRequest` of IKE SA ``sa_id`` (ike/eap_auth.py)."""
        self._on_handshake(now, sa_id, lambda handshake: handshake.eap_answer(answer))

    def psk_answer(self, now: float, sa_id: int, answer: PskAnswer) -> None:
        """AAA's keys for the peer of IKE SA ``sa_id`` (its `PskRequest`, ike/aaa_keys.py)."""
        self._on_handshake(now, sa_id, lambda handshake: handshake.psk_answer(answer))

    def authorization_answer(self, now: float, sa_id: int, answer: AuthorizationAnswer) -> None:
        """AAA's authorization of the peer of IKE SA ``sa_id`` (its `AuthorizationRequest`,
        ike/aaa_authorization.py)."""
        self._on_handshake(now, sa_id, lambda handshake: handshake.authorization_answer(answer))

    def _on_handshake(self, now: float, sa_id: int, work: Callable[[Handshake], None]) -> None:
        """An answer for the handshake of IKE SA ``sa_id``; ignored when that SA no longer
        waits for one."""
        self._ctx.now = now
        handshake = self._handshakes.get(sa_id)
        if handshake is not None:
            self._guarded(lambda: work(handshake))
            self._forget_finished_handshakes()

    def send_dpd(self, now: float, sa_id: int) -> None:
        """A liveness check now, whatever the DPD settings."""
        self._on_sa(now, sa_id, informational.start_dpd)

    def report_child_usage(self, now: float, spi_in: bytes, kilobytes: int) -> None:
        """The ESP layer's byte count for a Child SA: rekeyed at its soft kilobyte limit."""
        self._ctx.now = now
        for sa in list(self._ctx.sas.values()):
            child = sa.find_child(spi_in, inbound=True)
            if child is not None:
                child.kilobytes_used = kilobytes
                self._ctx.touched.add(sa.sa_id)  # its Child SA's rekey may be due now
                self._guarded(lambda sa=sa: timers.check(sa, now))  # type: ignore[misc]

    def handle_timer(self, now: float) -> None:
        """Does what is due at ``now``. Only SAs whose deadline has come are looked at, in
        table order, as a walk over the whole table would meet them: one that another's work
        makes due meanwhile is looked at in this walk when it comes later in the table, else
        at the next timer; SAs made meanwhile wait for the next timer."""
        ctx = self._ctx
        ctx.now = now
        self.next_deadline()  # the heap is up to date
        last = ctx.last_position
        walk: list[tuple[int, int]] = []  # (position, sa_id), visited in order
        self._take_due(now, walk, -1, last)
        while walk:
            position, sa_id = heapq.heappop(walk)
            sa = ctx.sas.get(sa_id)
            if sa is None:
                continue
            ctx.touched.add(sa_id)  # its deadline is looked at again below
            if not sa.closed:
                self._guarded(lambda sa=sa: sa.retransmit_due(now))  # type: ignore[misc]
            if not sa.closed:
                self._guarded(lambda sa=sa: timers.check(sa, now))  # type: ignore[misc]
            self._forget_finished_handshakes()
            self.next_deadline()
            self._take_due(now, walk, position, last)

    def _take_due(self, now: float, walk: list[tuple[int, int]], after: int, last: int) -> None:
        """Moves the SAs due at ``now`` whose table position is in (after, last] from the
        deadline heap to ``walk``."""
        heap, position = self._deadline_heap, self._ctx.position
        passed = []
        while heap and heap[0][0] <= now:
            at, sa_id = heapq.heappop(heap)
            if self._deadline_of.get(sa_id) != at:
                continue  # stale
            place = position.get(sa_id, -1)
            if after < place <= last:
                del self._deadline_of[sa_id]
                heapq.heappush(walk, (place, sa_id))
            else:
                passed.append((at, sa_id))
        for entry in passed:
            heapq.heappush(heap, entry)

    # --- receiving --------------------------------------------------------------------------

    def receive_datagram(self, now: float, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        self._ctx.now = now
        self._guarded(lambda: self._receive(local, remote, data))
        self._forget_finished_handshakes()

    def _guarded(self, work: Callable[[], object]) -> None:
        """Runs one input's work. Bad input is handled where it is found; anything escaping
        here is a pyike bug, recorded rather than allowed to take the router down."""
        try:
            work()
        except Exception as exc:
            self._rescan = True  # the work may have stopped halfway, anywhere
            self._ctx.error(None, f"internal error: {type(exc).__name__}: {exc}")
        if len(self._ctx.touched) > _TOUCHED_LIMIT:
            self._ctx.touched.clear()
            self._rescan = True

    def _on_sa(self, now: float, sa_id: int, work: Callable[[IkeSa], object]) -> None:
        """A command on the SA ``sa_id``, if it still exists (the SAs its work changes are
        marked touched as by any input's)."""
        self._ctx.now = now
        sa = self._ctx.sas.get(sa_id)
        if sa is not None:
            self._ctx.touched.add(sa_id)
            self._guarded(lambda: work(sa))

    def _command(self, now: float) -> None:
        """A command that may change any SA: all are looked at afterwards."""
        self._ctx.now = now
        self._rescan = True

    def _forget_finished_handshakes(self) -> None:
        """Drops the handshakes that ended; only SAs the input touched can have ended one
        (their machine ran, or they closed), unless the touched set overflowed."""
        handshakes = self._handshakes
        candidates = handshakes if self._rescan else self._ctx.touched
        for sa_id in [i for i in candidates if i in handshakes]:
            sa = handshakes[sa_id].sa
            if sa.closed or sa.machine.state is _READY:
                handshakes.pop(sa_id).close()

    def _drop(self, sa_id: int | None, why: str) -> None:
        self._ctx.error(sa_id, f"Dropping packet: {why}")
        self._ctx.emit(MessageDropped(self._ctx.now, sa_id, why))

    def _receive(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        ctx = self._ctx
        if local.port == NAT_T_PORT:
            kind, data = nat_t_payload(data)
            if kind == NatTPayload.KEEPALIVE:
                return
            if kind == NatTPayload.ESP:
                self._drop(None, "ESP packet on port 4500 is not for IKE")
                return
        try:
            header = decode_header(data)
        except DecodeError as exc:
            self._drop(None, str(exc))
            if exc.notify == NotifyType.INVALID_MAJOR_VERSION and len(data) >= 28:
                self._answer_unprotected(local, remote, data, exc.notify)
            return
        if header.exchange_type == _IKE_SA_INIT:
            if header.response:
                self._init_response(local, remote, data, header)
            else:
                self._init_request(local, remote, data, header)
            return
        own_spi = header.spi_r if header.initiator else header.spi_i
        sa = ctx.by_spi.get(own_spi)
        if sa is None or (sa.spi_i, sa.spi_r) != (header.spi_i, header.spi_r):
            self._drop(None, f"no IKE SA for SPIs {header.spi_i.hex()}/{header.spi_r.hex()}")
            return
        ctx.touched.add(sa.sa_id)
        if header.initiator == sa.initiator:
            self._drop(sa.sa_id, "initiator flag contradicts the SA's roles")
            return
        if header.response:
            self._response(sa, local, remote, data, header)
        else:
            self._request(sa, local, remote, data, header)

    def _answer_unprotected(
        self,
        local: Endpoint,
        remote: Endpoint,
        data: bytes,
        notify: NotifyType,
        payload: bytes = b"",
    ) -> None:
        spi_i = data[:8]
        header = IkeHeader(
            spi_i=spi_i,
            spi_r=data[8:16] if len(data) >= 16 else bytes(8),
            exchange_type=data[18] if len(data) > 18 else ExchangeType.INFORMATIONAL,
            flags=make_flags(initiator=False, response=True),
            message_id=int.from_bytes(data[20:24], "big") if len(data) >= 24 else 0,
        )
        message = Message(header, [NotifyPayload(notify, payload)])
        self._ctx.packet(None, Direction.SENT, local, remote, message, None)
        out = encode_message(message)
        self._ctx.send(local, remote, NON_ESP_MARKER + out if local.port == NAT_T_PORT else out)

    def _init_request(
        self, local: Endpoint, remote: Endpoint, data: bytes, header: IkeHeader
    ) -> None:
        ctx = self._ctx
        if header.spi_r != bytes(8) or header.message_id != 0:
            self._drop(None, "IKE_SA_INIT request with a responder SPI or message ID")
            return
        existing = next(iter(ctx.by_init_request.get((remote.host, header.spi_i))), None)
        if existing is not None:
            ctx.touched.add(existing.sa_id)
            if existing.responses.classify(0) == Verdict.RETRANSMIT:
                existing.resend_response(0)
            else:
                self._drop(existing.sa_id, "IKE_SA_INIT retransmission still in progress")
            return
        try:
            message = decode_message(data, header)
        except DecodeError as exc:
            self._drop(None, str(exc))
            if exc.notify != NotifyType.INVALID_SYNTAX:
                self._answer_unprotected(local, remote, data, exc.notify, exc.notify_data)
            return
        ctx.packet(None, _RECEIVED, local, remote, message, None)
        settings = ctx.settings
        half_open = ctx.half_open_count()
        if settings.max_in_negotiation is not None and half_open >= settings.max_in_negotiation:
            self._drop(None, "maximum number of in-negotiation SAs reached")
            ctx.emit(InitRequestRefused(ctx.now, remote))
            return
        challenge = settings.cookie_challenge
        if (
            challenge is not None
            and half_open >= challenge
            and not self._cookie_ok(local, remote, message)
        ):
            return
        ctx.info(None, "New ikev2 sa request admitted")
        ctx.info(None, "Incrementing incoming negotiating sa count by one")
        sa = IkeSa(
            ctx,
            initiator=False,
            local=local,
            remote=remote,
            spi_i=header.spi_i,
            spi_r=ctx.new_spi(8),
        )
        ctx.add(sa, sa.spi_r)
        handshake = Handshake(sa, None)
        self._handshakes[sa.sa_id] = handshake
        handshake.deliver(message, message.payloads, EV.EV_RECV_INIT)

    def _cookie_ok(self, local: Endpoint, remote: Endpoint, message: Message) -> bool:
        """Stateless cookie check: True when the request carries a valid cookie; otherwise
        the cookie is sent and the request forgotten."""
        ctx = self._ctx
        nonce = message.first(NoncePayload)
        first = message.payloads[0] if message.payloads else None
        if nonce is None:
            self._drop(None, "IKE_SA_INIT request without a nonce")
            return False
        if isinstance(first, NotifyPayload) and first.notify_type == NotifyType.COOKIE:
            try:
                cookie = cookie_value(first)
            except DecodeError:
                cookie = b""
            valid = ctx.cookies.verify(
                ctx.now, cookie, nonce.data, remote.address, message.header.spi_i
            )
            ctx.emit(CookieChecked(ctx.now, remote, valid))
            if valid:
                ctx.info(None, "Valid cookie received")
                return True
            self._drop(None, "invalid cookie")
        ctx.info(None, "Sending cookie challenge: too many half-open SAs")
        cookie = ctx.cookies.make(ctx.now, nonce.data, remote.address, message.header.spi_i)
        header = IkeHeader(
            spi_i=message.header.spi_i,
            exchange_type=ExchangeType.IKE_SA_INIT,
            flags=make_flags(initiator=False, response=True),
        )
        reply = Message(header, [cookie_notify(cookie)])
        ctx.packet(None, Direction.SENT, local, remote, reply, None)
        ctx.send(local, remote, encode_message(reply))
        return False

    def _init_response(
        self, local: Endpoint, remote: Endpoint, data: bytes, header: IkeHeader
    ) -> None:
        ctx = self._ctx
        sa = ctx.by_spi.get(header.spi_i)
        if (
            sa is None
            or not sa.initiator
            or sa.machine.state != State.I_WAIT_INIT
            or 0 not in sa.requests.outstanding
            or header.message_id != 0
        ):
            self._drop(None, "unexpected IKE_SA_INIT response")
            return
        ctx.touched.add(sa.sa_id)
        try:
            message = decode_message(data, header)
        except DecodeError as exc:
            self._drop(sa.sa_id, str(exc))
            return
        ctx.packet(sa.sa_id, _RECEIVED, local, remote, message, None)
        request = sa.requests.outstanding.pop(0)
        sa.last_heard = ctx.now
        request.on_response(message, message.payloads)

    def _open(
        self, sa: IkeSa, local: Endpoint, remote: Endpoint, data: bytes, header: IkeHeader
    ) -> tuple[Message, list[Payload]] | DecodeError | None:
        """Decrypts a protected message: (message, inner payloads); None when it must be
        dropped or is an incomplete set of fragments; a DecodeError for an authentic
        message whose inner payloads are malformed."""
        cipher = sa.cipher_in
        if cipher is None:
            self._drop(sa.sa_id, "protected message before keys exist")
            return None
        try:
            message = decode_message(data, header)
        except DecodeError as exc:
            self._drop(sa.sa_id, str(exc))
            return None
        last = message.payloads[-1] if message.payloads else None
        try:
            if isinstance(last, SkfPayload):
                return self._fragment(sa, local, remote, data, message)
            if not isinstance(last, SkPayload):
                self._drop(sa.sa_id, "message after IKE_SA_INIT is not encrypted")
                return None
            try:
                inner = open_decoded(message, data, cipher)
            except DecodeError as exc:
                self._ctx.packet(sa.sa_id, _RECEIVED, local, remote, message, None)
                return exc
        except CryptoError as exc:
            self._drop(sa.sa_id, f"failed to verify integrity of message: {exc}")
            return None
        self._ctx.packet(sa.sa_id, _RECEIVED, local, remote, message, inner)
        return message, inner

    def _fragment(
        self, sa: IkeSa, local: Endpoint, remote: Endpoint, data: bytes, message: Message
    ) -> tuple[Message, list[Payload]] | DecodeError | None:
        cipher = sa.cipher_in
        assert cipher is not None
        _, skf, chunk = open_protected_fragment(data, cipher)
        message_id = message.header.message_id
        self._ctx.packet(sa.sa_id, _RECEIVED, local, remote, message, None)
        if skf.total_fragments > MAX_FRAGMENTS:
            self._drop(sa.sa_id, f"{skf.total_fragments} fragments exceed the limit")
            return None
        buffer = sa.fragment_buffers.setdefault(message_id, FragmentBuffer(skf.total_fragments))
        if not buffer.add(
            skf.fragment_number, skf.total_fragments, int(skf.first_inner_type), chunk
        ):
            self._drop(sa.sa_id, "fragment contradicts the others of its message")
            return None
        if not buffer.complete:
            return None
        del sa.fragment_buffers[message_id]
        try:
            inner = buffer.payloads()
        except DecodeError as exc:
            return exc
        sa.info(f"Reassembled {buffer.total} fragments of message id {message_id}")
        return message, inner

    def _response(
        self, sa: IkeSa, local: Endpoint, remote: Endpoint, data: bytes, header: IkeHeader
    ) -> None:
        request = sa.requests.outstanding.get(header.message_id)
        if request is None or request.exchange != header.exchange_type:
            self._drop(sa.sa_id, f"unexpected response with message id {header.message_id}")
            return
        opened = self._open(sa, local, remote, data, header)
        if opened is None:
            return
        if isinstance(opened, DecodeError):
            self._drop(sa.sa_id, f"malformed response: {opened}")
            return
        message, inner = opened
        if sa.requests.outstanding.get(header.message_id) is not request:
            return
        del sa.requests.outstanding[header.message_id]
        sa.last_heard = self._ctx.now
        self._follow_nat(sa, local, remote)
        request.on_response(message, inner)
        sa.pump()

    def _follow_nat(self, sa: IkeSa, local: Endpoint, remote: Endpoint) -> None:
        """A peer behind a NAT may appear from a new address or port (RFC 7296 2.23)."""
        if sa.nat.nat_detected and (sa.remote != remote or sa.local != local):
            sa.info(f"Peer address changed to {remote}")
            sa.remote, sa.local = remote, local

    def _request(
        self, sa: IkeSa, local: Endpoint, remote: Endpoint, data: bytes, header: IkeHeader
    ) -> None:
        message_id = header.message_id
        verdict = sa.responses.classify(message_id)
        if verdict == Verdict.DROP:
            self._drop(
                sa.sa_id,
                f"request has mess_id {message_id}; expected {sa.responses.range_text}",
            )
            return
        opened = self._open(sa, local, remote, data, header)
        if opened is None:
            return
        if verdict == Verdict.RETRANSMIT:
            sa.resend_response(message_id)
            return
        sa.last_heard = self._ctx.now
        self._follow_nat(sa, local, remote)
        exchange = header.exchange_type
        if isinstance(opened, DecodeError):
            sa.error(f"Malformed request: {opened}")
            sa.respond(
                as_exchange(exchange),
                message_id,
                [NotifyPayload(opened.notify, opened.notify_data)],
            )
            return
        message, inner = opened
        if exchange == _IKE_AUTH:
            handshake = self._handshakes.get(sa.sa_id)
            event = None if handshake is None else handshake.auth_request_event(message_id)
            if handshake is None or event is None:
                self._drop(sa.sa_id, "IKE_AUTH request out of sequence")
                return
            handshake.deliver(message, inner, event)
        elif not sa.established:
            self._drop(sa.sa_id, f"{as_exchange(exchange).name} before the SA is established")
        else:
            response = responder_for(sa, exchange, message_id, inner)
            if response is None:
                self._drop(sa.sa_id, f"unsupported exchange type {int(exchange)}")
                return
            claim_children(sa)
            response.respond()


def as_exchange(value: int) -> ExchangeType:
    try:
        return ExchangeType(value)
    except ValueError:
        return ExchangeType.INFORMATIONAL


def _create_child_response(sa: IkeSa, message_id: int, payloads: list[Payload]) -> Response:
    """A CREATE_CHILD_SA request rekeys the IKE SA when its SA payload is for IKE."""
    offer = next((p for p in payloads if isinstance(p, SaPayload)), None)
    if offer is not None and offer.proposals and offer.proposals[0].protocol == ProtocolId.IKE:
        return IkeRekeyResponse(sa, message_id, payloads)
    return ChildCreateResponse(sa, message_id, payloads)


# The responder half for each exchange on an established SA (IKE_SA_INIT and IKE_AUTH are
# the handshake's).
RESPONDERS: dict[int, Callable[[IkeSa, int, list[Payload]], Response]] = {
    ExchangeType.CREATE_CHILD_SA: _create_child_response,
    ExchangeType.INFORMATIONAL: InfoResponse,
}


def responder_for(
    sa: IkeSa, exchange: int, message_id: int, payloads: list[Payload]
) -> Response | None:
    make = RESPONDERS.get(exchange)
    return None if make is None else make(sa, message_id, payloads)
