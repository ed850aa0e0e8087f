/* CHILD_SAs: key material (RFC 7296 cl. 2.17), traffic selectors (cl. 2.9), the
 * CREATE_CHILD_SA exchange for new and rekeyed CHILD_SAs (cl. 1.3.1, 1.3.3, 2.8), and the
 * RFC 4877 / RFC 5026 transport-mode SA protecting Mobility Header (protocol 135). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "ike/ike_int.h"

#define IKE_PROTO_MH 135

ike_child *ike_child_by_in(ds_ike_sa *sa, uint32_t spi_in)
{
	ike_child *ch;
	HASH_FIND(hh, sa->ike->by_child, &spi_in, sizeof(spi_in), ch);
	return ch && ch->sa == sa ? ch : NULL;
}

ike_child *ike_child_by_out(ds_ike_sa *sa, uint32_t spi_out)
{
	for (ike_child *ch = sa->children; ch; ch = ch->next)
		if (ch->spi_out == spi_out)
			return ch;
	return NULL;
}

void ike_child_remove(ds_ike_sa *sa, ike_child *ch, bool notify)
{
	ds_ike *ike = sa->ike;
	HASH_DELETE(hh, ike->by_child, ch);
	for (ike_child **pp = &sa->children; *pp; pp = &(*pp)->next) {
		if (*pp == ch) {
			*pp = ch->next;
			break;
		}
	}
	sa->n_children--;
	ike->ctr.children_deleted++;
	if (notify && ike->cfg.ev.child_down)
		ike->cfg.ev.child_down(ike->cfg.ev.ctx, sa, ch->spi_in, ch->spi_out);
	free(ch);
}

void ike_child_ts(const ds_ike_child_params *p, const ds_addr *dflt_local,
		  const ds_addr *dflt_remote, bool initiator, ike_ts *tsi, ike_ts *tsr)
{
	const ds_addr *l = ds_addr_iplen(&p->local) ? &p->local : dflt_local;
	const ds_addr *r = ds_addr_iplen(&p->remote) ? &p->remote : dflt_remote;
	/* RFC 4877 cl. 4.2 / TS 24.303 digest 3.4: one pair "protocol 135, all ports" covers
	 * BU, BA, BRI and BRA (the MH type sits in the port's high octet). */
	ike_ts_from_addr(initiator ? tsi : tsr, l, p->proto);
	ike_ts_from_addr(initiator ? tsr : tsi, r, p->proto);
}

static bool ts_usable(const ike_ts *t)
{
	return t->proto == 0 || t->proto == IKE_PROTO_MH;
}

int ike_child_narrow(const ike_ts_pl *tsi, const ike_ts_pl *tsr, ike_ts *out_i, ike_ts *out_r)
{
	/* cl. 2.9: the responder may narrow to a subset; we keep the first pair of one address
	 * family whose protocol can carry MH, restricted to protocol 135. */
	for (size_t i = 0; i < tsi->n; i++) {
		if (!ts_usable(&tsi->ts[i]))
			continue;
		for (size_t r = 0; r < tsr->n; r++) {
			if (!ts_usable(&tsr->ts[r]) || tsr->ts[r].type != tsi->ts[i].type)
				continue;
			*out_i = tsi->ts[i];
			*out_r = tsr->ts[r];
			out_i->proto = out_r->proto = IKE_PROTO_MH;
			return DS_OK;
		}
	}
	return DS_E_NOTFOUND;
}

/* A TS range as an address + prefix length for the ESP selector (largest prefix that the
 * range is; a range that is not a prefix keeps its low end as a host selector). */
static ds_addr ts_prefix(const ike_ts *t)
{
	ds_addr a = t->lo;
	size_t bits = ds_addr_iplen(&a) * 8;
	size_t plen = 0;
	while (plen < bits) {
		size_t i = plen / 8, b = 7 - plen % 8;
		if (((t->lo.ip[i] >> b) & 1) != ((t->hi.ip[i] >> b) & 1))
			break;
		plen++;
	}
	bool prefix = true;
	for (size_t k = plen; k < bits && prefix; k++) {
		size_t i = k / 8, b = 7 - k % 8;
		prefix = ((t->lo.ip[i] >> b) & 1) == 0 && ((t->hi.ip[i] >> b) & 1) == 1;
	}
	a.plen = (uint8_t)(prefix ? plen : bits);
	a.port = 0;
	return a;
}

