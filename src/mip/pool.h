/* Address pools of the HA: Home Network Prefixes (/64 carved from a configured IPv6 pool,
 * TS 24.303 cl. 5.1.3 / RFC 5026) and IPv4 home addresses (RFC 5555 cl. 3.1.1).
 *
 * Both are index pools over a bitmap (one bit per prefix or address: 2 MiB covers 16 million
 * entries). Allocation starts at a hint derived from the subscriber and APN, so the same
 * subscriber normally gets the same prefix back after a detach and re-attach, and probes
 * forward to the next free entry. Restoring persisted state marks given entries as taken. */
#ifndef DSMIP6_MIP_POOL_H
#define DSMIP6_MIP_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define DS_POOL_MAX_ENTRIES (1u << 24)

typedef struct ds_ipool {
	uint64_t *bits;
	uint32_t size;      /* entries */
	uint32_t used;
} ds_ipool;

int ds_ipool_init(ds_ipool *p, uint32_t size);
void ds_ipool_free(ds_ipool *p);
/* First free index at or after hint (wrapping); DS_E_EXHAUSTED when full. */
int ds_ipool_alloc(ds_ipool *p, uint32_t hint, uint32_t *idx);
/* Mark idx taken (restore): DS_E_EXISTS when already taken, DS_E_PARAM out of range. */
int ds_ipool_take(ds_ipool *p, uint32_t idx);
int ds_ipool_release(ds_ipool *p, uint32_t idx);
bool ds_ipool_used(const ds_ipool *p, uint32_t idx);

/* A pool of /64 (or other `plen`) prefixes inside `pool` (an IPv6 prefix of length <= plen),
 * or of IPv4 addresses inside an IPv4 prefix (network and broadcast addresses excluded). */
typedef struct ds_addr_pool {
	ds_ipool ix;
	ds_addr base;       /* pool prefix, plen = pool length */
	uint8_t item_plen;  /* 64 for HNPs, 32 for IPv4 HoAs */
	uint32_t first;     /* index offset (1 for IPv4: skip the network address) */
} ds_addr_pool;

/* IPv6: pool /L with L <= item_plen <= 64 gives 2^(item_plen-L) prefixes (capped at
 * DS_POOL_MAX_ENTRIES). IPv4: pool /L (L <= 30) gives 2^(32-L) - 2 addresses. */
int ds_addr_pool_init(ds_addr_pool *p, const ds_addr *pool, uint8_t item_plen);
void ds_addr_pool_free(ds_addr_pool *p);
/* Allocate; key/keylen (e.g. "nai\0apn") chooses the starting point (stable per subscriber). */
int ds_addr_pool_alloc(ds_addr_pool *p, const void *key, size_t keylen, ds_addr *out);
int ds_addr_pool_take(ds_addr_pool *p, const ds_addr *a);      /* restore */
int ds_addr_pool_release(ds_addr_pool *p, const ds_addr *a);
/* Is a inside the pool's range (allocated or not)? */
bool ds_addr_pool_contains(const ds_addr_pool *p, const ds_addr *a);
uint32_t ds_addr_pool_used(const ds_addr_pool *p);

#endif
