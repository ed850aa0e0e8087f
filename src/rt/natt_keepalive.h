/* NAT-keepalives on UDP 4500 (RFC 3948 cl. 2.3 and 4, RFC 5555 cl. 4.3).
 *
 * The UE keeps the NAT mapping of each IKE SA that runs over IPv4 on UDP 4500 open by sending
 * a one-octet 0xFF datagram to the HA every DS_NATT_KEEPALIVE_S seconds: RFC 5555 cl. 4.3 notes
 * that the DSMIPv6 keepalives (BU refreshes on UDP 4191) do not keep the IKE mapping alive, and
 * without it the HA's liveness checks and rekeys stop reaching a UE behind a NAT. RFC 3948
 * cl. 4 lets a peer send them while an SA exists (MAY) and recommends 20 s (M). Both daemons
 * drop a received keepalive before the IKE engine: it is not an IKE message and, per cl. 4,
 * must not count as a sign of life. */
#ifndef DSMIP6_RT_NATT_KEEPALIVE_H
#define DSMIP6_RT_NATT_KEEPALIVE_H

#include <stdbool.h>

#include "core/pkt.h"
#include "ike/ike.h"
#include "ipsec/esp_udp.h"

#define DS_NATT_KEEPALIVE_S 20

/* Host counters, shown by "dsmip6ctl counters" under "sockets". */
typedef struct ds_natt_counters {
	uint64_t keepalives_tx;   /* sent (UE) */
	uint64_t keepalives_rx;   /* received and dropped before IKE (both daemons) */
	uint64_t udp4500_dropped; /* neither IKE nor keepalive: ESP-in-UDP is not used on S2c, or
				   * too short to classify */
} ds_natt_counters;

/* Does this IKE SA need keepalives: established, over IPv4, towards UDP 4500. */
bool ds_natt_keepalive_wanted(const ds_ike_info *info);
/* The keepalive for that SA: from its local endpoint to its remote one; data points to a
 * static one-octet 0xFF. */
void ds_natt_keepalive_make(const ds_ike_info *info, ds_pkt *out);
/* A received datagram on UDP 4500 that is a NAT-keepalive (RFC 3948 cl. 2.3). */
bool ds_natt_is_keepalive(const ds_pkt *pkt);
/* Sort a datagram received on UDP 4500: true when it is IKE (after the non-ESP marker,
 * RFC 3948 cl. 2.2) and goes to the IKE engine; otherwise it is dropped here and counted as a
 * keepalive (cl. 2.3 / 4: ignored, no sign of life) or as udp4500_dropped (ESP-in-UDP is not
 * used for the transport-mode MH SA on S2c; RFC 5555 uses UDP 4191 behind NATs). */
bool ds_natt_udp4500_is_ike(const ds_pkt *pkt, ds_natt_counters *c);

#endif