static void sel_from_ts(ds_esp_selector *s, const ike_ts *l, const ike_ts *r)
{
	memset(s, 0, sizeof(*s));
	s->local = ts_prefix(l);
	s->remote = ts_prefix(r);
	s->proto = l->proto;
	s->local_port_lo = l->port_lo;
	s->local_port_hi = l->port_hi;
	s->remote_port_lo = r->port_lo;
	s->remote_port_hi = r->port_hi;
}

int ike_child_install(ds_ike_sa *sa, bool exch_init, const ds_ike_suite *s, uint32_t spi_in,
		      uint32_t spi_out, uint8_t mode, const ike_ts *ts_local,
		      const ike_ts *ts_remote, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, uint32_t rekey_old)
{
	ds_ike *ike = sa->ike;
	size_t el = s->encr == DS_ENCR_NULL ? 0 : ds_cipher_encr_keymat(s->encr, s->encr_bits);
	size_t il = s->integ ? ds_cipher_integ_keymat(s->integ) : 0;
	uint8_t km[4 * IKE_KEY_MAX];
	size_t total = 2 * (el + il);
	if (total > sizeof(km))
		return DS_E_PARAM;
	int rc = ike_keymat(sa->suite.prf, sa->k.sk_d, sa->k.prf_len, NULL, 0, ni, ni_len, nr,
			    nr_len, km, total);
	if (rc)
		return rc;
	ike_child *ch = calloc(1, sizeof(*ch));
	if (!ch) {
		ds_wipe(km, sizeof(km));
		return DS_E_NOMEM;
	}
	ch->sa = sa;
	ch->spi_in = spi_in;
	ch->spi_out = spi_out;
	ch->mode = mode;
	ch->suite = *s;
	ch->tsi = *ts_local;
	ch->tsr = *ts_remote;
	ch->created = ike->now;
	ike_child *dup;
	HASH_FIND(hh, ike->by_child, &spi_in, sizeof(spi_in), dup);
	if (dup) {
		free(ch);
		ds_wipe(km, sizeof(km));
		return DS_E_EXISTS;
	}
	HASH_ADD(hh, ike->by_child, spi_in, sizeof(ch->spi_in), ch);
	ch->next = sa->children;
	sa->children = ch;
	sa->n_children++;
	ike->ctr.children_created++;
	if (rekey_old)
		ike->ctr.rekeys_child++;

	/* cl. 2.17: keys for initiator -> responder first (encryption, then integrity). */
	const uint8_t *i2r = km, *r2i = km + el + il;
	const uint8_t *outk = exch_init ? i2r : r2i, *ink = exch_init ? r2i : i2r;
	ds_ike_child c;
	memset(&c, 0, sizeof(c));
	ds_esp_sa_params *dirs[2] = { &c.in, &c.out };
	for (int d = 0; d < 2; d++) {
		ds_esp_sa_params *p = dirs[d];
		const uint8_t *k = d == 0 ? ink : outk;
		p->spi = d == 0 ? spi_in : spi_out;
		p->dir = d == 0 ? DS_ESP_IN : DS_ESP_OUT;
		p->mode = mode;
		p->encr = s->encr;
		p->encr_key_bits = s->encr == DS_ENCR_NULL ? 0 : s->encr_bits;
		p->integ = s->integ;
		p->encr_key = el ? k : NULL;
		p->integ_key = il ? k + el : NULL;
		p->local = sa->local;
		p->remote = sa->remote;
		/* RFC 3948: ESP in UDP 4500 only when a NAT sits on the path. */
		p->udp_encap = sa->natt && (sa->nat_local || sa->nat_remote);
		sel_from_ts(&p->sel, ts_local, ts_remote);
		p->owner = sa;
	}
	c.rekey = rekey_old != 0;
	c.old_spi_in = rekey_old;
	ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: CHILD_SA %08x/%08x up (%s)",
		(unsigned long long)sa->spi_local, spi_in, spi_out,
		mode == DS_ESP_TRANSPORT ? "transport" : "tunnel");
	ike_sa_arm(sa);   /* its lifetime joins the SA's deadlines */
	if (ike->cfg.ev.child_up)
		ike->cfg.ev.child_up(ike->cfg.ev.ctx, sa, &c);
	ds_wipe(km, sizeof(km));
	return DS_OK;
}

