/* IP/UDP packet building and parsing for the simulator: synthetic outer headers for pcap
 * records of DS_PKT_UDP datagrams, and the UDP test traffic the correspondent node echoes.
 * IPv6 header per RFC 8200 cl. 3, IPv4 per RFC 791 cl. 3.1, UDP per RFC 768 (checksum
 * mandatory over IPv6, RFC 8200 cl. 8.1). */
#ifndef DSMIP6_SIM_IPPKT_H
#define DSMIP6_SIM_IPPKT_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define SIM_IP6_HDR 40
#define SIM_IP4_HDR 20
#define SIM_UDP_HDR 8

/* Write an IP header (family of src; src and dst must agree) + UDP header (src/dst ports) +
 * payload into out. Returns the total length or 0 when it does not fit / families differ. */
size_t sim_ip_udp_build(uint8_t *out, size_t cap, const ds_addr *src, const ds_addr *dst,
			const uint8_t *payload, size_t len);

/* A parsed IP packet carrying UDP directly after the fixed header (no extension headers). */
typedef struct sim_ip_udp {
	ds_addr src, dst;            /* with the UDP ports */
	const uint8_t *payload;
	size_t len;
} sim_ip_udp;

/* Parse an IPv6 or IPv4 packet whose payload is UDP with a correct checksum. DS_OK or a ds_err
 * (DS_E_NEXTHDR when it is not UDP). */
int sim_ip_udp_parse(const uint8_t *pkt, size_t len, sim_ip_udp *out);

/* Family and addresses of any IP packet (for routing a DS_PKT_IP record). */
int sim_ip_addrs(const uint8_t *pkt, size_t len, ds_addr *src, ds_addr *dst, uint8_t *proto);

#endif
