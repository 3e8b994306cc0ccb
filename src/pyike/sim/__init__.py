"""The lab's virtual world: clock, wire (segments, faults, capture) and NAT box."""
