"""EAP's answers from an IOS configuration (the engine's `EapDirectory`,
ike/eap_directory.py).

A server profile (`authentication remote eap`) checks users through `aaa authentication eap
LIST` (without it, the login list `default`): LIST must be an `aaa authentication login`
list under `aaa new-model`; its first method `local` checks the router's `username NAME
password|secret` entries, `group NAME` relays EAP to that RADIUS group (the engine asks the
host: `EapRelayRequest`). EAP-MSCHAPv2 and EAP-MD5 need the clear password (`password 0|7`);
a one-way `secret` serves EAP-GTC only. A client profile (`authentication local eap [METHOD]
username U password P`) presents those credentials."""

from __future__ import annotations

from pyike.adapter.name_mangler import mangled_name
from pyike.config import query
from pyike.config.login_model import LocalUser
from pyike.config.model import Config, Profile
from pyike.crypto import passwords
from pyike.eap.packet import METHOD_KEYWORDS
from pyike.ike.eap_directory import EapCredentials, EapRelay
from pyike.ike.policy import Identity


class LocalUsers:
    """The `username` entries, as EAP's authenticator asks for them."""

    def __init__(self, users: dict[str, LocalUser]) -> None:
        self._users = users

    def password(self, name: str) -> str | None:
        user = self._users.get(name)
        stored = None if user is None or user.secret is not None else user.password
        if stored is None:
            return None
        if stored.kind == 7:
            try:
                return passwords.type7_decode(stored.value)
            except passwords.PasswordFormatError:
                return None
        return stored.value if stored.kind == 0 else None

    def check(self, name: str, typed: str) -> bool:
        user = self._users.get(name)
        stored = None if user is None else user.stored
        return stored is not None and stored.matches(typed)


class ConfigEapDirectory:
    def __init__(self, config: Config) -> None:
        self.config = config

    def users(self, profile: str) -> LocalUsers | EapRelay | str:
        configured = self.config.profiles.get(profile)
        if configured is None:
            return f"IKEv2 profile {profile} not found"
        blocker = query.eap_users_blocker(self.config, configured)
        if blocker is not None:
            return blocker
        group = query.eap_relay_group(self.config, configured)
        return LocalUsers(self.config.login.users) if group is None else EapRelay(group)

    def credentials(self, profile: str) -> EapCredentials | str:
        configured: Profile | None = self.config.profiles.get(profile)
        if configured is None:
            return f"IKEv2 profile {profile} not found"
        blocker = query.eap_client_blocker(configured)
        eap = configured.eap_local
        if blocker is not None or eap is None or eap.username is None or eap.password is None:
            return blocker or "'authentication local eap' needs a username and a password"
        method = None if eap.method is None else METHOD_KEYWORDS[eap.method]
        return EapCredentials(eap.username, eap.password.reveal(), method)

    def psk_group(self, profile: str) -> str | None:
        configured = self.config.profiles.get(profile)
        return None if configured is None else query.psk_aaa_group(self.config, configured)

    def psk_user(self, profile: str, remote_id: Identity) -> str | None:
        configured = self.config.profiles.get(profile)
        mangler = None if configured is None else configured.flex.keyring_aaa_mangler
        if mangler is None:
            return str(remote_id)
        found = self.config.flexvpn.name_manglers.get(mangler)
        return None if found is None else mangled_name(found, remote_id)