/* ---- CREATE_CHILD_SA, initiator side ---- */

int ike_child_start(ds_ike_sa *sa, const ike_op *op)
{
	ds_ike *ike = sa->ike;
	ike_child_neg *ng = &sa->neg;
	memset(ng, 0, sizeof(*ng));
	if (op->kind == IKE_OP_REKEY_CHILD) {
		ike_child *old = ike_child_by_in(sa, op->spi);
		if (!old)
			return DS_E_NOTFOUND;
		ng->rekey_spi = old->spi_in;
		ng->mode = old->mode;
		/* The rekeyed SA keeps the selectors (cl. 2.8); from the exchange initiator's
		 * view TSi is our side. */
		ng->tsi = old->tsi;
		ng->tsr = old->tsr;
	} else {
		ng->mode = op->child.mode ? op->child.mode : DS_ESP_TRANSPORT;
		ike_child_ts(&op->child, &sa->local, &sa->remote, true, &ng->tsi, &ng->tsr);
	}
	int rc = ike_alloc_esp_spi(ike, &ng->spi_in);
	if (rc)
		return rc;
	if (ds_random(ng->nonce, sizeof(ng->nonce)))
		return DS_E_CRYPTO;
	uint8_t plain[2048];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	if (ng->rekey_spi) {
		/* cl. 1.3.3: REKEY_SA names the SA being rekeyed by our inbound SPI. */
		uint8_t s[4];
		ds_put_u32(s, ng->rekey_spi);
		ike_wr_pl(&iw, IKE_PL_N, false);
		ike_notify_encode(&iw.w, IKE_PROTO_ESP, s, 4, IKE_N_REKEY_SA, NULL, 0);
	}
	if (ng->mode == DS_ESP_TRANSPORT)
		ike_wr_notify(&iw, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_proposal props[IKE_MAX_SUITES];
	size_t np = ike_build_esp_props(ike, ng->spi_in, props, IKE_MAX_SUITES);
	ike_wr_pl(&iw, IKE_PL_SA, false);
	ike_sa_encode(&iw.w, props, np);
	ike_wr_pl(&iw, IKE_PL_NONCE, false);
	ds_wr_bytes(&iw.w, ng->nonce, sizeof(ng->nonce));
	ike_wr_pl(&iw, IKE_PL_TSI, false);
	ike_ts_encode(&iw.w, &ng->tsi, 1);
	ike_wr_pl(&iw, IKE_PL_TSR, false);
	ike_ts_encode(&iw.w, &ng->tsr, 1);
	uint8_t first;
	size_t n = ike_wr_finish(&iw, &first);
	if (!n)
		return DS_E_NOSPACE;
	ng->active = true;
	sa->child_op = *op;
	return ike_send_request(sa, IKE_CREATE_CHILD_SA, first, plain, n);
}

void ike_ccsa_response(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	ike_req_done(sa);
	if (sa->rk.active) {
		ike_rekey_response(sa, h, c);
		return;
	}
	ike_child_neg ng = sa->neg;
	sa->neg.active = false;
	if (!ng.active) {
		ike_run_ops(sa);
		return;
	}
	const ike_pl *psa = ike_chain_find(c, IKE_PL_SA), *pn = ike_chain_find(c, IKE_PL_NONCE),
		     *pti = ike_chain_find(c, IKE_PL_TSI), *ptr = ike_chain_find(c, IKE_PL_TSR);
	ike_sa_pl sap;
	ike_ts_pl tsi, tsr;
	ds_ike_suite s;
	uint32_t spi_out;
	if (!psa || !pn || !pti || !ptr || ike_sa_decode(psa->body, psa->len, &sap) ||
	    sap.n != 1 || ike_nonce_check(pn->len) || ike_ts_decode(pti->body, pti->len, &tsi) ||
	    ike_ts_decode(ptr->body, ptr->len, &tsr) || ike_select_esp(ike, &sap, &s, &spi_out)) {
		uint16_t e = ike_error_notify(c);
		sa->last_notify = e;
		ds_logf(&ike->cfg.log, DS_LOG_NOTICE,
			"ike %016llx: CREATE_CHILD_SA refused or malformed (notify %u)",
			(unsigned long long)sa->spi_local, e);
		if (e == IKE_N_TEMPORARY_FAILURE && !sa->retry_op_at && sa->retry_rounds < 5) {
			/* cl. 2.25: the peer is busy (e.g. rekeying the IKE SA); try again in a
			 * few seconds, a few times. */
			uint8_t r = 0;
			(void)ds_random(&r, 1);
			sa->retry_rounds++;
			sa->retry_op = sa->child_op;
			sa->retry_op_at = ike->now + DS_SEC(1) + (ds_time)r * DS_MS(20);
			ike_sa_arm(sa);
		} else if (ng.rekey_spi) {
			ike_child *old = ike_child_by_in(sa, ng.rekey_spi);
			if (old)
				old->rekey_queued = false;   /* the lifetime timer tries again */
		}
		ike_run_ops(sa);
		return;
	}
	ike_notify n;
	uint8_t mode = ike_find_notify(c, IKE_N_USE_TRANSPORT_MODE, &n) == DS_OK ? DS_ESP_TRANSPORT
										 : DS_ESP_TUNNEL;
	int rc = ike_child_install(sa, true, &s, ng.spi_in, spi_out, mode, &tsi.ts[0], &tsr.ts[0],
				   ng.nonce, sizeof(ng.nonce), pn->body, pn->len, ng.rekey_spi);
	if (rc == DS_OK)
		sa->retry_rounds = 0;
	if (rc == DS_OK && ng.rekey_spi) {
		/* cl. 2.8: the rekey initiator deletes the old CHILD_SA. */
		ike_op del = { .kind = IKE_OP_DELETE_CHILD, .spi = ng.rekey_spi };
		ike_queue_op(sa, &del);
	}
	ike_run_ops(sa);
	(void)h;
}

/* ---- CREATE_CHILD_SA, responder side ---- */

void ike_ccsa_request(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	uint32_t mid = h->msg_id;
	if (sa->state != DS_IKE_ST_ESTABLISHED) {
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_TEMPORARY_FAILURE);
		return;
	}
	const ike_pl *psa = ike_chain_find(c, IKE_PL_SA), *pn = ike_chain_find(c, IKE_PL_NONCE),
		     *pti = ike_chain_find(c, IKE_PL_TSI), *ptr = ike_chain_find(c, IKE_PL_TSR);
	ike_sa_pl sap;
	if (!psa || !pn || ike_sa_decode(psa->body, psa->len, &sap) || ike_nonce_check(pn->len)) {
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_INVALID_SYNTAX);
		return;
	}
	if (sap.n && sap.prop[0].proto == IKE_PROTO_IKE) {
		ike_rekey_request(sa, h, c, &sap);
		return;
	}
	if (sa->rk.active) {
		/* cl. 2.25.2: no new or rekeyed CHILD_SA while we rekey the IKE SA. */
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_TEMPORARY_FAILURE);
		return;
	}
	ike_ts_pl tsi, tsr;
	if (!pti || !ptr || ike_ts_decode(pti->body, pti->len, &tsi) ||
	    ike_ts_decode(ptr->body, ptr->len, &tsr)) {
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_INVALID_SYNTAX);
		return;
	}
	ds_ike_suite s;
	uint32_t spi_out;
	int sel = ike_select_esp(ike, &sap, &s, &spi_out);
	if (sel < 0 || ike_chain_find(c, IKE_PL_KE)) {
		/* A KE asks for PFS; our CHILD_SA suites carry no DH group (cl. 1.3.1). */
		ike->ctr.no_proposal++;
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	ike_ts ti, tr;
	if (ike_child_narrow(&tsi, &tsr, &ti, &tr)) {
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_TS_UNACCEPTABLE);
		return;
	}
	ike_notify n;
	uint32_t rekey_old = 0;
	if (ike_find_notify(c, IKE_N_REKEY_SA, &n) == DS_OK) {
		ike_child *old = n.spi_size == 4 ? ike_child_by_out(sa, ds_get_u32(n.spi)) : NULL;
		if (!old) {
			ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_CHILD_SA_NOT_FOUND);
			return;
		}
		rekey_old = old->spi_in;
	}
	uint8_t mode = ike_find_notify(c, IKE_N_USE_TRANSPORT_MODE, &n) == DS_OK ? DS_ESP_TRANSPORT
										 : DS_ESP_TUNNEL;
	uint32_t spi_in;
	uint8_t nr[IKE_NONCE_LEN];
	if (ike_alloc_esp_spi(ike, &spi_in) || ds_random(nr, sizeof(nr))) {
		ike_respond_notify(sa, IKE_CREATE_CHILD_SA, mid, IKE_N_NO_ADDITIONAL_SAS);
		return;
	}
	uint8_t plain[2048];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	if (mode == DS_ESP_TRANSPORT)
		ike_wr_notify(&iw, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	uint8_t sb[4];
	ds_put_u32(sb, spi_in);
	ike_proposal p;
	ike_suite_proposal(&s, IKE_PROTO_ESP, sb, 4, sap.prop[sel].num, &p);
	ike_wr_pl(&iw, IKE_PL_SA, false);
	ike_sa_encode(&iw.w, &p, 1);
	ike_wr_pl(&iw, IKE_PL_NONCE, false);
	ds_wr_bytes(&iw.w, nr, sizeof(nr));
	ike_wr_pl(&iw, IKE_PL_TSI, false);
	ike_ts_encode(&iw.w, &ti, 1);
	ike_wr_pl(&iw, IKE_PL_TSR, false);
	ike_ts_encode(&iw.w, &tr, 1);
	uint8_t first;
	size_t len = ike_wr_finish(&iw, &first);
	if (!len || ike_send_response(sa, IKE_CREATE_CHILD_SA, mid, first, plain, len))
		return;
	ike_child_install(sa, false, &s, spi_in, spi_out, mode, &tr, &ti, pn->body, pn->len, nr,
			  sizeof(nr), rekey_old);
}

