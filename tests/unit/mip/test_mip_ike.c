/* The full S2c stack in one process: UE engine + IKEv2 initiator <-> IKEv2 responder + HA
 * engine, composed by ue/ue_ike.h and ha/ha_ike.h, over a simulated network with a virtual
 * clock. IKE_AUTH uses a pre-shared key here (EAP-AKA is exercised by the IKE area's tests);
 * everything else is the product path: MIP6_HOME_PREFIX from the HA's pool, the HoA CHILD_SA,
 * the BU/BA exchange over the negotiated ESP SAs, IKE SA move on handover and detach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "ha/ha.h"
#include "ha/ha_ike.h"
#include "ike/ike.h"
#include "ue/ue.h"
#include "ue/ue_ike.h"

#define QMAX 128
static const uint8_t PSK[] = "mobility test pre-shared key";
#define NAI "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org"

typedef struct qpkt {
	int to;   /* 0 = UE side, 1 = HA side */
	bool ike;
	ds_pkt p;
	uint8_t data[DS_PKT_MAX];
} qpkt;

typedef struct stack {
	ds_time now;
	ds_ue *ue;
	ds_ha *ha;
	ds_ike *ike_ue, *ike_ha;
	ds_ue_ike_glue *gu;
	ds_ha_ike_glue *gh;
	qpkt *q;
	size_t nq;
	enum ds_ue_pdn_state st;
	int st_ev;
	bool nat;                  /* NAT between the UE's IPv4 address and the HA */
	ds_addr nat_pub;
	uint16_t nat_off;          /* public port = private port + nat_off (0: 10000) */
	int drop_ike_to_ue;        /* lose the next IKE datagrams towards the UE */
	int tun_ha;
	ds_addr ha6, ha4, coa6, coa6b, coa4, pool;
} stack;

static void push(stack *s, int to, bool ike, const ds_pkt *p)
{
	if (p->kind == DS_PKT_TUN) {
		if (to == 0)
			s->tun_ha++;
		return;
	}
	/* only this HA exists on the simulated network */
	if (to == 1 && !ds_addr_ip_eq(&p->dst, &s->ha6) && !ds_addr_ip_eq(&p->dst, &s->ha4))
		return;
	if (to == 0 && ike && s->drop_ike_to_ue > 0) {
		s->drop_ike_to_ue--;
		return;
	}
	assert_true(s->nq < QMAX);
	qpkt *k = &s->q[s->nq++];
	k->to = to;
	k->ike = ike;
	k->p = *p;
	memcpy(k->data, p->data, p->len);
	k->p.data = k->data;
	/* a NAPT: private address:port <-> public address:(port + nat_off), UDP only; a
	 * datagram to a port without mapping is dropped */
	if (s->nat && k->p.kind == DS_PKT_UDP) {
		uint16_t off = s->nat_off ? s->nat_off : 10000;
		if (to == 1 && ds_addr_ip_eq(&k->p.src, &s->coa4)) {
			uint16_t port = k->p.src.port;
			k->p.src = s->nat_pub;
			k->p.src.port = (uint16_t)(port + off);
		} else if (to == 0 && ds_addr_ip_eq(&k->p.dst, &s->nat_pub)) {
			uint16_t port = k->p.dst.port;
			if (port < off) {
				s->nq--;
				return;
			}
			k->p.dst = s->coa4;
			k->p.dst.port = (uint16_t)(port - off);
		}
	}
}

static void ue_send(void *ctx, const ds_pkt *p) { push(ctx, 1, false, p); }
static void ha_send(void *ctx, const ds_pkt *p) { push(ctx, 0, false, p); }
static void ike_ue_send(void *ctx, const ds_pkt *p) { push(ctx, 1, true, p); }
static void ike_ha_send(void *ctx, const ds_pkt *p) { push(ctx, 0, true, p); }

static void ev_state(void *ctx, ds_pdn_id pdn, enum ds_ue_pdn_state st, int ev, int status)
{
	stack *s = ctx;
	(void)pdn;
	(void)status;
	s->st = st;
	s->st_ev = ev;
}

static void ev_ike(void *ctx, ds_pdn_id pdn, enum ds_ue_ike_action a, void *ike,
		   const ds_addr *local, const ds_addr *ha)
{
	stack *s = ctx;
	ds_ue_ike_glue_event(s->gu, pdn, a, ike, local, ha);
}

