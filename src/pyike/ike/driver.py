"""Running the sans-IO engine on a clock: what every host (`pyike.host.CryptoHost`, the lab's
routers and the gateway) does with it.

After every input the caller calls `flush()`: the engine's datagrams go to `send`, its
events to `on_event`, its trace records to `on_trace`, and its next deadline arms one timer
on the caller's scheduler (the virtual clock in the lab, the asyncio loop in the gateway).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from pyike.ike.child_create import tunnel_covered
from pyike.ike.engine import IkeEngine
from pyike.ike.events import Datagram, EngineEvent
from pyike.ike.policy import TunnelSpec
from pyike.ike.trace import TraceRecord


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class EngineDriver:
    def __init__(
        self,
        engine: IkeEngine,
        now: Callable[[], float],
        call_later: Callable[[float, Callable[[], None]], Cancellable],
        send: Callable[[Datagram], None],
        on_event: Callable[[EngineEvent], None],
        on_trace: Callable[[list[TraceRecord]], None],
    ) -> None:
        self.engine = engine
        self._now = now
        self._call_later = call_later
        self._send = send
        self._on_event = on_event
        self._on_trace = on_trace
        self._timer: Cancellable | None = None
        self._timer_at: float | None = None

    def flush(self) -> None:
        """Send what the engine wants sent, apply its events, and rearm its timer."""
        for datagram in self.engine.datagrams_to_send():
            self._send(datagram)
        for event in self.engine.events():
            self._on_event(event)
        records = self.engine.trace()
        if records:
            self._on_trace(records)
        self._arm_timer()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = None, None

    def _arm_timer(self) -> None:
        deadline = self.engine.next_deadline()
        armed = self._timer_at
        if deadline == armed:
            return
        if deadline is not None and armed is not None and armed < deadline:
            # The timer armed sooner stays: it finds nothing due and arms the next one then.
            # The earliest deadline moves later each time a handshake completes (its
            # half-open deadline goes): cancelling and arming a timer each time costs more.
            return
        self.stop()
        self._timer_at = deadline
        if deadline is not None:
            self._timer = self._call_later(max(0.0, deadline - self._now()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer, self._timer_at = None, None
        self.engine.handle_timer(self._now())
        self.flush()


CHILD_RETRY = 10.0  # seconds before a tunnel may ask again for a child SA on a standing IKE SA


class TunnelStarter:
    """What a protected tunnel (or crypto map entry) asks for when it has no SA: a new IKE
    SA with its peer, or, when one is already up, a child SA on it (not more than once every
    CHILD_RETRY seconds, since traffic keeps asking while the exchange runs)."""

    def __init__(self, engine: IkeEngine) -> None:
        self.engine = engine
        self._child_requested: dict[str, float] = {}

    def start(self, now: float, spec: TunnelSpec) -> bool:
        """True when an exchange was started (the caller then flushes the engine)."""
        sas = [sa for sa in self.engine.ike_sas_with_peer(spec.remote.address) if not sa.closed]
        if not sas:
            self.engine.initiate(now, spec)
            return True
        # An SA already rekeyed only waits for its delete: new work goes to its successor.
        ready = next(
            (sa for sa in sas if sa.established and not sa.deleting and sa.rekeyed_to is None),
            None,
        )
        asked = self._child_requested.get(spec.name)
        if ready is None or (asked is not None and now - asked < CHILD_RETRY):
            return False
        if tunnel_covered(ready, spec):
            return False  # e.g. a rekey of a Child SA that expired meanwhile is still running
        self._child_requested[spec.name] = now
        self.engine.create_child_sa(now, ready.sa_id, spec, if_missing=True)
        return True


def renegotiation_delay(set_up_by_us: bool) -> float:
    """Seconds a protected tunnel that has lost its last SA waits before asking again, as IOS
    brings a tunnel interface back up without waiting for traffic. The side that had set up
    the lost SA asks first, so the two peers do not create one each."""
    return 1.0 if set_up_by_us else 5.0
