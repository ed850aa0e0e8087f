/* IKE SA rekeying with CREATE_CHILD_SA (RFC 7296 cl. 1.3.2, 2.8, 2.18, 2.25).
 *
 * The ds_ike_sa handle the host holds survives a rekey: it takes the new SPIs, keys and
 * message counters, and keeps its CHILD_SAs (cl. 2.8: they move to the new IKE SA), its user
 * pointer and its place in the host's tables. What remains of the old IKE SA moves into a
 * "shadow" object that only finishes the old SA's business: the rekey initiator's shadow sends
 * the Delete of the old IKE SA; the responder's shadow answers retransmissions of the rekey
 * request from its cache and the peer's Delete, or expires. Shadows report no events.
 *
 * Collisions (cl. 2.8.2, 2.25): a peer's rekey request that crosses our own is answered as
 * usual and its result kept pending; when our own rekey completes too, the new IKE SA holding
 * the lowest of the four nonces is redundant: if it is ours we delete it, else the peer does,
 * and the handle takes the other one. If our rekey fails, or the peer deletes the old SA first
 * (it did not see the collision), the handle takes the peer's. A rekey request while any other
 * request of ours is outstanding (CHILD_SA exchange, Delete, liveness) is answered
 * TEMPORARY_FAILURE (cl. 2.25.1); on the old SA after a rekey the shadow answers
 * TEMPORARY_FAILURE as cl. 2.8.2 asks. CHILD_SA requests during our rekey get TEMPORARY_FAILURE
 * too (cl. 2.25.2). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "ike/ike_int.h"

#define REKEY_MAX_KE_ROUNDS 3

/* How long a responder's shadow waits for the peer's Delete of the old IKE SA: the time a
 * peer retransmits a request before it gives up (1 + 2 + ... + 64 s with the defaults). */
static ds_time shadow_wait(const ds_ike *ike)
{
	return ike->cfg.retransmit_base << DS_MIN(ike->cfg.retransmit_tries + 1, 16u);
}

ds_time ike_rekey_due(const ds_ike_sa *sa)
{
	const ds_ike_config *c = &sa->ike->cfg;
	if (sa->shadow || sa->rekey_queued || sa->rk.active || sa->state != DS_IKE_ST_ESTABLISHED)
		return DS_TIME_NEVER;
	if (sa->rekey_retry_at)
		return sa->rekey_retry_at;
	if (!c->ike_lifetime)
		return DS_TIME_NEVER;
	/* The initiator role (UE) rekeys at the lifetime; a responder with a lifetime too waits
	 * 5 % longer, so that with equal settings the UE normally goes first and collisions
	 * (cl. 2.8.2) stay rare. */
	ds_time life = c->ike_lifetime;
	if (!sa->initiator)
		life += life / 20;
	return sa->ike_created + life;
}

/* A failed attempt is retried later: after TEMPORARY_FAILURE in a few seconds (cl. 2.25:
 * not immediately; random spread so that two peers do not collide again), otherwise after
 * a tenth of the lifetime (at least a minute). */
static void retry_later(ds_ike_sa *sa, bool temporary)
{
	ds_ike *ike = sa->ike;
	uint8_t r = 0;
	(void)ds_random(&r, 1);
	ds_time wait;
	if (temporary) {
		wait = DS_SEC(2) + (ds_time)r * DS_MS(40);       /* 2 .. 12 s */
	} else {
		wait = ike->cfg.ike_lifetime / 10;
		if (wait < DS_SEC(60))
			wait = DS_SEC(60);
	}
	sa->rekey_retry_at = ike->now + wait;
}

static void rekey_neg_clear(ds_ike_sa *sa)
{
	ds_dh_free(sa->rk.dh);
	ds_wipe(&sa->rk, sizeof(sa->rk));
	sa->rekey_queued = false;
}

/* ---- the switch to the new IKE SA ---- */

