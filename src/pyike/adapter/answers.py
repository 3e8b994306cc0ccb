"""Answers worked out once per question, for the adapters' views of one configuration (the
configuration never changes under them: a reload makes new ones)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from pyike.bounded import remember

_T = TypeVar("_T")
_UNKNOWN = object()


class Answers:
    """Answers by question. Bounded: questions that name a peer come from the network, so
    the memory is dropped rather than allowed to grow with the number of peers."""

    LIMIT = 4096

    def __init__(self) -> None:
        self._known: dict[Hashable, object] = {}

    def get(self, question: Hashable, work: Callable[[], _T]) -> _T:
        # A miss is the rule for questions that name a peer: no KeyError raised for it.
        known = self._known.get(question, _UNKNOWN)
        if known is not _UNKNOWN:
            return known  # type: ignore[return-value]
        answer = work()
        remember(self._known, question, answer, self.LIMIT)
        return answer