/* ---- commands ---- */

int ds_ike_create_child(ds_ike_sa *sa, const ds_ike_child_params *p, ds_time now)
{
	if (!sa || !p || sa->state == DS_IKE_ST_CLOSED || sa->state == DS_IKE_ST_DELETING)
		return DS_E_STATE;
	if ((ds_addr_iplen(&p->local) && ds_addr_iplen(&p->remote) &&
	     p->local.family != p->remote.family) ||
	    (p->mode && p->mode != DS_ESP_TRANSPORT && p->mode != DS_ESP_TUNNEL))
		return DS_E_PARAM;
	sa->ike->now = now;
	ike_op op = { .kind = IKE_OP_CREATE_CHILD, .child = *p };
	return ike_queue_op(sa, &op);
}

int ds_ike_rekey_child(ds_ike_sa *sa, uint32_t spi_in, ds_time now)
{
	if (!sa || sa->state == DS_IKE_ST_CLOSED || sa->state == DS_IKE_ST_DELETING)
		return DS_E_STATE;
	if (!ike_child_by_in(sa, spi_in))
		return DS_E_NOTFOUND;
	sa->ike->now = now;
	ike_op op = { .kind = IKE_OP_REKEY_CHILD, .spi = spi_in };
	return ike_queue_op(sa, &op);
}
