"""IKE and ESP proposal selection: IOS's own-order rule, the initiator-order alternative, the
KE group shortcut, AEAD proposals, and the initiator's check of the answer."""

from __future__ import annotations

from dataclasses import replace

from pyike.codec import Proposal, SaPayload, Transform
from pyike.codec.registry import DhId, EncrId, EsnId, IntegId, PrfId, ProtocolId, TransformType
from pyike.ike import TransformSetSpec, ike_proposal
from pyike.ike.proposals import (
    accepted_esp,
    accepted_ike,
    esp_sa_payload,
    ike_proposal_of,
    ike_sa_payload,
    select_esp,
    select_ike,
)

AES = EncrId.AES_CBC
SHA1, SHA256 = IntegId.HMAC_SHA1_96, IntegId.HMAC_SHA2_256_128
G2, G5, G14 = DhId.MODP_1024, DhId.MODP_1536, DhId.MODP_2048

INITIATOR = ike_proposal("I", ((AES, 128), (AES, 256)), (SHA1, SHA256), (G2, G5))
RESPONDER = ike_proposal("R", ((AES, 256), (AES, 128)), (SHA256, SHA1), (G5, G2))


def test_responder_prefers_its_own_order_like_ios() -> None:
    choice = select_ike([RESPONDER], ike_sa_payload([INITIATOR]), None, prefer_own=True)
    assert choice is not None
    s = choice.suite
    assert (s.encr_key_bits, s.integ, s.prf, s.dh) == (256, SHA256, PrfId.HMAC_SHA2_256, G5)
    assert choice.spec_name == "R"


def test_responder_can_follow_the_initiator_order() -> None:
    choice = select_ike([RESPONDER], ike_sa_payload([INITIATOR]), None, prefer_own=False)
    assert choice is not None
    s = choice.suite
    assert (s.encr_key_bits, s.integ, s.prf, s.dh) == (128, SHA1, PrfId.HMAC_SHA1, G2)


def test_a_group_the_initiator_sent_a_ke_for_wins() -> None:
    choice = select_ike([RESPONDER], ike_sa_payload([INITIATOR]), int(G2), prefer_own=True)
    assert choice is not None and choice.suite.dh == G2
    # a KE group the responder does not accept does not win
    only5 = replace(RESPONDER, groups=(G5,))
    choice = select_ike([only5], ike_sa_payload([INITIATOR]), int(G2))
    assert choice is not None and choice.suite.dh == G5


def test_the_first_own_proposal_that_matches_wins_over_later_ones() -> None:
    strong = ike_proposal("STRONG", ((AES, 256),), (SHA256,), (G14,))
    weak = ike_proposal("WEAK", ((AES, 128),), (SHA1,), (G2,))
    offer = ike_sa_payload([weak, ike_proposal("X", ((AES, 256),), (SHA256,), (G14,))])
    choice = select_ike([strong, weak], offer, None)
    assert choice is not None and choice.spec_name == "STRONG"
    # the answer carries the number of the initiator's proposal that matched
    assert choice.proposal.number == 2


def test_no_common_transform_is_no_choice() -> None:
    other = ike_proposal("O", ((EncrId.TRIPLE_DES, None),), (IntegId.HMAC_MD5_96,), (G14,))
    assert select_ike([other], ike_sa_payload([INITIATOR]), None) is None


def test_aead_proposal_has_no_integrity_and_is_accepted_only_without_one() -> None:
    gcm = ike_proposal(
        "GCM", ((EncrId.AES_GCM_16, 256),), (), (DhId.ECP_256,), prf=(PrfId.HMAC_SHA2_384,)
    )
    wire = ike_proposal_of(gcm, 1)
    assert wire.transforms_of(TransformType.INTEG) == ()
    choice = select_ike([gcm], SaPayload((wire,)), int(DhId.ECP_256))
    assert choice is not None
    assert (choice.suite.encr, choice.suite.integ, choice.suite.prf) == (
        EncrId.AES_GCM_16,
        IntegId.NONE,
        PrfId.HMAC_SHA2_384,
    )
    assert choice.proposal.transforms_of(TransformType.INTEG) == ()
    # an AEAD cipher offered with an integrity algorithm is malformed: not chosen
    bad = replace(wire, transforms=(*wire.transforms, Transform(TransformType.INTEG, SHA256)))
    assert select_ike([gcm], SaPayload((bad,)), int(DhId.ECP_256)) is None


def test_ike_proposal_with_foreign_transform_types_is_skipped() -> None:
    wire = ike_proposal_of(INITIATOR, 1)
    odd = replace(wire, transforms=(*wire.transforms, Transform(TransformType.ESN, 0)))
    assert select_ike([RESPONDER], SaPayload((odd,)), None) is None


