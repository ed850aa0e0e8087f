/* IKEv2 engine core: context, SA table, datagram input and demultiplexing, message-ID windows
 * and retransmissions (RFC 7296 cl. 2.1 - 2.3), timers, status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "crypto/keylog.h"
#include "ike/ike_int.h"
#include "ike/ike_sk.h"

static const ds_ike_suite default_ike_suites[] = {
	{ DS_ENCR_AES_GCM_16, 256, DS_INTEG_NONE, DS_PRF_HMAC_SHA2_384, DS_DH_X25519 },
	{ DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE, DS_PRF_HMAC_SHA2_256, DS_DH_ECP256 },
	{ DS_ENCR_AES_CBC, 256, DS_INTEG_HMAC_SHA2_256_128, DS_PRF_HMAC_SHA2_256, DS_DH_X25519 },
	{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, DS_PRF_HMAC_SHA2_256, DS_DH_MODP2048 },
	{ DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE, DS_PRF_HMAC_SHA2_256, DS_DH_MODP2048 },
};
static const ds_ike_suite default_esp_suites[] = {
	{ DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE, 0, 0 },
	{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, 0, 0 },
};

static bool suite_ok(const ds_ike_suite *s, bool esp)
{
	if (!ds_cipher_encr_keymat(s->encr, s->encr_bits) && s->encr != DS_ENCR_NULL)
		return false;
	if (s->encr == DS_ENCR_AES_GCM_16 && s->integ != DS_INTEG_NONE)
		return false;
	if (s->encr != DS_ENCR_AES_GCM_16 && !ds_cipher_integ_keymat(s->integ))
		return false;
	if (esp)
		return true;
	return s->encr != DS_ENCR_NULL && ds_prf_len(s->prf) && ds_dh_public_len(s->dh);
}

ds_ike *ds_ike_new(const ds_ike_config *cfg, int *err)
{
	int e = DS_E_PARAM;
	ds_ike *ike = NULL;
	if (!cfg || !cfg->send ||
	    (cfg->role != DS_IKE_INITIATOR && cfg->role != DS_IKE_RESPONDER) ||
	    cfg->n_ike_suites > IKE_MAX_SUITES || cfg->n_esp_suites > IKE_MAX_SUITES)
		goto fail;
	/* RFC 7383 cl. 2.5.1: a threshold too small to carry any fragment is an error. */
	if (cfg->frag_mtu && cfg->frag_mtu < 256) {
		e = DS_E_CONFIG;
		goto fail;
	}
	/* The responder must be able to authenticate itself. */
	if (cfg->role == DS_IKE_RESPONDER && !cfg->signer && !cfg->psk)
		goto fail;
	e = DS_E_NOMEM;
	ike = calloc(1, sizeof(*ike));
	if (!ike)
		goto fail;
	ike->cfg = *cfg;
	const ds_ike_suite *is = cfg->ike_suites ? cfg->ike_suites : default_ike_suites;
	size_t ni = cfg->ike_suites ? cfg->n_ike_suites : DS_ARRAY_LEN(default_ike_suites);
	const ds_ike_suite *es = cfg->esp_suites ? cfg->esp_suites : default_esp_suites;
	size_t ne = cfg->esp_suites ? cfg->n_esp_suites : DS_ARRAY_LEN(default_esp_suites);
	e = DS_E_CONFIG;
	if (!ni || !ne)
		goto fail;
	for (size_t i = 0; i < ni; i++)
		if (!suite_ok(&is[i], false))
			goto fail;
	for (size_t i = 0; i < ne; i++)
		if (!suite_ok(&es[i], true))
			goto fail;
	memcpy(ike->ike_suites, is, ni * sizeof(*is));
	memcpy(ike->esp_suites, es, ne * sizeof(*es));
	ike->cfg.ike_suites = ike->ike_suites;
	ike->cfg.n_ike_suites = ni;
	ike->cfg.esp_suites = ike->esp_suites;
	ike->cfg.n_esp_suites = ne;
	ike->cfg.signer = NULL;     /* copied below: the caller's struct may be temporary */
	if (cfg->signer)
		ike->cfg.signer = cfg->signer;
	ds_ike_config *c = &ike->cfg;
	if (!c->max_sas) c->max_sas = 1000000;
	if (!c->cookie_threshold) c->cookie_threshold = 1000;
	if (!c->half_open_max) c->half_open_max = 10 * c->cookie_threshold;
	if (!c->retransmit_base) c->retransmit_base = DS_SEC(1);
	if (!c->retransmit_tries) c->retransmit_tries = 6;
	if (!c->half_open_timeout) c->half_open_timeout = DS_SEC(30);
	if (!c->frag_mem_max) c->frag_mem_max = 16u << 20;
	/* RFC 7383 cl. 2.6: the reassembly timeout equals the time we retransmit a request
	 * before giving up (1 + 2 + ... + 64 s with the defaults). */
	if (!c->frag_timeout)
		c->frag_timeout = (c->retransmit_base << DS_MIN(c->retransmit_tries + 1, 16u)) -
				  c->retransmit_base;
	ds_timerq_init(&ike->tq);
	ike->rl_bad = (ds_ratelimit)DS_RATELIMIT_INIT(DS_SEC(1), 10);
	ike->rl_state = (ds_ratelimit)DS_RATELIMIT_INIT(DS_SEC(1), 10);
	ike->rl_auth = (ds_ratelimit)DS_RATELIMIT_INIT(DS_SEC(1), 10);
	e = DS_E_CRYPTO;
	if (!c->cookie_rotate) c->cookie_rotate = DS_SEC(300);
	if (ds_random(ike->cookie_secret, sizeof(ike->cookie_secret)))
		goto fail;
	if (err)
		*err = DS_OK;
	return ike;
