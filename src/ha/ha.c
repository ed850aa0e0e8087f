/* HA role engine: lifecycle, UE records (binding cache entries and allocations), lookups,
 * IKE seam, persistence and timers. BU/BA handling is in ha_bu.c, packet input in ha_rx.c,
 * revocation in ha_br.c, the data plane in ha_tun.c. */
#include "ha/ha_impl.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

#define DEFAULT_HNP_LIFETIME_S 86400u
#define DEFAULT_MAX_LIFETIME_S 3600u

uint64_t ha_hnp_key(const uint8_t ip[16])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | ip[i];
	return v;
}

struct ds_ha_ue *ha_ue_by_hnp(const ds_ha *ha, const uint8_t ip[16])
{
	uint64_t k = ha_hnp_key(ip);
	struct ds_ha_ue *u = NULL;
	HASH_FIND(hh_hnp, ha->by_hnp, &k, sizeof k, u);
	return u;
}

struct ds_ha_ue *ha_ue_by_hoa4(const ds_ha *ha, const uint8_t ip[4])
{
	uint32_t k;
	memcpy(&k, ip, 4);
	if (k == 0)
		return NULL;
	struct ds_ha_ue *u = NULL;
	HASH_FIND(hh_hoa4, ha->by_hoa4, &k, sizeof k, u);
	return u;
}

void ha_ue_prefix(const struct ds_ha_ue *u, ds_addr *hnp)
{
	uint8_t ip[16] = { 0 };
	for (int i = 0; i < 8; i++)
		ip[i] = (uint8_t)(u->hnp >> (56 - 8 * i));
	*hnp = ds_addr6(ip, 0);
	hnp->plen = 64;
}

static struct ds_ha_ue *find_key(const ds_ha *ha, const char *nai, const char *apn)
{
	size_t ln = strlen(nai), la = strlen(apn);
	if (ln > DS_HA_NAI_MAX || la > DS_HA_APN_MAX)
		return NULL;
	char k[DS_HA_NAI_MAX + DS_HA_APN_MAX + 2];
	memcpy(k, nai, ln + 1);
	memcpy(k + ln + 1, apn, la);
	struct ds_ha_ue *u = NULL;
	HASH_FIND(hh_key, ha->by_key, k, (unsigned)(ln + 1 + la), u);
	return u;
}

static struct ds_ha_ue *new_ue(ds_ha *ha, const char *nai, const char *apn)
{
	size_t ln = strlen(nai), la = strlen(apn);
	if (ln == 0 || la == 0 || ln > DS_HA_NAI_MAX || la > DS_HA_APN_MAX)
		return NULL;
	if (ha->cfg.max_ues && ha->n_ues >= ha->cfg.max_ues)
		return NULL;
	struct ds_ha_ue *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->keylen = (unsigned)(ln + 1 + la);
	u->key = malloc(u->keylen + 1);
	if (!u->key) {
		free(u);
		return NULL;
	}
	memcpy(u->key, nai, ln + 1);
	memcpy(u->key + ln + 1, apn, la);
	u->key[u->keylen] = '\0';
	HASH_ADD_KEYPTR(hh_key, ha->by_key, u->key, u->keylen, u);
	ha->n_ues++;
	return u;
}

static void hold_hnp(ds_ha *ha, struct ds_ha_ue *u, const ds_addr *hnp)
{
	u->hnp = ha_hnp_key(hnp->ip);
	u->hnp_held = true;
	HASH_ADD(hh_hnp, ha->by_hnp, hnp, sizeof u->hnp, u);
}

void ha_release_hnp(ds_ha *ha, struct ds_ha_ue *u)
{
	if (!u->hnp_held)
		return;
	ds_addr p;
	ha_ue_prefix(u, &p);
	ds_addr_pool_release(&ha->hnp_pool, &p);
	HASH_DELETE(hh_hnp, ha->by_hnp, u);
	u->hnp_held = false;
}

int ha_set_hoa4(ds_ha *ha, struct ds_ha_ue *u, const uint8_t ip[4])
{
	if (u->on_hoa4_hash)
		return DS_E_EXISTS;
	memcpy(&u->hoa4, ip, 4);
	HASH_ADD(hh_hoa4, ha->by_hoa4, hoa4, sizeof u->hoa4, u);
	u->on_hoa4_hash = true;
	return DS_OK;
}

