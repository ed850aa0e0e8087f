#include "sim_dns.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "core/err.h"

#define FQDN_MAX 255

typedef struct record {
	char name[FQDN_MAX + 1];   /* lower case */
	ds_addr a6[SIM_DNS_MAX_ADDRS], a4[SIM_DNS_MAX_ADDRS];
	size_t n6, n4;
	UT_hash_handle hh;
} record;

typedef struct query {
	sim_dns *d;
	char name[FQDN_MAX + 1];
	sim_dns_answer_fn cb;
	void *ctx;
	struct query *next, *prev;
} query;

struct sim_dns {
	sim *s;
	ds_time rtt;
	record *recs;
	query *pending;            /* freed with the server if the run stops before the answer */
	size_t queries;
};

static void lower(char *dst, const char *src)
{
	size_t i = 0;
	for (; src[i] && i < FQDN_MAX; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

sim_dns *sim_dns_new(sim *s, ds_time rtt)
{
	sim_dns *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->s = s;
	d->rtt = rtt;
	return d;
}

void sim_dns_free(sim_dns *d)
{
	if (!d)
		return;
	record *r, *tmp;
	HASH_ITER(hh, d->recs, r, tmp) {
		HASH_DEL(d->recs, r);
		free(r);
	}
	/* pending queries stay referenced by scheduled events; the simulator must be freed first */
	while (d->pending) {
		query *q = d->pending;
		d->pending = q->next;
		free(q);
	}
	free(d);
}

int sim_dns_set(sim_dns *d, const char *fqdn, const ds_addr *a6, size_t n6, const ds_addr *a4,
		size_t n4)
{
	if (n6 > SIM_DNS_MAX_ADDRS || n4 > SIM_DNS_MAX_ADDRS || strlen(fqdn) > FQDN_MAX)
		return DS_E_PARAM;
	char key[FQDN_MAX + 1];
	lower(key, fqdn);
	record *r = NULL;
	HASH_FIND_STR(d->recs, key, r);
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r)
			return DS_E_NOMEM;
		memcpy(r->name, key, sizeof key);
		HASH_ADD_STR(d->recs, name, r);
	}
	r->n6 = n6;
	r->n4 = n4;
	for (size_t i = 0; i < n6; i++)
		r->a6[i] = a6[i];
	for (size_t i = 0; i < n4; i++)
		r->a4[i] = a4[i];
	return DS_OK;
}

static void answer(void *ctx, ds_time now)
{
	query *q = ctx;
	sim_dns *d = q->d;
	if (q->prev)
		q->prev->next = q->next;
	else
		d->pending = q->next;
	if (q->next)
		q->next->prev = q->prev;
	record *r = NULL;
	HASH_FIND_STR(d->recs, q->name, r);
	sim_tracef(d->s, "dns answer %s aaaa=%zu a=%zu", q->name, r ? r->n6 : 0, r ? r->n4 : 0);
	if (r)
		q->cb(q->ctx, q->name, r->a6, r->n6, r->a4, r->n4, now);
	else
		q->cb(q->ctx, q->name, NULL, 0, NULL, 0, now);
	free(q);
}

void sim_dns_query(sim_dns *d, const char *fqdn, sim_dns_answer_fn cb, void *ctx)
{
	query *q = calloc(1, sizeof *q);
	if (!q)
		return;
	q->d = d;
	lower(q->name, fqdn);
	q->cb = cb;
	q->ctx = ctx;
	q->next = d->pending;
	if (q->next)
		q->next->prev = q;
	d->pending = q;
	d->queries++;
	sim_tracef(d->s, "dns query %s", q->name);
	sim_at(d->s, sim_now(d->s) + d->rtt, answer, q);
}

size_t sim_dns_queries(const sim_dns *d) { return d->queries; }
