"""Simulated IOS routers: interfaces, routing, the IPv4 data plane and exec commands."""