def test_initiator_checks_the_answer() -> None:
    offer = ike_sa_payload([INITIATOR])
    choice = select_ike([RESPONDER], offer, None)
    assert choice is not None
    answer = SaPayload((choice.proposal,))
    accepted = accepted_ike(offer, answer)
    assert accepted is not None and accepted.suite == choice.suite
    # two proposals in an answer, or a transform never offered, are refused
    assert accepted_ike(offer, SaPayload((choice.proposal, choice.proposal))) is None
    foreign = replace(
        choice.proposal,
        transforms=tuple(
            Transform(TransformType.DH, G14) if t.type == TransformType.DH else t
            for t in choice.proposal.transforms
        ),
    )
    assert accepted_ike(offer, SaPayload((foreign,))) is None
    missing_dh = replace(
        choice.proposal,
        transforms=tuple(t for t in choice.proposal.transforms if t.type != TransformType.DH),
    )
    assert accepted_ike(offer, SaPayload((missing_dh,))) is None


# --- ESP ---------------------------------------------------------------------------------

TS_AES = TransformSetSpec("AES", AES, 256, SHA256)
TS_3DES = TransformSetSpec("3DES", EncrId.TRIPLE_DES, None, SHA1)
TS_GCM = TransformSetSpec("GCM", EncrId.AES_GCM_16, 128)
SPI = b"\x01\x02\x03\x04"


def test_esp_own_order_and_initiator_order() -> None:
    offer = esp_sa_payload([TS_3DES, TS_AES], SPI)
    own = select_esp([TS_AES, TS_3DES], offer, None, allow_dh=False)
    assert own is not None and own[1].transform_set == "AES" and own[0].number == 2
    theirs = select_esp([TS_AES, TS_3DES], offer, None, allow_dh=False, prefer_own=False)
    assert theirs is not None and theirs[1].transform_set == "3DES"


def test_esp_aead_transform_set() -> None:
    offer = esp_sa_payload([TS_GCM], SPI)
    picked = select_esp([TS_AES, TS_GCM], offer, None, allow_dh=False)
    assert picked is not None
    assert (picked[1].encr, picked[1].key_bits, picked[1].integ) == (
        EncrId.AES_GCM_16,
        128,
        IntegId.NONE,
    )
    # the same cipher with a different key size is another transform
    assert select_esp([replace(TS_GCM, key_bits=256)], offer, None, allow_dh=False) is None


def test_esp_pfs_rules() -> None:
    with_pfs = esp_sa_payload([TS_AES], SPI, G14)
    without = esp_sa_payload([TS_AES], SPI)
    # IKE_AUTH ignores DH transforms
    assert select_esp([TS_AES], with_pfs, G5, allow_dh=False) is not None
    # CREATE_CHILD_SA: a configured group must be offered
    assert select_esp([TS_AES], without, G14, allow_dh=True) is None
    assert select_esp([TS_AES], with_pfs, G5, allow_dh=True) is None
    picked = select_esp([TS_AES], with_pfs, G14, allow_dh=True)
    assert picked is not None and picked[1].dh == G14
    # no group configured: the offered one is accepted
    picked = select_esp([TS_AES], with_pfs, None, allow_dh=True)
    assert picked is not None and picked[1].dh == G14


def test_esp_esn_must_match() -> None:
    offer = esp_sa_payload([replace(TS_AES, esn=True)], SPI)
    assert select_esp([TS_AES], offer, None, allow_dh=False) is None
    picked = select_esp([replace(TS_AES, esn=True)], offer, None, allow_dh=False)
    assert picked is not None and picked[1].esn
    esns = picked[0].transforms_of(TransformType.ESN)
    assert [t.id for t in esns] == [EsnId.ESN]


def test_esp_proposal_with_a_bad_spi_is_skipped() -> None:
    offer = esp_sa_payload([TS_AES], b"\x01\x02")
    assert select_esp([TS_AES], offer, None, allow_dh=False) is None


def test_esp_answer_check() -> None:
    offer = esp_sa_payload([TS_3DES, TS_AES], SPI)
    picked = select_esp([TS_AES], offer, None, allow_dh=False)
    assert picked is not None
    answer = SaPayload((replace(picked[0], spi=b"\x09\x09\x09\x09"),))
    accepted = accepted_esp(offer, answer, [TS_3DES, TS_AES])
    assert accepted is not None and accepted[1].transform_set == "AES"
    wrong = Proposal(2, ProtocolId.ESP, SPI, (Transform(TransformType.ENCR, EncrId.NULL),))
    assert accepted_esp(offer, SaPayload((wrong,)), [TS_3DES, TS_AES]) is None
    out_of_range = replace(answer.proposals[0], number=7)
    assert accepted_esp(offer, SaPayload((out_of_range,)), [TS_3DES, TS_AES]) is None