fail:
	free(ike);
	if (err)
		*err = e;
	return NULL;
}

static void sa_free(ds_ike_sa *sa)
{
	ds_ike *ike = sa->ike;
	while (sa->children)
		ike_child_remove(sa, sa->children, false);
	if (sa->in_init_hash)
		HASH_DELETE(hh_init, ike->by_init, sa);
	HASH_DELETE(hh, ike->by_spi, sa);
	ds_timerq_cancel(&ike->tq, &sa->timer);
	if (sa->eap_sess && ike->cfg.eap.ops)
		ike->cfg.eap.ops->free(sa->eap_sess);
	if (sa->eap_peer && sa->eap_ops)
		sa->eap_ops->free(sa->eap_peer);
	ds_dh_free(sa->dh);
	ds_dh_free(sa->rk.dh);
	ike_rekey_drop_pending(sa);
	ike_frag_reset(sa, 0);
	ike_frag_reset(sa, 1);
	ds_cipher_free(sa->c_in);
	ds_cipher_free(sa->c_out);
	ike_keys_wipe(&sa->k);
	ds_wipe(sa->msk, sizeof(sa->msk));
	free(sa->msg1);
	free(sa->msg2);
	free(sa->req);
	free(sa->resp);
	if (ike->ctr.sas_current)
		ike->ctr.sas_current--;
	if (sa->state != DS_IKE_ST_ESTABLISHED && sa->state != DS_IKE_ST_DELETING &&
	    !sa->initiator && ike->ctr.half_open_current)
		ike->ctr.half_open_current--;
	free(sa);
}

void ds_ike_free(ds_ike *ike)
{
	if (!ike)
		return;
	ds_ike_sa *sa, *tmp;
	HASH_ITER(hh, ike->by_spi, sa, tmp)
		ike_sa_close(sa, DS_IKE_CLOSE_SHUTDOWN);
	ds_timerq_free(&ike->tq);
	ds_wipe(ike->cookie_secret, sizeof(ike->cookie_secret));
	free(ike);
}

int ike_rand_spi64(ds_ike *ike, uint64_t *spi)
{
	for (int i = 0; i < 8; i++) {
		uint64_t v;
		if (ds_random(&v, sizeof(v)))
			return DS_E_CRYPTO;
		ds_ike_sa *found;
		HASH_FIND(hh, ike->by_spi, &v, sizeof(v), found);
		if (v && !found) {
			*spi = v;
			return DS_OK;
		}
	}
	return DS_E_EXHAUSTED;
}

int ike_alloc_esp_spi(ds_ike *ike, uint32_t *spi)
{
	if (ike->cfg.ev.alloc_spi)
		return ike->cfg.ev.alloc_spi(ike->cfg.ev.ctx, spi);
	for (int i = 0; i < 16; i++) {
		uint32_t v;
		if (ds_random(&v, sizeof(v)))
			return DS_E_CRYPTO;
		ike_child *found;
		HASH_FIND(hh, ike->by_child, &v, sizeof(v), found);
		/* RFC 4303 cl. 2.1: 0 is reserved, 1..255 reserved by IANA. */
		if (v >= 256 && !found) {
			*spi = v;
			return DS_OK;
		}
	}
	return DS_E_EXHAUSTED;
}