typedef struct ike_rekey_result rekey_result;
struct ike_rekey_result {
	uint64_t spi_i, spi_r;
	ds_ike_suite suite;
	ike_keys k;
	bool orig_i;                /* we initiated the rekey */
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];   /* for cl. 2.8.2 collisions */
	size_t ni_len, nr_len;
};

void ike_rekey_drop_pending(ds_ike_sa *sa)
{
	if (!sa->rk_peer)
		return;
	ds_wipe(sa->rk_peer, sizeof(*sa->rk_peer));
	free(sa->rk_peer);
	sa->rk_peer = NULL;
}

/* A shadow object sharing the endpoints of `like`; no identity yet. */
static ds_ike_sa *shadow_new(const ds_ike_sa *like)
{
	ds_ike_sa *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->ike = like->ike;
	o->shadow = true;
	o->state = DS_IKE_ST_DELETING;
	o->initiator = like->initiator;
	o->local = like->local;
	o->remote = like->remote;
	o->natt = like->natt;
	o->nat_local = like->nat_local;
	o->nat_remote = like->nat_remote;
	o->frag_ok = like->frag_ok;
	o->last_rx = like->ike->now;
	memcpy(o->nai, like->nai, sizeof(o->nai));
	memcpy(o->apn, like->apn, sizeof(o->apn));
	return o;
}

/* What a shadow does: send the Delete of its IKE SA, wait for the peer's (then expire), or
 * go at once (the peer's Delete was answered already). */
enum shadow_mode { SHADOW_DELETE, SHADOW_WAIT, SHADOW_GONE };

static void shadow_go(ds_ike_sa *o, int mode)
{
	ds_ike *ike = o->ike;
	if (mode == SHADOW_DELETE) {
		ike_op del = { .kind = IKE_OP_DELETE_IKE };
		if (ike_info_start(o, &del) != DS_OK)
			o->expire_at = ike->now;
	} else {
		o->expire_at = ike->now + (mode == SHADOW_WAIT ? shadow_wait(ike) : 0);
	}
	ike_sa_arm(o);
}

/* cl. 2.8.2: the redundant new IKE SA of a collision, deleted by its creator. */
static int redundant_sa(ds_ike_sa *sa, const rekey_result *rr, int mode)
{
	ds_ike *ike = sa->ike;
	ds_ike_sa *o = shadow_new(sa);
	if (!o)
		return DS_E_NOMEM;
	o->spi_i = rr->spi_i;
	o->spi_r = rr->spi_r;
	o->orig_i = rr->orig_i;
	o->spi_local = rr->orig_i ? rr->spi_i : rr->spi_r;
	o->suite = rr->suite;
	o->k = rr->k;
	o->have_keys = true;
	ike_set_ciphers(o);
	ds_ike_sa *clash;
	HASH_FIND(hh, ike->by_spi, &o->spi_local, sizeof(o->spi_local), clash);
	if (clash || !o->c_in || !o->c_out) {
		ds_cipher_free(o->c_in);
		ds_cipher_free(o->c_out);
		ike_keys_wipe(&o->k);
		free(o);
		return DS_E_EXISTS;
	}
	HASH_ADD(hh, ike->by_spi, spi_local, sizeof(o->spi_local), o);
	ike->ctr.sas_current++;
	ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: redundant IKE SA %016llx/%016llx of a "
		"rekey collision goes", (unsigned long long)sa->spi_local,
		(unsigned long long)o->spi_i, (unsigned long long)o->spi_r);
	shadow_go(o, mode);
	return DS_OK;
}

