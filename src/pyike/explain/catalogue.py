"""Plain-words explanations in English and Korean, and the config each step relates to.

Like the description column of Cisco's TAC note: what a step means and which configuration
commands it comes from. Texts are keyed by ids so that renderers pick the language.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyike.crypto import catalogue

CAUSES: tuple[str, ...] = (
    "success",
    "psk_mismatch",
    "auth_method_mismatch",
    "eap_failure",
    "aaa_authorization_failed",
    "ike_proposal_mismatch",
    "child_proposal_mismatch",
    "ts_mismatch",
    "address_pool_exhausted",
    "no_response",
    "invalid_ke",
    "identity_mismatch",
    "key_not_found",
    "certificate_error",
    "certificate_expired",
    "certificate_untrusted",
    "certificate_revoked",
    "certificate_no_crl",
    "certificate_identity_mismatch",
    "peer_not_configured",
    "peer_rejected_child",
    "local_config_error",
    "nat_t_problem",
    "dpd_timeout",
    "admin_clear",
    "no_negotiation",
    "unknown",
)

OUTCOMES: tuple[str, ...] = ("success", "failure", "partial", "unknown")


@dataclass(frozen=True)
class Text:
    en: str
    ko: str

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class CauseText:
    title: Text
    fix: tuple[Text, ...]


def _t(en: str, ko: str) -> Text:
    return Text(en, ko)


# The default transform set's keywords, as examples of what a transform set names.
_ESP_EXAMPLE = ", ".join(
    t.esp_keyword or ""
    for t in (catalogue.IOS_DEFAULT_ESP_ENCRYPTION, catalogue.IOS_DEFAULT_ESP_INTEGRITY)
)


CAUSE_TEXTS: dict[str, CauseText] = {
    "success": CauseText(
        _t(
            "The tunnel came up: the IKE SA and its child SA were negotiated.",
            "터널이 올라왔습니다: IKE SA와 child SA가 협상되었습니다.",
        ),
        (),
    ),
    "psk_mismatch": CauseText(
        _t(
            "Pre-shared key mismatch: the AUTH payload computed with the local key differs from "
            "the one the peer sent.",
            "사전 공유 키 불일치: 로컬 키로 계산한 AUTH 값이 피어가 보낸 값과 다릅니다.",
        ),
        (
            _t(
                "Make the keys equal on both routers: under `crypto ikev2 keyring` the peer's "
                "`pre-shared-key local` must equal the other router's `pre-shared-key remote` "
                "(and vice versa); on an ASA, `tunnel-group <peer> ipsec-attributes` / "
                "`ikev2 remote-authentication pre-shared-key` and `ikev2 local-authentication "
                "pre-shared-key`.",
                "두 라우터의 키를 같게 하십시오: `crypto ikev2 keyring`의 피어 항목에서 "
                "`pre-shared-key local`은 상대 라우터의 `pre-shared-key remote`와 같아야 합니다 "
                "(반대도 마찬가지). ASA에서는 `tunnel-group <peer> ipsec-attributes`의 "
                "`ikev2 remote-authentication pre-shared-key`/`ikev2 local-authentication "
                "pre-shared-key`입니다.",
            ),
        ),
    ),
    "eap_failure": CauseText(
        _t(
            "EAP authentication failed: the server refused the user's credentials (wrong "
            "password, unknown user, or a method it cannot check).",
            "EAP 인증 실패: 서버가 사용자의 자격 증명을 거부했습니다 (잘못된 비밀번호, 알 수 없는 "
            "사용자, 또는 확인할 수 없는 방식).",
        ),
        (
            _t(
                "On the client, `authentication local eap ... username U password P` must match "
                "a user the server knows: with local AAA, `username U password 0 P` (EAP-MSCHAPv2 "
                "and EAP-MD5 need `password`, not a one-way `secret`) and the profile's `aaa "
                "authentication eap LIST` naming `aaa authentication login LIST local`.",
                "클라이언트의 `authentication local eap ... username U password P`가 서버가 아는 "
                "사용자와 일치해야 합니다: 로컬 AAA라면 `username U password 0 P` (EAP-MSCHAPv2와 "
                "EAP-MD5에는 단방향 `secret`이 아니라 `password`가 필요합니다)와 프로파일의 `aaa "
                "authentication eap LIST`가 가리키는 `aaa authentication login LIST local`입니다.",
            ),
        ),
    ),
    "auth_method_mismatch": CauseText(
        _t(
            "Authentication method mismatch: the peer authenticates with a method this router's "
            "profile does not accept.",
            "인증 방법 불일치: 피어가 이 라우터 프로필이 허용하지 않는 방법으로 인증합니다.",
        ),
        (
            _t(
                "Align `authentication local` on one side with `authentication remote` on the "
                "other in `crypto ikev2 profile` (pre-share, rsa-sig, ecdsa-sig, eap); on an "
                "ASA, `ikev2 remote-authentication` / `ikev2 local-authentication` in the "
                "tunnel-group.",
                "`crypto ikev2 profile`에서 한쪽의 `authentication local`과 다른 쪽의 "
                "`authentication remote`를 맞추십시오 (pre-share, rsa-sig, ecdsa-sig, eap). ASA는 "
                "tunnel-group의 `ikev2 remote-authentication`/`ikev2 local-authentication`입니다.",
            ),
        ),
    ),
    "ike_proposal_mismatch": CauseText(
        _t(
            "IKE proposal mismatch: no IKE SA proposal is acceptable to both peers.",
            "IKE 제안 불일치: 두 피어 모두가 받아들일 수 있는 IKE SA 제안이 없습니다.",
        ),
        (
            _t(
                "Make `crypto ikev2 proposal` (encryption, integrity/prf, group) share at least "
                "one combination with the peer, and make sure the proposal is referenced by a "
                "`crypto ikev2 policy` (an unreferenced proposal is not used); on an ASA, "
                "`crypto ikev2 policy <n>`.",
                "`crypto ikev2 proposal`(encryption, integrity/prf, group)이 피어와 적어도 "
                "한 조합을 공유하게 하고, 그 제안이 `crypto ikev2 policy`에서 참조되는지 "
                "확인하십시오 (참조되지 않은 제안은 쓰이지 않습니다). ASA는 "
                "`crypto ikev2 policy <n>`입니다.",
            ),
        ),
    ),
    "child_proposal_mismatch": CauseText(
        _t(
            "Child SA (IPsec) proposal mismatch: the ESP transforms offered in IKE_AUTH or "
            "CREATE_CHILD_SA are not accepted by the responder.",
            "Child SA(IPsec) 제안 불일치: IKE_AUTH 또는 CREATE_CHILD_SA에서 제안한 ESP 변환을 "
            "응답자가 받아들이지 않습니다.",
        ),
        (
            _t(
                f"Make `crypto ipsec transform-set` ({_ESP_EXAMPLE}, ...) and the mode "
                "(`mode tunnel` / `mode transport`) match the peer, or the ASA's `crypto ipsec "
                "ikev2 ipsec-proposal` (`protocol esp encryption` / `integrity`); check `set pfs` "
                "on both sides for rekeys.",
                f"`crypto ipsec transform-set`({_ESP_EXAMPLE} 등)과 모드(`mode tunnel`/"
                "`mode transport`)를 피어와 맞추거나, ASA의 `crypto ipsec ikev2 ipsec-proposal`"
                "(`protocol esp encryption`/`integrity`)을 맞추십시오. rekey에 대해서는 양쪽의 "
                "`set pfs`도 확인하십시오.",
            ),
        ),
    ),
    "ts_mismatch": CauseText(
        _t(
            "Traffic selector mismatch: the proxy identities (crypto ACL or tunnel addresses) "
            "do not mirror each other.",
            "트래픽 셀렉터 불일치: 프록시 ID(crypto ACL 또는 터널 주소)가 서로 대칭이 아닙니다.",
        ),
        (
            _t(
                "Make the crypto map ACL (`match address`) the mirror image of the peer's, or use "
                "`tunnel mode ipsec ipv4` (any/any selectors) on both sides of a VTI.",
                "crypto map ACL(`match address`)을 피어 ACL의 정확한 대칭으로 만들거나, VTI 양쪽에 "
                "`tunnel mode ipsec ipv4`(any/any 셀렉터)를 쓰십시오.",
            ),
        ),
    ),
    "aaa_authorization_failed": CauseText(
        _t(
            "AAA authorization failed: the peer authenticated, but the profile's `aaa "
            "authorization group` could not authorize it (a method list or authorization policy "
            "that is not defined, or AAA that does not answer).",
            "AAA 권한 부여 실패: 피어는 인증되었지만 프로파일의 `aaa authorization group`이 "
            "권한을 부여하지 못했습니다 (정의되지 않은 메서드 리스트나 권한 부여 정책, "
            "또는 응답하지 않는 AAA).",
        ),
        (
            _t(
                "Define what `aaa authorization group psk|eap list LIST POLICY` names: `aaa "
                "new-model`, `aaa authorization network LIST local` and `crypto ikev2 "
                "authorization policy POLICY` (without POLICY, the policy named `default`).",
                "`aaa authorization group psk|eap list LIST POLICY`가 가리키는 것을 정의하십시오: "
                "`aaa new-model`, `aaa authorization network LIST local`, `crypto ikev2 "
                "authorization policy POLICY` (POLICY가 없으면 `default`라는 정책).",
            ),
        ),
    ),
    "address_pool_exhausted": CauseText(
        _t(
            "No address to lend: the server authorized the peer but could not assign it an "
            "address (INTERNAL_ADDRESS_FAILURE: its pool is used up); the IKE SA is up, its "
            "Child SA is not.",
            "빌려줄 주소 없음: 서버가 피어를 승인했지만 주소를 할당할 수 없었습니다 "
            "(INTERNAL_ADDRESS_FAILURE: 풀이 다 찼습니다). IKE SA는 올라왔지만 Child SA는 "
            "없습니다.",
        ),
        (
            _t(
                "Widen the authorization policy's `ip local pool` (`ip local pool NAME FIRST "
                "LAST`) or free addresses (`show crypto session`: peers holding one), or give "
                "the client a static tunnel address instead of `ip address negotiated`.",
                "권한 부여 정책의 `ip local pool`을 넓히거나(`ip local pool NAME FIRST LAST`) "
                "주소를 쓰는 피어를 정리하거나(`show crypto session`), 클라이언트에 `ip address "
                "negotiated` 대신 고정 터널 주소를 주십시오.",
            ),
        ),
    ),
    "no_response": CauseText(
        _t(
            "No response from the peer: requests were sent (and retransmitted) but nothing came "
            "back.",
            "피어 응답 없음: 요청을 보내고(재전송도 하고) 있지만 아무 응답이 없습니다.",
        ),
        (
            _t(
                "Check reachability of the peer address on UDP 500 (and 4500 with NAT): ACLs, "
                "firewalls, routing, `tunnel destination` / `set peer`; check that the peer has "
                "IKEv2 enabled on that interface (`crypto ikev2 enable` on an ASA).",
                "UDP 500(NAT가 있으면 4500)으로 피어 주소에 도달하는지 확인하십시오: ACL, 방화벽, "
                "라우팅, `tunnel destination`/`set peer`. 피어의 해당 인터페이스에서 IKEv2가 켜져 "
                "있는지도 확인하십시오 (ASA는 `crypto ikev2 enable`).",
            ),
        ),
    ),
    "invalid_ke": CauseText(
        _t(
            "INVALID_KE_PAYLOAD: the initiator's KE payload uses a DH group the responder does "
            "not prefer; the initiator must retry with the requested group.",
            "INVALID_KE_PAYLOAD: 개시자의 KE 페이로드 DH 그룹을 응답자가 원하지 않습니다. 개시자는 "
            "요청된 그룹으로 다시 시도해야 합니다.",
        ),
        (
            _t(
                "Put the same DH group first in `group` of `crypto ikev2 proposal` on both peers "
                "(or, for rekeys, the same `set pfs groupN`).",
                "양쪽 `crypto ikev2 proposal`의 `group`에서 같은 DH 그룹을 맨 앞에 두십시오 "
                "(rekey라면 같은 `set pfs groupN`).",
            ),
        ),
    ),
    "identity_mismatch": CauseText(
        _t(
            "Identity or profile not matched: no `crypto ikev2 profile` matches the peer's "
            "identity.",
            "ID 또는 프로필 불일치: 피어의 ID와 일치하는 `crypto ikev2 profile`이 없습니다.",
        ),
        (
            _t(
                "Add a `match identity remote address|fqdn|email ...` that covers the identity "
                "the peer sends (or set `identity local` on the peer accordingly).",
                "피어가 보내는 ID를 포함하는 `match identity remote address|fqdn|email ...`을 "
                "추가하거나, 피어의 `identity local`을 그에 맞추십시오.",
            ),
        ),
    ),
    "key_not_found": CauseText(
        _t(
            "Keyring or key not found: the router has no pre-shared key for this peer.",
            "키링 또는 키 없음: 라우터에 이 피어의 사전 공유 키가 없습니다.",
        ),
        (
            _t(
                "Add a `peer` block in the `crypto ikev2 keyring` named by `keyring local` whose "
                "`address` or `identity` matches the peer, with `pre-shared-key` set.",
                "`keyring local`이 가리키는 `crypto ikev2 keyring`에 피어와 일치하는 "
                "`address` 또는 `identity`를 가진 `peer` 블록을 만들고 `pre-shared-key`를 "
                "설정하십시오.",
            ),
        ),
    ),
    "certificate_error": CauseText(
        _t(
            "Certificate problem: the peer's certificate could not be validated.",
            "인증서 문제: 피어의 인증서를 검증할 수 없습니다.",
        ),
        (
            _t(
                "Check the trustpoints (`crypto pki trustpoint`, the CA chain, `chain` on the "
                "ASA's `set trustpoint`), certificate validity dates and clock (NTP), and "
                "revocation checking (`revocation-check`).",
                "트러스트포인트(`crypto pki trustpoint`, CA 체인, ASA `set trustpoint`의 `chain`), "
                "인증서 유효 기간과 시계(NTP), 폐기 확인(`revocation-check`)을 확인하십시오.",
            ),
        ),
    ),
    "certificate_expired": CauseText(
        _t(
            "The peer's certificate is outside its validity period (expired, or not yet "
            "valid) by this router's clock.",
            "이 라우터의 시계 기준으로 피어의 인증서가 유효 기간 밖에 있습니다 (만료되었거나 아직 "
            "유효하지 않음).",
        ),
        (
            _t(
                "Renew the peer's certificate (`crypto pki enroll` on its trustpoint), and check "
                "both routers' clocks (`show clock`, NTP): the %PKI-3 line gives the dates.",
                "피어의 인증서를 갱신하고(트러스트포인트에서 `crypto pki enroll`), 두 라우터의 "
                "시계를 확인하십시오(`show clock`, NTP). %PKI-3 줄에 날짜가 나옵니다.",
            ),
        ),
    ),
    "certificate_untrusted": CauseText(
        _t(
            "The peer's certificate was issued by a CA none of this profile's trustpoints "
            "holds: no path to a trusted CA.",
            "피어의 인증서를 발급한 CA가 이 프로파일의 어느 트러스트포인트에도 없습니다: 신뢰할 수 "
            "있는 CA까지의 경로가 없습니다.",
        ),
        (
            _t(
                "Authenticate the peer's CA on this router (`crypto pki trustpoint` and "
                "`crypto pki authenticate`) and name it in the profile (`pki trustpoint NAME`), "
                "or have the peer send its intermediate CA certificates.",
                "이 라우터에서 피어의 CA를 인증하고(`crypto pki trustpoint`, `crypto pki "
                "authenticate`) 프로파일에 지정하거나(`pki trustpoint NAME`), 피어가 중간 CA "
                "인증서를 함께 보내게 하십시오.",
            ),
        ),
    ),
    "certificate_revoked": CauseText(
        _t(
            "The peer's certificate is revoked: the CRL of its CA lists its serial number.",
            "피어의 인증서가 폐기되었습니다: CA의 CRL에 일련 번호가 있습니다.",
        ),
        (
            _t(
                "Enroll the peer again for a new certificate; `show crypto pki crls` shows the "
                "CRL this router checked.",
                "피어를 다시 등록해 새 인증서를 받으십시오. `show crypto pki crls`에서 이 라우터가 "
                "확인한 CRL을 볼 수 있습니다.",
            ),
        ),
    ),
    "certificate_no_crl": CauseText(
        _t(
            "The trustpoint checks revocation (`revocation-check crl`) but has no CRL of the "
            "peer's CA, so the certificate is refused.",
            "트러스트포인트가 폐기 확인(`revocation-check crl`)을 하지만 피어 CA의 CRL이 없어 "
            "인증서가 거부됩니다.",
        ),
        (
            _t(
                "Make the CRL reachable (the CDP in the certificate, or the trustpoint's CRL), "
                "or write `revocation-check crl none` to accept when no CRL can be had.",
                "CRL을 가져올 수 있게 하거나(인증서의 CDP, 트러스트포인트의 CRL), CRL이 없을 때 "
                "허용하려면 `revocation-check crl none`을 쓰십시오.",
            ),
        ),
    ),
    "certificate_identity_mismatch": CauseText(
        _t(
            "The identity the peer sent (IDi/IDr) is not a name its certificate certifies "
            "(subject or subjectAltName).",
            "피어가 보낸 ID(IDi/IDr)가 인증서의 이름(subject 또는 subjectAltName)에 없습니다.",
        ),
        (
            _t(
                "Make the peer's `identity local` match its certificate (`identity local dn`, "
                "or the address/FQDN its certificate names), or enroll it with the right "
                "`ip-address`/`fqdn`/`subject-name`.",
                "피어의 `identity local`을 인증서와 맞추거나(`identity local dn`, 또는 인증서에 "
                "있는 주소/FQDN), 올바른 `ip-address`/`fqdn`/`subject-name`으로 다시 "
                "등록하십시오.",
            ),
        ),
    ),
    "peer_not_configured": CauseText(
        _t(
            "The peer is not configured here: no tunnel-group or peer entry exists for its "
            "address.",
            "이 장비에 피어가 구성되어 있지 않습니다: 해당 주소의 tunnel-group 또는 피어 항목이 "
            "없습니다.",
        ),
        (
            _t(
                "Configure the peer: `tunnel-group <address> type ipsec-l2l` on an ASA, or a "
                "keyring peer and profile match on IOS.",
                "피어를 구성하십시오: ASA에서는 `tunnel-group <address> type ipsec-l2l`, IOS에서는 "
                "keyring peer와 프로필 match입니다.",
            ),
            _t(
                "A crypto map's `set peer` must name the address the peer's packets arrive "
                "from: for a peer behind a NAT, the NAT's public address, not the peer's own.",
                "crypto map의 `set peer`는 피어의 패킷이 오는 주소여야 합니다: NAT 뒤의 피어라면 "
                "피어 자신의 주소가 아니라 NAT의 공인 주소입니다.",
            ),
        ),
    ),
    "peer_rejected_child": CauseText(
        _t(
            "The peer rejected the child SA with an error notify.",
            "피어가 오류 notify로 child SA를 거부했습니다.",
        ),
        (
            _t(
                "Read the notify type: it names what the peer did not accept (address "
                "assignment, configuration payload, single pair of selectors, authorization).",
                "notify 유형이 피어가 받아들이지 않은 것(주소 할당, 구성 페이로드, 단일 셀렉터 "
                "쌍, 권한 부여)을 알려 줍니다.",
            ),
        ),
    ),
    "local_config_error": CauseText(
        _t(
            "Local configuration error: the router could not build its own policy.",
            "로컬 구성 오류: 라우터가 자신의 정책을 만들 수 없습니다.",
        ),
        (
            _t(
                "Complete the configuration named in the quoted line (crypto map peer, "
                "transform-set, ACL, tunnel-group keys).",
                "인용된 줄이 가리키는 구성(crypto map peer, transform-set, ACL, tunnel-group 키)을 "
                "완성하십시오.",
            ),
        ),
    ),
    "nat_t_problem": CauseText(
        _t(
            "NAT was detected and the exchange switched to UDP 4500, where nothing came back.",
            "NAT가 감지되어 UDP 4500으로 전환했지만 거기서 응답이 없습니다.",
        ),
        (
            _t(
                "Allow UDP 4500 both ways on the NAT device and firewalls; keep `crypto ikev2 "
                "nat keepalive` so the NAT mapping stays open.",
                "NAT 장비와 방화벽에서 UDP 4500을 양방향으로 허용하고, NAT 매핑이 유지되도록 "
                "`crypto ikev2 nat keepalive`를 두십시오.",
            ),
        ),
    ),
    "dpd_timeout": CauseText(
        _t(
            "Dead peer detection: liveness checks went unanswered and the SA was torn down.",
            "DPD(Dead Peer Detection): 생존 확인에 응답이 없어 SA가 삭제되었습니다.",
        ),
        (
            _t(
                "Find why the peer stopped answering (reboot, path down, SA cleared there); tune "
                "`dpd <interval> <retry> on-demand|periodic` in the profile.",
                "피어가 응답을 멈춘 이유(재부팅, 경로 단절, 상대측 SA 삭제)를 찾고, 프로필의 "
                "`dpd <interval> <retry> on-demand|periodic`을 조정하십시오.",
            ),
        ),
    ),
    "admin_clear": CauseText(
        _t(
            "The SA was cleared by an administrator (a `clear crypto` command).",
            "관리자가 `clear crypto` 명령으로 SA를 지웠습니다.",
        ),
        (),
    ),
    "no_negotiation": CauseText(
        _t(
            "The input holds no IKEv2 negotiation: none of its lines is an IKE exchange of IOS "
            "or ASA `debug crypto ikev2` output, of a charon log or of a pluto log.",
            "입력에 IKEv2 협상이 없습니다: IOS·ASA `debug crypto ikev2` 출력, charon 로그, "
            "pluto 로그의 IKE 교환으로 읽히는 줄이 하나도 없습니다.",
        ),
        (),
    ),
    "unknown": CauseText(
        _t(
            "The log does not tell why the negotiation stopped.",
            "이 로그만으로는 협상이 멈춘 이유를 알 수 없습니다.",
        ),
        (),
    ),
}

# What to change when the deciding log is strongSwan's: swanctl.conf's settings.
_SWAN_FIXES: dict[str, tuple[Text, ...]] = {
    "psk_mismatch": (
        _t(
            "The `ike` secret in swanctl.conf's `secrets` whose `id` matches the peer must be "
            "the key the peer uses (an IOS peer: its keyring's `pre-shared-key local` is this "
            "side's key for it, `pre-shared-key remote` the key it expects from this side).",
            "swanctl.conf `secrets`에서 피어와 `id`가 일치하는 `ike` 비밀 키는 피어가 쓰는 키와 "
            "같아야 합니다 (IOS 피어: keyring의 `pre-shared-key local`이 이쪽에 대한 키, "
            "`pre-shared-key remote`가 이쪽에서 기대하는 키입니다).",
        ),
    ),
    "ike_proposal_mismatch": (
        _t(
            "Make `connections.<conn>.proposals` share at least one combination (encryption, "
            "integrity, PRF, DH group) with the peer's IKEv2 proposal.",
            "`connections.<conn>.proposals`가 피어의 IKEv2 제안과 적어도 한 조합(암호화, "
            "무결성, PRF, DH 그룹)을 공유하게 하십시오.",
        ),
    ),
    "child_proposal_mismatch": (
        _t(
            "Make `children.<child>.esp_proposals` share a combination with the peer's "
            "transform set (with a DH group when the peer sets PFS), and `mode` match.",
            "`children.<child>.esp_proposals`가 피어의 transform set과 한 조합을 공유하게 "
            "하고(피어가 PFS를 쓰면 DH 그룹 포함), `mode`를 맞추십시오.",
        ),
    ),
    "ts_mismatch": (
        _t(
            "Make `children.<child>.local_ts` and `remote_ts` the mirror of the peer's crypto "
            "ACL (a VTI proposes 0.0.0.0/0 both ways).",
            "`children.<child>.local_ts`와 `remote_ts`를 피어 crypto ACL의 대칭으로 만드십시오 "
            "(VTI는 양방향 0.0.0.0/0을 제안합니다).",
        ),
    ),
    "identity_mismatch": (
        _t(
            "Make `remote.id` of a connection (and the `id` of its secret) the identity the "
            "peer sends (an IOS peer sends its address unless `identity local` says otherwise).",
            "연결의 `remote.id`(와 비밀 키의 `id`)를 피어가 보내는 ID로 하십시오 (IOS 피어는 "
            "`identity local`이 없으면 자신의 주소를 보냅니다).",
        ),
    ),
    "key_not_found": (
        _t(
            "Add an `ike` secret for the peer's identity to swanctl.conf's `secrets`.",
            "swanctl.conf `secrets`에 피어 ID의 `ike` 비밀 키를 추가하십시오.",
        ),
    ),
    "peer_not_configured": (
        _t(
            "Make a connection's `remote_addrs` include the address the peer's packets come "
            "from (behind a NAT, the NAT's public address), or use %any.",
            "연결의 `remote_addrs`에 피어 패킷이 오는 주소(NAT 뒤라면 NAT의 공인 주소)를 "
            "넣거나 %any를 쓰십시오.",
        ),
    ),
    "no_response": (
        _t(
            "Check that UDP 500 and 4500 reach the peer at `remote_addrs` (routing, firewalls) "
            "and that the peer listens there.",
            "UDP 500과 4500이 `remote_addrs`의 피어에 도달하는지(라우팅, 방화벽), 피어가 "
            "그 주소에서 수신하는지 확인하십시오.",
        ),
    ),
    "dpd_timeout": (
        _t(
            "Find why the peer stopped answering (restart, path down, SA cleared there); tune "
            "`dpd_delay`, `dpd_timeout` and the child's `dpd_action`.",
            "피어가 응답을 멈춘 이유(재시작, 경로 단절, 상대측 SA 삭제)를 찾고, `dpd_delay`, "
            "`dpd_timeout`, 자식의 `dpd_action`을 조정하십시오.",
        ),
    ),
    "nat_t_problem": (
        _t(
            "Allow UDP 4500 both ways through the NAT and firewalls.",
            "NAT와 방화벽에서 UDP 4500을 양방향으로 허용하십시오.",
        ),
    ),
}

# swanctl.conf's settings behind each exchange, for a strongSwan log.
_SWAN_EXCHANGE_CONFIG: dict[str, str] = {
    "IKE_SA_INIT": "connections.<conn>.proposals",
    "IKE_AUTH": "connections.<conn>.local / remote (auth, id), secrets, "
    "children.<child>.esp_proposals / local_ts / remote_ts",
    "ike_rekey": "connections.<conn>.rekey_time",
    "child_rekey": "children.<child>.rekey_time",
    "child_create": "children.<child>.esp_proposals",
    "delete": "swanctl --terminate / lifetimes",
    "dpd": "connections.<conn>.dpd_delay",
}

# The same for Libreswan: ipsec.conf's `conn` settings and ipsec.secrets.
_LIBRESWAN_FIXES: dict[str, tuple[Text, ...]] = {
    "psk_mismatch": (
        _t(
            "The PSK in ipsec.secrets for this pair of identities must be the key the peer "
            "uses; Libreswan has one key for both directions, so an IOS peer's keyring needs "
            "the same `pre-shared-key local` and `remote`.",
            "ipsec.secrets에서 이 ID 쌍의 PSK는 피어가 쓰는 키와 같아야 합니다. Libreswan은 "
            "양방향에 한 키를 쓰므로 IOS 피어의 keyring은 `pre-shared-key local`과 `remote`가 "
            "같아야 합니다.",
        ),
    ),
    "ike_proposal_mismatch": (
        _t(
            "Make the connection's `ike=` share a combination (encryption, integrity, PRF, DH "
            "group) with the peer's IKEv2 proposal; Libreswan 4 no longer offers MODP-1024 "
            "(group 2) by default.",
            "연결의 `ike=`가 피어의 IKEv2 제안과 한 조합(암호화, 무결성, PRF, DH 그룹)을 "
            "공유하게 하십시오. Libreswan 4는 기본으로 MODP-1024(group 2)를 제안하지 않습니다.",
        ),
    ),
    "child_proposal_mismatch": (
        _t(
            "Make the connection's `esp=` share a combination with the peer's transform set.",
            "연결의 `esp=`가 피어의 transform set과 한 조합을 공유하게 하십시오.",
        ),
    ),
    "ts_mismatch": (
        _t(
            "Make `leftsubnet=` and `rightsubnet=` the mirror of the peer's crypto ACL.",
            "`leftsubnet=`과 `rightsubnet=`을 피어 crypto ACL의 대칭으로 만드십시오.",
        ),
    ),
    "identity_mismatch": (
        _t(
            "Make `rightid=` the identity the peer sends (an IOS peer sends its address unless "
            "`identity local` says otherwise).",
            "`rightid=`를 피어가 보내는 ID로 하십시오 (IOS 피어는 `identity local`이 없으면 "
            "자신의 주소를 보냅니다).",
        ),
    ),
    "no_response": (
        _t(
            "Check that UDP 500 and 4500 reach the peer at `right=` and that it listens there.",
            "UDP 500과 4500이 `right=`의 피어에 도달하는지, 피어가 수신하는지 확인하십시오.",
        ),
    ),
}
_LIBRESWAN_EXCHANGE_CONFIG: dict[str, str] = {
    "IKE_SA_INIT": "conn: ike=",
    "IKE_AUTH": "conn: leftid / rightid, authby, ipsec.secrets, esp=, leftsubnet / rightsubnet",
    "ike_rekey": "conn: ikelifetime",
    "child_rekey": "conn: salifetime",
    "child_create": "conn: esp=",
    "dpd": "conn: dpddelay / dpdtimeout",
}

# By the dialect of the deciding log (IOS's texts are CAUSE_TEXTS and EXCHANGE_TEXTS).
DIALECT_FIXES: dict[str, dict[str, tuple[Text, ...]]] = {
    "strongswan": _SWAN_FIXES,
    "libreswan": _LIBRESWAN_FIXES,
}
DIALECT_EXCHANGE_CONFIG: dict[str, dict[str, str]] = {
    "strongswan": _SWAN_EXCHANGE_CONFIG,
    "libreswan": _LIBRESWAN_EXCHANGE_CONFIG,
}

OUTCOME_TEXTS: dict[str, Text] = {
    "success": _t("success", "성공"),
    "failure": _t("failure", "실패"),
    "partial": _t(
        "partial: IKE SA up, child SA not", "부분 성공: IKE SA는 올라왔지만 child SA는 아님"
    ),
    "unknown": _t("unknown", "알 수 없음"),
}

# What each exchange does and which configuration it comes from.
EXCHANGE_TEXTS: dict[str, tuple[Text, str]] = {
    "IKE_SA_INIT": (
        _t(
            "IKE_SA_INIT negotiates the IKE SA's algorithms, exchanges nonces and does the "
            "Diffie-Hellman exchange.",
            "IKE_SA_INIT은 IKE SA 알고리즘을 협상하고 nonce를 교환하며 Diffie-Hellman 교환을 "
            "수행합니다.",
        ),
        "crypto ikev2 proposal / crypto ikev2 policy",
    ),
    "IKE_AUTH": (
        _t(
            "IKE_AUTH proves each side's identity (AUTH payload) and creates the first child "
            "SA with its transforms and traffic selectors.",
            "IKE_AUTH는 각 측의 ID를 증명(AUTH 페이로드)하고 첫 child SA를 변환과 트래픽 "
            "셀렉터로 생성합니다.",
        ),
        "crypto ikev2 profile / crypto ikev2 keyring / crypto ipsec transform-set / "
        "crypto ipsec profile",
    ),
    "ike_rekey": (
        _t(
            "CREATE_CHILD_SA rekeys the IKE SA: a new IKE SA with fresh keys replaces the old "
            "one when its lifetime runs out.",
            "CREATE_CHILD_SA가 IKE SA를 rekey합니다: 수명이 다하면 새 키의 IKE SA가 기존 SA를 "
            "대체합니다.",
        ),
        "crypto ikev2 profile: lifetime",
    ),
    "child_rekey": (
        _t(
            "CREATE_CHILD_SA rekeys a child (IPsec) SA.",
            "CREATE_CHILD_SA가 child(IPsec) SA를 rekey합니다.",
        ),
        "crypto ipsec security-association lifetime / set pfs",
    ),
    "child_create": (
        _t(
            "CREATE_CHILD_SA creates an additional child SA or rekeys one.",
            "CREATE_CHILD_SA가 추가 child SA를 만들거나 rekey합니다.",
        ),
        "crypto ipsec transform-set / set pfs",
    ),
    "delete": (
        _t(
            "INFORMATIONAL with DELETE tears an SA down.",
            "DELETE를 담은 INFORMATIONAL이 SA를 삭제합니다.",
        ),
        "clear crypto ikev2 sa / lifetimes",
    ),
    "dpd": (
        _t(
            "An empty INFORMATIONAL is a liveness check (DPD).",
            "빈 INFORMATIONAL은 생존 확인(DPD)입니다.",
        ),
        "crypto ikev2 dpd / dpd in the profile",
    ),
    "INFORMATIONAL": (
        _t(
            "INFORMATIONAL carries notifies, deletes and liveness checks.",
            "INFORMATIONAL은 notify, 삭제, 생존 확인을 전달합니다.",
        ),
        "",
    ),
}

STEP_TEXTS: dict[str, Text] = {
    "nat_not_found": _t(
        "NAT detection: both addresses match, no NAT between the peers, UDP 500 is kept.",
        "NAT 감지: 두 주소가 일치하여 피어 사이에 NAT가 없으므로 UDP 500을 유지합니다.",
    ),
    "nat_detected": _t(
        "NAT detection: an address was translated; NAT-T moves IKE to UDP 4500 and ESP into UDP.",
        "NAT 감지: 주소가 변환되었습니다. NAT-T가 IKE를 UDP 4500으로, ESP를 UDP 안으로 옮깁니다.",
    ),
    "profile": _t(
        "The IKEv2 profile is selected (crypto ikev2 profile).",
        "IKEv2 프로필이 선택됩니다 (crypto ikev2 profile).",
    ),
    "key_lookup": _t(
        "The pre-shared key is looked up in the keyring (crypto ikev2 keyring).",
        "키링에서 사전 공유 키를 찾습니다 (crypto ikev2 keyring).",
    ),
    "identity_local": _t("This router's identity (IDi/IDr).", "이 라우터의 ID (IDi/IDr)."),
    "identity_peer": _t(
        "The peer's identity, used to pick the profile.", "프로필 선택에 쓰이는 피어의 ID."
    ),
    "admin_clear": _t("An administrator cleared the SAs.", "관리자가 SA를 지웠습니다."),
    "proxy_match": _t(
        "The proposed selectors match this crypto map entry's ACL (its transforms come next).",
        "제안된 셀렉터가 이 crypto map 항목의 ACL과 일치합니다 (다음은 변환 비교입니다).",
    ),
    "delete": _t("An SA is deleted.", "SA가 삭제됩니다."),
    "delete_received": _t("The peer asked to delete the SA.", "피어가 SA 삭제를 요청했습니다."),
    "peer_config": _t(
        "charon picked this connection for the peer (swanctl.conf `connections`).",
        "charon이 이 피어에 대해 이 연결을 골랐습니다 (swanctl.conf `connections`).",
    ),
    "nat_forced": _t(
        "No NAT, but UDP encapsulation is forced (`encap = yes`, or kernel-libipsec): IKE "
        "moves to UDP 4500 and ESP travels in UDP.",
        "NAT는 없지만 UDP 캡슐화가 강제됩니다 (`encap = yes` 또는 kernel-libipsec): IKE가 "
        "UDP 4500으로 옮겨 가고 ESP가 UDP 안으로 갑니다.",
    ),
}

# The debug command that shows what a log lacks.
NEEDS: dict[str, Text] = {
    "peer_log": _t(
        "the peer's `debug crypto ikev2` output (both sides' logs, merged with "
        "`pyike explain r1.log r2.log`)",
        "피어의 `debug crypto ikev2` 출력 (양쪽 로그를 `pyike explain r1.log r2.log`로 함께 분석)",
    ),
    "internal": _t(
        "`debug crypto ikev2 internal` (IOS) or `debug crypto ikev2 protocol 127` "
        "(ASA) for the state machine and the failure reason",
        "상태 머신과 실패 이유를 보려면 `debug crypto ikev2 internal`(IOS) 또는 "
        "`debug crypto ikev2 protocol 127`(ASA)",
    ),
    "capture": _t(
        "a packet capture on the peer (UDP 500/4500) to see whether the requests arrive",
        "요청이 도착하는지 보려면 피어에서 UDP 500/4500 패킷 캡처",
    ),
    "packet": _t(
        "`debug crypto ikev2 packet` to see the proposals and notifies",
        "제안과 notify를 보려면 `debug crypto ikev2 packet`",
    ),
    "swan_debug": _t(
        "charon's log at level 2 for the IKE, CFG and ENC groups (`ike = 2`, `cfg = 2`, "
        "`enc = 2` in a `filelog` or `syslog` logger of strongswan.conf)",
        "IKE, CFG, ENC 그룹을 레벨 2로 한 charon 로그 (strongswan.conf의 `filelog` 또는 "
        "`syslog` 로거에 `ike = 2`, `cfg = 2`, `enc = 2`)",
    ),
    "notify": _t(
        "the notify in the peer's IKE_AUTH response, which names why it refused the child SA: "
        "the peer's own log says why; here a higher debug level (`debug crypto ikev2 protocol "
        "255` on an ASA, `debug crypto ikev2 packet` on IOS) prints the response's payloads",
        "피어가 child SA를 거부한 이유는 IKE_AUTH 응답의 notify에 있습니다: 피어의 로그가 "
        "이유를 말해 주며, 이쪽에서는 더 높은 디버그 수준(ASA `debug crypto ikev2 protocol "
        "255`, IOS `debug crypto ikev2 packet`)이 응답의 페이로드를 보여 줍니다",
    ),
}
