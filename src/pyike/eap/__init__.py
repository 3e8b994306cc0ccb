"""EAP (RFC 3748) as IKEv2 carries it (RFC 7296 section 2.16): the packet format, the
authenticator (server) and the peer (client) of EAP-MD5, EAP-GTC and EAP-MSCHAPv2, and the
MSK each method leaves for IKE_AUTH's final AUTH payloads. Sans-IO: no clock, no sockets; the
randomness an authenticator needs comes in as an argument."""
