/* In-process test world for the UE and HA engines (see engine_world.h). */
#include "engine_world.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/crypto.h"
#include "ipsec/esp.h"
#include "mip/sig.h"

static ds_addr parse(const char *s)
{
	ds_addr a;
	memset(&a, 0, sizeof a);
	ds_addr_parse(s, &a);
	return a;
}

const ds_addr W_HA6 = { DS_AF_INET6, 0, 0, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						 0, 0, 1 } };
const ds_addr W_HA4 = { DS_AF_INET, 0, 0, { 192, 0, 2, 1 } };
const ds_addr W_COA6 = { DS_AF_INET6, 0, 0, { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0,
						  0, 0, 0, 9 } };
const ds_addr W_COA6B = { DS_AF_INET6, 0, 0, { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0, 0, 0, 0, 0, 0,
						   0, 0, 0, 0, 7 } };
const ds_addr W_COA4 = { DS_AF_INET, 0, 0, { 10, 0, 0, 5 } };

static void q_push(w_queue *q, const ds_pkt *p, ds_time t)
{
	if (q->n >= W_QMAX)
		return;
	w_pkt *k = &q->v[q->n++];
	k->p = *p;
	k->t = t;
	memcpy(k->data, p->data, p->len);
	k->p.data = k->data;
}

void w_q_clear(w_queue *q) { q->n = 0; }

static void ue_send(void *ctx, const ds_pkt *p)
{
	world *w = ctx;
	q_push(&w->ue_log, p, w->now);
	if (p->kind == DS_PKT_TUN) {
		q_push(&w->ue_tun, p, w->now);
		return;
	}
	if (!w->drop_ue)
		q_push(&w->from_ue, p, w->now);
}

static void ha_send(void *ctx, const ds_pkt *p)
{
	world *w = ctx;
	if (p->kind == DS_PKT_TUN) {
		q_push(&w->ha_tun, p, w->now);
		return;
	}
	if (!w->drop_ha)
		q_push(&w->from_ha, p, w->now);
}

static void ev_state(void *ctx, ds_pdn_id pdn, enum ds_ue_pdn_state st, int ev, int status)
{
	world *w = ctx;
	(void)pdn;
	w->st = st;
	w->st_ev = ev;
	w->st_status = status;
	if (ev == DS_UE_EV_REVOKED)
		w->n_revoked++;
	if (ev == DS_UE_EV_IPV4_HOA_REJECTED)
		w->n_v4_rejected++;
}

static void ev_hoa(void *ctx, ds_pdn_id pdn, bool add, const ds_addr *hoa, const ds_addr *hoa4)
{
	world *w = ctx;
	(void)pdn;
	if (add) {
		w->hoa = *hoa;
		w->hoa4 = *hoa4;
	} else {
		if (hoa->family != DS_AF_NONE)
			memset(&w->hoa, 0, sizeof w->hoa);
		memset(&w->hoa4, 0, sizeof w->hoa4);
	}
}

static void ev_tunnel(void *ctx, ds_pdn_id pdn, enum ds_ue_tunnel_mode m, const ds_addr *l,
		      const ds_addr *h)
{
	world *w = ctx;
	(void)pdn;
	(void)l;
	(void)h;
	w->tun = m;
}

static void ev_ue_ike(void *ctx, ds_pdn_id pdn, enum ds_ue_ike_action a, void *ike,
		      const ds_addr *local, const ds_addr *ha)
{
	world *w = ctx;
	(void)pdn;
	(void)ike;
	(void)ha;
	w->ue_ike[a]++;
	if (local)
		w->ue_ike_local = *local;
}

static void ev_binding(void *ctx, const ds_ha_ue *u, enum ds_ha_binding_reason why,
		       const ds_ha_alloc *a)
{
	world *w = ctx;
	(void)u;
	(void)a;
	w->ha_bind[why]++;
}

static void ev_persist(void *ctx, const ds_ha_alloc *a, bool gone)
{
	world *w = ctx;
	(void)a;
	w->persist_n++;
	if (gone)
		w->persist_gone++;
}

static void ev_ha_ike(void *ctx, void *ike, enum ds_ha_ike_action a, const ds_addr *addr)
{
	world *w = ctx;
	(void)ike;
	w->ha_ike[a]++;
	if (addr)
		w->ha_ike_addr = *addr;
}

static const char *g_v4pool = "10.45.0.0/24";

