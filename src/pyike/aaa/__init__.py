"""AAA over the network for the gateway: a RADIUS client (pyrad builds and checks the
packets; asyncio carries them). Not part of the sans-IO core: the engine asks through events
and is answered later (ike/eap_auth.py's EAP relay)."""
