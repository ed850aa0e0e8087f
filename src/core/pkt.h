/* The datagram contract between every sans-I/O engine and its host (runtime or simulator).
 *
 * Engines emit ds_tx records through a send callback and accept ds_rx records through their
 * input function. Two kinds exist:
 *   DS_PKT_UDP  a UDP payload with its endpoints (IKE on 500/4500, ESP-in-UDP on 4500,
 *               RFC 5555 UDP encapsulation on 4191: the payload is then the inner IP packet);
 *   DS_PKT_IP   a complete IP packet (IPv6 or IPv4 header included), as sent on a raw socket
 *               with IPV6_HDRINCL / IP_HDRINCL, read from a raw socket, or read from / written
 *               to a TUN device. src/dst repeat the outer header's addresses for routing.
 * The bytes belong to the caller and are valid only for the duration of the call. */
#ifndef DSMIP6_CORE_PKT_H
#define DSMIP6_CORE_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

enum { DS_PKT_UDP = 1, DS_PKT_IP = 2, DS_PKT_TUN = 3 /* to/from the local TUN (data plane) */ };

typedef struct ds_pkt {
	uint8_t kind;
	ds_addr src;    /* with port for DS_PKT_UDP */
	ds_addr dst;
	const uint8_t *data;
	size_t len;
} ds_pkt;

typedef void (*ds_send_fn)(void *ctx, const ds_pkt *pkt);

/* Largest packet any engine builds or accepts (jumbo frames are not used on S2c). */
#define DS_PKT_MAX 9216

#endif