void ha_release_hoa4(ds_ha *ha, struct ds_ha_ue *u)
{
	if (!u->on_hoa4_hash)
		return;
	uint8_t ip[4];
	memcpy(ip, &u->hoa4, 4);
	ds_addr a = ds_addr4(ip, 0);
	ds_addr_pool_release(&ha->v4_pool, &a);
	HASH_DELETE(hh_hoa4, ha->by_hoa4, u);
	u->on_hoa4_hash = false;
	u->hoa4 = 0;
}

void ha_alloc_of(const struct ds_ha_ue *u, ds_ha_alloc *a)
{
	memset(a, 0, sizeof *a);
	size_t ln = strlen(u->key);
	memcpy(a->nai, u->key, ln + 1);
	memcpy(a->apn, u->key + ln + 1, u->keylen - ln - 1);
	if (u->hnp_held)
		ha_ue_prefix(u, &a->hnp);
	if (u->on_hoa4_hash) {
		uint8_t ip[4];
		memcpy(ip, &u->hoa4, 4);
		a->hoa4 = ds_addr4(ip, 0);
		a->hoa4.plen = 32;
	}
	a->bound = u->bound;
	if (u->bound) {
		a->hoa = ds_addr6(u->hoa, 0);
		a->coa = u->coa;
		a->tunnel = u->tunnel;
		a->expires = u->expires;
	}
	a->last_seq = u->last_seq;
}

void ds_ha_ue_alloc(const ds_ha_ue *u, ds_ha_alloc *out)
{
	ha_alloc_of(u, out);
}

void ha_persist(ds_ha *ha, struct ds_ha_ue *u)
{
	if (!ha->cfg.ev.persist)
		return;
	ds_ha_alloc a;
	ha_alloc_of(u, &a);
	ha->cfg.ev.persist(ha->cfg.ev.ctx, &a, false);
}

void ha_ike_action(ds_ha *ha, struct ds_ha_ue *u, enum ds_ha_ike_action act, const ds_addr *addr)
{
	if (u->ike && ha->cfg.ev.ike)
		ha->cfg.ev.ike(ha->cfg.ev.ctx, u->ike, act, addr);
}

void ha_rearm(ds_ha *ha, struct ds_ha_ue *u)
{
	ds_time t = DS_TIME_NEVER;
	if (u->bound)
		t = u->expires;
	if (u->revoking && u->bri_next < t)
		t = u->bri_next;
	if (t == DS_TIME_NEVER)
		ds_timerq_cancel(&ha->tq, &u->timer);
	else if (ds_timerq_arm(&ha->tq, &u->timer, t) != DS_OK)
		/* No memory for the heap: the entry cannot expire on its own; log and keep going. */
		ds_logf(&ha->cfg.log, DS_LOG_ERR, "ha: timer heap allocation failed");
}

void ha_unbind(ds_ha *ha, struct ds_ha_ue *u, enum ds_ha_binding_reason why)
{
	if (!u->bound)
		return;
	u->bound = false;
	u->revoking = false;
	u->tunnel = DS_HA_TUN_NONE;
	ha->n_bound--;
	ha->ctr.bindings_removed++;
	if (why == DS_HA_BIND_EXPIRED)
		ha->ctr.bindings_expired++;
	ha_rearm(ha, u);
	if (ha->cfg.ev.binding) {
		ds_ha_alloc a;
		ha_alloc_of(u, &a);
		ha->cfg.ev.binding(ha->cfg.ev.ctx, u, why, &a);
	}
}

static void drop_sas(ds_ha *ha, struct ds_ha_ue *u)
{
	if (u->sa_in)
		ds_sad_del(ha->sad, u->sa_in);
	if (u->sa_out)
		ds_sad_del(ha->sad, u->sa_out);
	u->sa_in = u->sa_out = NULL;
}

static void free_ue(ds_ha *ha, struct ds_ha_ue *u, bool persist_gone)
{
	ha_unbind(ha, u, DS_HA_BIND_DETACHED);
	ds_timerq_cancel(&ha->tq, &u->timer);
	if (persist_gone && ha->cfg.ev.persist) {
		ds_ha_alloc a;
		ha_alloc_of(u, &a);
		ha->cfg.ev.persist(ha->cfg.ev.ctx, &a, true);
	}
	ha_release_hoa4(ha, u);
	ha_release_hnp(ha, u);
	drop_sas(ha, u);
	if (u->on_ike_hash)
		HASH_DELETE(hh_ike, ha->by_ike, u);
	HASH_DELETE(hh_key, ha->by_key, u);
	ha->n_ues--;
	free(u->key);
	free(u);
}

