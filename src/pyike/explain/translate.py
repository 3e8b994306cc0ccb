"""Undo the translation of IOS debug lines on localised web pages.

Cisco's translated TAC notes run the debug output through machine translation too: the
Korean page the project started from prints "*11월 11일 19:30:34.811: ... 이벤트: EV_INIT_SA"
for "*Nov 11 19:30:34.811: ... Event: EV_INIT_SA". IOS itself only ever prints English, so
the reader maps the translated fragments back before any recogniser sees the line.
Only fragments that recognisers or the explanations depend on are listed; anything else
stays as it is and is simply not interpreted.
"""

from __future__ import annotations

import re

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_KOREAN_DATE = re.compile(r"(\d{1,2})\s*월\s*(\d{1,2})\s*일")

# Phrase translations first (longest, most specific), then field names.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (
            r"%\s*주소\s+(\S+?)로\s*사전\s*공유\s*키\s*가져오기",
            r"% Getting preshared key from address \1",
        ),
        (r"툴킷\s*정책에\s*제안\s+(\S+)\s+추가", r"Adding Proposal \1 to toolkit policy"),
        (r"IKE\s*프로필\s*선택\s+(\S+)", r"Choosing IKE profile \1"),
        (r"IKEv2\s*프로필\s*'([^']*)'\s*사용", r"Using IKEv2 profile '\1'"),
        (r"디\s*스패처에서\s*패킷\s*가져오기", "Got a packet from dispatcher"),
        (r"pak\s*큐에서\s*항목\s*처리", "Processing an item off the pak queue"),
        (
            r"요청에\s*mess_id\s*(\d+)\s*이\s*있습\s*니\s*다\s*\.\s*(\d+)\s*~\s*(\d+)\s*이\s*필요합니다\s*\.?",
            r"Request has mess_id \1; expected \2 through \3",
        ),
        (r"([A-Z_]+)\s*메시지\s*처리", r"Processing \1 message"),
        (r"구성된\s*정책\s*설정", "Setting configured policies"),
        (r"NAT를\s*찾을\s*수\s*없음", "NAT not found"),
        (r"원격\s*주소\s*일치", "Remote address matched"),
        (r"로컬\s*주소\s*일치", "Local address matched"),
        (r"NAT\s*처리\s*시\s*src\s*알림\s*탐지", "Processing nat detect src notify"),
        (r"NAT\s*처리,\s*dst\s*notify\s*탐지", "Processing nat detect dst notify"),
        (r"PKI\s*세션\s*열기", "Opening a PKI session"),
        (r"PKI\s*세션\s*닫기", "Closing the PKI session"),
        (
            r"발신\s*협상\s*sa\s*수\s*1씩\s*증가",
            "Incrementing outgoing negotiating sa count by one",
        ),
        (
            r"수신\s*협상\s*sa\s*수\s*1씩\s*증가",
            "Incrementing incoming negotiating sa count by one",
        ),
        (
            r"AAA\s*그룹\s*권한\s*부여가\s*구성되지\s*않음",
            "AAA group authorization is not configured",
        ),
        (
            r"AAA\s*사용자\s*권한\s*부여가\s*구성되지\s*않음",
            "AAA user authorization is not configured",
        ),
        (
            r"프로세스\s*ID에서\s*유효한\s*매개\s*변수를\s*받았습니다\.?",
            "Received valid parameters in process id",
        ),
        (r"계정\s*관리가\s*필요하지\s*않음", "Accounting is not required"),
        (r"비동기\s*요청\s*대기", "Waiting for asynchronous request"),
        (r"공급업체별\s*페이로드\s*구성:", "Construct Vendor Specific Payload:"),
        (r"Construct\s*알림\s*페이로드:", "Construct Notify Payload:"),
        (r"ConstructNotify\s*페이로드:", "Construct Notify Payload:"),
        (r"Parse\s*Notify\s*페이로드:", "Parse Notify Payload:"),
        (r"페이로드\s*내용\s*:", "Payload contents:"),
        (r"(?:다음|Next)\s*페\s*이로드\s*:", "Next payload:"),
        (r"(?:다음|Next)\s*페이로드\s*:", "Next payload:"),
        (r"^(\s*)인증\s+(?=Next payload:)", r"\1AUTH "),
        (r"^(\s*)알림\(", r"\1NOTIFY("),
        (r"인증\s*방법", "Auth method"),
        (r"보안\s*프로토콜\s*ID\s*:", "Security protocol id:"),
        (r"프로토콜\s*(?:ID|id)\s*:", "Protocol id:"),
        (r"마지막\s*제안\s*:", "last proposal:"),
        (r"마지막\s*변환\s*:", "last transform:"),
        (r"제안\s*:", "Proposal:"),
        (r"SPI\s*크기\s*:", "SPI size:"),
        (r"spi\s*크기\s*:", "spi size:"),
        (r"DH\s*그룹\s*:", "DH group:"),
        (r"ID\s*유형\s*:\s*IPv4\s*주소", "Id type: IPv4 address"),
        (r"ID\s*유형\s*:\s*IPv6\s*주소", "Id type: IPv6 address"),
        (r"TS\s*수\s*:", "Num of TSs:"),
        (r"TS\s*유형\s*:", "TS type:"),
        (r"시작\s*포트\s*:", "start port:"),
        (r"종료\s*포트\s*:", "end port:"),
        (r"시작\s*주소\s*:", "start addr:"),
        (r"끝\s*주소\s*:", "end addr:"),
        (r"ESN\s*사용\s*안\s*함", "Don't use ESN"),
        (r"예약됨\s*:?", "reserved:"),
        (r"예약\s*:", "reserved:"),
        (r"길\s*이\s*:", "length:"),
        (r"유형\s*:", "type:"),
        (r"작업\s*:", "Action:"),
        (r"이벤트\s*:", "Event:"),
        (r"이벤트\s*$", "Event:"),
        (r"없음", "NONE"),
    )
)

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def _english_date(match: re.Match[str]) -> str:
    month = int(match.group(1))
    if not 1 <= month <= 12:
        return match.group(0)
    return f"{_MONTHS[month - 1]} {int(match.group(2))}"


def normalise_korean(text: str) -> str:
    """``text`` with the translated IOS fragments put back into IOS's own English."""
    if not has_hangul(text):
        return text
    text = _KOREAN_DATE.sub(_english_date, text)
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return text
