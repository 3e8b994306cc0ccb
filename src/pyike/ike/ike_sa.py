"""An IKE SA: its keys, message IDs, children, timers, and how it sends and answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from pyike.codec import (
    IkeHeader,
    Message,
    Payload,
    decode_header,
    decode_message,
    encode_message,
    encode_protected,
    make_flags,
)
from pyike.codec.registry import ExchangeType, NotifyType
from pyike.codec.udp_encap import NAT_T_PORT, NON_ESP_MARKER
from pyike.crypto.keys import IkeKeys, IkeSuite
from pyike.crypto.sk import IkeSkCipher
from pyike.ike import fragments
from pyike.ike.child_sa import ChildSa
from pyike.ike.events import (
    ChildSaDeleted,
    ChildSaInstalled,
    Endpoint,
    IkeSaDown,
    IkeSaUp,
    NegotiationFailed,
)
from pyike.ike.fragments import FragmentBuffer
from pyike.ike.fsm import Machine
from pyike.ike.natd import NOT_CHECKED
from pyike.ike.policy import (
    DEFAULT_IKE_LIFETIME,
    Identity,
    IkeProposalSpec,
    ProfileSpec,
    TunnelSpec,
)
from pyike.ike.rekey_outcome import OwnIkeRekey, RekeyOutcome
from pyike.ike.retransmit import Outstanding
from pyike.ike.states import State
from pyike.ike.trace import Direction, SmTracing
from pyike.ike.window import RequestWindow, ResponderWindow

if TYPE_CHECKING:
    from pyike.ike.context import Context
    from pyike.ike.task import Request


ResponseHandler = Callable[[Message, list[Payload]], None]
V = TypeVar("V")
# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_IKE_SA_INIT = ExchangeType.IKE_SA_INIT
_IDLE, _SENT = State.IDLE, Direction.SENT


def ike_rekey_delay(lifetime: int) -> float:
    """When IOS rekeys an IKE SA after it came up. Modelled on the seed document only: a
    120 s lifetime is rekeyed 61 s in, i.e. half the lifetime plus one second."""
    return lifetime / 2 + 1


class Watched(Generic[V]):
    """An IkeSa attribute whose setting the SA's context may watch (Context.watched_attributes):
    the SA's deadlines (timers.DEADLINES) or its place in the context's indexes depend on it.
    A descriptor with no __get__: reading finds the value in the SA's __dict__ as for a plain
    attribute; only setting a watched attribute runs code (a __setattr__ would run for all)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    if TYPE_CHECKING:

        def __get__(self, sa: IkeSa, owner: type) -> V: ...

    def __set__(self, sa: IkeSa, value: V) -> None:
        name = self.name
        sa.__dict__[name] = value
        ctx = sa.ctx
        if name not in ctx.watched_attributes:
            return
        if name in ctx.deadline_inputs:
            touched = ctx.touched
            touched.add(sa.sa_id)
            if isinstance(value, IkeSa):  # rekeyed_to: the new SA takes over timers too
                touched.add(value.sa_id)
        if name in ctx.index_inputs:
            ctx.reindex(sa, name)