ds_ike_sa *ike_sa_new(ds_ike *ike, bool initiator, ds_time now)
{
	if (ike->ctr.sas_current >= ike->cfg.max_sas)
		return NULL;
	ds_ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->ike = ike;
	sa->initiator = initiator;
	sa->orig_i = initiator;
	if (ike_rand_spi64(ike, &sa->spi_local)) {
		free(sa);
		return NULL;
	}
	if (initiator)
		sa->spi_i = sa->spi_local;
	else
		sa->spi_r = sa->spi_local;
	HASH_ADD(hh, ike->by_spi, spi_local, sizeof(sa->spi_local), sa);
	sa->last_rx = now;
	ike->ctr.sas_current++;
	return sa;
}

void ike_fill_info(const ds_ike_sa *sa, ds_ike_info *o)
{
	memset(o, 0, sizeof(*o));
	o->spi_i = sa->spi_i;
	o->spi_r = sa->spi_r;
	o->role = sa->ike->cfg.role;
	o->state = sa->state;
	memcpy(o->nai, sa->nai, sizeof(o->nai));
	memcpy(o->apn, sa->apn, sizeof(o->apn));
	o->local = sa->local;
	o->remote = sa->remote;
	o->nat_local = sa->nat_local;
	o->nat_remote = sa->nat_remote;
	o->has_hnp = sa->has_hnp;
	o->hnp = sa->asg.hnp;
	o->hnp_lifetime_s = sa->asg.lifetime_s;
	o->has_hoa6 = sa->has_hoa6;
	o->hoa6 = sa->asg.hoa6;
	o->has_hoa4 = sa->has_hoa4;
	o->hoa4 = sa->asg.hoa4;
	o->suite = sa->suite;
	o->established_at = sa->established_at;
	o->children = sa->n_children;
	o->last_notify = sa->last_notify;
	o->user = sa->user;
}

void ike_sa_close(ds_ike_sa *sa, int reason)
{
	ds_ike *ike = sa->ike;
	if (sa->shadow) {
		/* The old SA of a rekey: its successor lives on under the same handle. */
		sa_free(sa);
		return;
	}
	bool was_established = sa->state == DS_IKE_ST_ESTABLISHED || sa->state == DS_IKE_ST_DELETING;
	if (!was_established && !sa->initiator && ike->ctr.half_open_current)
		ike->ctr.half_open_current--;
	/* Counted once: sa_free must not decrement again. */
	sa->state = DS_IKE_ST_CLOSED;
	sa->initiator = true;
	ike->ctr.sa_closed++;
	if (!was_established)
		ike->ctr.sa_failed++;
	if (reason == DS_IKE_CLOSE_TIMEOUT)
		ike->ctr.sa_timeouts++;
	if (ike->cfg.ev.closed) {
		ds_ike_info info;
		ike_fill_info(sa, &info);
		ike->cfg.ev.closed(ike->cfg.ev.ctx, sa, reason, &info);
	}
	sa_free(sa);
}

/* ---- timers ---- */

void ike_sa_arm(ds_ike_sa *sa)
{
	ds_time t = DS_TIME_NEVER;
	if (sa->close_pending)
		t = sa->ike->now;
	if (sa->req_out)
		t = sa->req_at;
	if (sa->expire_at && sa->expire_at < t)
		t = sa->expire_at;
	const ds_ike_config *c = &sa->ike->cfg;
	if (sa->state == DS_IKE_ST_ESTABLISHED && !sa->req_out && !sa->redirect_sent) {
		/* cl. 2.4: liveness check after dpd_interval without traffic from the peer. */
		if (c->dpd_interval && sa->last_rx + c->dpd_interval < t)
			t = sa->last_rx + c->dpd_interval;
		/* cl. 2.8: the original initiator rekeys CHILD_SAs at the end of their lifetime
		 * (one side only, which avoids simultaneous rekeys). */
		if (c->child_lifetime && sa->initiator)
			for (ike_child *ch = sa->children; ch; ch = ch->next)
				if (!ch->rekey_queued && ch->created + c->child_lifetime < t)
					t = ch->created + c->child_lifetime;
		ds_time due = ike_rekey_due(sa);
		if (due < t)
			t = due;
		if (sa->retry_op_at && sa->retry_op_at < t)
			t = sa->retry_op_at;
	}
	ds_time fd = ike_frag_deadline(sa);
	if (fd < t)
		t = fd;
	if (t == DS_TIME_NEVER)
		ds_timerq_cancel(&sa->ike->tq, &sa->timer);
	else
		ds_timerq_arm(&sa->ike->tq, &sa->timer, t);
}

ds_time ds_ike_next_timeout(const ds_ike *ike)
{
	return ike ? ds_timerq_next(&ike->tq) : DS_TIME_NEVER;
}

