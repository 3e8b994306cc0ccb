"""Public-key infrastructure: certificates the way IOS trustpoints use them (validation,
identities, the engine's view of a router's PKI), and the lab CA tool (`pyike pki`)."""
