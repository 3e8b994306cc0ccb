"""NHRP (RFC 2332) as DMVPN uses it on IOS: the packet codec with Cisco's extensions, the
NHRP cache, and the sans-IO protocol engine of a tunnel interface (next hop client and
server, phase 1, 2 and 3), driven by a host that owns the clock, the GRE tunnel and crypto."""