static void set_time(stack *s)
{
	ds_ue_ike_glue_set_time(s->gu, s->now);
	ds_ha_ike_glue_set_time(s->gh, s->now);
}

static void run(stack *s, ds_time until)
{
	for (int guard = 0; guard < 10000; guard++) {
		set_time(s);
		if (s->nq) {
			qpkt k = s->q[0];
			memmove(s->q, s->q + 1, sizeof(qpkt) * (s->nq - 1));
			s->nq--;
			k.p.data = k.data;
			if (k.to == 1)
				k.ike ? ds_ike_input(s->ike_ha, &k.p, s->now) : ds_ha_input(s->ha, &k.p, s->now);
			else
				k.ike ? ds_ike_input(s->ike_ue, &k.p, s->now) : ds_ue_input(s->ue, &k.p, s->now);
			continue;
		}
		ds_time t = ds_ue_next_timeout(s->ue);
		ds_time t2 = ds_ha_next_timeout(s->ha);
		ds_time t3 = ds_ike_next_timeout(s->ike_ue);
		ds_time t4 = ds_ike_next_timeout(s->ike_ha);
		if (t2 < t)
			t = t2;
		if (t3 < t)
			t = t3;
		if (t4 < t)
			t = t4;
		if (t > until)
			break;
		if (t > s->now)
			s->now = t;
		set_time(s);
		ds_ue_on_timer(s->ue, s->now);
		ds_ha_on_timer(s->ha, s->now);
		ds_ike_on_timer(s->ike_ue, s->now);
		ds_ike_on_timer(s->ike_ha, s->now);
	}
	s->now = until;
}

static int setup(void **state)
{
	stack *s = calloc(1, sizeof *s);
	s->q = calloc(QMAX, sizeof(qpkt));
	s->now = 1000;
	ds_addr_parse("2001:db8::1", &s->ha6);
	ds_addr_parse("192.0.2.1", &s->ha4);
	ds_addr_parse("198.51.100.9", &s->coa4);
	ds_addr_parse("203.0.113.50", &s->nat_pub);
	ds_addr_parse("2001:db8:ff::9", &s->coa6);
	ds_addr_parse("2001:db8:ee::7", &s->coa6b);
	ds_addr_parse("2001:db8:1000::/48", &s->pool);
	const uint8_t iid[8] = { 0, 0, 0, 0, 0, 0, 0x12, 0x34 };

	s->gh = ds_ha_ike_glue_new();
	ds_ike_config rc = { .role = DS_IKE_RESPONDER, .send = ike_ha_send, .send_ctx = s,
			     .psk = PSK, .psk_len = sizeof PSK - 1 };
	ds_ha_ike_glue_ike_events(s->gh, &rc.ev);
	int err;
	s->ike_ha = ds_ike_new(&rc, &err);
	assert_non_null(s->ike_ha);
	ds_ha_config hc;
	memset(&hc, 0, sizeof hc);
	hc.send = ha_send;
	hc.send_ctx = s;
	hc.ev.ctx = s->gh;
	hc.ev.ike = ds_ha_ike_glue_event;
	hc.ha6 = s->ha6;
	hc.ha4 = s->ha4;
	ds_addr_parse("10.45.0.0/24", &hc.ipv4_pool);
	hc.hnp_pool = s->pool;
	s->ha = ds_ha_new(&hc);
	assert_non_null(s->ha);
	ds_ha_ike_glue_attach(s->gh, s->ha, s->ike_ha);

	ds_ue_ike_glue_config gc = { .nai = NAI };
	memcpy(gc.iid, iid, 8);
	s->gu = ds_ue_ike_glue_new(&gc);
	ds_ike_config ic = { .role = DS_IKE_INITIATOR, .send = ike_ue_send, .send_ctx = s,
			     .psk = PSK, .psk_len = sizeof PSK - 1 };
	ds_ue_ike_glue_ike_config(&ic);
	ds_ue_ike_glue_ike_events(s->gu, &ic.ev);
	s->ike_ue = ds_ike_new(&ic, &err);
	assert_non_null(s->ike_ue);
	ds_ue_config uc;
	memset(&uc, 0, sizeof uc);
	uc.send = ue_send;
	uc.send_ctx = s;
	uc.ev.ctx = s;
	uc.ev.pdn_state = ev_state;
	memcpy(uc.iid, iid, 8);
	uc.ev.ike = ev_ike;   /* hands the UE engine's IKE actions to the glue */
	s->ue = ds_ue_new(&uc);
	assert_non_null(s->ue);
	ds_ue_ike_glue_attach(s->gu, s->ue, s->ike_ue);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	stack *s = *state;
	ds_ue_free(s->ue);
	ds_ha_free(s->ha);
	ds_ike_free(s->ike_ue);
	ds_ike_free(s->ike_ha);
	ds_ue_ike_glue_free(s->gu);
	ds_ha_ike_glue_free(s->gh);
	free(s->q);
	free(s);
	return 0;
}

