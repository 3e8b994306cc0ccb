"""A request this side wants to make on an established IKE SA. Tasks wait in the SA's queue
until the peer's window has room (RFC 7296 section 2.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyike.ike.ike_sa import IkeSa


class Task:
    name = "task"
    exclusive = False  # starts only when no other request is outstanding (IKE SA rekey)

    def start(self, sa: IkeSa) -> None:
        """Builds and sends the request (or finds there is nothing left to do)."""
        raise NotImplementedError

    def abandon(self, sa: IkeSa, reason: str) -> None:
        """The SA goes away before the task finished."""
