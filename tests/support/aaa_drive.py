"""Runs a harness while a router's engine waits on AAA: each new request event goes to a
relay (pyike.aaa.relay, asking a real RADIUS server) and each answer the relay hands back is
given to the engine, as the gateway's event loop does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pyike.aaa.relay import AaaRelay
from pyike.config.model import Config
from pyike.eap.packet import EapType
from pyike.ike.config_mode import AddressFailure, Applicant, ConfigAsk, Grant
from pyike.ike.eap_directory import AaaQuestion, EapCredentials, EapRelayAnswer
from pyike.ike.events import EapRelayRequest
from pyike.ike.policy import Identity
from tests.support.harness import Harness

Request = TypeVar("Request")
Answer = TypeVar("Answer")


def relay_eap(h: Harness, node: str, config: Config) -> None:
    """Runs ``h`` while ``node`` passes its EAP rounds through to the RADIUS servers of
    ``config`` (30 rounds of 0.2 s), as the gateway does."""
    answers: list[tuple[int, EapRelayAnswer]] = []
    relay = AaaRelay(
        lambda: config,
        lambda sa, answer: answers.append((sa, answer)),
        lambda sa, keys: None,
        lambda sa, authorized: None,
    )
    engine = h[node].engine
    drive_aaa(h, node, EapRelayRequest, relay.relay, answers, engine.eap_answer, rounds=30)


def drive_aaa(
    h: Harness,
    node: str,
    kind: type[Request],
    ask: Callable[[Request], Awaitable[None]],
    answers: list[tuple[int, Answer]],
    give: Callable[[float, int, Answer], None],
    rounds: int,
) -> None:
    """``rounds`` steps of 0.2 s of ``h``, each asking ``ask`` about the ``kind`` events of
    ``node`` not asked yet, then giving ``node``'s engine (``give``) the answers the relay
    queued in ``answers``; then 5 s more."""
    handled: list[Request] = []

    async def drive() -> None:
        for _ in range(rounds):
            h.run(until=h.now + 0.2)
            for request in h[node].of_type(kind):
                if request not in handled:
                    handled.append(request)
                    await ask(request)
            while answers:
                sa_id, answer = answers.pop(0)
                give(h.now, sa_id, answer)

    asyncio.run(drive())
    h.run(until=h.now + 5)


class EapClient:
    """A client's EapDirectory: user alice with ``password`` over EAP-MSCHAPv2."""

    def __init__(self, password: str) -> None:
        self.password = password

    def users(self, profile: str) -> str:
        return "not a server"

    def credentials(self, profile: str) -> EapCredentials:
        return EapCredentials("alice", self.password, EapType.MSCHAPV2)

    def psk_group(self, profile: str) -> None:
        return None


class AddressAsker:
    """A client's Authorizer: every tunnel asks for an address and takes routes at 2."""

    def request(self, tunnel: str, profile: str | None = None) -> ConfigAsk:
        return ConfigAsk(address=True, distance=2)

    def aaa_questions(
        self, profile: str, remote_id: Identity | None, eap_identity: str | None, signed: bool
    ) -> tuple[AaaQuestion, ...]:
        return ()

    def configured(self, profile: str, signed: bool) -> tuple[bool, bool]:
        return False, False

    def grant(self, peer: Applicant) -> Grant | AddressFailure | str | None:
        return None

    def release(self, holder: int) -> None:
        return None

    def transfer(self, holder: int, to: int) -> None:
        return None