static ds_pdn_id attach_on(stack *s, bool v4)
{
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = v4 ? DS_UE_ACCESS_IPV4 : DS_UE_ACCESS_IPV6;
	a.coa6 = s->coa6;
	a.coa4 = s->coa4;
	set_time(s);
	assert_int_equal(ds_ue_access_change(s->ue, &a, s->now), DS_OK);
	ds_ue_pdn_config pc;
	memset(&pc, 0, sizeof pc);
	strcpy(pc.apn, "internet");
	pc.ha6 = s->ha6;
	pc.ha4 = s->ha4;
	pc.want_ipv4_hoa = v4;
	ds_pdn_id pdn = ds_ue_pdn_add(s->ue, &pc, s->now, NULL);
	assert_int_not_equal(pdn, 0);
	run(s, s->now + 5000);
	return pdn;
}

static ds_pdn_id attach(stack *s)
{
	return attach_on(s, false);
}

/* ..R-43: attach from an IPv4-only access: IKE over IPv4 to the HA's IPv4 address,
 * HoA CHILD_SA with the HA's IPv6 address, BU in UDP 4191, IPv4 HoA, protocol-41 tunnel. */
static void attach_from_ipv4_access(void **state)
{
	stack *s = *state;
	ds_pdn_id pdn = attach_on(s, true);
	assert_int_equal(s->st, DS_UE_PDN_REGISTERED);
	ds_ue_pdn_status st;
	ds_ue_pdn_status_get(s->ue, pdn, &st);
	assert_int_equal(st.tunnel, DS_UE_TUN_IP4);
	assert_int_equal(st.hoa4.family, DS_AF_INET);
	const ds_ha_ue *u = ds_ha_find_hoa4(s->ha, &st.hoa4);
	assert_non_null(u);
	ds_ha_alloc al;
	ds_ha_ue_alloc(u, &al);
	assert_true(ds_addr_ip_eq(&al.coa, &s->coa4));
	assert_int_equal(al.tunnel, DS_HA_TUN_IP4);
}

/* ..R-14, R-22, R-26: IKE_SA_INIT + IKE_AUTH, HNP from the HA pool, HoA CHILD_SA,
 * then the BU/BA over the negotiated ESP SAs. */
static void full_attach_over_ike(void **state)
{
	stack *s = *state;
	ds_pdn_id pdn = attach(s);
	assert_int_equal(s->st, DS_UE_PDN_REGISTERED);
	ds_ue_pdn_status st;
	assert_int_equal(ds_ue_pdn_status_get(s->ue, pdn, &st), DS_OK);
	assert_true(ds_addr_in_prefix(&st.hnp, &s->pool, 48));
	assert_int_equal(ds_ha_binding_count(s->ha), 1);
	const ds_ha_ue *u = ds_ha_find_ue(s->ha, NAI, "internet");
	assert_non_null(u);
	ds_ha_alloc al;
	ds_ha_ue_alloc(u, &al);
	assert_true(al.bound);
	assert_true(ds_addr_ip_eq(&al.hoa, &st.hoa));
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_established, 1);
	assert_true(ds_ike_get_counters(s->ike_ue)->children_created >= 1);
}

static void grab_info(void *ctx, const ds_ike_sa *sa)
{
	ds_ike_sa_info(sa, ctx);
}

static void grab_sa(void *ctx, const ds_ike_sa *sa)
{
	*(const ds_ike_sa **)ctx = sa;
}

