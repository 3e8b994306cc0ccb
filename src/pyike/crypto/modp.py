"""The MODP groups' parameters: RFC 2409 and RFC 3526 (safe primes, generator 2) and
RFC 5114 sections 2.1 to 2.3 (1024- and 2048-bit primes with 160-, 224- and 256-bit prime-order
subgroups).

The RFC 2409/3526 primes are 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) * pi) + k), safe
primes; tests/crypto check both properties. Which IKEv2 group uses which parameters is declared
in `pyike.crypto.catalogue`.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class ModpParameters:
    """A prime, a generator and the order of the subgroup it generates: (p-1)/2 for a safe
    prime, a small prime q for the RFC 5114 groups (whose public values must then be checked
    to lie in that subgroup, RFC 6989 section 2.2)."""

    prime: int
    generator: int = 2
    subgroup_order: int | None = None  # None: a safe prime

    @property
    def size(self) -> int:
        """Octets of a public value or shared secret (RFC 7296 section 2.14)."""
        return (self.prime.bit_length() + 7) // 8


def _read_parameters() -> dict[str, ModpParameters]:
    """data/modp.ini: a section per parameter set, each value in hexadecimal over indented
    lines, as the RFCs print them."""
    sections = configparser.ConfigParser()
    sections.read_string((resources.files("pyike") / "data" / "modp.ini").read_text("ascii"))
    return {
        name: ModpParameters(
            **{key: int("".join(hex_lines.split()), 16) for key, hex_lines in section.items()}
        )
        for name, section in sections.items()
        if name != configparser.DEFAULTSECT
    }


_PARAMETERS = _read_parameters()
RFC2409_768 = _PARAMETERS["RFC2409_768"]  # RFC 2409 section 6.1
RFC2409_1024 = _PARAMETERS["RFC2409_1024"]  # RFC 2409 section 6.2
RFC3526_1536 = _PARAMETERS["RFC3526_1536"]  # RFC 3526 section 2
RFC3526_2048 = _PARAMETERS["RFC3526_2048"]  # RFC 3526 section 3
RFC3526_3072 = _PARAMETERS["RFC3526_3072"]  # RFC 3526 section 4
RFC3526_4096 = _PARAMETERS["RFC3526_4096"]  # RFC 3526 section 5
RFC3526_6144 = _PARAMETERS["RFC3526_6144"]  # RFC 3526 section 6
RFC3526_8192 = _PARAMETERS["RFC3526_8192"]  # RFC 3526 section 7
RFC5114_1024_160 = _PARAMETERS["RFC5114_1024_160"]  # RFC 5114 section 2.1
RFC5114_2048_224 = _PARAMETERS["RFC5114_2048_224"]  # RFC 5114 section 2.2
RFC5114_2048_256 = _PARAMETERS["RFC5114_2048_256"]  # RFC 5114 section 2.3
