# shellcheck shell=bash
# The testbed's address plan: documentation ranges only (RFC 3849 2001:db8::/32, RFC 5737
# 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), so no test ever reaches a real network.
# Sourced by topology.sh, access.sh, demo.sh and the end-to-end tests.
#
#            3GPP access = home link (2001:db8:1::/64, 198.51.100.0/28)
#   ue ------------------------------------------------ pgw (HA 1) ---- pdn (cn)
#    |  WLAN (2001:db8:2::/64)                            | core           |
#    +---- wlan (router) ---------+                       |                |
#    |  IPv4-only (203.0.113.0/24, masquerade NAT)        |                |
#    +---- nat (NAT router) ------+---- net (backbone) ---+---- pgw2 (HA 2)
#                                            |
#                                           dns (dnsmasq, HA-APN records)

# HA-APN names (TS 23.003 cl. 21.2: Network Identifier + "ha-apn.mnc<MNC>.mcc<MCC>.pub.3gppnetwork.org").
TB_MCC=001
TB_MNC=001
TB_HA_APN_OI="ha-apn.mnc${TB_MNC}.mcc${TB_MCC}.pub.3gppnetwork.org"
TB_APN1=internet
TB_APN2=ims
TB_HA_APN1="${TB_APN1}.${TB_HA_APN_OI}"
TB_HA_APN2="${TB_APN2}.${TB_HA_APN_OI}"

# Backbone (net) links.
TB_NET_PGW6_NET=2001:db8:ff:1::1   TB_NET_PGW4_NET=192.0.2.1
TB_HA1_ADDR6=2001:db8:ff:1::2      TB_HA1_ADDR4=192.0.2.2      # pgw core0: the HA 1 addresses
TB_NET_WLAN6_NET=2001:db8:ff:2::1
TB_WLAN_UP6=2001:db8:ff:2::2
TB_NET_NAT4_NET=192.0.2.17
TB_NAT_PUBLIC4=192.0.2.18                                      # address the NAT translates to
TB_NET_DNS6_NET=2001:db8:ff:53::1  TB_NET_DNS4_NET=192.0.2.49
TB_DNS6=2001:db8:ff:53::53         TB_DNS4=192.0.2.53
TB_NET_PGW2_6_NET=2001:db8:ff:3::1 TB_NET_PGW2_4_NET=192.0.2.65
TB_HA2_ADDR6=2001:db8:ff:3::2      TB_HA2_ADDR4=192.0.2.66     # pgw2 core0: the HA 2 addresses

# Accesses of the UE.
TB_HOME6_GW=2001:db8:1::1   TB_HOME6_UE=2001:db8:1::2   # 3GPP access (home link) default prefix
TB_HOME4_GW=198.51.100.1    TB_HOME4_UE=198.51.100.2    TB_HOME4_LEN=28
TB_WLAN6_GW=2001:db8:2::1   TB_WLAN6_UE=2001:db8:2::100 # WLAN: IPv6-only access network
TB_NAT4_GW=203.0.113.1      TB_NAT4_UE=203.0.113.100    # IPv4-only access behind the NAT

# Home network prefixes and IPv4 home addresses the HAs hand out (routed to their TUN devices).
TB_HA1_HNP_POOL=2001:db8:100::/48   TB_HA1_V4_POOL=198.51.100.16/28
TB_HA2_HNP_POOL=2001:db8:200::/48   TB_HA2_V4_POOL=198.51.100.128/25

# The PDN behind the PDN GWs, with the correspondent node cn.
TB_PDN1_GW6=2001:db8:3::1   TB_CN6=2001:db8:3::2   TB_PDN1_GW4=192.0.2.129  TB_CN4=192.0.2.130
TB_PDN2_GW6=2001:db8:4::1   TB_CN6_2=2001:db8:4::2 TB_PDN2_GW4=192.0.2.145  TB_CN4_2=192.0.2.146

# Subscriber used by the tests: TS 35.208 test set 1 K / OPc, IMSI in the test PLMN 001/01.
TB_IMSI=001010123456789
TB_K=465b5ce8b199b49faa5f0a2ee238a6bc
TB_OPC=cd63cb71954a9f4e48a5994e37a02baf
TB_NAI="0${TB_IMSI}@nai.epc.mnc${TB_MNC}.mcc${TB_MCC}.3gppnetwork.org"
