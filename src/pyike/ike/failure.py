"""How a failed exchange of the SA's own machine ends, as IOS ends it: EV_FAIL takes the
machine to EXIT, which aborts pending work and deletes the SA."""

from __future__ import annotations

from pyike.codec.registry import NotifyType
from pyike.ike.events import NegotiationFailed
from pyike.ike.fsm import Action
from pyike.ike.ike_sa import IkeSa
from pyike.ike.states import Event, State


class Failure:
    def __init__(self, sa: IkeSa) -> None:
        self.sa = sa
        self.reason = "negotiation failed"

    def fail(self, reason: str, notify: NotifyType | None = None, *, sent: bool = False) -> Event:
        """Records why, tells the caller, and returns the event that ends the machine."""
        sa = self.sa
        self.reason = reason
        sa.error(reason)
        sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, notify, reason, sent))
        return Event.EV_FAIL

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        return {
            (None, Event.EV_FAIL): self._to_exit,
            (State.EXIT, Event.EV_ABORT): self._abort,
            (State.EXIT, Event.EV_CHK_PENDING_ABORT): self._pending_abort,
            (State.EXIT, Event.EV_UPDATE_CAC_STATS): self._delete,
        }

    def _to_exit(self) -> Event:
        self.sa.machine.enter(State.EXIT)
        return Event.EV_ABORT

    def _abort(self) -> Event:
        self.sa.info("Abort exchange")
        return Event.EV_CHK_PENDING_ABORT

    def _pending_abort(self) -> Event:
        return Event.EV_UPDATE_CAC_STATS

    def _delete(self) -> None:
        self.sa.close(self.reason)
        return None
