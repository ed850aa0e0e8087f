/* The daemons' network endpoints on the libevent loop: UDP 500 / 4500 (IKEv2, NAT-T) and 4191
 * (RFC 5555 UDP encapsulation) for IPv6 and IPv4, the raw receive sockets for the extension
 * headers and protocols the kernel cannot handle, and the header-including raw send sockets.
 * Every received datagram is handed to one callback as a ds_pkt; ds_netio_send() takes the
 * engines' DS_PKT_UDP / DS_PKT_IP output. */
#ifndef DSMIP6_RT_NETIO_H
#define DSMIP6_RT_NETIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/pkt.h"

#define DS_PORT_IKE 500
#define DS_PORT_NATT 4500
#define DS_PORT_DSMIP 4191   /* RFC 5555 cl. 4.1: UDP encapsulation towards the HA */

typedef struct ds_netio ds_netio;

typedef struct ds_netio_counters {
	uint64_t rx_udp, rx_raw, tx, tx_errors, rx_errors, rx_truncated;
} ds_netio_counters;

typedef struct ds_netio_cfg {
	struct event_base *base;
	const ds_logger *log;
	ds_addr bind6;        /* family DS_AF_INET6; unspecified: any */
	ds_addr bind4;        /* family DS_AF_INET; unspecified: any; DS_AF_NONE: no IPv4 */
	bool ike;             /* open UDP 500 and 4500 */
	bool dsmip_udp;       /* open UDP 4191 */
	const uint8_t *raw6;  /* IPv6 next-header values to receive raw */
	size_t n_raw6;
	const uint8_t *raw4;  /* IPv4 protocols to receive raw */
	size_t n_raw4;
	void (*rx)(void *ctx, const ds_pkt *pkt);
	void *ctx;
} ds_netio_cfg;

/* NULL on failure (logged, with the socket that failed). */
ds_netio *ds_netio_new(const ds_netio_cfg *cfg);
void ds_netio_free(ds_netio *n);
/* Send a DS_PKT_UDP (socket chosen by family and source port, or destination port when the
 * source port is 0) or a DS_PKT_IP packet. Errors are counted and rate-limit logged. */
int ds_netio_send(ds_netio *n, const ds_pkt *pkt);
const ds_netio_counters *ds_netio_counters_get(const ds_netio *n);

#endif