/* handover to a new CoA; the HA moves its IKE SA (K=1) and a liveness check from
 * the new address succeeds without a new IKE_SA_INIT. */
static void handover_moves_ike_sa(void **state)
{
	stack *s = *state;
	attach(s);
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_IPV6;
	a.coa6 = s->coa6b;
	set_time(s);
	ds_ue_access_change(s->ue, &a, s->now);
	run(s, s->now + 5000);
	assert_int_equal(s->st, DS_UE_PDN_REGISTERED);
	uint64_t inits = ds_ike_get_counters(s->ike_ue)->sa_established;
	const ds_ha_ue *u = ds_ha_find_ue(s->ha, NAI, "internet");
	ds_ha_alloc al;
	ds_ha_ue_alloc(u, &al);
	assert_true(ds_addr_ip_eq(&al.coa, &s->coa6b));
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_established, inits);
	/* both IKE SAs now run between the new CoA and the HA */
	ds_ike_info hi, ui;
	memset(&hi, 0, sizeof hi);
	memset(&ui, 0, sizeof ui);
	ds_ike_foreach(s->ike_ha, grab_info, &hi);
	ds_ike_foreach(s->ike_ue, grab_info, &ui);
	assert_true(ds_addr_ip_eq(&hi.remote, &s->coa6b));
	assert_true(ds_addr_ip_eq(&ui.local, &s->coa6b));
	/* a liveness check from the new address succeeds (no timeout, no new IKE_SA_INIT) */
	const ds_ike_sa *usa = NULL;
	ds_ike_foreach(s->ike_ue, grab_sa, &usa);
	assert_non_null(usa);
	set_time(s);
	assert_int_equal(ds_ike_liveness((ds_ike_sa *)usa, s->now), DS_OK);
	run(s, s->now + 60000);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_timeouts, 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sas_current, 1);
}

/* R-40 [?] resolved: the IKE SA follows a change of address family (IPv6 CoA -> IPv4-only
 * access): both ends move, the UE's liveness check from IPv4 succeeds, no new IKE_SA_INIT. */
static void handover_to_ipv4_moves_ike_sa(void **state)
{
	stack *s = *state;
	ds_pdn_id pdn = attach(s);
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_IPV4;
	a.coa4 = s->coa4;
	set_time(s);
	ds_ue_access_change(s->ue, &a, s->now);
	run(s, s->now + 5000);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_REGISTERED);
	ds_ike_info hi, ui;
	memset(&hi, 0, sizeof hi);
	memset(&ui, 0, sizeof ui);
	ds_ike_foreach(s->ike_ha, grab_info, &hi);
	ds_ike_foreach(s->ike_ue, grab_info, &ui);
	assert_true(ds_addr_ip_eq(&hi.remote, &s->coa4));
	assert_true(ds_addr_ip_eq(&hi.local, &s->ha4));
	assert_true(ds_addr_ip_eq(&ui.local, &s->coa4));
	assert_true(ds_addr_ip_eq(&ui.remote, &s->ha4));
	const ds_ike_sa *usa = NULL;
	ds_ike_foreach(s->ike_ue, grab_sa, &usa);
	set_time(s);
	assert_int_equal(ds_ike_liveness((ds_ike_sa *)usa, s->now), DS_OK);
	run(s, s->now + 60000);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_timeouts, 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_established, 1);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_REGISTERED);
}

/* ..R-45 end to end: IPv4-only access behind a NAPT. IKE detects the NAT and
 * floats to UDP 4500; the BU in UDP 4191 reveals the NAT to the HA, which answers through the
 * mapping, forces UDP for data, and keeps the IKE SA on the NAT's public address. */