ds_ha *ds_ha_new(const ds_ha_config *cfg)
{
	if (!cfg || !cfg->send || cfg->ha6.family != DS_AF_INET6 ||
	    cfg->hnp_pool.family != DS_AF_INET6 ||
	    (cfg->ipv4_pool.family != DS_AF_NONE && cfg->ipv4_pool.family != DS_AF_INET) ||
	    (cfg->ha4.family != DS_AF_NONE && cfg->ha4.family != DS_AF_INET))
		return NULL;
	ds_ha *ha = calloc(1, sizeof *ha);
	if (!ha)
		return NULL;
	ha->cfg = *cfg;
	if (!ha->cfg.hnp_lifetime_s)
		ha->cfg.hnp_lifetime_s = DEFAULT_HNP_LIFETIME_S;
	if (!ha->cfg.max_lifetime_s)
		ha->cfg.max_lifetime_s = DEFAULT_MAX_LIFETIME_S;
	if (!ha->cfg.bri_timeout_ms)
		ha->cfg.bri_timeout_ms = 1000;
	if (!ha->cfg.bri_retries)
		ha->cfg.bri_retries = 3;
	ha->rl_rx = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 10);
	ha->rl_bu = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 10);
	/* RFC 6275 cl. 9.2 / 11.3.6: Binding Errors are rate-limited */
	ha->rl_be = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 10);
	ds_timerq_init(&ha->tq);
	ha->sad = ds_sad_new();
	if (!ha->sad || ds_addr_pool_init(&ha->hnp_pool, &cfg->hnp_pool, 64) != DS_OK)
		goto fail;
	if (cfg->ipv4_pool.family == DS_AF_INET) {
		if (ds_addr_pool_init(&ha->v4_pool, &cfg->ipv4_pool, 32) != DS_OK)
			goto fail;
		ha->have_v4_pool = true;
	}
	return ha;
fail:
	ds_ha_free(ha);
	return NULL;
}

void ds_ha_free(ds_ha *ha)
{
	if (!ha)
		return;
	struct ds_ha_ue *u, *tmp;
	HASH_ITER(hh_key, ha->by_key, u, tmp) {
		/* Shutdown: nothing is reported as gone (the persisted state must survive). */
		ds_timerq_cancel(&ha->tq, &u->timer);
		if (u->hnp_held)
			HASH_DELETE(hh_hnp, ha->by_hnp, u);
		if (u->on_hoa4_hash)
			HASH_DELETE(hh_hoa4, ha->by_hoa4, u);
		if (u->on_ike_hash)
			HASH_DELETE(hh_ike, ha->by_ike, u);
		HASH_DELETE(hh_key, ha->by_key, u);
		free(u->key);
		free(u);
	}
	if (ha->sad)
		ds_sad_free(ha->sad);
	ds_addr_pool_free(&ha->hnp_pool);
	if (ha->have_v4_pool)
		ds_addr_pool_free(&ha->v4_pool);
	ds_timerq_free(&ha->tq);
	free(ha);
}

int ds_ha_assign_hnp(ds_ha *ha, const char *nai, const char *apn, ds_addr *hnp,
		     uint32_t *lifetime_s)
{
	if (!ha || !nai || !apn || !hnp)
		return DS_E_PARAM;
	struct ds_ha_ue *u = find_key(ha, nai, apn);
	bool created = false;
	if (!u) {
		u = new_ue(ha, nai, apn);
		if (!u)
			return DS_E_EXHAUSTED;
		created = true;
	}
	if (!u->hnp_held) {
		ds_addr p;
		int rc = ds_addr_pool_alloc(&ha->hnp_pool, u->key, u->keylen, &p);
		if (rc != DS_OK) {
			if (created)
				free_ue(ha, u, false);
			return rc;
		}
		hold_hnp(ha, u, &p);
		ha_persist(ha, u);
	}
	ha_ue_prefix(u, hnp);
	if (lifetime_s)
		*lifetime_s = ha->cfg.hnp_lifetime_s;
	return DS_OK;
}

