"""The identity an exchange's state machine prints in its SM Trace lines."""

from __future__ import annotations

from dataclasses import dataclass

from pyike.ike.context import Context
from pyike.ike.states import Event, State
from pyike.ike.trace import SmTrace


@dataclass
class ExchangeTracer:
    """For a Child SA exchange the parent IKE SA; for an IKE SA rekey the new SA (IOS prints
    the new SA's id and SPIs, as the seed's rekey shows)."""

    ctx: Context
    sa_id: int
    spi_i: bytes
    spi_r: bytes
    initiator: bool
    message_id: int = 0

    def record(self, state: State, event: Event) -> None:
        ctx = self.ctx
        if not ctx.trace_sm:
            ctx.touched.add(self.sa_id)
            return
        ctx.sm_trace(
            SmTrace(
                self.ctx.now,
                self.sa_id,
                self.spi_i,
                self.spi_r,
                self.initiator,
                self.message_id,
                state,
                event,
            )
        )