static void attach_behind_nat(void **state)
{
	stack *s = *state;
	s->nat = true;
	ds_pdn_id pdn = attach_on(s, true);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_REGISTERED);
	ds_ue_pdn_status st;
	ds_ue_pdn_status_get(s->ue, pdn, &st);
	assert_true(st.nat);
	assert_int_equal(st.tunnel, DS_UE_TUN_UDP4);
	assert_int_equal(ds_ha_counters_get(s->ha)->nat_detected, 1);
	const ds_ha_ue *u = ds_ha_find_ue(s->ha, NAI, "internet");
	ds_ha_alloc al;
	ds_ha_ue_alloc(u, &al);
	assert_int_equal(al.tunnel, DS_HA_TUN_UDP4);
	assert_true(ds_addr_ip_eq(&al.coa, &s->nat_pub));
	assert_int_equal(al.coa.port, 4191 + 10000);
	ds_ike_info hi;
	memset(&hi, 0, sizeof hi);
	ds_ike_foreach(s->ike_ha, grab_info, &hi);
	assert_true(hi.nat_remote);
	assert_true(ds_addr_ip_eq(&hi.remote, &s->nat_pub));
	assert_int_equal(hi.remote.port, 4500 + 10000);
	/* NAT keepalive: a refreshing BU at 110 s keeps the binding */
	run(s, s->now + 111000);
	ds_ue_pdn_status_get(s->ue, pdn, &st);
	assert_int_equal(st.state, DS_UE_PDN_REGISTERED);
	assert_true(ds_ha_counters_get(s->ha)->ba_status[0] >= 2);
	/* uplink data through the NAT reaches the PDN */
	uint8_t up[40] = { 0x60, 0, 0, 0, 0, 0, 59, 64 };
	memcpy(up + 8, st.hoa.ip, 16);
	up[24] = 0x20;
	int before = s->tun_ha;
	ds_ue_tun_input(s->ue, up, sizeof up, s->now);
	run(s, s->now + 10);
	assert_int_equal(s->tun_ha, before + 1);
}

/* R-50..R-52: detach, then the IKE Delete; the HA releases the PDN connection. */
static void detach_deletes_ike_sa(void **state)
{
	stack *s = *state;
	ds_pdn_id pdn = attach(s);
	set_time(s);
	assert_int_equal(ds_ue_pdn_detach(s->ue, pdn, s->now), DS_OK);
	run(s, s->now + 5000);
	assert_int_equal(s->st, DS_UE_PDN_DETACHED);
	assert_int_equal(ds_ha_binding_count(s->ha), 0);
	assert_int_equal(ds_ha_ue_count(s->ha), 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ha)->sas_current, 0);
}

/* R-53..R-55: network-initiated detach: BRI/BRA, then the HA deletes the IKE SA. */
static void revoke_over_ike(void **state)
{
	stack *s = *state;
	ds_pdn_id pdn = attach(s);
	set_time(s);
	assert_int_equal(ds_ha_revoke(s->ha, NAI, "internet", s->now), DS_OK);
	run(s, s->now + 5000);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_DETACHED);
	assert_int_equal(ds_ha_ue_count(s->ha), 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sas_current, 0);
}


/* the HA is full and redirects new UEs at IKE_SA_INIT; the UE restarts towards
 * the other HA (with REDIRECTED_FROM). */
static void overflow_redirect(void **state)
{
	stack *s = *state;
	ds_addr other;
	ds_addr_parse("2001:db8:2::1", &other);
	ds_ha_ike_glue_set_overflow(s->gh, &other, 0);
	ds_pdn_id pdn = attach(s);
	ds_ue_pdn_status st;
	ds_ue_pdn_status_get(s->ue, pdn, &st);
	assert_int_equal(st.state, DS_UE_PDN_IKE);
	assert_true(ds_addr_ip_eq(&st.ha6, &other));
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->redirects_received, 1);
	assert_int_equal(ds_ha_ue_count(s->ha), 0);
}

static ds_ike_sa *ue_sa(stack *s)
{
	const ds_ike_sa *usa = NULL;
	ds_ike_foreach(s->ike_ue, grab_sa, &usa);
	assert_non_null(usa);
	return (ds_ike_sa *)usa;
}

/* RFC 5555 cl. 5: the UE runs its IKE SA on UDP 4500 from IKE_AUTH on, also without a NAT. */
static void ike_on_4500_from_ike_auth(void **state)
{
	stack *s = *state;
	attach(s);
	ds_ike_info hi, ui;
	ds_ike_foreach(s->ike_ha, grab_info, &hi);
	ds_ike_foreach(s->ike_ue, grab_info, &ui);
	assert_int_equal(ui.local.port, DS_IKE_NATT_PORT);
	assert_int_equal(ui.remote.port, DS_IKE_NATT_PORT);
	assert_int_equal(hi.local.port, DS_IKE_NATT_PORT);
	assert_int_equal(hi.remote.port, DS_IKE_NATT_PORT);
	assert_false(hi.nat_remote);
}

