"""An answer from AAA that a handshake waits on: the machine asks (an event to the host),
the host's answer is taken only while the question is open (a late or repeated answer is
refused), and the machine's action reads it once. `AaaWait` is the handshake part that holds
one (the PSK lookup of aaa_keys.py, the authorization of aaa_authorization.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from pyike.ike.handshake_part import HandshakePart

if TYPE_CHECKING:
    from pyike.ike.handshake import Handshake

A = TypeVar("A")


class AaaAnswer(Generic[A]):
    def __init__(self) -> None:
        self.waiting = False
        self._answer: A | None = None

    def asked(self) -> None:
        self.waiting = True

    def take(self, answer: A) -> bool:
        """False when nothing waits for ``answer``."""
        if not self.waiting:
            return False
        self.waiting, self._answer = False, answer
        return True

    def read(self) -> A:
        answer = self._answer
        assert answer is not None
        self._answer = None
        return answer


class AaaWait(HandshakePart, Generic[A]):
    """A part of the handshake that asks AAA and waits for its answer of type A."""

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self._aaa: AaaAnswer[A] = AaaAnswer()

    def take_answer(self, answer: A) -> bool:
        """False when nothing waits for ``answer`` (the machine runs on True)."""
        return self._aaa.take(answer)
