"""Authorization asked of AAA (`aaa authorization group|user psk|eap list LIST [NAME]`, LIST
asking a RADIUS group), as an IOS FlexVPN server asks it: once the peer is authenticated the
responder asks the host (`AuthorizationRequest`: for the group, User-Name NAME; for the
user, the peer's identity or EAP identity), waits, and goes on with the answer
(`IkeEngine.authorization_answer`): the Access-Accepts' attributes shape the configuration
reply (adapter/aaa_attributes.py); a reject or no answer fails the peer's authentication."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyike.ike.aaa_answer import AaaWait
from pyike.ike.eap_auth import EapResponder
from pyike.ike.eap_directory import AuthorizationAnswer
from pyike.ike.events import AuthorizationRequest
from pyike.ike.fsm import transitions
from pyike.ike.states import EV, Event

if TYPE_CHECKING:
    from pyike.ike.handshake import Handshake


class AaaAuthorization(AaaWait[AuthorizationAnswer]):
    TRANSITIONS = transitions(
        """
        # state        event                  action         next state
        R_VERIFY_AUTH  EV_AAA_AUTHOR_ANSWER   author_answer
        """
    )

    answer: AuthorizationAnswer | None = None  # what AAA said, once asked and answered

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self._asked = False

    def ask(self, signed: bool) -> bool:
        """Asks AAA to authorize the peer (``signed``: it authenticated with a signature) when
        the profile's authorization is RADIUS's (True: the machine waits for the answer); once
        per IKE SA."""
        sa, authorizer = self.sa, self.sa.ctx.policy.authorization
        if self._asked or authorizer is None or sa.profile is None:
            return False
        questions = authorizer.aaa_questions(
            sa.profile.name, sa.remote_id, self.eap_identity(), signed
        )
        if not questions:
            return False
        self._asked = True
        self._aaa.asked()
        sa.info("[IKEv2 -> AAA] Authorisation request sent")
        sa.ctx.emit(AuthorizationRequest(sa.ctx.now, sa.sa_id, sa.profile.name, questions))
        return True

    def eap_identity(self) -> str | None:
        """The identity an EAP client authenticated as (it is authorized by it); None for a
        peer that did not authenticate with EAP."""
        eap = self.h.eap
        return eap.identity if isinstance(eap, EapResponder) and eap.succeeded else None

    def author_answer(self) -> Event:
        sa, answer = self.sa, self._aaa.read()
        sa.info("[AAA -> IKEv2] Received AAA reply")
        if answer.reason:
            sa.error(f"AAA authorization failed: {answer.reason}")
            return EV.EV_AUTH_FAIL
        self.answer = answer
        return EV.EV_SET_RECD_CONFIG_MODE
