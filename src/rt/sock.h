/* Sockets of the daemons (DESIGN "Data plane and signalling on a kernel without MIP6 or ESP"):
 *
 *  - UDP sockets for IKE (500), NAT-T / ESP-in-UDP (4500) and RFC 5555 UDP encapsulation (4191),
 *    with IP(V6)_PKTINFO both ways so replies leave from the address the request came to;
 *  - raw receive sockets, one per (family, protocol): IPv6 60 (Destination Options: HAO), 43
 *    (Routing: Type 2 RH), 50 (ESP), 135 (MH), 41 and 4 (tunnels); IPv4 50, 41 and 4. The kernel
 *    hands a raw socket its copy before it processes (and, without CONFIG_IPV6_MIP6, rejects) the
 *    header, so the daemon sees what the kernel drops. IPv6 raw sockets deliver the packet from
 *    the header of their protocol on: the IPv6 header is rebuilt from the ancillary data so the
 *    engines always get a whole packet;
 *  - raw send sockets with IPV6_HDRINCL / IP_HDRINCL for packets built whole in user space
 *    (Destination Options with HAO, Type 2 RH, ESP, tunnels). */
#ifndef DSMIP6_RT_SOCK_H
#define DSMIP6_RT_SOCK_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/pkt.h"

/* UDP socket bound to `local` (family required; unspecified address = any) and `port`.
 * Returns the descriptor or a negative ds_err. IPv6 sockets are IPv6-only. */
int ds_udp_open(const ds_addr *local, uint16_t port);
/* Receive one datagram into buf; fills pkt (DS_PKT_UDP, src/dst with ports, data = buf).
 * Returns DS_OK, DS_E_IO (nothing to read: EAGAIN) or DS_E_TRUNCATED. */
int ds_udp_recv(int fd, uint16_t local_port, uint8_t *buf, size_t cap, ds_pkt *pkt);
/* Send pkt->data to pkt->dst from pkt->src (source address chosen by PKTINFO when set). */
int ds_udp_send(int fd, const ds_pkt *pkt);

/* Receive buffer of the raw receive sockets and the UDP sockets. A raw socket gets a copy of
 * every packet of its protocol on the host, and under load (thousands of BUs in a burst) the
 * default buffer (net.core.rmem_default, about 200 KiB) overflowed and the kernel dropped BUs
 * before the daemon read them. */
#define DS_SOCK_RCVBUF (4 * 1024 * 1024)
/* Ask for a receive buffer of `bytes`: SO_RCVBUFFORCE (CAP_NET_ADMIN, beyond
 * net.core.rmem_max), else SO_RCVBUF (capped by rmem_max). Best effort: a smaller buffer is
 * not an error. Returns the size the kernel reports (it doubles the request for bookkeeping),
 * or a negative ds_err when the descriptor is bad. */
int ds_sock_grow_rcvbuf(int fd, int bytes);

/* Raw receive socket for one protocol (IPPROTO_*). family DS_AF_INET6 or DS_AF_INET. */
int ds_raw_open_rx(int family, uint8_t proto);
/* Receive one packet and rebuild a whole IP packet into buf (IPv6: 40-octet header in front of
 * what the kernel delivered, next header = proto). pkt is DS_PKT_IP. */
int ds_raw_recv(int fd, int family, uint8_t proto, uint8_t *buf, size_t cap, ds_pkt *pkt);
/* Header-including send socket for whole packets. */
int ds_raw_open_tx(int family);
/* Send a whole IP packet (DS_PKT_IP; the bytes start with the IPv4 or IPv6 header). */
int ds_raw_send(int fd, const ds_pkt *pkt);

/* Rebuild an IPv6 header (RFC 8200 cl. 3) in front of an upper-layer part. Exposed for tests. */
int ds_ipv6_rebuild(const ds_addr *src, const ds_addr *dst, uint8_t next_header, uint8_t hop_limit,
		    uint8_t tclass, const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
		    size_t *out_len);

#endif
