"""An answer from AAA that a handshake waits on: the machine asks (an event to the host),
the host's answer is taken only while the question is open (a late or repeated answer is
refused), and the machine's action reads it once."""

from __future__ import annotations

from typing import Generic, TypeVar

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
