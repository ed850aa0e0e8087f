/* INFORMATIONAL exchanges (RFC 7296 cl. 1.4, 1.5, 2.4): liveness, Delete of IKE and CHILD
 * SAs in both directions, gateway-initiated redirect (RFC 5685 cl. 5), and the move of an IKE
 * SA to new endpoints after a K-bit binding update (RFC 4877, RFC 5555 cl. 5.1). */
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "ike/ike_int.h"

int ike_info_start(ds_ike_sa *sa, const ike_op *op)
{
	uint8_t plain[256];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	switch (op->kind) {
	case IKE_OP_DELETE_IKE:
		ike_wr_pl(&iw, IKE_PL_D, false);
		ike_delete_encode(&iw.w, IKE_PROTO_IKE, NULL, 0);
		sa->state = DS_IKE_ST_DELETING;
		break;
	case IKE_OP_DELETE_CHILD: {
		ike_child *ch = ike_child_by_in(sa, op->spi);
		if (!ch)
			return DS_E_NOTFOUND;
		/* cl. 3.11: an ESP SA is named by the SPI the sender expects inbound. */
		ike_wr_pl(&iw, IKE_PL_D, false);
		ike_delete_encode(&iw.w, IKE_PROTO_ESP, &ch->spi_in, 1);
		break;
	}
	case IKE_OP_REDIRECT: {
		uint8_t gid[18];
		size_t glen;
		int rc = ike_gw_identity(&op->addr, gid, sizeof(gid), &glen);
		if (rc)
			return rc;
		/* RFC 5685 cl. 5: no nonce data in a gateway-initiated redirect. */
		ike_wr_notify(&iw, IKE_N_REDIRECT, gid, glen);
		sa->ike->ctr.redirects_sent++;
		break;
	}
	case IKE_OP_LIVENESS:
	default:
		break;   /* cl. 1.4: an empty INFORMATIONAL request is a liveness check */
	}
	uint8_t first = IKE_PL_NONE;
	size_t n = 0;
	if (iw.first != IKE_PL_NONE) {
		n = ike_wr_finish(&iw, &first);
		if (!n)
			return DS_E_NOSPACE;
	}
	sa->ops_inflight = *op;
	return ike_send_request(sa, IKE_INFORMATIONAL, first, plain, n);
}

void ike_info_response(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	ike_req_done(sa);
	ike_op op = sa->ops_inflight;
	memset(&sa->ops_inflight, 0, sizeof(sa->ops_inflight));
	if (op.kind == IKE_OP_DELETE_IKE || sa->state == DS_IKE_ST_DELETING) {
		ike_sa_close(sa, DS_IKE_CLOSE_LOCAL);
		return;
	}
	if (op.kind == IKE_OP_DELETE_CHILD) {
		/* The peer lists its inbound SPIs of the pair (cl. 1.4.1); either way our half
		 * is gone now. */
		ike_child *ch = ike_child_by_in(sa, op.spi);
		if (ch)
			ike_child_remove(sa, ch, true);
	}
	uint16_t err = ike_error_notify(c);
	if (err)
		sa->last_notify = err;
	(void)ike;
	(void)h;
	ike_run_ops(sa);
}

void ike_info_request(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	uint32_t mid = h->msg_id;
	uint8_t plain[1024];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	bool delete_ike = false;
	uint32_t ours[64];
	size_t n_ours = 0;
	ike_child *gone[64];
	size_t n_gone = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->pl[i].type != IKE_PL_D)
			continue;
		ike_delete d;
		if (ike_delete_decode(c->pl[i].body, c->pl[i].len, &d)) {
			ike->ctr.rx_malformed++;
			continue;
		}
		if (d.proto == IKE_PROTO_IKE) {
			delete_ike = true;
			continue;
		}
		if (d.proto != IKE_PROTO_ESP)
			continue;
		for (uint16_t k = 0; k < d.n_spi && n_ours < DS_ARRAY_LEN(ours); k++) {
			ike_child *ch = ike_child_by_out(sa, ds_get_u32(d.spis + 4 * k));
			if (!ch)
				continue;   /* cl. 1.4.1: unknown SPIs are ignored */
			bool seen = false;
			for (size_t g = 0; g < n_gone; g++)
				seen |= gone[g] == ch;
			if (seen)
				continue;
			ours[n_ours++] = ch->spi_in;
			gone[n_gone++] = ch;
		}
	}
	if (delete_ike) {
		/* cl. 1.4.1: answer with an empty INFORMATIONAL, then the IKE SA and its
		 * children are gone (R-55: a bare IKE Delete is a network-initiated detach). */
		ike_send_response(sa, IKE_INFORMATIONAL, mid, IKE_PL_NONE, plain, 0);
		if (ike_rekey_adopt_pending(sa))
			return;   /* cl. 2.8.2: the old SA of a crossing rekey, not the connection */
		ike_sa_close(sa, sa->redirect_sent ? DS_IKE_CLOSE_REDIRECTED
						   : DS_IKE_CLOSE_PEER_DELETE);
		return;
	}
	if (n_ours) {
		/* cl. 1.4.1: the response names our half of each deleted pair. */
		ike_wr_pl(&iw, IKE_PL_D, false);
		ike_delete_encode(&iw.w, IKE_PROTO_ESP, ours, n_ours);
	}
	ike_notify n;
	bool redirect = sa->initiator && ike_find_notify(c, IKE_N_REDIRECT, &n) == DS_OK;
	ds_addr gw;
	char fqdn[DS_IKE_ID_MAX + 1];
	if (redirect) {
		const uint8_t *rest;
		size_t rest_len;
		/* RFC 5685 cl. 5: a gateway-initiated redirect carries no nonce data. */
		if (ike_gw_parse(n.data, n.data_len, &gw, fqdn, sizeof(fqdn), &rest, &rest_len) ||
		    rest_len != 0) {
			ike->ctr.rx_malformed++;
			redirect = false;
		}
	}
	uint8_t first = IKE_PL_NONE;
	size_t len = 0;
	if (iw.first != IKE_PL_NONE)
		len = ike_wr_finish(&iw, &first);
	ike_send_response(sa, IKE_INFORMATIONAL, mid, first, plain, len);
	for (size_t g = 0; g < n_gone; g++)
		ike_child_remove(sa, gone[g], true);
	if (redirect) {
		ike->ctr.redirects_received++;
		if (ike->cfg.ev.redirected)
			ike->cfg.ev.redirected(ike->cfg.ev.ctx, sa, &gw, fqdn[0] ? fqdn : NULL);
	}
}

