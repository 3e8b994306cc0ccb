"""`%CRYPTO-5-IKEV2_SESSION_STATUS`: what IOS logs when an IKEv2 session comes up or goes
down (a rekey, which hands the session to a new IKE SA, logs nothing). IOS pads the state:
"UP." is followed by two spaces, "DOWN." by one."""

from __future__ import annotations

from pyike.ike.events import IkeSaUp
from pyike.ios_names import address


def session_status_message(sa: IkeSaUp, up: bool) -> str:
    state = "UP. " if up else "DOWN."
    peer = f"{address(sa.remote.address)}:{sa.remote.port}"
    return (
        f"%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is {state} Peer {peer}"
        f"       Id: {sa.remote_id}"
    )
