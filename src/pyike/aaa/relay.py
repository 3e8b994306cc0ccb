"""The gateway's answers to the engine's AAA questions, from the servers of a RADIUS group
(`aaa group server radius`, in order: the next when one does not answer):
- `EapRelayRequest`: the peer's EAP response relayed; the RADIUS State of each IKE SA's
  conversation is kept here between rounds; the answer goes back through ``answer`` (the
  gateway calls `IkeEngine.eap_answer` and flushes);
- `PskRequest` (`keyring aaa`): an Access-Request for the peer's identity (with IOS's
  password `cisco`, as IOS sends for authorization), whose `Cisco-AVPair`
  `ipsec:ikev2-password-local=KEY` and `...-remote=KEY` are the keys; through ``keys``;
- `AuthorizationRequest` (`aaa authorization group|user ... list LIST`, LIST asking RADIUS):
  an Access-Request per question (User-Name the group's or user's name, password `cisco`),
  the Access-Accepts' `Cisco-AVPair`s by question; through ``authorized``.
Runs on the asyncio loop; the engine never waits on a socket."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine

from pyike.aaa.radius import RadiusAnswer, RadiusClient, RadiusServer
from pyike.config import query
from pyike.config.model import Config
from pyike.config.radius_model import RadiusServerConfig
from pyike.ike.eap_directory import AaaQuestion, AuthorizationAnswer, EapRelayAnswer, PskAnswer
from pyike.ike.events import AuthorizationRequest, EapRelayRequest, PskRequest

Answer = Callable[[int, EapRelayAnswer], None]
Keys = Callable[[int, PskAnswer], None]
Authorized = Callable[[int, AuthorizationAnswer], None]
AUTHORIZATION_PASSWORD = "cisco"  # what IOS sends as User-Password in authorization requests
_KEY_PAIRS = {"ipsec:ikev2-password-local": "local", "ipsec:ikev2-password-remote": "remote"}


def client_for(server: RadiusServerConfig, nas_identifier: str) -> RadiusClient:
    assert server.address is not None and server.key is not None
    target = RadiusServer(
        server.name, str(server.address), server.auth_port, server.key.reveal_bytes()
    )
    return RadiusClient(
        target,
        nas_identifier=nas_identifier,
        timeout=server.timeout,
        retries=server.retransmit + 1,
    )


def keys_of(avpairs: tuple[str, ...]) -> PskAnswer:
    """The keys among `Cisco-AVPair` values (`ipsec:ikev2-password-local=KEY`, ...), with the
    values that are not keys (the attributes `aaa authorization user psk cached` uses)."""
    found: dict[str, bytes] = {}
    others: list[str] = []
    for pair in avpairs:
        name, _, value = pair.partition("=")
        side = _KEY_PAIRS.get(name.strip().lower())
        if side is not None and value:
            found[side] = value.encode()
        elif side is None:
            others.append(pair)
    if "remote" not in found:
        return PskAnswer(reason="the AAA reply has no ipsec:ikev2-password-remote")
    return PskAnswer(found.get("local"), found["remote"], attributes=tuple(others))


class AaaRelay:
    def __init__(
        self, config: Callable[[], Config], answer: Answer, keys: Keys, authorized: Authorized
    ) -> None:
        self._config = config
        self._answer = answer
        self._keys = keys
        self._authorized = authorized
        self._states: dict[int, bytes | None] = {}  # RADIUS State per IKE SA
        self._tasks: set[asyncio.Task[None]] = set()

    def relay(self, request: EapRelayRequest) -> asyncio.Task[None]:
        return self._start(self._ask(request))

    def psk(self, request: PskRequest) -> asyncio.Task[None]:
        return self._start(self._ask_keys(request))

    def authorize(self, request: AuthorizationRequest) -> asyncio.Task[None]:
        return self._start(self._ask_authorization(request))

    def _start(self, work: Coroutine[None, None, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def forget(self, sa_id: int) -> None:
        """The IKE SA is gone: its conversation with the server too."""
        self._states.pop(sa_id, None)

    def cancel(self) -> None:
        """Shutdown: the questions still out are abandoned (their SAs are being deleted)."""
        for task in list(self._tasks):
            task.cancel()

    async def _ask_keys(self, request: PskRequest) -> None:
        answer = await self._first_answer(
            request.group,
            lambda client: client.authorize(request.identity, AUTHORIZATION_PASSWORD),
        )
        if answer.outcome == "accept":
            self._keys(request.sa_id, keys_of(answer.avpairs))
        else:
            why = answer.reason or f"AAA server said {answer.outcome} for {request.identity}"
            self._keys(request.sa_id, PskAnswer(reason=why))

    async def _ask_authorization(self, request: AuthorizationRequest) -> None:
        attributes: dict[str, tuple[str, ...]] = {}
        for question in request.questions:
            answer = await self._authorization(question)
            if answer.outcome != "accept":
                why = answer.reason or f"Access-Reject for {question.kind} {question.username}"
                self._authorized(request.sa_id, AuthorizationAnswer(reason=why))
                return
            attributes[question.kind] = answer.avpairs
        self._authorized(request.sa_id, AuthorizationAnswer(attributes))

    async def _authorization(self, question: AaaQuestion) -> RadiusAnswer:
        return await self._first_answer(
            question.group,
            lambda client: client.authorize(question.username, AUTHORIZATION_PASSWORD),
        )

    async def _first_answer(
        self, group: str, ask: Callable[[RadiusClient], Awaitable[RadiusAnswer]]
    ) -> RadiusAnswer:
        """The first answer of the group's servers, in order."""
        config = self._config()
        servers = query.radius_servers(config, group)
        if isinstance(servers, str):
            return RadiusAnswer("error", reason=servers)
        answer = RadiusAnswer("error", reason=f"RADIUS server group {group} is empty")
        for server in servers:
            answer = await ask(client_for(server, config.hostname))
            if answer.outcome != "error":
                break
        return answer

    async def _ask(self, request: EapRelayRequest) -> None:
        state = self._states.get(request.sa_id)
        answer = await self._first_answer(
            request.group, lambda client: client.eap(request.identity, request.eap, state)
        )
        if answer.outcome == "challenge":
            self._states[request.sa_id] = answer.state
        else:
            self._states.pop(request.sa_id, None)
        self._answer(
            request.sa_id,
            EapRelayAnswer(answer.outcome, answer.eap, answer.msk, answer.reason, answer.avpairs),
        )
