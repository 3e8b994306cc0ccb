"""The PKI show commands of a router, lab or gateway: `show crypto pki certificates [NAME]
[verbose]`, `show crypto pki trustpoints [NAME] [status]` and `show crypto key mypubkey
rsa|ec [LABEL]`, from the configuration in force and the key files beside it (read when the
command runs, so a re-issued key shows at once; a key file that cannot be used is said)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pyike.config.model import Config
from pyike.crypto.auth import PrivateKey
from pyike.ike.policy import Certificates
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token
from pyike.pki.keystore import KeyFileError, default_label, key_path, load_router_keys
from pyike.pki.trust import RouterPki
from pyike.show.pki import (
    KeyView,
    key_view,
    show_crypto_key_mypubkey,
    show_crypto_pki_certificates,
    show_crypto_pki_trustpoints,
)


def _text(lines: list[str]) -> ExecJob:
    return TextResult("\n".join(lines) + "\n" if lines else "")


def _name_and_flag(args: Sequence[Token], flag: str) -> tuple[str | None, bool]:
    """`[NAME] [FLAG]`, the flag abbreviated as IOS allows."""
    words = [a.text for a in args]
    flagged = bool(words) and flag.startswith(words[-1].lower())
    if flagged:
        words = words[:-1]
    if len(words) > 1:
        raise InvalidInput(args[1].start)
    return (words[0] if words else None), flagged


def key_views(config: Config, pki: Certificates | None = None) -> tuple[list[KeyView], list[str]]:
    """The router's key pairs as show prints them, and the problems with its key files. With
    `pki` (the engine's `certificates`), a key the engine holds but no file does (the lab
    enrolled the router) is shown too, made when its certificate starts."""
    path = Path(config.file)
    try:
        keys = load_router_keys(path, config)
    except KeyFileError as error:
        keys, problems = {}, [f"% {error}"]
    else:
        problems = []
    views = []
    for label, key in keys.items():
        file = key_path(path, label)
        file = file if file.exists() else key_path(path, None)
        made = datetime.fromtimestamp(file.stat().st_mtime, UTC).replace(microsecond=0)
        pair = config.key_pairs.get(label)
        views.append(key_view(label, key.public_key(), made, pair.exportable if pair else False))
    for label, key, made in _engine_keys(config, pki):
        if label not in keys:
            pair = config.key_pairs.get(label)
            views.append(key_view(label, key.public_key(), made, bool(pair and pair.exportable)))
            problems = []  # the engine signs with its own key, not with the file's
    return views, problems


def _engine_keys(
    config: Config, pki: Certificates | None
) -> list[tuple[str, PrivateKey, datetime]]:
    """(label, key, when its certificate starts) of the keys the engine's PKI holds."""
    if not isinstance(pki, RouterPki):
        return []
    found = {}
    for name, tp in config.trustpoints.items():
        held = pki.trustpoints.get(name)
        if held is not None and held.key is not None and held.certificate is not None:
            label = tp.key_label or default_label(config)
            found[label] = (label, held.key, held.certificate.not_valid_before_utc)
    return list(found.values())


def register_pki_show_commands(
    tree: CommandTree,
    config: Callable[[], Config],
    pki: Callable[[], Certificates | None] = lambda: None,
) -> None:
    """`pki` gives the engine's `certificates` (keys the lab enrolled the router with)."""

    def certificates(args: Sequence[Token]) -> ExecJob:
        name, verbose = _name_and_flag(args, "verbose")
        cfg = config()
        return _text(show_crypto_pki_certificates(list(cfg.trustpoints.values()), name, verbose))

    def trustpoints(args: Sequence[Token]) -> ExecJob:
        name, status = _name_and_flag(args, "status")
        cfg = config()
        views, problems = key_views(cfg, pki()) if status else ([], [])
        have = {v.label: v.exportable for v in views}
        tps = list(cfg.trustpoints.values())
        lines = show_crypto_pki_trustpoints(tps, name, status, have, default_label(cfg))
        return _text(problems + lines)

    def mypubkey(kind: str) -> Callable[[Sequence[Token]], ExecJob]:
        def handler(args: Sequence[Token]) -> ExecJob:
            if len(args) > 1:
                raise InvalidInput(args[1].start)
            views, problems = key_views(config(), pki())
            label = args[0].text if args else None
            return _text(problems + show_crypto_key_mypubkey(kind, views, label))

        return handler

    tree.register("show crypto pki certificates", certificates, takes_args=True)
    tree.register("show crypto pki trustpoints", trustpoints, takes_args=True)
    tree.register("show crypto key mypubkey rsa", mypubkey("rsa"), takes_args=True)
    tree.register("show crypto key mypubkey ec", mypubkey("ec"), takes_args=True)
    tree.register("show crypto key mypubkey all", mypubkey("all"), takes_args=True)