world *w_new_pool(const char *v4pool)
{
	g_v4pool = v4pool;
	world *w = w_new();
	g_v4pool = "10.45.0.0/24";
	return w;
}

world *w_new(void)
{
	world *w = calloc(1, sizeof *w);
	w->from_ue.v = calloc(W_QMAX, sizeof(w_pkt));
	w->from_ha.v = calloc(W_QMAX, sizeof(w_pkt));
	w->ue_tun.v = calloc(W_QMAX, sizeof(w_pkt));
	w->ha_tun.v = calloc(W_QMAX, sizeof(w_pkt));
	w->ue_log.v = calloc(W_QMAX, sizeof(w_pkt));
	w->now = 1000;
	w->spi_base = 0x1000;
	w->nat_pub = parse("203.0.113.7:40000");
	ds_ha_config hc;
	memset(&hc, 0, sizeof hc);
	hc.send = ha_send;
	hc.send_ctx = w;
	hc.ev = (ds_ha_events){ w, ev_binding, ev_persist, ev_ha_ike };
	hc.ha6 = W_HA6;
	hc.ha4 = W_HA4;
	hc.hnp_pool = parse("2001:db8:1000::/48");
	hc.ipv4_pool = parse(g_v4pool);
	hc.max_lifetime_s = 3600;
	hc.refresh_advice_pct = 50;   /* Binding Refresh Advice at half the granted lifetime */
	w->ha = ds_ha_new(&hc);
	ds_ue_config uc;
	memset(&uc, 0, sizeof uc);
	uc.send = ue_send;
	uc.send_ctx = w;
	uc.ev = (ds_ue_events){ w, ev_state, ev_hoa, ev_tunnel, NULL, ev_ue_ike };
	const uint8_t iid[8] = { 0, 0, 0, 0, 0, 0, 0x12, 0x34 };
	memcpy(uc.iid, iid, 8);
	memcpy(uc.mcc, "001", 4);
	memcpy(uc.mnc, "01", 3);
	w->ue = ds_ue_new(&uc);
	return w;
}

void w_free(world *w)
{
	ds_ue_free(w->ue);
	ds_ha_free(w->ha);
	ds_esp_sa_free(w->sniff);
	free(w->from_ue.v);
	free(w->from_ha.v);
	free(w->ue_tun.v);
	free(w->ha_tun.v);
	free(w->ue_log.v);
	free(w);
}

ds_ue_access w_access6(const ds_addr *coa)
{
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_IPV6;
	a.coa6 = *coa;
	return a;
}

ds_ue_access w_access4(const ds_addr *coa)
{
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_IPV4;
	a.coa4 = *coa;
	return a;
}

ds_ue_access w_access_home(const ds_addr *prefix)
{
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_HOME;
	a.link_prefix[0] = *prefix;
	a.n_link_prefix = 1;
	return a;
}

static ds_esp_sa *mk_sa(uint32_t spi, uint8_t dir, const ds_addr *local, const ds_addr *remote,
			bool no_replay)
{
	static const uint8_t key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
					 0xa0, 0xa1, 0xa2, 0xa3 };
	ds_esp_sa_params p;
	memset(&p, 0, sizeof p);
	p.spi = spi;
	p.dir = dir;
	p.mode = DS_ESP_TRANSPORT;
	p.encr = DS_ENCR_AES_GCM_16;
	p.encr_key_bits = 128;
	p.integ = DS_INTEG_NONE;
	p.encr_key = key;
	p.no_replay_check = no_replay;
	p.local = *local;
	p.remote = *remote;
	p.sel.local = *local;
	p.sel.local.plen = 128;
	p.sel.remote = *remote;
	p.sel.remote.plen = 128;
	p.sel.proto = 135;
	p.sel.local_port_hi = 0xffff;
	p.sel.remote_port_hi = 0xffff;
	int err;
	return ds_esp_sa_new(&p, &err);
}

