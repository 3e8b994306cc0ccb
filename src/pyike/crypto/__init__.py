"""IKEv2 crypto suite: transforms, key exchange, key schedule, PSK AUTH, SK payload protection.

Every primitive comes from the `cryptography` package, except constant-time modular
exponentiation for the MODP groups (see `pyike.crypto.dh`). Nothing here draws randomness
itself: callers pass nonces, IVs and a `random_bytes` callable.
"""
