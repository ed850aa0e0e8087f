/* Security Association Database: uthash tables of inbound SAs by SPI and outbound SAs by a
 * caller key, both O(1). uthash is configured to report allocation failures instead of
 * exiting the process. */
#include "ipsec/sad.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/crypto.h"

/* Must precede uthash.h (via esp_impl.h). */
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(elt) (sad_oom = true)

#include "ipsec/esp_impl.h"

/* Shared cipher contexts for compact SAs, one per suite and direction in use. */
#define SAD_SHARED 8

struct shared_ctx {
	uint16_t encr, bits, integ;
	uint8_t dir;
	ds_cipher *c;
	uint64_t keyed_for;   /* id of the SA whose keys the context holds (0: none) */
};

struct ds_sad {
	ds_esp_sa *in;    /* hash on p.spi */
	ds_esp_sa *out;   /* hash on sad_key */
	uint64_t next_id;
	unsigned next_evict;
	struct shared_ctx shared[SAD_SHARED];
};

ds_cipher *ds_sad_cipher_for(ds_sad *sad, ds_esp_sa *sa)
{
	const ds_esp_sa_params *p = &sa->p;
	size_t el = ds_cipher_encr_keymat(p->encr, p->encr_key_bits);
	struct shared_ctx *x = NULL, *empty = NULL;
	for (unsigned i = 0; i < SAD_SHARED; i++) {
		struct shared_ctx *y = &sad->shared[i];
		if (!y->c) {
			if (!empty)
				empty = y;
		} else if (y->encr == p->encr && y->bits == p->encr_key_bits && y->integ == p->integ &&
			   y->dir == p->dir) {
			x = y;
			break;
		}
	}
	if (!x) {
		/* a new suite: take a free slot, or recycle one in turn */
		x = empty ? empty : &sad->shared[sad->next_evict++ % SAD_SHARED];
		ds_cipher_free(x->c);
		x->c = ds_cipher_new_dir(p->encr, p->encr_key_bits, p->integ, sa->key, sa->key + el,
					 p->dir == DS_ESP_OUT ? DS_CIPHER_SEAL : DS_CIPHER_OPEN);
		if (!x->c)
			return NULL;
		x->encr = p->encr;
		x->bits = p->encr_key_bits;
		x->integ = p->integ;
		x->dir = p->dir;
		x->keyed_for = sa->id;
		return x->c;
	}
	if (x->keyed_for != sa->id) {
		if (ds_cipher_rekey(x->c, sa->key, sa->key + el) != DS_OK) {
			x->keyed_for = 0;
			return NULL;
		}
		x->keyed_for = sa->id;
	}
	return x->c;
}

ds_sad *ds_sad_new(void)
{
	return calloc(1, sizeof(ds_sad));
}

void ds_sad_free(ds_sad *sad)
{
	if (!sad)
		return;
	ds_esp_sa *sa, *tmp;
	HASH_ITER(hh, sad->in, sa, tmp) {
		HASH_DEL(sad->in, sa);
		ds_esp_sa_free(sa);
	}
	HASH_ITER(hh, sad->out, sa, tmp) {
		HASH_DEL(sad->out, sa);
		ds_esp_sa_free(sa);
	}
	for (unsigned i = 0; i < SAD_SHARED; i++)
		ds_cipher_free(sad->shared[i].c);
	free(sad);
}

int ds_sad_add(ds_sad *sad, ds_esp_sa *sa, uint64_t key)
{
	if (!sad || !sa || sa->in_sad)
		return DS_E_PARAM;
	bool sad_oom = false;
	ds_esp_sa *old = NULL;
	if (sa->p.dir == DS_ESP_IN) {
		HASH_FIND(hh, sad->in, &sa->p.spi, sizeof sa->p.spi, old);
		if (old)
			return DS_E_EXISTS;
		HASH_ADD(hh, sad->in, p.spi, sizeof sa->p.spi, sa);
	} else {
		HASH_FIND(hh, sad->out, &key, sizeof key, old);
		if (old)
			return DS_E_EXISTS;
		sa->sad_key = key;
		HASH_ADD(hh, sad->out, sad_key, sizeof sa->sad_key, sa);
	}
	if (sad_oom)
		return DS_E_NOMEM;
	sa->in_sad = true;
	sa->sad = sad;
	sa->id = ++sad->next_id;
	return DS_OK;
}