static int switch_sa(ds_ike_sa *sa, rekey_result *nr, int old_mode)
{
	ds_ike *ike = sa->ike;
	uint64_t new_local = nr->orig_i ? nr->spi_i : nr->spi_r;
	ds_ike_sa *clash;
	HASH_FIND(hh, ike->by_spi, &new_local, sizeof(new_local), clash);
	if (clash)
		return DS_E_EXISTS;
	ds_ike_sa *old = shadow_new(sa);
	if (!old)
		return DS_E_NOMEM;
	/* The shadow takes the old SA's identity, keys and both message windows. */
	old->orig_i = sa->orig_i;
	old->spi_local = sa->spi_local;
	old->spi_i = sa->spi_i;
	old->spi_r = sa->spi_r;
	old->suite = sa->suite;
	old->k = sa->k;
	old->have_keys = true;
	old->c_in = sa->c_in;
	old->c_out = sa->c_out;
	old->iv_ctr = sa->iv_ctr;
	old->req_mid = sa->req_mid;
	old->peer_mid = sa->peer_mid;
	old->resp = sa->resp;
	old->resp_len = sa->resp_len;
	old->resp_valid = sa->resp_valid;
	old->last_rx = sa->last_rx;

	/* The handle becomes the new IKE SA: counters from 0 (cl. 2.18), the rekey initiator is
	 * its original initiator (cl. 2.2). */
	HASH_DELETE(hh, ike->by_spi, sa);
	sa->spi_i = nr->spi_i;
	sa->spi_r = nr->spi_r;
	sa->spi_local = new_local;
	sa->orig_i = nr->orig_i;
	sa->suite = nr->suite;
	sa->k = nr->k;
	sa->c_in = sa->c_out = NULL;
	ike_set_ciphers(sa);
	sa->iv_ctr = 0;
	free(sa->req);
	sa->req = NULL;
	sa->req_len = 0;
	sa->req_out = false;
	sa->req_mid = 0;
	sa->peer_mid = 0;
	sa->resp = NULL;
	sa->resp_len = 0;
	sa->resp_valid = false;
	ike_frag_reset(sa, 0);   /* partial messages of the old SA do not carry over */
	ike_frag_reset(sa, 1);
	sa->ike_created = ike->now;
	sa->rekey_retry_at = 0;
	HASH_ADD(hh, ike->by_spi, spi_local, sizeof(sa->spi_local), sa);
	HASH_ADD(hh, ike->by_spi, spi_local, sizeof(old->spi_local), old);
	ike->ctr.sas_current++;   /* the shadow, until it goes */
	ike->ctr.rekeys_ike++;
	if (!sa->c_in || !sa->c_out)
		return DS_E_CRYPTO;   /* the caller closes the SA; the shadow goes with it */
	ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: rekeyed, now %016llx/%016llx",
		(unsigned long long)old->spi_local, (unsigned long long)sa->spi_i,
		(unsigned long long)sa->spi_r);
	ike_emit_keylog(sa);
	/* cl. 1.3.2 / 2.18: the rekey initiator deletes the old IKE SA. */
	shadow_go(old, old_mode);
	ike_sa_arm(sa);
	ike_run_ops(sa);
	return DS_OK;
}

/* g^ir and the keys of the new IKE SA (cl. 2.18: the old SA's PRF makes SKEYSEED). */
static int new_keys(ds_ike_sa *sa, ds_dh *dh, const ike_ke *peer_ke, const uint8_t *ni,
		    size_t ni_len, const uint8_t *nr, size_t nr_len, rekey_result *out)
{
	uint8_t gir[512];
	size_t gir_len = sizeof(gir);
	if (peer_ke->len != ds_dh_public_len(out->suite.dh))
		return DS_E_BADLEN;
	int rc = ds_dh_derive(dh, peer_ke->data, peer_ke->len, gir, &gir_len);
	if (rc == DS_OK)
		rc = ike_keys_derive(&out->suite, sa->suite.prf, sa->k.sk_d, sa->k.prf_len, ni,
				     ni_len, nr, nr_len, gir, gir_len, out->spi_i, out->spi_r,
				     &out->k);
	ds_wipe(gir, sizeof(gir));
	if (ni_len > IKE_NONCE_MAX || nr_len > IKE_NONCE_MAX)
		return DS_E_BADLEN;
	memcpy(out->ni, ni, ni_len);
	memcpy(out->nr, nr, nr_len);
	out->ni_len = ni_len;
	out->nr_len = nr_len;
	return rc;
}