class IkeSa(SmTracing):
    # The attributes a context may watch (WATCHABLE)
    initiator = Watched[bool]()
    local = Watched[Endpoint]()
    remote = Watched[Endpoint]()
    local_id = Watched[Identity | None]()
    remote_id = Watched[Identity | None]()
    children = Watched[list[ChildSa]]()
    queue = Watched[list["Request"]]()
    established_at = Watched[float | None]()
    lifetime = Watched[int]()
    closed = Watched[bool]()
    deleting = Watched[bool]()
    rekeyed_to = Watched["IkeSa | None"]()
    delete_deadline = Watched[float | None]()
    dpd_next = Watched[float | None]()
    keepalive_next = Watched[float | None]()
    own_rekey = Watched[OwnIkeRekey["IkeSa"] | None]()
    ike_rekey_retry_at = Watched[float | None]()
    redundant_deadline = Watched[float | None]()
    deferred = Watched[list[tuple[float, "Request"]]]()

    def __init__(
        self,
        ctx: Context,
        *,
        initiator: bool,
        local: Endpoint,
        remote: Endpoint,
        spi_i: bytes,
        spi_r: bytes = bytes(8),
    ) -> None:
        # The watched attributes' first values go beneath their descriptors: the SA joins
        # the context's tables later (Context.add), so there is nothing to tell it yet.
        first = self.__dict__
        self.ctx = ctx
        self.sa_id = ctx.new_sa_id()
        first["initiator"] = initiator
        first["local"] = local
        first["remote"] = remote
        self.spi_i = spi_i
        self.spi_r = spi_r
        self.machine = Machine(_IDLE, self)
        self.trace_msg_id = 0
        self.suite: IkeSuite | None = None
        self.keys: IkeKeys | None = None
        self.cipher_out: IkeSkCipher | None = None
        self.cipher_in: IkeSkCipher | None = None
        self.ni = b""
        self.nr = b""
        self.init_request = b""
        self.init_response = b""
        self.proposals: list[IkeProposalSpec] = []
        self.proposal_name = ""
        self.profile: ProfileSpec | None = None
        first["local_id"] = None
        first["remote_id"] = None
        # how each side authenticated, as `show crypto ikev2 sa detail` names it
        self.auth_sign = "PSK"
        self.auth_verify = "PSK"
        self.tunnel: TunnelSpec | None = None
        first["children"] = []
        self.requests = RequestWindow()
        self.responses = ResponderWindow(size=ctx.settings.window_size)
        first["queue"] = []
        self.nat = NOT_CHECKED
        self.frag_peer = False
        self.peer_vendors: set[str] = set()
        self.cookie: bytes | None = None
        self.created_at = ctx.now
        first["established_at"] = None
        first["lifetime"] = DEFAULT_IKE_LIFETIME
        first["closed"] = False
        first["deleting"] = False
        first["rekeyed_to"] = None
        self.rekeyed_from: int | None = None
        self.last_heard = ctx.now
        self.fragment_buffers: dict[int, FragmentBuffer] = {}
        self.initial_contact_sent = False
        first["delete_deadline"] = None
        first["dpd_next"] = None
        self.dpd_sent_seen = float("-inf")  # the last ESP sent, as on-demand DPD last saw it
        first["keepalive_next"] = None
        # IKE SA rekey bookkeeping (ike_rekey.py, collisions.py): this side's own rekey, and
        # the rekeys of this SA this side answered
        first["own_rekey"] = None
        self.rekeys_answered: list[RekeyOutcome[IkeSa]] = []
        first["ike_rekey_retry_at"] = None
        # A rekeyed SA the peer made in a collision it lost: deleted by this side if the peer
        # does not delete it by this time (its answer may have been lost).
        first["redundant_deadline"] = None
        # Requests to start later (after a TEMPORARY_FAILURE), as (time, request)
        first["deferred"] = []

    # --- identity and state ---------------------------------------------------------------

    @property
    def own_spi(self) -> bytes:
        return self.spi_i if self.initiator else self.spi_r

    @property
    def established(self) -> bool:
        return self.established_at is not None and not self.closed

    @property
    def ike_rekey_active(self) -> bool:
        """This side's own IKE SA rekey has been sent (or has completed, pending the
        collision rule): no other exchange may start on this SA meanwhile."""
        own = self.own_rekey
        return own is not None and own.started

    def child_work_in_flight(self) -> bool:
        """A Child SA exchange this side started is waiting for its answer."""
        return any(r.child_work for r in self.requests.outstanding.values())

    @property
    def half_open(self) -> bool:
        return not self.initiator and self.established_at is None and not self.closed

    @property
    def rekey_at(self) -> float | None:
        if self.established_at is None:
            return None
        return self.established_at + ike_rekey_delay(self.lifetime)

    @property
    def expire_at(self) -> float | None:
        if self.established_at is None:
            return None
        return self.established_at + self.lifetime

    @property
    def nat_t(self) -> bool:
        return self.remote.port == NAT_T_PORT or self.local.port == NAT_T_PORT

    @property
    def nat_keepalive(self) -> int | None:
        """Seconds between NAT keepalives: the profile's, else the global setting."""
        profile = self.profile.nat_keepalive if self.profile is not None else None
        return profile or self.ctx.settings.nat_keepalive

    def came_up(self) -> None:
        """Arms the timers an established SA runs from the start: DPD, and NAT keepalives
        when this side is behind a NAT."""
        now = self.ctx.now
        dpd = None if self.profile is None else self.profile.dpd
        self.dpd_next = now + dpd.interval if dpd is not None else None
        keepalive = self.nat_keepalive
        self.keepalive_next = now + keepalive if keepalive and self.nat.local_behind_nat else None

    def announce(self, rekeyed_from: int | None = None) -> None:
        """The SA is established: its timers start and the host hears of it."""
        self.came_up()
        ctx = self.ctx
        ctx.emit(
            IkeSaUp(
                ctx.now,
                self.sa_id,
                self.spi_i,
                self.spi_r,
                self.local,
                self.remote,
                self.initiator,
                str(self.local_id),
                str(self.remote_id),
                None if self.profile is None else self.profile.name,
                self.lifetime,
                self.nat.nat_detected,
                rekeyed_from=rekeyed_from,
            )
        )

    def info(self, text: str) -> None:
        ctx = self.ctx
        if ctx.trace_info:
            ctx.info(self.sa_id, text)
        else:  # untraced (no `debug crypto ikev2`): Context.info's one effect, one call less
            ctx.touched.add(self.sa_id)

    def error(self, text: str) -> None:
        self.ctx.error(self.sa_id, text)

    def install_keys(self, suite: IkeSuite, keys: IkeKeys) -> None:
        self.suite = suite
        self.keys = keys
        to_responder, to_initiator = IkeSkCipher.pair(suite, keys)
        if self.initiator:
            self.cipher_out, self.cipher_in = to_responder, to_initiator
        else:
            self.cipher_out, self.cipher_in = to_initiator, to_responder

    # --- sending --------------------------------------------------------------------------

    def header(self, exchange: ExchangeType, message_id: int, response: bool) -> IkeHeader:
        return IkeHeader(
            spi_i=self.spi_i,
            spi_r=self.spi_r,
            exchange_type=exchange,
            flags=make_flags(initiator=self.initiator, response=response),
            message_id=message_id,
        )

    def seal(
        self, exchange: ExchangeType, message_id: int, response: bool, payloads: list[Payload]
    ) -> list[bytes]:
        header = self.header(exchange, message_id, response)
        if exchange == _IKE_SA_INIT:
            return [encode_message(Message(header, payloads))]
        cipher = self.cipher_out
        assert cipher is not None
        whole = encode_protected(header, payloads, cipher, self.ctx.random_bytes(cipher.iv_size))
        if not self.frag_peer:  # before the settings are asked: most peers do not fragment
            return [whole]
        mtu = self.ctx.settings.fragmentation_mtu
        if mtu is None:
            return [whole]
        ip_version = self.remote.address.version
        overhead = fragments.IP_UDP_OVERHEAD[ip_version]
        if len(whole) + overhead + (4 if self.nat_t else 0) <= mtu:
            return [whole]
        return fragments.fragment(
            header, payloads, cipher, self.ctx.random_bytes, mtu, ip_version, self.nat_t
        )

    def transmit(
        self,
        datagrams: list[bytes],
        inner: list[Payload] | None,
        clear: list[Payload] | None = None,
    ) -> None:
        """Sends `datagrams` and traces each. `clear` is the payload list an unprotected
        single-datagram message was encoded from: its trace reuses it rather than decoding
        the bytes again (IKE_SA_INIT's SA and KE payloads are the costly ones to decode). A
        protected one (`inner` given) is traced undecoded (Context.sealed_packet)."""
        for data in datagrams:
            if clear is not None and len(datagrams) == 1:
                message = Message(decode_header(data), clear)
                self.ctx.packet(self.sa_id, _SENT, self.local, self.remote, message, inner)
            elif inner is not None:
                self.ctx.sealed_packet(self.sa_id, self.local, self.remote, data, inner)
            else:
                message = decode_message(data)
                self.ctx.packet(self.sa_id, _SENT, self.local, self.remote, message, inner)
            wire = NON_ESP_MARKER + data if self.local.port == NAT_T_PORT else data
            self.ctx.send(self.local, self.remote, wire)

    def send_request(
        self,
        exchange: ExchangeType,
        payloads: list[Payload],
        on_response: ResponseHandler,
        on_timeout: Callable[[], None],
        *,
        message_id: int | None = None,
        interval: float | None = None,
        exponential: bool = True,
        limit: int | None = None,
        child_work: bool = False,
    ) -> int:
        if message_id is None:
            message_id = self.requests.allocate()
        datagrams = self.seal(exchange, message_id, False, payloads)
        settings = self.ctx.settings
        self.requests.outstanding[message_id] = Outstanding(
            message_id,
            exchange,
            datagrams,
            on_response,
            on_timeout,
            self.ctx.now,
            settings.retransmit_interval if interval is None else interval,
            settings.retransmit_limit if limit is None else limit,
            exponential,
            child_work=child_work,
        )
        self._transmit_sealed(exchange, datagrams, payloads)
        return message_id

    def respond(self, exchange: ExchangeType, message_id: int, payloads: list[Payload]) -> None:
        datagrams = self.seal(exchange, message_id, True, payloads)
        self.responses.answered_with(message_id, datagrams)
        self._transmit_sealed(exchange, datagrams, payloads)

    def _transmit_sealed(
        self, exchange: ExchangeType, datagrams: list[bytes], payloads: list[Payload]
    ) -> None:
        if exchange == _IKE_SA_INIT:
            self.transmit(datagrams, None, clear=payloads)
        else:
            self.transmit(datagrams, payloads)

    def resend_response(self, message_id: int) -> None:
        self.info(f"Retransmitting response with message id {message_id}")
        for data in self.responses.cached.get(message_id, []):
            wire = NON_ESP_MARKER + data if self.local.port == NAT_T_PORT else data
            self.ctx.send(self.local, self.remote, wire)

    # --- tasks ----------------------------------------------------------------------------

    def enqueue(self, task: Request) -> None:
        self.ctx.touched.add(self.sa_id)
        self.queue.append(task)
        self.pump()

    def pump(self) -> None:
        while self.established and not self.deleting and self.queue and self.requests.has_room():
            if self.rekeyed_to is not None or self.ike_rekey_active:
                return  # an IKE SA rekey runs alone; the queue moves to the new SA after it
            if self.queue[0].exclusive and self.requests.outstanding:
                return
            self.queue.pop(0).start(self)

    def defer(self, delay: float, task: Request) -> None:
        self.ctx.touched.add(self.sa_id)
        self.deferred.append((self.ctx.now + delay, task))

    def adopt_tasks(self, old: IkeSa) -> None:
        """Takes over what the rekeyed SA ``old`` still had to do (RFC 7296 section 2.8:
        further exchanges happen on the new IKE SA)."""
        queued = [t for t in old.queue if not t.exclusive]
        old.queue = []
        self.deferred += old.deferred
        old.deferred = []
        self.queue += queued
        self.pump()

    def retransmit_due(self, now: float) -> None:
        for message_id, request in sorted(self.requests.outstanding.items()):
            if self.closed or not request.due(now):
                continue
            if request.exhausted():
                del self.requests.outstanding[message_id]
                request.on_timeout()
                continue
            request.retransmitted(now)
            self.ctx.retransmissions += 1
            self.info(f"Retransmitting packet, message id {message_id}")
            for data in request.datagrams:
                wire = NON_ESP_MARKER + data if self.local.port == NAT_T_PORT else data
                self.ctx.send(self.local, self.remote, wire)

    # --- going away -----------------------------------------------------------------------

    def close(self, reason: str, *, notify: NotifyType | None = None, moved: bool = False) -> None:
        """Forgets the SA. ``moved``: its children now live on a rekeyed SA."""
        if self.closed:
            return
        self.closed = True
        if not moved:
            for child in self.children:
                self.ctx.emit(
                    ChildSaDeleted(self.ctx.now, self.sa_id, child.spi_in, child.spi_out, reason)
                )
        self.children = []
        outstanding = list(self.requests.outstanding.values())
        self.requests.outstanding.clear()
        queued, self.queue = self.queue, []
        for task in queued:
            task.abandon(self, reason)
        del outstanding
        if self.established_at is None and notify is not None:
            self.ctx.emit(NegotiationFailed(self.ctx.now, self.sa_id, self.remote, notify, reason))
        rekeyed_to = None if self.rekeyed_to is None else self.rekeyed_to.sa_id
        self.ctx.emit(IkeSaDown(self.ctx.now, self.sa_id, reason, rekeyed_to))
        self.info(f"Deleting SA: {reason}")
        self.ctx.remove(self)
        self.machine.release()

    def install_child(self, child: ChildSa, rekey_of: bytes | None = None) -> None:
        """A negotiated Child SA joins the SA, and the host hears of it (with the inbound SPI
        of the Child SA it replaces, ``rekey_of``)."""
        self.ctx.touched.add(self.sa_id)
        self.children.append(child)
        info = child.info(self.sa_id, self.local, self.remote, self.nat_t)
        self.ctx.emit(ChildSaInstalled(self.ctx.now, info, rekey_of))

    def find_child(self, spi: bytes, *, inbound: bool) -> ChildSa | None:
        for child in self.children:
            if (child.spi_in if inbound else child.spi_out) == spi:
                return child
        return None


# The attributes a context may watch (Context.watched_attributes)
WATCHABLE = frozenset(name for name, value in vars(IkeSa).items() if isinstance(value, Watched))
