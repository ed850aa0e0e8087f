#include "sim_mhtap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "wire/ip6.h"
#include "wire/ipv4.h"

struct sim_mhtap {
	sim *s;
	bool keep;
	void (*cb)(void *ctx, const sim_mh_rec *r);
	void *ctx;
	sim_mh_rec *recs;
	size_t n, cap;
	sim_mhtap_stats st;
};

/* Decode the MH of an IPv6 packet (len octets). */
static int from_ipv6(const uint8_t *p, size_t len, sim_mh_rec *r, bool *opaque)
{
	ds_ipv6_pkt k;
	if (ds_ipv6_walk(p, len, &k) != DS_OK)
		return 0;
	r->src = ds_addr6(k.ip.src, 0);
	r->dst = ds_addr6(k.ip.dst, 0);
	r->has_hao = k.has_hao;
	r->has_rh2 = k.has_rh2;
	if (k.has_hao)
		r->hoa = ds_addr6(k.hao, 0);
	else if (k.has_rh2)
		r->hoa = ds_addr6(k.rh2_hoa, 0);
	const uint8_t *mh = p + k.off;
	size_t mlen = k.len;
	if (k.proto == DS_NH_IPV6)
		return from_ipv6(p + k.off, k.len, r, opaque);  /* IPv6-in-IPv6 tunnel */
	if (k.proto == DS_NH_ESP) {
		if (k.len < 8 + DS_MOB_HDR_LEN)
			return 0;
		r->esp = true;
		r->spi = ds_get_u32(mh);
		mh += 8;
		mlen -= 8;
		/* ENCR_NULL: the MH is in the clear; its Header Len gives its size, the ESP trailer
		 * and ICV follow. Payload Proto must be 59 and the type a known one, else opaque. */
		size_t hl = ((size_t)mh[1] + 1) * 8;
		if (mh[0] != DS_NH_NONE || hl > mlen) {
			*opaque = true;
			return 0;
		}
		/* the ESP trailer names the protected protocol: after the MH come the padding,
		 * Pad Length and Next Header = 135 (RFC 4303 cl. 2.4-2.6); the ICV length is unknown
		 * here, so look for a consistent trailer at the usual ICV sizes */
		bool trailer = false;
		static const size_t icv[] = { 16, 12, 24, 32, 0 };
		for (size_t i = 0; i < sizeof icv / sizeof icv[0] && !trailer; i++) {
			if (mlen < hl + 2 + icv[i])
				continue;
			size_t end = mlen - icv[i];
			uint8_t nh = mh[end - 1], pad = mh[end - 2];
			if (nh == DS_NH_MH && hl + pad + 2 == end)
				trailer = true;
		}
		if (!trailer) {
			*opaque = true;
			return 0;
		}
		mlen = hl;
	} else if (k.proto != DS_NH_MH) {
		return 0;
	} else if (mlen >= 2) {
		size_t hl = ((size_t)mh[1] + 1) * 8;
		if (hl <= mlen)
			mlen = hl;
	}
	ds_mob_msg m;
	memset(&m, 0, sizeof m);
	if (ds_mob_decode(mh, mlen, &m) != DS_OK)
		return -1;
	r->csum_ok = ds_mob_csum_verify(mh, mlen, ds_ipv6_pseudo_src(&k), ds_ipv6_pseudo_dst(&k)) ==
		     DS_OK;
	r->type = m.type;
	switch (m.type) {
	case DS_MOB_BU:
		r->seq = m.bu.seq;
		r->flags = m.bu.flags;
		r->lifetime = m.bu.lifetime;
		break;
	case DS_MOB_BA:
		r->seq = m.ba.seq;
		r->flags = m.ba.flags;
		r->lifetime = m.ba.lifetime;
		r->status = m.ba.status;
		break;
	case DS_MOB_BR:
		r->br_type = m.br.type;
		r->seq = m.br.seq;
		r->flags = m.br.flags;
		r->status = m.br.code;
		break;
	case DS_MOB_BE:
		r->status = m.be.status;
		break;
	default:
		break;
	}
	if (!r->hoa.family) {
		/* no HAO / RH2: the HoA is the inner source of what the UE sends (BU, BRA: RFC 5555
		 * cl. 4.1 over IPv4, R-37 from the home link) and the destination of the rest */
		bool from_ue = m.type == DS_MOB_BU || (m.type == DS_MOB_BR && m.br.type == DS_MOB_BRA);
		r->hoa = from_ue ? r->src : r->dst;
	}
	r->present = m.opt.present;
	r->ipv4_hoa = m.opt.ipv4_hoa;
	r->ipv4_ack = m.opt.ipv4_ack;
	r->nat = m.opt.nat;
	r->refresh = m.opt.refresh;
	r->unknown_opts = m.opt.unknown;
	r->misaligned_opts = m.opt.misaligned;
	return 1;
}

