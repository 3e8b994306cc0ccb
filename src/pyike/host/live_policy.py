"""A Policy whose configuration can be swapped while the engine runs (a reload: the gateway's
SIGHUP, `configure terminal` on the gateway or a lab router): the engine keeps its SAs and
asks the new configuration from then on. Command-line settings
(`--force-encap`) are laid over whatever the configuration says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pyike.ike.config_mode import Authorizer
from pyike.ike.eap_directory import EapDirectory
from pyike.ike.events import Endpoint
from pyike.ike.policy import (
    Certificates,
    EngineSettings,
    Identity,
    IkeProposalSpec,
    Policy,
    ProfileSpec,
    TunnelSpec,
)


class PolicyProxy:
    """A Policy answering everything from `inner`; subclasses change what they change."""

    def __init__(self, inner: Policy) -> None:
        self.inner = inner

    @property
    def settings(self) -> EngineSettings:
        return self.inner.settings

    def ike_proposals(self, local: Endpoint) -> Sequence[IkeProposalSpec]:
        return self.inner.ike_proposals(local)

    def profile(self, name: str) -> ProfileSpec | None:
        return self.inner.profile(name)

    def profile_for_identity(self, local: Endpoint, identity: Identity) -> ProfileSpec | None:
        return self.inner.profile_for_identity(local, identity)

    def local_identity(self, profile: ProfileSpec, local: Endpoint) -> Identity:
        return self.inner.local_identity(profile, local)

    def signing_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        return self.inner.signing_key(profile, remote, remote_id)

    def verification_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        return self.inner.verification_key(profile, remote, remote_id)

    def tunnels_for_peer(
        self, local: Endpoint, remote: Endpoint, profile: ProfileSpec | None
    ) -> Sequence[TunnelSpec]:
        return self.inner.tunnels_for_peer(local, remote, profile)

    @property
    def certificates(self) -> Certificates | None:
        return self.inner.certificates

    @property
    def authorization(self) -> Authorizer | None:
        return self.inner.authorization

    @property
    def eap(self) -> EapDirectory | None:
        return self.inner.eap


class LivePolicy(PolicyProxy):
    def __init__(self, current: Policy, *, force_encap: bool = False) -> None:
        super().__init__(current)
        self.force_encap = force_encap
        self._settings = self._overlaid(current)

    @property
    def current(self) -> Policy:
        return self.inner

    @current.setter
    def current(self, policy: Policy) -> None:
        self.inner = policy
        self._settings = self._overlaid(policy)

    def _overlaid(self, policy: Policy) -> EngineSettings:
        settings = policy.settings
        return replace(settings, force_encap=True) if self.force_encap else settings

    @property
    def settings(self) -> EngineSettings:
        return self._settings
