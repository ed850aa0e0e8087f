/* Persistent HA state in SQLite: what a restarted HA needs so that every UE keeps its addresses
 * (TS 24.303 cl. 4.1: one HNP per UE and PDN connection; RFC 5555: the IPv4 home address).
 *
 *   allocation: (NAI, APN) -> HNP and IPv4 home address; kept until the PDN connection is
 *               released (detach), so a re-attach after an HA restart gets the same prefix;
 *   binding:    (NAI, APN) -> CoA, last sequence number, expiry (wall clock), flags; restored
 *               bindings whose expiry has passed are dropped at load.
 *
 * The subscriber table (EAP-AKA credentials) lives in the same database file but belongs to the
 * EAP subscriber store. Every write that happens is synchronous (WAL journal), but puts whose
 * content the database already holds are skipped, and a re-registration that only extends a
 * binding's lifetime is written lazily: see the durability rule in ha_store.c. */
#ifndef DSMIP6_RT_HA_STORE_H
#define DSMIP6_RT_HA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "rt/ue_conf.h"

typedef struct ds_ha_store ds_ha_store;

typedef struct ds_ha_alloc_rec {
	char nai[DS_NAI_MAX];
	char apn[DS_APN_MAX + 1];
	ds_addr hnp;         /* prefix with plen */
	ds_addr ipv4;        /* unset when none */
} ds_ha_alloc_rec;

typedef struct ds_ha_binding_rec {
	char nai[DS_NAI_MAX];
	char apn[DS_APN_MAX + 1];
	ds_addr hoa;         /* IPv6 home address */
	ds_addr coa;         /* care-of address; port set for UDP-encapsulated (RFC 5555 NAT) */
	uint16_t seq;        /* last accepted BU sequence number (RFC 6275 cl. 9.5.1) */
	uint16_t flags;      /* BU flags as received */
	uint8_t tunnel;      /* tunnel mode towards the CoA (ds_ha_tunnel_mode) */
	uint64_t expires;    /* wall-clock seconds since the epoch */
} ds_ha_binding_rec;

/* Open (creating the schema when new). Returns DS_OK or DS_E_IO with a message in err. */
int ds_ha_store_open(ds_ha_store **out, const char *path, char *err, size_t errlen);
void ds_ha_store_close(ds_ha_store *s);

int ds_ha_store_put_alloc(ds_ha_store *s, const ds_ha_alloc_rec *r);
int ds_ha_store_del_alloc(ds_ha_store *s, const char *nai, const char *apn);
/* Calls fn for every allocation; fn returning non-zero stops. Returns DS_OK or DS_E_IO. */
int ds_ha_store_each_alloc(ds_ha_store *s, int (*fn)(void *ctx, const ds_ha_alloc_rec *r),
			   void *ctx);

int ds_ha_store_put_binding(ds_ha_store *s, const ds_ha_binding_rec *r);
int ds_ha_store_del_binding(ds_ha_store *s, const char *nai, const char *apn);
/* Bindings with expires > now_wall only; expired rows are deleted on the way. */
int ds_ha_store_each_binding(ds_ha_store *s, uint64_t now_wall,
			     int (*fn)(void *ctx, const ds_ha_binding_rec *r), void *ctx);

/* Number of puts and deletes skipped because the database already held that content. */
uint64_t ds_ha_store_skipped(const ds_ha_store *s);

/* Deferred writes: with on, every write joins one transaction that ds_ha_store_flush() commits;
 * the host flushes at the end of each event-loop pass (so a burst of BUs handled in one pass
 * costs one commit) and ds_ha_store_close() flushes at stop. What is lost on a crash is at
 * most the writes of the pass the HA was in. Turning it off flushes. */
void ds_ha_store_defer(ds_ha_store *s, bool on);
/* Commit the deferred transaction if one is open. DS_OK, or DS_E_IO when the commit failed
 * (its writes are rolled back and the next puts write again). */
int ds_ha_store_flush(ds_ha_store *s);

/* Group many changes in one transaction (e.g. restoring or a burst of attaches). */
int ds_ha_store_begin(ds_ha_store *s);
int ds_ha_store_commit(ds_ha_store *s);

#endif