int sim_mh_decode(const sim_link *l, const ds_pkt *pkt, ds_time now, sim_mh_rec *r,
		  bool *opaque)
{
	memset(r, 0, sizeof *r);
	*opaque = false;
	r->at = now;
	r->link = l ? sim_link_name(l) : "-";
	r->outer_src = pkt->src;
	r->outer_dst = pkt->dst;
	if (pkt->kind == DS_PKT_UDP) {
		if (pkt->src.port != DS_UDP_PORT_DSMIP && pkt->dst.port != DS_UDP_PORT_DSMIP)
			return 0;
		r->udp4191 = true;
		if (ds_inner_version(pkt->data, pkt->len) != 6)
			return 0;
		return from_ipv6(pkt->data, pkt->len, r, opaque);
	}
	if (pkt->kind != DS_PKT_IP || pkt->len == 0)
		return 0;
	if ((pkt->data[0] >> 4) == 6)
		return from_ipv6(pkt->data, pkt->len, r, opaque);
	ds_ipv4_pkt k;
	if (ds_ipv4_walk(pkt->data, pkt->len, &k) != DS_OK || k.inner_ver != 6)
		return 0;
	if (k.udp) {
		r->udp4191 = true;
		r->outer_src.port = k.uh.sport;
		r->outer_dst.port = k.uh.dport;
	}
	return from_ipv6(pkt->data + k.inner_off, k.inner_len, r, opaque);
}

static void tap(void *ctx, const sim_link *l, const ds_pkt *pkt, ds_time now)
{
	sim_mhtap *t = ctx;
	sim_mh_rec r;
	bool opaque;
	int n = sim_mh_decode(l, pkt, now, &r, &opaque);
	if (opaque)
		t->st.opaque_esp++;
	if (n < 0)
		t->st.malformed++;
	if (n <= 0)
		return;
	t->st.messages++;
	t->st.by_type[r.type < 17 ? r.type : 0]++;
	char line[300];
	sim_mh_rec_fmt(&r, line, sizeof line);
	sim_tracef(t->s, "mh %s", line);
	if (t->keep) {
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 256;
			sim_mh_rec *nr = realloc(t->recs, nc * sizeof *nr);
			if (!nr) {
				fputs("sim_mhtap: out of memory\n", stderr);
				abort();
			}
			t->recs = nr;
			t->cap = nc;
		}
		t->recs[t->n++] = r;
	}
	if (t->cb)
		t->cb(t->ctx, &r);
}

sim_mhtap *sim_mhtap_new(sim *s, bool keep, void (*cb)(void *ctx, const sim_mh_rec *r), void *ctx)
{
	sim_mhtap *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->s = s;
	t->keep = keep;
	t->cb = cb;
	t->ctx = ctx;
	sim_set_tap(s, tap, t);
	return t;
}

void sim_mhtap_free(sim_mhtap *t)
{
	if (!t)
		return;
	free(t->recs);
	free(t);
}

const sim_mh_rec *sim_mhtap_records(const sim_mhtap *t, size_t *n)
{
	*n = t->n;
	return t->recs;
}

void sim_mhtap_clear(sim_mhtap *t) { t->n = 0; }
const sim_mhtap_stats *sim_mhtap_stats_get(const sim_mhtap *t) { return &t->st; }

void sim_mh_rec_fmt(const sim_mh_rec *r, char *buf, size_t cap)
{
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN], h[DS_ADDR_STRLEN];
	const char *name = r->type == DS_MOB_BR ? (r->br_type == DS_MOB_BRI ? "BRI" : "BRA")
						: ds_mob_type_name(r->type);
	snprintf(buf, cap, "%s %s %s>%s hoa=%s%s%s seq=%u flags=%#x life=%u status=%u opts=%#x%s",
		 r->link, name, ds_addr_fmt(&r->outer_src, a, sizeof a),
		 ds_addr_fmt(&r->outer_dst, b, sizeof b),
		 r->hoa.family ? ds_addr_fmt(&r->hoa, h, sizeof h) : "-", r->esp ? " esp" : "",
		 r->udp4191 ? " udp4191" : "", r->seq, r->flags, r->lifetime, r->status, r->present,
		 r->csum_ok ? "" : " BAD-CSUM");
}