static void sa_timer(ds_ike_sa *sa, ds_time now)
{
	ds_ike *ike = sa->ike;
	if (sa->close_pending) {
		ike_sa_close(sa, sa->close_pending);
		return;
	}
	ike_frag_expire(sa, now);
	if (sa->expire_at && now >= sa->expire_at) {
		/* Half-open responder state or an initiator stuck without answer. */
		ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: half-open SA expired",
			(unsigned long long)sa->spi_local);
		ike_sa_close(sa, sa->redirect_sent ? DS_IKE_CLOSE_REDIRECTED : DS_IKE_CLOSE_TIMEOUT);
		return;
	}
	if (sa->req_out && now >= sa->req_at) {
		if (sa->req_tries >= ike->cfg.retransmit_tries) {
			/* cl. 2.4: no answer after the retransmissions: the peer is gone. */
			ds_logf(&ike->cfg.log, DS_LOG_NOTICE,
				"ike %016llx: no response after %u retransmissions",
				(unsigned long long)sa->spi_local, sa->req_tries);
			ike_sa_close(sa, sa->state == DS_IKE_ST_DELETING ? DS_IKE_CLOSE_LOCAL
									: DS_IKE_CLOSE_TIMEOUT);
			return;
		}
		sa->req_tries++;
		ike->ctr.retransmits++;
		/* cl. 2.1: retransmit the identical message with exponential back-off (RFC 7383
		 * cl. 2.6: every fragment of a fragmented one). */
		if (sa->req_exch == IKE_SA_INIT)
			ike_send_raw(ike, &sa->local, &sa->remote, sa->natt, sa->req, sa->req_len);
		else
			ike_send_stored(sa, sa->req, sa->req_len);
		sa->req_at = now + (ike->cfg.retransmit_base << DS_MIN(sa->req_tries, 16u));
	}
	if (sa->state == DS_IKE_ST_ESTABLISHED && !sa->req_out && !sa->redirect_sent) {
		const ds_ike_config *c = &ike->cfg;
		if (c->child_lifetime && sa->initiator) {
			for (ike_child *ch = sa->children; ch; ch = ch->next) {
				if (ch->rekey_queued || now < ch->created + c->child_lifetime)
					continue;
				ch->rekey_queued = true;
				ike_op op = { .kind = IKE_OP_REKEY_CHILD, .spi = ch->spi_in };
				ike_queue_op(sa, &op);
			}
		}
		if (sa->retry_op_at && sa->retry_op_at <= now) {
			sa->retry_op_at = 0;
			ike_queue_op(sa, &sa->retry_op);
		}
		if (ike_rekey_due(sa) <= now) {
			/* cl. 2.18: a new IKE SA before the lifetime of this one ends. */
			sa->rekey_queued = true;
			sa->rekey_retry_at = 0;
			ike_op op = { .kind = IKE_OP_REKEY_IKE };
			if (ike_queue_op(sa, &op)) {
				sa->rekey_queued = false;
				sa->rekey_retry_at = now + DS_SEC(10);
			}
		}
		if (!sa->req_out && c->dpd_interval && now >= sa->last_rx + c->dpd_interval) {
			ike_op op = { .kind = IKE_OP_LIVENESS };
			ike_queue_op(sa, &op);
		}
	}
	ike_sa_arm(sa);
}

void ds_ike_on_timer(ds_ike *ike, ds_time now)
{
	ike->now = now;
	ds_timer *t;
	while ((t = ds_timerq_pop_expired(&ike->tq, now)) != NULL)
		sa_timer(DS_CONTAINER_OF(t, ds_ike_sa, timer), now);
}

/* ---- output ---- */

void ike_send_raw(ds_ike *ike, const ds_addr *local, const ds_addr *remote, bool natt,
		  const uint8_t *msg, size_t len)
{
	ds_pkt pkt = { .kind = DS_PKT_UDP, .src = *local, .dst = *remote };
	if (natt) {
		/* RFC 3948 cl. 2.2 / RFC 7296 cl. 2.23: IKE on 4500 starts with four zero octets. */
		if (len + 4 > sizeof(ike->txbuf))
			return;
		memset(ike->txbuf, 0, 4);
		memmove(ike->txbuf + 4, msg, len);
		pkt.data = ike->txbuf;
		pkt.len = len + 4;
	} else {
		pkt.data = msg;
		pkt.len = len;
	}
	ike->ctr.tx++;
	ike->cfg.send(ike->cfg.send_ctx, &pkt);
}

