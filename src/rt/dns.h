/* HA discovery by DNS (TS 24.303 cl. 5.1.2.1.2, RFC 5026 "lookup by home agent name"): AAAA and
 * A queries for the HA-APN run in parallel through c-ares on the daemon's libevent loop; the
 * answer is reported once both are done (R-05, R-06: the IPv4 HA address is needed from
 * IPv4-only accesses). */
#ifndef DSMIP6_RT_DNS_H
#define DSMIP6_RT_DNS_H

#include <stddef.h>

#include <event2/event.h>

#include "core/addr.h"

#define DS_DNS_MAX_ADDRS 8

typedef struct ds_dns ds_dns;

/* n6 = n4 = 0: nothing found (NXDOMAIN, timeout, no records). */
typedef void (*ds_dns_cb)(void *ctx, const ds_addr *a6, size_t n6, const ds_addr *a4, size_t n4);

/* servers may be empty: /etc/resolv.conf is used. NULL on failure (message in err). */
ds_dns *ds_dns_new(struct event_base *base, const ds_addr *servers, size_t n_servers, char *err,
		   size_t errlen);
/* Start AAAA + A lookups of name; cb runs exactly once (never from inside this call). */
int ds_dns_resolve(ds_dns *d, const char *name, ds_dns_cb cb, void *ctx);
/* Cancels outstanding lookups without calling their callbacks. */
void ds_dns_free(ds_dns *d);

#endif
