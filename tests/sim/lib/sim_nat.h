/* NAT box for the IPv4-only access (RFC 4787 terms): endpoint-dependent ("address and port
 * dependent") mapping and filtering for UDP, port rewriting, idle expiry of mappings refreshed
 * by outbound traffic (REQ-6), and rebinding on demand (all mappings dropped, as after a NAT
 * reboot: the next outbound packet gets a new public port). Non-UDP IPv4 (IP-in-IP proto 4/41,
 * raw ESP) is dropped and counted, as by a typical consumer NAT, which is why RFC 5555 needs UDP
 * encapsulation behind NATs. */
#ifndef DSMIP6_SIM_NAT_H
#define DSMIP6_SIM_NAT_H

#include <stdint.h>

#include "sim.h"

typedef struct sim_nat sim_nat;

typedef struct sim_nat_config {
	ds_addr inside;            /* gateway address on the private link (e.g. 192.168.1.1) */
	ds_addr outside;           /* public IPv4 address */
	ds_time idle_timeout;      /* UDP mapping lifetime without outbound traffic (0: 120 s) */
	uint16_t port_base;        /* first public port handed out (0: 20000) */
	bool inbound_refresh;      /* inbound packets also refresh the mapping (RFC 4787 REQ-6 MAY) */
} sim_nat_config;

typedef struct sim_nat_stats {
	uint64_t out_translated, in_translated;
	uint64_t mappings_created, mappings_expired, mappings_flushed;
	uint64_t drop_filtered;    /* inbound without a mapping for that remote endpoint */
	uint64_t drop_proto;       /* not UDP */
	uint64_t drop_ports;       /* no public port left */
	uint64_t active;
} sim_nat_stats;

/* Creates a node with an "in" interface on `priv` (made private with the NAT as gateway) and an
 * "out" interface on `pub`. */
sim_nat *sim_nat_new(sim *s, const char *name, sim_link *priv, sim_link *pub,
		     const sim_nat_config *cfg);
void sim_nat_free(sim_nat *n);
/* Forget every mapping now (NAT reboot / rebinding). */
void sim_nat_rebind(sim_nat *n);
const sim_nat_stats *sim_nat_stats_get(const sim_nat *n);
sim_node *sim_nat_node(const sim_nat *n);

#endif