int ds_ha_ike_up(ds_ha *ha, const char *nai, const char *apn, void *ike, ds_esp_sa *sa_out,
		 ds_esp_sa *sa_in, const ds_addr *peer, ds_time now)
{
	(void)now;
	int rc = DS_E_PARAM;
	if (!ha || !nai || !apn || !ike || !sa_out || !sa_in ||
	    ds_esp_sa_dir(sa_in) != DS_ESP_IN || ds_esp_sa_dir(sa_out) != DS_ESP_OUT)
		goto fail;
	ds_addr hnp;
	rc = ds_ha_assign_hnp(ha, nai, apn, &hnp, NULL);
	if (rc != DS_OK)
		goto fail;
	struct ds_ha_ue *u = find_key(ha, nai, apn);
	/* A new IKE SA for the same PDN connection replaces the old one (re-attach). */
	drop_sas(ha, u);
	if (u->on_ike_hash) {
		HASH_DELETE(hh_ike, ha->by_ike, u);
		u->on_ike_hash = false;
	}
	struct ds_ha_ue *other = NULL;
	HASH_FIND(hh_ike, ha->by_ike, &ike, sizeof ike, other);
	if (other) {
		rc = DS_E_EXISTS;
		goto fail;
	}
	ds_esp_sa_set_owner(sa_in, u);
	ds_esp_sa_set_owner(sa_out, u);
	rc = ds_sad_add(ha->sad, sa_in, 0);
	if (rc != DS_OK)
		goto fail;
	rc = ds_sad_add(ha->sad, sa_out, (uint64_t)(uintptr_t)u);
	if (rc != DS_OK) {
		ds_sad_del(ha->sad, sa_in);   /* frees it */
		sa_in = NULL;
		goto fail;
	}
	u->sa_in = sa_in;
	u->sa_out = sa_out;
	u->ike = ike;
	if (peer)
		u->ike_peer = *peer;
	HASH_ADD(hh_ike, ha->by_ike, ike, sizeof u->ike, u);
	u->on_ike_hash = true;
	return DS_OK;
fail:
	/* Ownership of the SAs always passes to the engine. */
	ds_esp_sa_free(sa_in);
	ds_esp_sa_free(sa_out);
	return rc;
}

int ds_ha_ike_down(ds_ha *ha, void *ike, ds_time now)
{
	(void)now;
	if (!ha || !ike)
		return DS_E_PARAM;
	struct ds_ha_ue *u = NULL;
	HASH_FIND(hh_ike, ha->by_ike, &ike, sizeof ike, u);
	if (!u)
		return DS_E_NOTFOUND;
	/* The PDN connection is gone: binding, HNP and IPv4 HoA released. */
	u->ike = NULL;
	free_ue(ha, u, true);
	return DS_OK;
}

int ds_ha_release_unbound(ds_ha *ha, const char *nai, const char *apn, ds_time now)
{
	(void)now;
	if (!ha || !nai || !apn)
		return DS_E_PARAM;
	struct ds_ha_ue *u = find_key(ha, nai, apn);
	if (!u)
		return DS_E_NOTFOUND;
	if (u->ike || u->bound)
		return DS_E_STATE;
	free_ue(ha, u, true);
	return DS_OK;
}

int ds_ha_ike_replace(ds_ha *ha, void *old_ike, void *new_ike)
{
	if (!ha || !old_ike)
		return DS_E_PARAM;
	struct ds_ha_ue *u = NULL;
	HASH_FIND(hh_ike, ha->by_ike, &old_ike, sizeof old_ike, u);
	if (!u)
		return DS_E_NOTFOUND;
	HASH_DELETE(hh_ike, ha->by_ike, u);
	u->on_ike_hash = false;
	u->ike = new_ike;
	if (new_ike) {
		struct ds_ha_ue *other = NULL;
		HASH_FIND(hh_ike, ha->by_ike, &new_ike, sizeof new_ike, other);
		if (other)
			return DS_E_EXISTS;
		HASH_ADD(hh_ike, ha->by_ike, ike, sizeof u->ike, u);
		u->on_ike_hash = true;
	}
	return DS_OK;
}

