"""MS-CHAPv2 against RFC 2759 section 9.2's worked example, and the MPPE keys against RFC
3079 section 3.5.3 (same user and password)."""

from pyike.eap import mschapv2

AUTH_CHALLENGE = bytes.fromhex("5B5D7C7D7B3F2F3E3C2C602132262628")
PEER_CHALLENGE = bytes.fromhex("21402324255E262A28295F2B3A337C7E")
NT_RESPONSE = bytes.fromhex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF")


def test_rfc_2759_example() -> None:
    assert mschapv2.nt_password_hash("clientPass").hex().upper() == (
        "44EBBA8D5312B8D611474411F56989AE"
    )
    assert mschapv2.challenge_hash(PEER_CHALLENGE, AUTH_CHALLENGE, "User").hex().upper() == (
        "D02E4386BCE91226"
    )
    assert mschapv2.nt_response(AUTH_CHALLENGE, PEER_CHALLENGE, "User", "clientPass") == (
        NT_RESPONSE
    )
    proof = mschapv2.authenticator_response(
        "clientPass", NT_RESPONSE, PEER_CHALLENGE, AUTH_CHALLENGE, "User"
    )
    assert proof == "S=407A5589115FD0D6209F510FE9C04566932CDA56"


def test_rfc_3079_keys_make_the_msk() -> None:
    assert mschapv2.master_key("clientPass", NT_RESPONSE).hex().upper() == (
        "FDECE3717A8C838CB388E527AE3CDD31"
    )
    msk = mschapv2.msk("clientPass", NT_RESPONSE)
    assert len(msk) == 64 and msk[32:] == bytes(32)
    # the authenticator's send key (the client's receive key) is the MSK's second 16 bytes
    assert msk[16:32].hex().upper() == "8B7CDC149B993A1BA118CB153F56DCCB"


def test_a_wrong_password_gives_another_response() -> None:
    wrong = mschapv2.nt_response(AUTH_CHALLENGE, PEER_CHALLENGE, "User", "clientpass")
    assert wrong != NT_RESPONSE
