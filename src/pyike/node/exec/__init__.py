"""Exec commands (`ping`, `traceroute`, `show ...`) in IOS format, from router state."""
