"""Pre-shared keys from AAA (`keyring aaa LIST` whose list asks a RADIUS group), as an IOS
hub finds each spoke's keys: the responder asks the host for the peer's keys
(`PskRequest`) when it is to verify the peer's AUTH, waits, and goes on with the answer
(`IkeEngine.psk_answer`): the remote key verifies the peer, the local key signs our AUTH."""

from __future__ import annotations

from pyike.ike.aaa_answer import AaaWait
from pyike.ike.eap_directory import PskAnswer
from pyike.ike.events import PskRequest
from pyike.ike.fsm import transitions
from pyike.ike.states import EV, Event


class AaaKeys(AaaWait[PskAnswer]):
    TRANSITIONS = transitions(
        """
        # state        event           action        next state
        R_VERIFY_AUTH  EV_AAA_ANSWER   psk_answer
        """
    )

    local: bytes | None = None  # our signing key, once AAA gave it
    attributes: tuple[str, ...] = ()  # the rest of AAA's answer (`... user psk cached`)

    def ask(self) -> bool:
        """Asks AAA for the peer's keys when the profile's keyring is AAA's (True: the
        machine waits for the answer)."""
        sa = self.sa
        directory = sa.ctx.policy.eap
        assert sa.profile is not None and sa.remote_id is not None
        group = None if directory is None else directory.psk_group(sa.profile.name)
        if directory is None or group is None:
            return False
        user = directory.psk_user(sa.profile.name, sa.remote_id)
        if user is None:  # the keys are not asked for: AUTH cannot be verified
            why = f"the name-mangler derives no name from {sa.remote_id}"
            sa.error(f"Failed to get the pre-shared keys from AAA: {why}")
            return False
        self._aaa.asked()
        sa.info("[IKEv2 -> AAA] Request for pre-shared keys sent")
        sa.ctx.emit(PskRequest(sa.ctx.now, sa.sa_id, sa.profile.name, group, user))
        return True

    def psk_answer(self) -> Event:
        sa, answer = self.sa, self._aaa.read()
        sa.info("[AAA -> IKEv2] Received AAA reply")
        if answer.remote is None:
            sa.error(f"Failed to get the pre-shared keys from AAA: {answer.reason}")
            return EV.EV_AUTH_FAIL
        self.local, self.attributes = answer.local, answer.attributes
        self.h.auth.psk = answer.remote
        return EV.EV_VERIFY_AUTH