static int nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

/* The lower of a rekey's two nonces. */
static void lowest(const rekey_result *r, const uint8_t **p, size_t *len)
{
	bool i = nonce_cmp(r->ni, r->ni_len, r->nr, r->nr_len) <= 0;
	*p = i ? r->ni : r->nr;
	*len = i ? r->ni_len : r->nr_len;
}

/* cl. 2.8.2: both rekeys succeeded; ours is `mine`, the peer's is pending. The new SA with the
 * lowest nonce is redundant and deleted by whoever created it; the handle takes the other. */
static int resolve_collision(ds_ike_sa *sa, rekey_result *mine)
{
	rekey_result *theirs = sa->rk_peer;
	const uint8_t *a, *b;
	size_t al, bl;
	lowest(mine, &a, &al);
	lowest(theirs, &b, &bl);
	bool mine_redundant = nonce_cmp(a, al, b, bl) < 0;
	int rc;
	if (mine_redundant) {
		rc = switch_sa(sa, theirs, SHADOW_DELETE);
		if (rc == DS_OK)
			rc = redundant_sa(sa, mine, SHADOW_DELETE);
	} else {
		rc = switch_sa(sa, mine, SHADOW_DELETE);
		if (rc == DS_OK)
			rc = redundant_sa(sa, theirs, SHADOW_WAIT);
	}
	ike_rekey_drop_pending(sa);
	return rc;
}

bool ike_rekey_adopt_pending(ds_ike_sa *sa)
{
	/* cl. 2.8.2: the peer deletes the old IKE SA: it did not see our rekey; its new SA is the
	 * one, ours is forgotten (its request dies with the old SA). */
	if (!sa->rk_peer || sa->shadow)
		return false;
	rekey_result *p = sa->rk_peer;
	sa->rk_peer = NULL;
	ds_dh_free(sa->rk.dh);
	ds_wipe(&sa->rk, sizeof(sa->rk));
	sa->rekey_queued = false;
	int rc = switch_sa(sa, p, SHADOW_GONE);
	ds_wipe(p, sizeof(*p));
	free(p);
	if (rc) {
		sa->close_pending = DS_IKE_CLOSE_PROTOCOL;
		ike_sa_arm(sa);
	}
	return true;
}

static uint64_t spi_of(const ike_proposal *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p->spi[i];
	return v;
}

static void put_spi(uint8_t out[8], uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* ---- initiator of the rekey ---- */

int ike_rekey_start(ds_ike_sa *sa)
{
	ds_ike *ike = sa->ike;
	ike_rekey_neg *rk = &sa->rk;
	if (sa->shadow || sa->state != DS_IKE_ST_ESTABLISHED) {
		sa->rekey_queued = false;
		return DS_E_STATE;
	}
	if (!rk->group)
		rk->group = ike->ike_suites[0].dh;
	ds_dh_free(rk->dh);
	rk->dh = ds_dh_new(rk->group);
	int rc = rk->dh ? DS_OK : DS_E_CRYPTO;
	if (rc == DS_OK)
		rc = ike_rand_spi64(ike, &rk->spi);
	if (rc == DS_OK && ds_random(rk->nonce, sizeof(rk->nonce)))
		rc = DS_E_CRYPTO;
	uint8_t pub[512];
	size_t publen = ds_dh_public_len(rk->group);
	if (rc == DS_OK && (publen > sizeof(pub) || ds_dh_public(rk->dh, pub, publen)))
		rc = DS_E_CRYPTO;
	if (rc) {
		rekey_neg_clear(sa);
		retry_later(sa, false);
		ike_sa_arm(sa);
		return rc;
	}
	/* cl. 1.3.2: HDR, SK {SA, Ni, KEi}; the proposals carry the new initiator SPI. */
	uint8_t plain[2048];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	uint8_t spi[8];
	put_spi(spi, rk->spi);
	ike_proposal props[IKE_MAX_SUITES];
	size_t np = ike_build_ike_props(ike, spi, 8, props, IKE_MAX_SUITES);
	ike_wr_pl(&iw, IKE_PL_SA, false);
	ike_sa_encode(&iw.w, props, np);
	ike_wr_pl(&iw, IKE_PL_NONCE, false);
	ds_wr_bytes(&iw.w, rk->nonce, sizeof(rk->nonce));
	ike_wr_pl(&iw, IKE_PL_KE, false);
	ike_ke_encode(&iw.w, rk->group, pub, publen);
	uint8_t first;
	size_t n = ike_wr_finish(&iw, &first);
	if (!n) {
		rekey_neg_clear(sa);
		return DS_E_NOSPACE;
	}
	rk->active = true;
	ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: rekeying the IKE SA",
		(unsigned long long)sa->spi_local);
	rc = ike_send_request(sa, IKE_CREATE_CHILD_SA, first, plain, n);
	if (rc)
		rekey_neg_clear(sa);
	return rc;
}

