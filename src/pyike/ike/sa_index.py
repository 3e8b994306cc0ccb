"""IKE SAs grouped by a key made from some of their attributes (the peer's address, the
session's identities, ...), kept current as those attributes change, so that finding an SA's
peers costs what they are, not what all the engine's SAs are."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from pyike.ike.ike_sa import IkeSa

K = TypeVar("K", bound=Hashable)


class SaIndex(Generic[K]):
    """``key`` gives an SA's group (None: in none); ``inputs`` names the IkeSa attributes it
    reads (setting one of them regroups the SA). A group lists its SAs by their position in
    the engine's table (the order they joined it), as a scan of the table would meet them."""

    def __init__(self, inputs: frozenset[str], key: Callable[[IkeSa], K | None]) -> None:
        self.inputs = inputs
        self._key = key
        # key -> [(position, SA)] sorted by position (positions are unique: SAs never compare)
        self._groups: dict[K, list[tuple[int, IkeSa]]] = {}
        self._held: dict[int, tuple[int, K | None]] = {}  # sa_id -> (position, key)

    def add(self, sa: IkeSa, position: int) -> None:
        self._join(sa, position, self._key(sa))

    def discard(self, sa: IkeSa) -> None:
        held = self._held.pop(sa.sa_id, None)
        if held is not None:
            self._leave(*held)

    def update(self, sa: IkeSa) -> None:
        held = self._held.get(sa.sa_id)
        if held is None:
            return
        key = self._key(sa)  # made once: an SA's key holds its identities, slow to hash
        if key != held[1]:
            self._leave(*held)
            self._join(sa, held[0], key)

    def _join(self, sa: IkeSa, position: int, key: K | None) -> None:
        self._held[sa.sa_id] = position, key
        if key is not None:
            insort(self._groups.setdefault(key, []), (position, sa))

    def _leave(self, position: int, key: K | None) -> None:
        if key is not None:
            group = self._groups[key]
            del group[bisect_left(group, (position,))]
            if not group:
                del self._groups[key]

    def get(self, key: K) -> list[IkeSa]:
        return [sa for _position, sa in self._groups.get(key, ())]

    def group_of(self, sa: IkeSa) -> list[IkeSa]:
        """The SAs in ``sa``'s group (``sa`` too, when the index holds it)."""
        key = self._key(sa)
        return [] if key is None else self.get(key)

    def count(self, key: K) -> int:
        return len(self._groups.get(key, ()))