int ds_ha_restore(ds_ha *ha, const ds_ha_alloc *a, ds_time now)
{
	if (!ha || !a || a->hnp.family != DS_AF_INET6)
		return DS_E_PARAM;
	if (find_key(ha, a->nai, a->apn))
		return DS_E_EXISTS;
	struct ds_ha_ue *u = new_ue(ha, a->nai, a->apn);
	if (!u)
		return DS_E_PARAM;
	ds_addr p = a->hnp;
	p.plen = 64;
	if (ds_addr_pool_take(&ha->hnp_pool, &p) != DS_OK || ha_ue_by_hnp(ha, p.ip)) {
		free_ue(ha, u, false);
		return DS_E_EXISTS;
	}
	hold_hnp(ha, u, &p);
	if (a->hoa4.family == DS_AF_INET) {
		if (!ha->have_v4_pool || ds_addr_pool_take(&ha->v4_pool, &a->hoa4) != DS_OK) {
			free_ue(ha, u, false);
			return DS_E_EXISTS;
		}
		ha_set_hoa4(ha, u, a->hoa4.ip);
	}
	u->last_seq = a->last_seq;
	u->seq_valid = a->bound;
	if (a->bound && a->expires > now && a->hoa.family == DS_AF_INET6 &&
	    ds_addr_in_prefix(&a->hoa, &p, 64)) {
		/* The binding survives the restart; the UE's next BU (after a new IKE SA) refreshes
		 * it. Forwarding works at once. */
		memcpy(u->hoa, a->hoa.ip, 16);
		u->coa = a->coa;
		u->tunnel = a->tunnel;
		u->expires = a->expires;
		u->bound = true;
		ha->n_bound++;
		ha_rearm(ha, u);
		if (ha->cfg.ev.binding) {
			ds_ha_alloc cur;
			ha_alloc_of(u, &cur);
			ha->cfg.ev.binding(ha->cfg.ev.ctx, u, DS_HA_BIND_ADDED, &cur);
		}
	}
	return DS_OK;
}

ds_time ds_ha_next_timeout(const ds_ha *ha)
{
	return ds_timerq_next(&ha->tq);
}

void ds_ha_on_timer(ds_ha *ha, ds_time now)
{
	ds_timer *t;
	while ((t = ds_timerq_pop_expired(&ha->tq, now)) != NULL) {
		struct ds_ha_ue *u = DS_CONTAINER_OF(t, struct ds_ha_ue, timer);
		if (u->revoking && u->bri_next <= now) {
			ha_bri_timer(ha, u, now);
			continue;
		}
		if (u->bound && u->expires <= now) {
			/* RFC 6275 cl. 10.3.1 / R-49: lifetime over, remove the binding and release
			 * the PDN connection (IKE SA deleted; resources freed when it is down). */
			ha_unbind(ha, u, DS_HA_BIND_EXPIRED);
			ha_release_hoa4(ha, u);
			ha_persist(ha, u);
			ha_ike_action(ha, u, DS_HA_IKE_DELETE, NULL);
			continue;
		}
		ha_rearm(ha, u);
	}
}

int ds_ha_redirect(ds_ha *ha, const char *nai, const char *apn, const ds_addr *new_ha,
		   ds_time now)
{
	(void)now;
	if (!ha || !nai || !apn || !new_ha)
		return DS_E_PARAM;
	struct ds_ha_ue *u = find_key(ha, nai, apn);
	if (!u)
		return DS_E_NOTFOUND;
	if (!u->ike)
		return DS_E_STATE;
	ha_ike_action(ha, u, DS_HA_IKE_REDIRECT, new_ha);
	return DS_OK;
}

const ds_ha_ue *ds_ha_find_hoa(const ds_ha *ha, const ds_addr *hoa)
{
	if (!hoa || hoa->family != DS_AF_INET6)
		return NULL;
	return ha_ue_by_hnp(ha, hoa->ip);
}

const ds_ha_ue *ds_ha_find_hoa4(const ds_ha *ha, const ds_addr *hoa4)
{
	if (!hoa4 || hoa4->family != DS_AF_INET)
		return NULL;
	return ha_ue_by_hoa4(ha, hoa4->ip);
}

const ds_ha_ue *ds_ha_find_ue(const ds_ha *ha, const char *nai, const char *apn)
{
	if (!nai || !apn)
		return NULL;
	return find_key(ha, nai, apn);
}

void ds_ha_foreach(const ds_ha *ha, bool (*fn)(void *ctx, const ds_ha_ue *u), void *ctx)
{
	const struct ds_ha_ue *u, *tmp;
	HASH_ITER(hh_key, ha->by_key, u, tmp) {
		if (!fn(ctx, u))
			return;
	}
}

size_t ds_ha_ue_count(const ds_ha *ha) { return ha->n_ues; }
size_t ds_ha_binding_count(const ds_ha *ha) { return ha->n_bound; }
const ds_ha_counters *ds_ha_counters_get(const ds_ha *ha) { return &ha->ctr; }
const ds_ha_config *ds_ha_config_get(const ds_ha *ha) { return &ha->cfg; }