ds_pdn_id w_attach(world *w, const char *apn, bool want_v4, const ds_addr *lie_hnp)
{
	ds_ue_pdn_config pc;
	memset(&pc, 0, sizeof pc);
	strncpy(pc.apn, apn, sizeof pc.apn - 1);
	pc.ha6 = W_HA6;
	pc.ha4 = W_HA4;
	pc.want_ipv4_hoa = want_v4;
	pc.lifetime_s = 3600;
	pc.has_initial_seq = w->set_seq;
	pc.initial_seq = w->seq0;
	int err;
	ds_pdn_id pdn = ds_ue_pdn_add(w->ue, &pc, w->now, &err);
	if (!pdn)
		return 0;
	ds_addr hnp;
	if (ds_ha_assign_hnp(w->ha, W_NAI, apn, &hnp, NULL) != DS_OK)
		return 0;
	w->hnp = hnp;
	ds_addr ue_hnp = lie_hnp ? *lie_hnp : hnp;
	ds_addr hoa = ue_hnp;
	hoa.plen = 0;
	hoa.ip[14] = 0x12;
	hoa.ip[15] = 0x34;
	uint32_t up = w->spi_base++, down = 0x8000 + w->spi_base++;
	ds_esp_sa *ue_out = mk_sa(up, DS_ESP_OUT, &hoa, &W_HA6, false);
	ds_esp_sa *ha_in = mk_sa(up, DS_ESP_IN, &W_HA6, &hoa, false);
	ds_esp_sa *ha_out = mk_sa(down, DS_ESP_OUT, &W_HA6, &hoa, false);
	ds_esp_sa *ue_in = mk_sa(down, DS_ESP_IN, &hoa, &W_HA6, false);
	ds_esp_sa_free(w->sniff);
	w->sniff = mk_sa(up, DS_ESP_IN, &W_HA6, &hoa, true);
	w->ike_ha = (void *)(uintptr_t)(0x100 + pdn);
	if (ds_ha_ike_up(w->ha, W_NAI, apn, w->ike_ha, ha_out, ha_in, &w->ue_ike_local, w->now) != DS_OK)
		return 0;
	ds_ue_ike_info info;
	memset(&info, 0, sizeof info);
	info.ike = (void *)(uintptr_t)(0x200 + pdn);
	info.hnp = ue_hnp;
	info.hnp_lifetime_s = 86400;
	info.ha6 = W_HA6;
	info.ha4 = W_HA4;
	info.sa_out = ue_out;
	info.sa_in = ue_in;
	if (ds_ue_ike_up(w->ue, pdn, &info, w->now) != DS_OK)
		return 0;
	w->pdn = pdn;
	w_pump(w);
	return pdn;
}

static void nat_out(world *w, ds_pkt *p)
{
	if (w->nat && p->kind == DS_PKT_UDP && p->src.family == DS_AF_INET)
		p->src = w->nat_pub;
}

static void nat_in(world *w, ds_pkt *p)
{
	if (w->nat && p->kind == DS_PKT_UDP && ds_addr_eq(&p->dst, &w->nat_pub)) {
		p->dst = W_COA4;
		p->dst.port = 4191;
	}
}

void w_pump(world *w)
{
	for (int round = 0; round < 100 && (w->from_ue.n || w->from_ha.n); round++) {
		/* copy out so that engines can queue new packets while we deliver */
		size_t n = w->from_ue.n;
		w_pkt *tmp = malloc(sizeof(w_pkt) * (n ? n : 1));
		memcpy(tmp, w->from_ue.v, sizeof(w_pkt) * n);
		w->from_ue.n = 0;
		for (size_t i = 0; i < n; i++) {
			tmp[i].p.data = tmp[i].data;
			nat_out(w, &tmp[i].p);
			ds_ha_input(w->ha, &tmp[i].p, w->now);
		}
		free(tmp);
		n = w->from_ha.n;
		tmp = malloc(sizeof(w_pkt) * (n ? n : 1));
		memcpy(tmp, w->from_ha.v, sizeof(w_pkt) * n);
		w->from_ha.n = 0;
		for (size_t i = 0; i < n; i++) {
			tmp[i].p.data = tmp[i].data;
			nat_in(w, &tmp[i].p);
			ds_ue_input(w->ue, &tmp[i].p, w->now);
		}
		free(tmp);
	}
}

void w_run_until(world *w, ds_time t)
{
	for (;;) {
		ds_time a = ds_ue_next_timeout(w->ue), b = ds_ha_next_timeout(w->ha);
		ds_time next = a < b ? a : b;
		if (next > t)
			break;
		if (next > w->now)
			w->now = next;
		ds_ue_on_timer(w->ue, w->now);
		ds_ha_on_timer(w->ha, w->now);
		w_pump(w);
	}
	w->now = t;
}