/* RFC 5555 cl. 5.1, RFC 7296 cl. 2.23: an IKE SA set up over IPv6 follows the UE to an
 * IPv4 CoA behind a NAPT (BA with K=1). The UE's INFORMATIONAL leaves on 4500 with the non-ESP
 * marker through a NAT mapping the BU did not use; the HA answers through that mapping and
 * keeps it: later exchanges in both directions (UE liveness, then the HA's Delete after a
 * revocation) complete without a new IKE_SA_INIT. */
static void handover_into_nat_keeps_ike_sa(void **state)
{
	stack *s = *state;
	ds_pdn_id pdn = attach(s);
	s->nat = true;
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_IPV4;
	a.coa4 = s->coa4;
	set_time(s);
	ds_ue_access_change(s->ue, &a, s->now);
	run(s, s->now + 5000);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_REGISTERED);
	ds_ike_info hi, ui;
	ds_ike_foreach(s->ike_ha, grab_info, &hi);
	ds_ike_foreach(s->ike_ue, grab_info, &ui);
	assert_true(ds_addr_ip_eq(&ui.local, &s->coa4));
	assert_int_equal(ui.local.port, DS_IKE_NATT_PORT);
	assert_true(ds_addr_ip_eq(&hi.remote, &s->nat_pub));
	assert_int_equal(hi.remote.port, DS_IKE_NATT_PORT + 10000);   /* the IKE mapping */
	assert_true(ds_addr_ip_eq(&hi.local, &s->ha4));
	set_time(s);
	assert_int_equal(ds_ike_liveness(ue_sa(s), s->now), DS_OK);
	run(s, s->now + 60000);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_timeouts, 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_established, 1);
	/* an HA-initiated exchange reaches the UE through the mapping too */
	set_time(s);
	assert_int_equal(ds_ha_revoke(s->ha, NAI, "internet", s->now), DS_OK);
	run(s, s->now + 5000);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_DETACHED);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sas_current, 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ha)->sas_current, 0);
	assert_int_equal(ds_ha_ue_count(s->ha), 0);
}

/* RFC 7296 cl. 2.11 / 2.23 behind a NAT that rebinds: the HA's answer to the UE's
 * INFORMATIONAL is lost, the NAT then gives the UE a new public port, and the UE's
 * retransmission (same message ID) arrives from there. The HA answers the duplicate from its
 * cache to where it came from (not to the stale mapping), and its own next request (the Delete
 * after a revocation) uses the mapping of the last authenticated message. */
static void nat_rebinding_during_ike_exchange(void **state)
{
	stack *s = *state;
	s->nat = true;
	ds_pdn_id pdn = attach_on(s, true);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_REGISTERED);
	s->drop_ike_to_ue = 1;
	set_time(s);
	assert_int_equal(ds_ike_liveness(ue_sa(s), s->now), DS_OK);
	run(s, s->now + 100);             /* request answered, answer lost */
	s->nat_off = 20000;               /* the NAT rebinds */
	run(s, s->now + 60000);
	assert_true(ds_ike_get_counters(s->ike_ha)->rx_duplicates >= 1);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_timeouts, 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sas_current, 1);
	ds_ike_info hi;
	ds_ike_foreach(s->ike_ha, grab_info, &hi);
	/* the next authenticated message (the BU refresh has its own UDP 4191 mapping; here the
	 * UE's next liveness) moves the HA's IKE peer to the new mapping */
	set_time(s);
	assert_int_equal(ds_ike_liveness(ue_sa(s), s->now), DS_OK);
	run(s, s->now + 5000);
	ds_ike_foreach(s->ike_ha, grab_info, &hi);
	assert_int_equal(hi.remote.port, DS_IKE_NATT_PORT + 20000);
	set_time(s);
	assert_int_equal(ds_ha_revoke(s->ha, NAI, "internet", s->now), DS_OK);
	run(s, s->now + 60000);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_DETACHED);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sas_current, 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ha)->sas_current, 0);
}

