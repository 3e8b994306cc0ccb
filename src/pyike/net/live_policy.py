"""A Policy whose configuration can be swapped while the engine runs (SIGHUP reload): the
engine keeps its SAs and asks the new configuration from then on. Command-line settings
(`--force-encap`) are laid over whatever the configuration says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pyike.ike.events import Endpoint
from pyike.ike.policy import (
    EngineSettings,
    Identity,
    IkeProposalSpec,
    Policy,
    ProfileSpec,
    TunnelSpec,
)


class LivePolicy:
    def __init__(self, current: Policy, *, force_encap: bool = False) -> None:
        self.force_encap = force_encap
        self._current = current
        self._settings = self._overlaid(current)

    @property
    def current(self) -> Policy:
        return self._current

    @current.setter
    def current(self, policy: Policy) -> None:
        self._current = policy
        self._settings = self._overlaid(policy)

    def _overlaid(self, policy: Policy) -> EngineSettings:
        settings = policy.settings
        return replace(settings, force_encap=True) if self.force_encap else settings

    @property
    def settings(self) -> EngineSettings:
        return self._settings

    def ike_proposals(self, local: Endpoint) -> Sequence[IkeProposalSpec]:
        return self.current.ike_proposals(local)

    def profile(self, name: str) -> ProfileSpec | None:
        return self.current.profile(name)

    def profile_for_identity(self, local: Endpoint, identity: Identity) -> ProfileSpec | None:
        return self.current.profile_for_identity(local, identity)

    def local_identity(self, profile: ProfileSpec, local: Endpoint) -> Identity:
        return self.current.local_identity(profile, local)

    def signing_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        return self.current.signing_key(profile, remote, remote_id)

    def verification_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        return self.current.verification_key(profile, remote, remote_id)

    def tunnels_for_peer(
        self, local: Endpoint, remote: Endpoint, profile: ProfileSpec | None
    ) -> Sequence[TunnelSpec]:
        return self.current.tunnels_for_peer(local, remote, profile)