static bool group_offered(const ds_ike *ike, uint16_t group)
{
	for (size_t i = 0; i < ike->cfg.n_ike_suites; i++)
		if (ike->ike_suites[i].dh == group)
			return true;
	return false;
}

void ike_rekey_response(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	ike_rekey_neg *rk = &sa->rk;
	rk->active = false;
	(void)h;
	ike_notify n;
	if (ike_find_notify(c, IKE_N_INVALID_KE_PAYLOAD, &n) == DS_OK) {
		/* cl. 1.3: retry with the group the responder names, if we offer it. */
		uint16_t g = n.data_len == 2 ? ds_get_u16(n.data) : 0;
		ike->ctr.invalid_ke_received++;
		if (g && g != rk->group && group_offered(ike, g) &&
		    ++rk->ke_rounds <= REKEY_MAX_KE_ROUNDS) {
			rk->group = g;
			if (ike_rekey_start(sa) == DS_OK)
				return;
		}
		rekey_neg_clear(sa);
		if (sa->rk_peer) {
			/* the peer's crossing rekey succeeded: take it (cl. 2.8.2) */
			rekey_result *p = sa->rk_peer;
			sa->rk_peer = NULL;
			if (switch_sa(sa, p, SHADOW_WAIT)) {
				sa->close_pending = DS_IKE_CLOSE_PROTOCOL;
				ike_sa_arm(sa);
			}
			ds_wipe(p, sizeof(*p));
			free(p);
			return;
		}
		retry_later(sa, false);
		ike_sa_arm(sa);
		ike_run_ops(sa);
		return;
	}
	uint16_t err = ike_error_notify(c);
	const ike_pl *psa = ike_chain_find(c, IKE_PL_SA), *pn = ike_chain_find(c, IKE_PL_NONCE),
		     *pke = ike_chain_find(c, IKE_PL_KE);
	ike_sa_pl sap;
	ike_ke ke;
	rekey_result nr = { .orig_i = true, .spi_i = rk->spi };
	int rc = DS_E_RESERVED;
	if (!err && psa && pn && pke && ike_sa_decode(psa->body, psa->len, &sap) == DS_OK &&
	    ike_nonce_check(pn->len) == DS_OK && ike_ke_decode(pke->body, pke->len, &ke) == DS_OK &&
	    sap.n == 1 && sap.prop[0].proto == IKE_PROTO_IKE && sap.prop[0].spi_size == 8 &&
	    ike_accept_ike(ike, &sap, &nr.suite) == DS_OK && nr.suite.dh == rk->group &&
	    ke.group == rk->group && (nr.spi_r = spi_of(&sap.prop[0])) != 0) {
		rc = new_keys(sa, rk->dh, &ke, rk->nonce, sizeof(rk->nonce), pn->body, pn->len,
			      &nr);
	}
	rekey_neg_clear(sa);
	if (sa->rk_peer) {
		/* cl. 2.8.2: the peer's rekey crossed ours and succeeded. With ours done too, the
		 * nonces decide; with ours refused, the peer's is the one. */
		if (rc == DS_OK) {
			rc = resolve_collision(sa, &nr);
		} else {
			rekey_result *p = sa->rk_peer;
			sa->rk_peer = NULL;
			rc = switch_sa(sa, p, SHADOW_WAIT);
			ds_wipe(p, sizeof(*p));
			free(p);
		}
		ike_keys_wipe(&nr.k);
		if (rc) {
			sa->close_pending = DS_IKE_CLOSE_PROTOCOL;
			ike_sa_arm(sa);
		}
		return;
	}
	if (rc == DS_OK) {
		rc = switch_sa(sa, &nr, SHADOW_DELETE);
		ike_keys_wipe(&nr.k);
		if (rc == DS_OK)
			return;
		ds_logf(&ike->cfg.log, DS_LOG_WARN, "ike %016llx: rekey switch failed: %s",
			(unsigned long long)sa->spi_local, ds_strerror(rc));
		if (rc != DS_E_EXISTS && rc != DS_E_NOMEM) {
			/* Half switched (no cipher for the new keys): the SA is unusable. */
			sa->close_pending = DS_IKE_CLOSE_PROTOCOL;
			ike_sa_arm(sa);
			return;
		}
		err = 0;
	} else {
		/* The old IKE SA stays in use (cl. 2.21.2: a failed CREATE_CHILD_SA changes
		 * nothing); try again later. */
		sa->last_notify = err;
		if (err == IKE_N_NO_PROPOSAL_CHOSEN)
			ike->ctr.no_proposal++;
		ds_logf(&ike->cfg.log, DS_LOG_NOTICE,
			"ike %016llx: IKE SA rekey refused or malformed (notify %u)",
			(unsigned long long)sa->spi_local, err);
	}
	ike_keys_wipe(&nr.k);
	retry_later(sa, err == IKE_N_TEMPORARY_FAILURE);
	ike_sa_arm(sa);
	ike_run_ops(sa);
}