static int seal_msg(ds_ike_sa *sa, uint8_t exch, uint32_t mid, bool response, uint8_t first,
		    const uint8_t *plain, size_t len, uint8_t **out, size_t *out_len)
{
	ike_hdr h = { .spi_i = sa->spi_i, .spi_r = sa->spi_r, .exchange = exch, .msg_id = mid };
	h.flags = (sa->orig_i ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0);
	size_t cap = len + 128;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return DS_E_NOMEM;
	size_t n = 0;
	int rc = ike_sk_seal(sa->c_out, &sa->iv_ctr, &h, first, plain, len, 0, 0, buf, cap, &n);
	if (rc == DS_OK && ike_frag_needed(sa, n)) {
		/* RFC 7383 cl. 2.5: too big for one datagram under the threshold: fragments. */
		free(buf);
		return ike_frag_seal(sa, &h, first, plain, len, out, out_len);
	}
	if (rc == DS_OK && n > IKE_MSG_MAX)
		rc = DS_E_NOSPACE;
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = n;
	return DS_OK;
}

int ike_send_request(ds_ike_sa *sa, uint8_t exch, uint8_t first, const uint8_t *plain,
		     size_t len)
{
	ds_ike *ike = sa->ike;
	uint8_t *m;
	size_t n;
	int rc = seal_msg(sa, exch, sa->req_mid, false, first, plain, len, &m, &n);
	if (rc)
		return rc;
	free(sa->req);
	sa->req = m;
	sa->req_len = n;
	sa->req_exch = exch;
	sa->req_out = true;
	sa->req_tries = 0;
	sa->req_at = ike->now + ike->cfg.retransmit_base;
	ike_send_stored(sa, m, n);
	ike_sa_arm(sa);
	return DS_OK;
}

int ike_send_response(ds_ike_sa *sa, uint8_t exch, uint32_t mid, uint8_t first,
		      const uint8_t *plain, size_t len)
{
	uint8_t *m;
	size_t n;
	int rc = seal_msg(sa, exch, mid, true, first, plain, len, &m, &n);
	if (rc)
		return rc;
	free(sa->resp);
	sa->resp = m;
	sa->resp_len = n;
	sa->resp_valid = true;
	ike_send_stored(sa, m, n);
	return DS_OK;
}

void ike_req_done(ds_ike_sa *sa)
{
	sa->req_out = false;
	sa->req_mid++;
	ike_sa_arm(sa);
}

int ike_queue_op(ds_ike_sa *sa, const ike_op *op)
{
	if (sa->n_ops == IKE_MAX_OPS)
		return DS_E_EXHAUSTED;
	sa->ops[sa->n_ops++] = *op;
	if (!sa->req_out && sa->state == DS_IKE_ST_ESTABLISHED)
		ike_run_ops(sa);
	return DS_OK;
}

void ike_run_ops(ds_ike_sa *sa)
{
	while (!sa->req_out && sa->n_ops && sa->state == DS_IKE_ST_ESTABLISHED) {
		ike_op op = sa->ops[0];
		memmove(sa->ops, sa->ops + 1, (sa->n_ops - 1) * sizeof(op));
		sa->n_ops--;
		int rc;
		if (op.kind == IKE_OP_CREATE_CHILD || op.kind == IKE_OP_REKEY_CHILD)
			rc = ike_child_start(sa, &op);
		else if (op.kind == IKE_OP_REKEY_IKE)
			rc = ike_rekey_start(sa);
		else
			rc = ike_info_start(sa, &op);
		if (rc)
			ds_logf(&sa->ike->cfg.log, DS_LOG_WARN, "ike %016llx: request %u failed: %s",
				(unsigned long long)sa->spi_local, op.kind, ds_strerror(rc));
	}
}

void ike_set_ciphers(ds_ike_sa *sa)
{
	const ike_keys *k = &sa->k;
	const uint8_t *ei = k->sk_ei, *er = k->sk_er, *ai = k->sk_ai, *ar = k->sk_ar;
	bool gcm = sa->suite.encr == DS_ENCR_AES_GCM_16;
	sa->c_out = ds_cipher_new(sa->suite.encr, sa->suite.encr_bits, sa->suite.integ,
				  sa->orig_i ? ei : er, gcm ? NULL : (sa->orig_i ? ai : ar));
	sa->c_in = ds_cipher_new(sa->suite.encr, sa->suite.encr_bits, sa->suite.integ,
				 sa->orig_i ? er : ei, gcm ? NULL : (sa->orig_i ? ar : ai));
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
}

