"""Elliptic-curve Diffie-Hellman on a short Weierstrass curve y^2 = x^3 + ax + b over GF(p), in
Python integers, for the one IKEv2 curve `cryptography` lacks: brainpoolP224r1 (RFC 5639
section 3.2; IKEv2 group 27, RFC 6954). The other ECP groups use `cryptography`.

The scalar multiplication is a Montgomery ladder over every bit of the group order in Jacobian
coordinates, so its sequence of operations does not depend on the scalar; Python's big-integer
arithmetic is not constant-time, which is why the groups `cryptography` offers never come here.
"""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[int, int]  # affine (x, y)
_Jacobian = tuple[int, int, int]  # (X, Y, Z) for (X/Z^2, Y/Z^3); Z = 0 is the point at infinity
_INFINITY: _Jacobian = (1, 1, 0)


@dataclass(frozen=True)
class WeierstrassCurve:
    """Domain parameters of a prime-order curve (cofactor 1)."""

    name: str
    p: int
    a: int
    b: int
    generator: Point
    order: int

    @property
    def key_size(self) -> int:
        """Bits of the field, as `cryptography`'s curves name it."""
        return self.p.bit_length()

    def contains(self, point: Point) -> bool:
        """Whether `point` is an affine point of the curve (so not the point at infinity)."""
        x, y = point
        p = self.p
        return 0 <= x < p and 0 <= y < p and (y * y - x * x * x - self.a * x - self.b) % p == 0

    def multiply(self, scalar: int, point: Point) -> Point | None:
        """scalar * point, None for the point at infinity."""
        low, high = _INFINITY, (*point, 1)
        for bit in range(self.order.bit_length() - 1, -1, -1):
            if scalar >> bit & 1:
                low, high = self._add(low, high), self._double(high)
            else:
                low, high = self._double(low), self._add(low, high)
        return self._affine(low)

    def _double(self, q: _Jacobian) -> _Jacobian:
        x, y, z = q
        p = self.p
        if z == 0 or y == 0:
            return _INFINITY
        yy = y * y % p
        s = 4 * x * yy % p
        m = (3 * x * x + self.a * pow(z, 4, p)) % p
        x3 = (m * m - 2 * s) % p
        return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p

    def _add(self, q1: _Jacobian, q2: _Jacobian) -> _Jacobian:
        if q1[2] == 0:
            return q2
        if q2[2] == 0:
            return q1
        p = self.p
        (x1, y1, z1), (x2, y2, z2) = q1, q2
        z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
        u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
        s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
        if u1 == u2:
            return self._double(q1) if s1 == s2 else _INFINITY
        h, r = (u2 - u1) % p, (s2 - s1) % p
        hh = h * h % p
        hhh = h * hh % p
        x3 = (r * r - hhh - 2 * u1 * hh) % p
        return x3, (r * (u1 * hh - x3) - s1 * hhh) % p, h * z1 * z2 % p

    def _affine(self, q: _Jacobian) -> Point | None:
        x, y, z = q
        if z == 0:
            return None
        inverse = pow(z, -1, self.p)
        square = inverse * inverse % self.p
        return x * square % self.p, y * square * inverse % self.p


# RFC 5639 section 3.2.
BRAINPOOL_P224R1 = WeierstrassCurve(
    "brainpoolP224r1",
    p=0xD7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF,
    a=0x68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43,
    b=0x2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B,
    generator=(
        0x0D9029AD2C7E5CF4340823B2A87DC68C9E4CE3174C1E6EFDEE12C07D,
        0x58AA56F772C0726F24C6B89E4ECDAC24354B9E99CAA3F6D3761402CD,
    ),
    order=0xD7C134AA264366862A18302575D0FB98D116BC4B6DDEBCA3A5A7939F,
)