int w_sniff_bu(world *w, const w_pkt *k, ds_mh_msg *m, bool *has_hao)
{
	ds_ip6_view v;
	int rc = ds_ip6_parse(k->p.data, k->p.len, &v);
	if (rc != DS_OK)
		return rc;
	if (v.proto != DS_IPPROTO_ESP)
		return DS_E_NEXTHDR;
	uint8_t out[2048], nh;
	size_t n;
	rc = ds_esp_open(w->sniff, k->p.data + v.off, v.len, out, sizeof out, &n, &nh);
	if (rc != DS_OK)
		return rc;
	if (has_hao)
		*has_hao = v.has_hao;
	return ds_mh_decode(out, n, v.has_hao ? v.hao : v.src, v.dst, m);
}

int w_raw_ue(world *w, const char *nai, raw_ue *r)
{
	memset(r, 0, sizeof *r);
	int rc = ds_ha_assign_hnp(w->ha, nai, "internet", &r->hnp, NULL);
	if (rc != DS_OK)
		return rc;
	r->hoa = r->hnp;
	r->hoa.plen = 0;
	r->hoa.ip[15] = 0x42;
	uint32_t up = 0x40000 + w->spi_base++, down = 0x50000 + w->spi_base++;
	r->out = mk_sa(up, DS_ESP_OUT, &r->hoa, &W_HA6, false);
	r->in = mk_sa(down, DS_ESP_IN, &r->hoa, &W_HA6, false);
	ds_esp_sa *ha_in = mk_sa(up, DS_ESP_IN, &W_HA6, &r->hoa, false);
	ds_esp_sa *ha_out = mk_sa(down, DS_ESP_OUT, &W_HA6, &r->hoa, false);
	r->ike = (void *)(uintptr_t)(0x9000 + w->spi_base);
	return ds_ha_ike_up(w->ha, nai, "internet", r->ike, ha_out, ha_in, &W_COA6, w->now);
}

void w_raw_free(raw_ue *r)
{
	ds_esp_sa_free(r->out);
	ds_esp_sa_free(r->in);
}

int w_raw_bu(world *w, raw_ue *r, const ds_mh_msg *bu, int path, ds_mh_msg *ba)
{
	uint8_t mh[256], pkt[1024];
	size_t ml, n;
	int rc = ds_mh_encode(bu, r->hoa.ip, W_HA6.ip, mh, sizeof mh, &ml);
	if (rc != DS_OK)
		return rc;
	ds_pkt p;
	memset(&p, 0, sizeof p);
	if (path == RAW_HAO) {
		rc = ds_sig_build(W_COA6.ip, W_HA6.ip, r->hoa.ip, NULL, r->out, mh, ml, pkt, sizeof pkt,
				  &n);
		p = (ds_pkt){ .kind = DS_PKT_IP, .src = W_COA6, .dst = W_HA6, .data = pkt, .len = n };
	} else {
		rc = ds_sig_build(r->hoa.ip, W_HA6.ip, NULL, NULL, r->out, mh, ml, pkt, sizeof pkt, &n);
		if (path == RAW_UDP) {
			p = (ds_pkt){ .kind = DS_PKT_UDP, .src = W_COA4, .dst = W_HA4, .data = pkt,
				      .len = n };
			p.src.port = 4191;
			p.dst.port = 4191;
			nat_out(w, &p);
		} else {
			p = (ds_pkt){ .kind = DS_PKT_IP, .src = r->hoa, .dst = W_HA6, .data = pkt,
				      .len = n };
		}
	}
	if (rc != DS_OK)
		return rc;
	w_q_clear(&w->from_ha);
	ds_ha_input(w->ha, &p, w->now);
	if (w->from_ha.n == 0)
		return DS_E_NOTFOUND;
	const w_pkt *k = &w->from_ha.v[w->from_ha.n - 1];
	ds_ip6_view v;
	rc = ds_ip6_parse(k->data, k->p.len, &v);
	if (rc != DS_OK)
		return rc;
	uint8_t out[1024], nh;
	size_t on;
	rc = ds_esp_open(r->in, k->data + v.off, v.len, out, sizeof out, &on, &nh);
	if (rc != DS_OK)
		return rc;
	w_q_clear(&w->from_ha);
	return ds_mh_decode(out, on, v.src, v.has_rh2 ? v.rh2 : v.dst, ba);
}
