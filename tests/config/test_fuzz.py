"""Mutated seed configurations never raise: every problem is a reported config finding."""

from __future__ import annotations

from importlib import resources

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyike.config import load
from pyike.config.writer import render

SEEDS = [
    resources.files("pyike.data").joinpath(f"seed/{n}.cfg").read_text()
    for n in ("router1", "router2")
]
WORDS = [
    "no", "crypto", "ikev2", "ipsec", "proposal", "policy", "profile", "keyring", "peer",
    "encryption", "group", "exit", "end", "interface", "Tunnel0", "tu", "ip", "route", "!",
    "pre-shared-key", "local", "remote", "6", "0", "255.255.255.0", "::1/128", "set", "pfs",
    "access-list", "101", "permit", "tcp", "host", "eq", "range", "banner", "motd", "^C", "line",
    "transform-set", "esp-gcm", "esp-sha-hmac", "match", "identity", "address", "fqdn",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).splitlines()
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "word", "trunc", "text", "indent", "swap"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "word":
            words = lines[i].split(" ")
            words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(WORDS)))
            lines[i] = " ".join(words)
        elif op == "trunc":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif op == "text":
            lines[i] = draw(st.text(max_size=40))
        elif op == "indent":
            lines[i] = " " * draw(st.integers(0, 3)) + lines[i].lstrip()
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            lines = [""]
    return "\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_seed_never_raises(text: str) -> None:
    result = load(text, "fuzz.cfg")
    for d in result.diagnostics:
        assert d.format()
        assert "cisco" not in d.format()  # the seed key never leaks into a message
    printed = render(result.config, show_keys=True)
    again = load(printed, "printed.cfg")
    # What pyike prints, pyike reads back without parse errors (validation may still object).
    assert not [d for d in again.errors if d.echo is not None]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = load(text, "noise.cfg")
    render(result.config)