/* ---- commands ---- */

static bool usable(const ds_ike_sa *sa)
{
	return sa && sa->state != DS_IKE_ST_CLOSED;
}

int ds_ike_delete(ds_ike_sa *sa, ds_time now)
{
	if (!usable(sa))
		return DS_E_STATE;
	sa->ike->now = now;
	if (sa->state == DS_IKE_ST_DELETING)
		return DS_OK;
	if (sa->state != DS_IKE_ST_ESTABLISHED) {
		/* Nothing authenticated to tell the peer: just forget it. */
		sa->close_pending = DS_IKE_CLOSE_LOCAL;
		ike_sa_arm(sa);
		return DS_OK;
	}
	/* cl. 1.4.1: the Delete goes ahead of everything queued; an outstanding request keeps
	 * the window, so it waits for that. */
	sa->n_ops = 0;
	ike_op op = { .kind = IKE_OP_DELETE_IKE };
	return ike_queue_op(sa, &op);
}

int ds_ike_delete_child(ds_ike_sa *sa, uint32_t spi_in, ds_time now)
{
	if (!usable(sa) || sa->state != DS_IKE_ST_ESTABLISHED)
		return DS_E_STATE;
	if (!ike_child_by_in(sa, spi_in))
		return DS_E_NOTFOUND;
	sa->ike->now = now;
	ike_op op = { .kind = IKE_OP_DELETE_CHILD, .spi = spi_in };
	return ike_queue_op(sa, &op);
}

int ds_ike_liveness(ds_ike_sa *sa, ds_time now)
{
	if (!usable(sa) || sa->state != DS_IKE_ST_ESTABLISHED)
		return DS_E_STATE;
	sa->ike->now = now;
	ike_op op = { .kind = IKE_OP_LIVENESS };
	return ike_queue_op(sa, &op);
}

int ds_ike_redirect(ds_ike_sa *sa, const ds_addr *new_gw, ds_time now)
{
	if (!usable(sa) || sa->state != DS_IKE_ST_ESTABLISHED || sa->initiator)
		return DS_E_STATE;
	/* RFC 5685 cl. 3: only clients that announced support may be redirected. */
	if (!sa->peer_redirect_ok)
		return DS_E_STATE;
	if (!new_gw || !ds_addr_iplen(new_gw))
		return DS_E_PARAM;
	sa->ike->now = now;
	ike_op op = { .kind = IKE_OP_REDIRECT, .addr = *new_gw };
	return ike_queue_op(sa, &op);
}

int ds_ike_update_peer(ds_ike_sa *sa, const ds_addr *local, const ds_addr *remote, ds_time now)
{
	if (!usable(sa))
		return DS_E_STATE;
	sa->ike->now = now;
	if (local && ds_addr_iplen(local)) {
		uint16_t port = local->port ? local->port : sa->local.port;
		sa->local = *local;
		sa->local.port = port;
		sa->local.plen = 0;
	}
	if (remote && ds_addr_iplen(remote)) {
		uint16_t port = remote->port ? remote->port : sa->remote.port;
		sa->remote = *remote;
		sa->remote.port = port;
		sa->remote.plen = 0;
	}
	if (sa->local.family != sa->remote.family)
		return DS_E_PARAM;
	if (sa->initiator && sa->state == DS_IKE_ST_ESTABLISHED) {
		/* RFC 5555 cl. 5.1: after a BA with K=1 the UE speaks from the new address; an
		 * empty INFORMATIONAL tells the HA's IKE where we are now. */
		ike_op op = { .kind = IKE_OP_LIVENESS };
		return ike_queue_op(sa, &op);
	}
	return DS_OK;
}
