/* Bitmap index pools and the HNP / IPv4 HoA address pools built on them. */
#include "mip/pool.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

int ds_ipool_init(ds_ipool *p, uint32_t size)
{
	memset(p, 0, sizeof *p);
	if (size == 0 || size > DS_POOL_MAX_ENTRIES)
		return DS_E_PARAM;
	p->bits = calloc((size + 63u) / 64u, sizeof(uint64_t));
	if (!p->bits)
		return DS_E_NOMEM;
	p->size = size;
	return DS_OK;
}

void ds_ipool_free(ds_ipool *p)
{
	free(p->bits);
	memset(p, 0, sizeof *p);
}

bool ds_ipool_used(const ds_ipool *p, uint32_t idx)
{
	return idx < p->size && (p->bits[idx / 64u] >> (idx % 64u) & 1u);
}

int ds_ipool_alloc(ds_ipool *p, uint32_t hint, uint32_t *idx)
{
	if (p->used >= p->size)
		return DS_E_EXHAUSTED;
	uint32_t i = hint % p->size;
	/* Probe word by word: a full word is skipped in one step, so even a nearly full pool
	 * costs size/64 word reads at worst. */
	for (uint32_t scanned = 0; scanned <= p->size + 64u;) {
		uint64_t w = p->bits[i / 64u];
		uint32_t bit = i % 64u;
		uint64_t free_mask = ~w & (~0ull << bit);
		if (free_mask) {
			uint32_t cand = (i - bit) + (uint32_t)__builtin_ctzll(free_mask);
			if (cand < p->size) {
				p->bits[cand / 64u] |= 1ull << (cand % 64u);
				p->used++;
				*idx = cand;
				return DS_OK;
			}
		}
		uint32_t step = 64u - bit;
		scanned += step;
		i += step;
		if (i >= p->size)
			i = 0;
	}
	return DS_E_EXHAUSTED;
}

int ds_ipool_take(ds_ipool *p, uint32_t idx)
{
	if (idx >= p->size)
		return DS_E_PARAM;
	if (ds_ipool_used(p, idx))
		return DS_E_EXISTS;
	p->bits[idx / 64u] |= 1ull << (idx % 64u);
	p->used++;
	return DS_OK;
}

int ds_ipool_release(ds_ipool *p, uint32_t idx)
{
	if (!ds_ipool_used(p, idx))
		return DS_E_NOTFOUND;
	p->bits[idx / 64u] &= ~(1ull << (idx % 64u));
	p->used--;
	return DS_OK;
}

/* FNV-1a: spreads subscriber keys over the pool (not a security function: the pool position
 * is not secret, it only makes re-allocation stable). */
static uint32_t key_hash(const void *key, size_t len)
{
	const uint8_t *k = key;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= k[i];
		h *= 0x100000001b3ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

/* Bits [from, to) of an address, counted from the most significant bit, as an integer. */
static uint32_t get_bits(const uint8_t *ip, unsigned from, unsigned to)
{
	uint32_t v = 0;
	for (unsigned b = from; b < to; b++)
		v = v << 1 | ((ip[b / 8] >> (7 - b % 8)) & 1u);
	return v;
}

static void put_bits(uint8_t *ip, unsigned from, unsigned to, uint32_t v)
{
	for (unsigned b = to; b-- > from;) {
		uint8_t m = (uint8_t)(1u << (7 - b % 8));
		if (v & 1u)
			ip[b / 8] |= m;
		else
			ip[b / 8] &= (uint8_t)~m;
		v >>= 1;
	}
}

/* Width of the index field: item bits below the pool prefix, capped to 24 bits. */
static unsigned index_bits(const ds_addr_pool *p)
{
	unsigned w = p->item_plen - p->base.plen;
	return w > 24 ? 24 : w;
}

int ds_addr_pool_init(ds_addr_pool *p, const ds_addr *pool, uint8_t item_plen)
{
	memset(p, 0, sizeof *p);
	if (!pool)
		return DS_E_PARAM;
	if (pool->family == DS_AF_INET6) {
		if (item_plen > 64 || pool->plen > item_plen || item_plen == 0)
			return DS_E_PARAM;
	} else if (pool->family == DS_AF_INET) {
		if (item_plen != 32 || pool->plen > 30 || pool->plen < 8)
			return DS_E_PARAM;
	} else {
		return DS_E_PARAM;
	}
	p->base = *pool;
	p->base.port = 0;
	/* Clear host bits of the configured pool so that lookups compare cleanly. */
	put_bits(p->base.ip, pool->plen, pool->family == DS_AF_INET ? 32 : 128, 0);
	p->item_plen = item_plen;
	unsigned w = index_bits(p);
	uint32_t size = w >= 32 ? DS_POOL_MAX_ENTRIES : (uint32_t)1u << w;
	if (pool->family == DS_AF_INET) {
		p->first = 1;        /* skip the network address ... */
		size -= 2;           /* ... and the broadcast address */
	}
	return ds_ipool_init(&p->ix, size);
}

void ds_addr_pool_free(ds_addr_pool *p)
{
	ds_ipool_free(&p->ix);
}

static ds_addr item_of(const ds_addr_pool *p, uint32_t idx)
{
	ds_addr a = p->base;
	unsigned w = index_bits(p);
	put_bits(a.ip, p->item_plen - w, p->item_plen, idx + p->first);
	a.plen = p->item_plen;
	return a;
}

static int index_of(const ds_addr_pool *p, const ds_addr *a, uint32_t *idx)
{
	if (!ds_addr_pool_contains(p, a))
		return DS_E_NOTFOUND;
	unsigned w = index_bits(p);
	uint32_t v = get_bits(a->ip, p->item_plen - w, p->item_plen);
	/* Bits between the pool prefix and the index field must be zero (pools wider than 2^24). */
	if (p->item_plen - w > p->base.plen &&
	    get_bits(a->ip, p->base.plen, p->item_plen - w) != 0)
		return DS_E_NOTFOUND;
	if (p->base.family == DS_AF_INET && p->item_plen == 32) {
		if (v < p->first || v - p->first >= p->ix.size)
			return DS_E_NOTFOUND;
	}
	*idx = v - p->first;
	return *idx < p->ix.size ? DS_OK : DS_E_NOTFOUND;
}

int ds_addr_pool_alloc(ds_addr_pool *p, const void *key, size_t keylen, ds_addr *out)
{
	uint32_t idx;
	int rc = ds_ipool_alloc(&p->ix, key ? key_hash(key, keylen) : 0, &idx);
	if (rc != DS_OK)
		return rc;
	*out = item_of(p, idx);
	return DS_OK;
}

int ds_addr_pool_take(ds_addr_pool *p, const ds_addr *a)
{
	uint32_t idx;
	if (index_of(p, a, &idx) != DS_OK)
		return DS_E_PARAM;
	return ds_ipool_take(&p->ix, idx);
}

int ds_addr_pool_release(ds_addr_pool *p, const ds_addr *a)
{
	uint32_t idx;
	if (index_of(p, a, &idx) != DS_OK)
		return DS_E_NOTFOUND;
	return ds_ipool_release(&p->ix, idx);
}

bool ds_addr_pool_contains(const ds_addr_pool *p, const ds_addr *a)
{
	return a && a->family == p->base.family && ds_addr_in_prefix(a, &p->base, p->base.plen);
}

uint32_t ds_addr_pool_used(const ds_addr_pool *p)
{
	return p->ix.used;
}
