/* Deterministic discrete-event network simulator for the dsmip6 engines.
 *
 * A virtual clock (ds_time, ms) advances only from event to event. Nodes (UE, HA, NAT box,
 * correspondent node, ...) own interfaces attached to links (access networks: 3GPP home link,
 * IPv6 WLAN, IPv4-only access behind a NAT, the PDN). Each interface carries addresses; an
 * address with a prefix length routes the whole prefix to that interface (e.g. the HNP pool to
 * the HA's PDN interface).
 *
 * Routing of a ds_pkt (core/pkt.h; DS_PKT_UDP and DS_PKT_IP travel, DS_PKT_TUN is the node's
 * own business) is by destination address: on the sender's link first; else, on a private link
 * (one with a gateway, i.e. behind a NAT), to the gateway node; else through the core to the
 * link that owns the address. Each link traversal applies that link's seeded impairments
 * (loss, duplication, reordering, delay + jitter), is written to the link's pcap and traced.
 * Only families a link carries may cross it (an IPv4-only access drops IPv6).
 *
 * Node contract: recv() gets delivered packets; after every call into a node the simulator
 * asks next_timeout() and calls on_timer() when it is due. Node code must not call back into
 * an engine synchronously from that engine's callbacks: it defers with sim_at().
 *
 * Everything is deterministic for a seed: events at the same time run in the order they were
 * scheduled; the run's trace digest (sim_trace.h) is the determinism check. */
#ifndef DSMIP6_SIM_SIM_H
#define DSMIP6_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/pkt.h"
#include "core/time.h"
#include "sim_trace.h"

typedef struct sim sim;
typedef struct sim_node sim_node;
typedef struct sim_link sim_link;
typedef struct sim_iface sim_iface;

typedef struct sim_link_params {
	ds_time delay;            /* one-way base delay (ms) */
	ds_time jitter;           /* extra uniform delay in [0, jitter] */
	uint32_t loss_ppm;        /* per-traversal loss probability, parts per million */
	uint32_t dup_ppm;         /* duplication probability (the copy gets its own delay) */
	uint32_t reorder_ppm;     /* probability a packet is held back by reorder_extra */
	ds_time reorder_extra;    /* hold-back of a reordered packet (0: 2 * delay + 5) */
	bool v4, v6;              /* address families the link carries */
} sim_link_params;

typedef struct sim_node_ops {
	/* A packet arrived on ifc. The bytes are valid for the duration of the call. */
	void (*recv)(void *ctx, sim_iface *ifc, const ds_pkt *pkt, ds_time now);
	/* Earliest deadline of the node's engines (DS_TIME_NEVER: none). May be NULL. */
	ds_time (*next_timeout)(void *ctx);
	void (*on_timer)(void *ctx, ds_time now);
} sim_node_ops;

typedef struct sim_stats {
	uint64_t sent, delivered, lost, duplicated, reordered, no_route, wrong_family, bad_kind;
	uint64_t events;
} sim_stats;

sim *sim_new(uint64_t seed);
/* Frees every node, link and pending event (node contexts belong to their creators). */
void sim_free(sim *s);
ds_time sim_now(const sim *s);
uint64_t sim_seed(const sim *s);
sim_trace *sim_trace_get(sim *s);
const sim_stats *sim_stats_get(const sim *s);
/* Write one pcap per link (<dir>/<link name>.pcap), for links created from now on. */
int sim_pcap_dir(sim *s, const char *dir);

sim_link *sim_link_new(sim *s, const char *name, const sim_link_params *p);
void sim_link_set_params(sim_link *l, const sim_link_params *p);
const char *sim_link_name(const sim_link *l);
/* Mark l private: it is reached from outside only through gw (a NAT box interface), and
 * packets from l to addresses not on l go to gw's node. */
void sim_link_set_gateway(sim_link *l, sim_iface *gw);

sim_node *sim_node_new(sim *s, const char *name, const sim_node_ops *ops, void *ctx);
const char *sim_node_name(const sim_node *n);
sim *sim_node_sim(const sim_node *n);
/* Re-read the node's next_timeout() (call after commanding its engines from outside). */
void sim_node_kick(sim_node *n);

sim_iface *sim_iface_new(sim_node *n, const char *name, sim_link *l);
sim_node *sim_iface_node(const sim_iface *i);
sim_link *sim_iface_link(const sim_iface *i);
const char *sim_iface_name(const sim_iface *i);
/* Move the interface to another link (handover), NULL = detached; its addresses are removed. */
void sim_iface_attach(sim_iface *i, sim_link *l);
/* Add an address (plen 0 = host address) or a routed prefix (plen > 0). */
int sim_iface_add_addr(sim_iface *i, const ds_addr *a);
int sim_iface_del_addr(sim_iface *i, const ds_addr *a);
void sim_iface_clear_addrs(sim_iface *i);
/* First address of the family on the interface (false when none). */
bool sim_iface_addr(const sim_iface *i, uint8_t family, ds_addr *out);

/* Send a DS_PKT_UDP or DS_PKT_IP record from interface i. The bytes are copied. */
void sim_send(sim_iface *i, const ds_pkt *pkt);

/* Call fn(ctx, now) at time `when` (>= now), after everything already scheduled for then. */
typedef void (*sim_fn)(void *ctx, ds_time now);
void sim_at(sim *s, ds_time when, sim_fn fn, void *ctx);
/* Same, for work on node n: its next_timeout() is re-read after fn returns. */
void sim_node_at(sim_node *n, ds_time when, sim_fn fn, void *ctx);

/* Run every event and node timer due at or before t; the clock ends at t. */
void sim_run_until(sim *s, ds_time t);
/* Time of the next event or timer, DS_TIME_NEVER when the simulation is quiescent. */
ds_time sim_next_event(const sim *s);
/* Run until `done(ctx)` is true (checked after every step) or the clock would pass limit.
 * Returns true when done. */
bool sim_run_while(sim *s, ds_time limit, bool (*done)(void *ctx), void *ctx);

/* Observer of every packet as it arrives at the far end of a link (the moment it is written to
 * the link's pcap): used to decode and check signalling on the wire. */
typedef void (*sim_tap_fn)(void *ctx, const sim_link *l, const ds_pkt *pkt, ds_time now);
void sim_set_tap(sim *s, sim_tap_fn fn, void *ctx);

/* Trace helper: one line prefixed with the current time. */
void sim_tracef(sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
