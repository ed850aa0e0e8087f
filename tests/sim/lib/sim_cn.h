/* Correspondent node in the PDN: echoes every UDP datagram it receives (IPv6 or IPv4, carried
 * as a DS_PKT_IP record) back to its sender with addresses and ports swapped, so a scenario can
 * prove that user-plane traffic from a HoA reaches the PDN through the tunnel and comes back. */
#ifndef DSMIP6_SIM_CN_H
#define DSMIP6_SIM_CN_H

#include <stdint.h>

#include "sim.h"

typedef struct sim_cn sim_cn;

typedef struct sim_cn_stats {
	uint64_t rx, echoed, drop_malformed;
} sim_cn_stats;

/* The node gets one interface "pdn" on link l with addresses a6 and a4 (either may be unset). */
sim_cn *sim_cn_new(sim *s, const char *name, sim_link *l, const ds_addr *a6, const ds_addr *a4);
void sim_cn_free(sim_cn *c);
const sim_cn_stats *sim_cn_stats_get(const sim_cn *c);

#endif