ds_esp_sa *ds_sad_find_in(const ds_sad *sad, uint32_t spi)
{
	ds_esp_sa *sa = NULL;
	if (sad)
		HASH_FIND(hh, sad->in, &spi, sizeof spi, sa);
	return sa;
}

ds_esp_sa *ds_sad_find_out(const ds_sad *sad, uint64_t key)
{
	ds_esp_sa *sa = NULL;
	if (sad)
		HASH_FIND(hh, sad->out, &key, sizeof key, sa);
	return sa;
}

static bool addr_match(const ds_addr *sel, const ds_addr *a)
{
	if (sel->family == DS_AF_NONE)
		return true;
	if (!a || a->family != sel->family)
		return false;
	unsigned plen = sel->plen ? sel->plen : (unsigned)ds_addr_iplen(sel) * 8u;
	return ds_addr_in_prefix(a, sel, plen);
}

static bool port_match(uint16_t lo, uint16_t hi, uint16_t port)
{
	if (lo == 0 && hi == 0)
		return true; /* unset range: any */
	return port >= lo && port <= hi;
}

bool ds_esp_selector_match(const ds_esp_selector *sel, const ds_addr *local,
			   const ds_addr *remote, uint8_t proto, uint16_t local_port,
			   uint16_t remote_port)
{
	return sel && addr_match(&sel->local, local) && addr_match(&sel->remote, remote) &&
	       (sel->proto == 0 || sel->proto == proto) &&
	       port_match(sel->local_port_lo, sel->local_port_hi, local_port) &&
	       port_match(sel->remote_port_lo, sel->remote_port_hi, remote_port);
}

ds_esp_sa *ds_sad_find_out_sel(const ds_sad *sad, const ds_addr *local, const ds_addr *remote,
			       uint8_t proto, uint16_t local_port, uint16_t remote_port)
{
	ds_esp_sa *sa, *tmp;
	if (!sad)
		return NULL;
	HASH_ITER(hh, sad->out, sa, tmp) {
		if (ds_esp_selector_match(&sa->p.sel, local, remote, proto, local_port, remote_port))
			return sa;
	}
	return NULL;
}

int ds_sad_del(ds_sad *sad, ds_esp_sa *sa)
{
	if (!sad || !sa || !sa->in_sad)
		return DS_E_NOTFOUND;
	ds_esp_sa *found = sa->p.dir == DS_ESP_IN ? ds_sad_find_in(sad, sa->p.spi)
						  : ds_sad_find_out(sad, sa->sad_key);
	if (found != sa)
		return DS_E_NOTFOUND;
	if (sa->p.dir == DS_ESP_IN)
		HASH_DEL(sad->in, sa);
	else
		HASH_DEL(sad->out, sa);
	ds_esp_sa_free(sa);
	return DS_OK;
}

size_t ds_sad_del_owner(ds_sad *sad, const void *owner)
{
	size_t n = 0;
	ds_esp_sa *sa, *tmp;
	if (!sad)
		return 0;
	HASH_ITER(hh, sad->in, sa, tmp) {
		if (sa->p.owner == owner) {
			HASH_DEL(sad->in, sa);
			ds_esp_sa_free(sa);
			n++;
		}
	}
	HASH_ITER(hh, sad->out, sa, tmp) {
		if (sa->p.owner == owner) {
			HASH_DEL(sad->out, sa);
			ds_esp_sa_free(sa);
			n++;
		}
	}
	return n;
}

size_t ds_sad_count(const ds_sad *sad)
{
	return sad ? HASH_COUNT(sad->in) + HASH_COUNT(sad->out) : 0;
}

int ds_sad_alloc_spi(const ds_sad *sad, uint32_t *spi)
{
	if (!sad || !spi)
		return DS_E_PARAM;
	/* With fewer than 2^31 SAs each draw is free with probability > 1/2. */
	for (int tries = 0; tries < 64; tries++) {
		uint32_t v;
		if (ds_random(&v, sizeof v) != DS_OK)
			return DS_E_CRYPTO;
		if (v < 256 || ds_sad_find_in(sad, v))
			continue;
		*spi = v;
		return DS_OK;
	}
	return DS_E_EXHAUSTED;
}
