"""Router configurations several test modules start from."""

from __future__ import annotations

# A router whose only tunnel's IPsec profile offers a transform set with AH (which pyike keeps
# but never negotiates) beside an ESP-only set it does not use.
AH_ROUTER = """\
hostname R1
crypto ikev2 keyring KR
 peer P
  address 10.0.0.2
  pre-shared-key k
crypto ikev2 profile PROF
 match identity remote address 10.0.0.2 255.255.255.255
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
crypto ipsec transform-set AH ah-sha-hmac esp-aes esp-sha-hmac
crypto ipsec transform-set ESP esp-aes 256 esp-sha256-hmac
crypto ipsec profile IPSEC
 set transform-set AH
 set ikev2-profile PROF
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
interface Tunnel0
 ip address 172.16.0.1 255.255.255.252
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel destination 10.0.0.2
 tunnel protection ipsec profile IPSEC
"""