/* RFC 6275 cl. 10.3.2 / 11.7.3: after the de-registration from the home link
 * (BA with K=1) both ends move the IKE SA to the HoA; a liveness check from home succeeds and
 * a detach at home reaches the HA, which releases everything. */
static void return_home_moves_ike_sa_to_hoa(void **state)
{
	stack *s = *state;
	ds_pdn_id pdn = attach(s);
	ds_ue_pdn_status st;
	ds_ue_pdn_status_get(s->ue, pdn, &st);
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_HOME;
	a.link_prefix[0] = st.hnp;
	a.link_prefix[0].plen = 64;
	a.n_link_prefix = 1;
	a.coa6 = st.hoa;
	a.coa6.plen = 0;
	set_time(s);
	ds_ue_access_change(s->ue, &a, s->now);
	run(s, s->now + 5000);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_AT_HOME);
	ds_ike_info hi, ui;
	ds_ike_foreach(s->ike_ha, grab_info, &hi);
	ds_ike_foreach(s->ike_ue, grab_info, &ui);
	assert_true(ds_addr_ip_eq(&ui.local, &st.hoa));
	assert_true(ds_addr_ip_eq(&hi.remote, &st.hoa));
	set_time(s);
	assert_int_equal(ds_ike_liveness(ue_sa(s), s->now), DS_OK);
	run(s, s->now + 60000);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sa_timeouts, 0);
	set_time(s);
	assert_int_equal(ds_ue_pdn_detach(s->ue, pdn, s->now), DS_OK);
	run(s, s->now + 5000);
	assert_int_equal(ds_ue_pdn_state_of(s->ue, pdn), DS_UE_PDN_DETACHED);
	assert_int_equal(ds_ha_ue_count(s->ha), 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ha)->sas_current, 0);
	assert_int_equal(ds_ike_get_counters(s->ike_ha)->sa_timeouts, 0);
}

/* RFC 5685 cl. 5: after acknowledging a redirect during an active session the UE deletes its
 * IKE SA with the old HA, which then releases the PDN connection. */
static void active_redirect_deletes_old_sa(void **state)
{
	stack *s = *state;
	ds_pdn_id pdn = attach(s);
	ds_addr other;
	ds_addr_parse("2001:db8:2::1", &other);
	set_time(s);
	assert_int_equal(ds_ha_redirect(s->ha, NAI, "internet", &other, s->now), DS_OK);
	run(s, s->now + 5000);
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->redirects_received, 1);
	ds_ue_pdn_status st;
	ds_ue_pdn_status_get(s->ue, pdn, &st);
	assert_int_equal(st.state, DS_UE_PDN_IKE);   /* bootstrapping towards the new HA */
	assert_true(ds_addr_ip_eq(&st.ha6, &other));
	assert_int_equal(ds_ike_get_counters(s->ike_ha)->sas_current, 0);
	assert_int_equal(ds_ha_ue_count(s->ha), 0);
	/* the UE keeps only the new, half-open SA */
	assert_int_equal(ds_ike_get_counters(s->ike_ue)->sas_current, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(full_attach_over_ike, setup, teardown),
		cmocka_unit_test_setup_teardown(attach_from_ipv4_access, setup, teardown),
		cmocka_unit_test_setup_teardown(attach_behind_nat, setup, teardown),
		cmocka_unit_test_setup_teardown(handover_moves_ike_sa, setup, teardown),
		cmocka_unit_test_setup_teardown(handover_to_ipv4_moves_ike_sa, setup, teardown),
		cmocka_unit_test_setup_teardown(detach_deletes_ike_sa, setup, teardown),
		cmocka_unit_test_setup_teardown(revoke_over_ike, setup, teardown),
		cmocka_unit_test_setup_teardown(overflow_redirect, setup, teardown),
		cmocka_unit_test_setup_teardown(ike_on_4500_from_ike_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(handover_into_nat_keeps_ike_sa, setup, teardown),
		cmocka_unit_test_setup_teardown(return_home_moves_ike_sa_to_hoa, setup, teardown),
		cmocka_unit_test_setup_teardown(active_redirect_deletes_old_sa, setup, teardown),
		cmocka_unit_test_setup_teardown(nat_rebinding_during_ike_exchange, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