/* ---- responder of the rekey ---- */

void ike_rekey_request(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c, const ike_sa_pl *sap)
{
	ds_ike *ike = sa->ike;
	uint32_t mid = h->msg_id;
	/* cl. 2.25.2: a rekey crossing our own is answered as usual (once); anything else of
	 * ours outstanding (CHILD_SA exchange, Delete, liveness, cl. 2.25.1), a rekey on an SA
	 * already rekeyed (cl. 2.8.2) or closing: the peer retries later. */
	bool crossing = sa->rk.active && !sa->rk_peer;
	if (sa->state != DS_IKE_ST_ESTABLISHED || sa->shadow || (sa->req_out && !crossing)) {
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_TEMPORARY_FAILURE);
		return;
	}
	const ike_pl *pn = ike_chain_find(c, IKE_PL_NONCE), *pke = ike_chain_find(c, IKE_PL_KE);
	ike_ke ke;
	/* cl. 2.18: a rekey without KE (DH "NONE") must be refused. */
	if (!pn || !pke || ike_ke_decode(pke->body, pke->len, &ke)) {
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid,
				   pke ? IKE_N_INVALID_SYNTAX : IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	rekey_result nr = { .orig_i = false };
	int sel = ike_select_ike(ike, sap, ke.group, 8, &nr.suite);
	if (sel < 0) {
		if (ike_select_ike(ike, sap, 0, 8, &nr.suite) < 0) {
			ike->ctr.no_proposal++;
			ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_NO_PROPOSAL_CHOSEN);
			return;
		}
		/* cl. 1.3: INVALID_KE_PAYLOAD names the group we want. */
		uint8_t plain[32], g[2];
		ds_put_u16(g, nr.suite.dh);
		ike_wr iw;
		ike_wr_begin_inner(&iw, plain, sizeof(plain));
		ike_wr_notify(&iw, IKE_N_INVALID_KE_PAYLOAD, g, 2);
		uint8_t first;
		size_t len = ike_wr_finish(&iw, &first);
		ike->ctr.invalid_ke_sent++;
		if (len)
			ike_send_response(sa, IKE_CREATE_CHILD_SA, mid, first, plain, len);
		return;
	}
	nr.spi_i = spi_of(&sap->prop[sel]);
	uint8_t nonce[IKE_NONCE_LEN], pub[512];
	size_t publen = ds_dh_public_len(nr.suite.dh);
	ds_dh *dh = ds_dh_new(nr.suite.dh);
	int rc = dh && publen <= sizeof(pub) && !ds_dh_public(dh, pub, publen) &&
			 !ds_random(nonce, sizeof(nonce))
		 ? ike_rand_spi64(ike, &nr.spi_r)
		 : DS_E_CRYPTO;
	if (rc == DS_OK && nr.spi_i == 0)
		rc = DS_E_RESERVED;
	if (rc == DS_OK)
		rc = new_keys(sa, dh, &ke, pn->body, pn->len, nonce, sizeof(nonce), &nr);
	ds_dh_free(dh);
	if (rc) {
		/* A KE that is not a valid share, or a local failure. */
		ike_keys_wipe(&nr.k);
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid,
				   rc == DS_E_CRYPTO || rc == DS_E_EXHAUSTED
					   ? IKE_N_NO_ADDITIONAL_SAS
					   : IKE_N_INVALID_SYNTAX);
		return;
	}
	/* cl. 1.3.2: HDR, SK {SA, Nr, KEr}: the chosen proposal with our new SPI. */
	uint8_t plain[2048], spi[8];
	put_spi(spi, nr.spi_r);
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	ike_proposal p;
	ike_suite_proposal(&nr.suite, IKE_PROTO_IKE, spi, 8, sap->prop[sel].num, &p);
	ike_wr_pl(&iw, IKE_PL_SA, false);
	ike_sa_encode(&iw.w, &p, 1);
	ike_wr_pl(&iw, IKE_PL_NONCE, false);
	ds_wr_bytes(&iw.w, nonce, sizeof(nonce));
	ike_wr_pl(&iw, IKE_PL_KE, false);
	ike_ke_encode(&iw.w, nr.suite.dh, pub, publen);
	uint8_t first;
	size_t len = ike_wr_finish(&iw, &first);
	if (!len || ike_send_response(sa, IKE_CREATE_CHILD_SA, mid, first, plain, len)) {
		ike_keys_wipe(&nr.k);
		return;
	}
	if (crossing) {
		/* cl. 2.8.2: decided when our own rekey ends (or the peer deletes the old SA). */
		sa->rk_peer = malloc(sizeof(*sa->rk_peer));
		if (sa->rk_peer)
			*sa->rk_peer = nr;
		ike_keys_wipe(&nr.k);
		ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: simultaneous IKE SA rekey",
			(unsigned long long)sa->spi_local);
		return;
	}
	rc = switch_sa(sa, &nr, SHADOW_WAIT);
	ike_keys_wipe(&nr.k);
	if (rc) {
		ds_logf(&ike->cfg.log, DS_LOG_WARN, "ike %016llx: rekey switch failed: %s",
			(unsigned long long)sa->spi_local, ds_strerror(rc));
		sa->close_pending = DS_IKE_CLOSE_PROTOCOL;
		ike_sa_arm(sa);
	}
}

/* ---- command ---- */

int ds_ike_rekey(ds_ike_sa *sa, ds_time now)
{
	if (!sa || sa->shadow || sa->state != DS_IKE_ST_ESTABLISHED)
		return DS_E_STATE;
	sa->ike->now = now;
	if (sa->rekey_queued || sa->rk.active)
		return DS_OK;   /* already on its way */
	sa->rekey_queued = true;
	sa->rekey_retry_at = 0;
	ike_op op = { .kind = IKE_OP_REKEY_IKE };
	int rc = ike_queue_op(sa, &op);
	if (rc)
		sa->rekey_queued = false;
	return rc;
}
