/* DNS server of the simulated operator network: answers AAAA and A lookups of HA-APN FQDNs
 * (TS 23.003 cl. 21.2, TS 24.303 cl. 5.1.2.1 "lookup by HA name"). The UE engine emits a
 * dns_query event instead of a packet (the runtime resolves through c-ares), so the simulator
 * answers it after the configured round-trip time; names are case-insensitive (RFC 4343). */
#ifndef DSMIP6_SIM_DNS_H
#define DSMIP6_SIM_DNS_H

#include <stddef.h>

#include "sim.h"

typedef struct sim_dns sim_dns;

#define SIM_DNS_MAX_ADDRS 4

typedef void (*sim_dns_answer_fn)(void *ctx, const char *fqdn, const ds_addr *a6, size_t n6,
				  const ds_addr *a4, size_t n4, ds_time now);

sim_dns *sim_dns_new(sim *s, ds_time rtt);
void sim_dns_free(sim_dns *d);
/* Add (or replace) the records of a name. */
int sim_dns_set(sim_dns *d, const char *fqdn, const ds_addr *a6, size_t n6, const ds_addr *a4,
		size_t n4);
/* Ask: cb runs rtt later with the records (n6 = n4 = 0: NXDOMAIN). The answer may be
 * re-targeted or cut with sim_dns_set() before it is sent, as a real server would. */
void sim_dns_query(sim_dns *d, const char *fqdn, sim_dns_answer_fn cb, void *ctx);
size_t sim_dns_queries(const sim_dns *d);

#endif
