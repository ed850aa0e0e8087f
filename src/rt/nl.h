/* rtnetlink through libmnl: addresses, routes and link state of the interfaces the daemons use,
 * and the event monitor that turns "a new address appeared on the WLAN interface" or "the LTE
 * link went down" into UE handovers (TS 24.303 cl. 5.2). */
#ifndef DSMIP6_RT_NL_H
#define DSMIP6_RT_NL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"

typedef struct ds_nl ds_nl;

typedef struct ds_nl_events {
	void *ctx;
	/* link state: up = administratively up and carrier present (IFF_UP and IFF_LOWER_UP) */
	void (*link)(void *ctx, int ifindex, const char *name, bool up, bool gone);
	/* address added or removed; plen set; flags are IFA_F_* (tentative, deprecated, ...) */
	void (*addr)(void *ctx, int ifindex, bool add, const ds_addr *a, uint32_t flags);
} ds_nl_events;

/* Request socket (synchronous, acknowledged requests). NULL on failure. */
ds_nl *ds_nl_open(void);
void ds_nl_close(ds_nl *nl);

int ds_nl_link_up(ds_nl *nl, int ifindex, unsigned mtu);
/* nodad: IFA_F_NODAD for IPv6 (the HoA is unique by construction, requirements table "DAD"). */
int ds_nl_addr(ds_nl *nl, bool add, int ifindex, const ds_addr *a, bool nodad);
/* Route prefix (plen set; plen 0 = default route) out of ifindex, optional gateway, metric, in
 * routing table `table` (0 = main); replace on add. */
int ds_nl_route(ds_nl *nl, bool add, int ifindex, const ds_addr *prefix, const ds_addr *gw,
		uint32_t metric, uint32_t table);
/* Policy rule "from src/plen lookup table" at priority prio: traffic sourced from a home address
 * uses the tunnel's table while the daemon's own packets (from the CoA) use the main table. */
int ds_nl_rule(ds_nl *nl, bool add, const ds_addr *src, uint32_t table, uint32_t prio);
/* Report every link and address through ev (start-up state), synchronously. */
int ds_nl_dump(ds_nl *nl, const ds_nl_events *ev);

/* Monitor socket: subscribe to link and address events; read when its fd is readable. */
typedef struct ds_nl_mon ds_nl_mon;
ds_nl_mon *ds_nl_mon_open(const ds_nl_events *ev);
int ds_nl_mon_fd(const ds_nl_mon *m);
/* Process what is queued (non-blocking). On ENOBUFS (events lost) returns DS_E_OVERRUN: the
 * caller should ds_nl_dump() again. */
int ds_nl_mon_read(ds_nl_mon *m);
void ds_nl_mon_close(ds_nl_mon *m);

#endif