void ike_emit_keylog(ds_ike_sa *sa)
{
	ds_ike *ike = sa->ike;
	if (!ike->cfg.keylog || !ike->cfg.ev.keylog)
		return;
	/* One line of Wireshark's ikev2_decryption_table: SPIs, SK_ei, SK_er, cipher, SK_ai,
	 * SK_ar, integrity. Off by default: it discloses the session keys. */
	const char *en = ds_keylog_ike_encr_name(sa->suite.encr, sa->suite.encr_bits);
	const char *in = ds_keylog_ike_integ_name(sa->suite.integ);
	char ei[2 * IKE_KEY_MAX + 1], er[2 * IKE_KEY_MAX + 1], ai[2 * IKE_KEY_MAX + 1],
	     ar[2 * IKE_KEY_MAX + 1], line[800];
	hex(ei, sa->k.sk_ei, sa->k.encr_len);
	hex(er, sa->k.sk_er, sa->k.encr_len);
	hex(ai, sa->k.sk_ai, sa->k.integ_len);
	hex(ar, sa->k.sk_ar, sa->k.integ_len);
	snprintf(line, sizeof(line), "%016llx,%016llx,%s,%s,\"%s\",%s,%s,\"%s\"",
		 (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r, ei, er,
		 en ? en : "?", ai, ar, in ? in : "?");
	ike->cfg.ev.keylog(ike->cfg.ev.ctx, line);
	ds_wipe(ei, sizeof(ei));
	ds_wipe(er, sizeof(er));
	ds_wipe(ai, sizeof(ai));
	ds_wipe(ar, sizeof(ar));
	ds_wipe(line, sizeof(line));
}

/* ---- input ---- */

static void bad(ds_ike *ike, const char *what, int rc)
{
	ike->ctr.rx_malformed++;
	ds_logf_rl(&ike->cfg.log, &ike->rl_bad, ike->now, DS_LOG_INFO, "ike: dropped %s: %s", what,
		   ds_strerror(rc));
}

static void dispatch(ds_ike_sa *sa, const ike_hdr *h, const ds_pkt *pkt, bool natt,
		     uint8_t first_np, uint8_t *plain, size_t plain_len);

/* An encrypted message for an existing SA (cl. 2.2 / 2.3 windows, cl. 3.14 SK). */
static void sa_input(ds_ike_sa *sa, const ike_hdr *h, const ds_pkt *pkt, const uint8_t *msg,
		     size_t len, bool natt)
{
	ds_ike *ike = sa->ike;
	bool response = (h->flags & IKE_FLAG_R) != 0;
	if (response) {
		if (!sa->req_out || h->msg_id != sa->req_mid || h->exchange != sa->req_exch) {
			ike->ctr.rx_out_of_window++;
			return;
		}
	} else {
		if (h->msg_id + 1 == sa->peer_mid && sa->resp_valid) {
			/* cl. 2.1: a retransmitted request gets the cached response again; RFC 7383
			 * cl. 2.6.1: of a fragmented request only fragment 1 triggers it. */
			ike->ctr.rx_duplicates++;
			if (h->np == IKE_PL_SKF &&
			    (len < IKE_HDR_LEN + 8 || ds_get_u16(msg + IKE_HDR_LEN + 4) != 1))
				return;
			/* cl. 2.11: the answer goes back to the address and port the request came
			 * from (the peer moved, or its NAT mapping changed, after our first answer
			 * was lost), without taking that unauthenticated address for the SA
			 * (cl. 2.23). */
			ds_addr own = sa->local, peer = sa->remote;
			bool own_natt = sa->natt;
			sa->local = pkt->dst;
			sa->remote = pkt->src;
			sa->natt = natt;
			ike_send_stored(sa, sa->resp, sa->resp_len);
			sa->local = own;
			sa->remote = peer;
			sa->natt = own_natt;
			return;
		}
		if (h->msg_id != sa->peer_mid) {
			ike->ctr.rx_out_of_window++;
			return;
		}
	}
	if (!sa->c_in) {
		ike->ctr.rx_out_of_window++;
		return;
	}
	memcpy(ike->rxbuf, msg, len);
	ike_chain outer;
	int rc = ike_chain_decode(h->np, ike->rxbuf + IKE_HDR_LEN, len - IKE_HDR_LEN, IKE_HDR_LEN,
				  &outer);
	if (rc) {
		bad(ike, "message", rc);
		return;
	}
	const ike_pl *sk = outer.n ? &outer.pl[outer.n - 1] : NULL;
	if (!sk || (sk->type != IKE_PL_SK && sk->type != IKE_PL_SKF)) {
		bad(ike, "unprotected message in an IKE SA", DS_E_AUTH);
		return;
	}
	if (sk->type == IKE_PL_SKF && !sa->frag_ok) {
		/* RFC 7383 cl. 2.3: fragments only where both announced support. */
		bad(ike, "IKE fragment without negotiation", DS_E_UNSUPPORTED);
		return;
	}
	uint8_t *plain;
	size_t plain_len;
	if (sa->suite.encr == DS_ENCR_AES_GCM_16)
		rc = ike_sk_open_gcm(sa->orig_i ? sa->k.sk_er : sa->k.sk_ei, sa->k.encr_len,
				     ike->rxbuf, len, sk, &plain, &plain_len);
	else
		rc = ike_sk_open(sa->c_in, ike->rxbuf, len, sk, &plain, &plain_len);
	if (rc) {
		/* cl. 2.21.1: messages failing integrity are dropped silently. */
		ike->ctr.rx_auth_failed++;
		ds_logf_rl(&ike->cfg.log, &ike->rl_auth, ike->now, DS_LOG_INFO,
			   "ike %016llx: SK integrity failure", (unsigned long long)sa->spi_local);
		return;
	}
	uint8_t first_np = sk->np;
	uint8_t *whole = NULL;
	if (sk->type == IKE_PL_SKF) {
		/* RFC 7383 cl. 2.6: an authenticated fragment is stored; the message is processed
		 * once all fragments are there. */
		if (!ike_frag_input(sa, h, sk, plain, plain_len, &whole, &plain_len, &first_np))
			return;
		plain = whole;
	}
	dispatch(sa, h, pkt, natt, first_np, plain, plain_len);
	free(whole);
}

/* An authenticated, reassembled message: window, NAT follow-up, then the exchange handler
 * (which may free the SA). */
static void dispatch(ds_ike_sa *sa, const ike_hdr *h, const ds_pkt *pkt, bool natt,
		     uint8_t first_np, uint8_t *plain, size_t plain_len)
{
	ds_ike *ike = sa->ike;
	bool response = (h->flags & IKE_FLAG_R) != 0;
	int rc;
	if (!response) {
		/* An authenticated request takes the window slot; until its response exists a
		 * retransmission of it is dropped (the back end may still be working on it). */
		sa->peer_mid++;
		sa->resp_valid = false;
	}
	ike_chain c;
	rc = ike_chain_decode(first_np, plain, plain_len, 0, &c);
	if (rc) {
		/* cl. 2.21.2: a protected, malformed request gets INVALID_SYNTAX. */
		bad(ike, "SK contents", rc);
		if (!response)
			ike_respond_notify(sa, h->exchange, h->msg_id, IKE_N_INVALID_SYNTAX);
		return;
	}
	sa->last_rx = ike->now;
	/* The peer's authenticated address is where we answer (cl. 2.23 NAT keep-up follows the
	 * last valid message from the initiator behind a NAT). */
	if (sa->nat_remote || natt) {
		sa->remote = pkt->src;
		sa->local = pkt->dst;
		sa->natt = natt;
	}
	if (c.unsupported_critical && !response) {
		/* cl. 2.5: reject with UNSUPPORTED_CRITICAL_PAYLOAD carrying the type. */
		ike->ctr.unsupported_critical++;
		uint8_t plain2[64];
		ike_wr iw;
		ike_wr_begin_inner(&iw, plain2, sizeof(plain2));
		uint8_t t = c.unsupported_critical;
		ike_wr_pl(&iw, IKE_PL_N, false);
		ike_notify_encode(&iw.w, 0, NULL, 0, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &t, 1);
		uint8_t first;
		size_t n = ike_wr_finish(&iw, &first);
		if (n)
			ike_send_response(sa, h->exchange, h->msg_id, first, plain2, n);
		return;
	}
	if (response) {
		switch (h->exchange) {
		case IKE_AUTH: ike_auth_response(sa, h, &c); break;
		case IKE_CREATE_CHILD_SA: ike_ccsa_response(sa, h, &c); break;
		case IKE_INFORMATIONAL: ike_info_response(sa, h, &c); break;
		default: break;
		}
		return;
	}
	switch (h->exchange) {
	case IKE_AUTH:
		ike_auth_request(sa, h, &c);
		break;
	case IKE_CREATE_CHILD_SA:
		ike_ccsa_request(sa, h, &c);
		break;
	case IKE_INFORMATIONAL:
		ike_info_request(sa, h, &c);
		break;
	default:
		ike->ctr.rx_out_of_window++;
		break;
	}
}

void ds_ike_input(ds_ike *ike, const ds_pkt *pkt, ds_time now)
{
	ike->now = now;
	ike->ctr.rx++;
	if (pkt->kind != DS_PKT_UDP || !pkt->data) {
		bad(ike, "datagram", DS_E_PARAM);
		return;
	}
	const uint8_t *msg = pkt->data;
	size_t len = pkt->len;
	bool natt = pkt->dst.port == DS_IKE_NATT_PORT || pkt->src.port == DS_IKE_NATT_PORT;
	if (natt) {
		/* RFC 3948 cl. 2.2: IKE on 4500 follows a non-ESP marker. */
		if (len < 4 || ds_get_u32(msg) != 0) {
			bad(ike, "4500 datagram without non-ESP marker", DS_E_RESERVED);
			return;
		}
		msg += 4;
		len -= 4;
	}
	if (len > IKE_MSG_MAX) {
		bad(ike, "oversized message", DS_E_BADLEN);
		return;
	}
	ike_hdr h;
	int rc = ike_hdr_decode(msg, len, &h);
	if (rc) {
		bad(ike, "header", rc);
		return;
	}
	bool from_initiator = (h.flags & IKE_FLAG_I) != 0;
	bool response = (h.flags & IKE_FLAG_R) != 0;
	if (h.exchange == IKE_SA_INIT) {
		if (!response && from_initiator && h.spi_r == 0 && h.msg_id == 0) {
			if (ike->cfg.role != DS_IKE_RESPONDER) {
				bad(ike, "IKE_SA_INIT request to an initiator", DS_E_STATE);
				return;
			}
			ike_init_request(ike, pkt, msg, len, &h, natt, now);
			return;
		}
		if (response && !from_initiator && h.msg_id == 0) {
			ds_ike_sa *sa;
			HASH_FIND(hh, ike->by_spi, &h.spi_i, sizeof(h.spi_i), sa);
			if (!sa || !sa->initiator || sa->state != DS_IKE_ST_INIT_SENT) {
				ike->ctr.rx_unknown_spi++;
				return;
			}
			ike_init_response(sa, msg, len, &h, now);
			return;
		}
		bad(ike, "IKE_SA_INIT", DS_E_RESERVED);
		return;
	}
	/* cl. 2.2: our SPI is the responder's when the I flag is set (we are the responder). */
	uint64_t mine = from_initiator ? h.spi_r : h.spi_i;
	ds_ike_sa *sa;
	HASH_FIND(hh, ike->by_spi, &mine, sizeof(mine), sa);
	if (!sa || sa->orig_i == from_initiator || sa->spi_i != h.spi_i ||
	    sa->spi_r != h.spi_r) {
		/* cl. 2.21.4: INVALID_IKE_SPI may be sent, rate-limited; we only count. */
		ike->ctr.rx_unknown_spi++;
		ds_logf_rl(&ike->cfg.log, &ike->rl_state, now, DS_LOG_DEBUG,
			   "ike: no SA for SPIs %016llx/%016llx", (unsigned long long)h.spi_i,
			   (unsigned long long)h.spi_r);
		return;
	}
	sa_input(sa, &h, pkt, msg, len, natt);
}

/* ---- lookups ---- */

ds_ike_sa *ds_ike_find(const ds_ike *ike, uint64_t spi_i, uint64_t spi_r)
{
	ds_ike_sa *sa;
	uint64_t k = ike->cfg.role == DS_IKE_INITIATOR ? spi_i : spi_r;
	HASH_FIND(hh, ike->by_spi, &k, sizeof(k), sa);
	if (!sa) {
		k = ike->cfg.role == DS_IKE_INITIATOR ? spi_r : spi_i;
		HASH_FIND(hh, ike->by_spi, &k, sizeof(k), sa);
	}
	if (sa && (sa->spi_i != spi_i || sa->spi_r != spi_r || sa->shadow))
		return NULL;
	return sa;
}

ds_ike_sa *ds_ike_find_by_esp_spi(const ds_ike *ike, uint32_t spi_in)
{
	ike_child *ch;
	HASH_FIND(hh, ike->by_child, &spi_in, sizeof(spi_in), ch);
	return ch ? ch->sa : NULL;
}

void ds_ike_sa_info(const ds_ike_sa *sa, ds_ike_info *out) { ike_fill_info(sa, out); }
void ds_ike_sa_set_user(ds_ike_sa *sa, void *user) { sa->user = user; }
void *ds_ike_sa_user(const ds_ike_sa *sa) { return sa->user; }
const ds_ike_counters *ds_ike_get_counters(const ds_ike *ike) { return &ike->ctr; }

void ds_ike_foreach(const ds_ike *ike, void (*fn)(void *ctx, const ds_ike_sa *sa), void *ctx)
{
	const ds_ike_sa *sa, *tmp;
	HASH_ITER(hh, ike->by_spi, sa, tmp)
		if (!sa->shadow)
			fn(ctx, sa);
}
