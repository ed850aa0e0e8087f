/* UE <-> HA in-process exchanges for every mobility procedure, with real wire bytes and real
 * ESP (fixed-key SA pairs stand in for the IKE exchange). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/csum.h"
#include "core/err.h"
#include "engine_world.h"
#include "mip/mh.h"
#include "mip/sig.h"

static int setup(void **state)
{
	world *w = w_new();
	assert_non_null(w->ue);
	assert_non_null(w->ha);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	w_free(*state);
	return 0;
}

/* A.2 BU from an IPv6 CoA, BA, tunnel up. */
static void initial_registration_ipv6(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access6(&W_COA6);
	assert_int_equal(ds_ue_access_change(w->ue, &a, w->now), DS_OK);
	w_q_clear(&w->ue_log);
	ds_pdn_id pdn = w_attach(w, "internet", false, NULL);
	assert_int_not_equal(pdn, 0);
	assert_int_equal(w->ue_ike[DS_UE_IKE_START], 1);
	/* the BU on the wire: IPv6(CoA -> HA) / DO[HAO] / ESP / MH BU with the A.2 flags */
	const w_pkt *k = &w->ue_log.v[0];
	assert_int_equal(k->p.kind, DS_PKT_IP);
	assert_true(ds_addr_ip_eq(&k->p.src, &W_COA6));
	ds_mh_msg bu;
	bool hao = false;
	assert_int_equal(w_sniff_bu(w, k, &bu, &hao), DS_OK);
	assert_true(hao);
	assert_int_equal(bu.type, DS_MH_BU);
	assert_int_equal(bu.bu_flags & (DS_BU_A | DS_BU_H | DS_BU_K | DS_BU_R | DS_BU_O),
			 DS_BU_A | DS_BU_H | DS_BU_K | DS_BU_R | DS_BU_O);
	assert_int_equal(bu.bu_flags & (DS_BU_F | DS_BU_L | DS_BU_M | DS_BU_P | DS_BU_T), 0);
	assert_int_equal(bu.lifetime, 900);
	assert_true(bu.has_alt_coa);
	assert_memory_equal(bu.alt_coa, W_COA6.ip, 16);
	assert_false(bu.ipv4_hoa.present);
	/* BA accepted: registered, IPv6 tunnel, binding at the HA */
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	assert_int_equal(w->tun, DS_UE_TUN_IP6);
	const ds_ha_counters *hc = ds_ha_counters_get(w->ha);
	assert_int_equal(hc->ba_status[0], 1);
	assert_int_equal(ds_ha_binding_count(w->ha), 1);
	assert_int_equal(w->ha_bind[DS_HA_BIND_ADDED], 1);
	ds_ue_pdn_status s;
	assert_int_equal(ds_ue_pdn_status_get(w->ue, pdn, &s), DS_OK);
	assert_int_equal(s.granted_lifetime_s, 3600);
	/* the Binding Refresh Advice (450 units = 1800 s) sets the re-registration time */
	assert_int_equal(s.refresh_at, w->now + 1800 * 1000);
	assert_true(ds_addr_in_prefix(&s.hoa, &w->hnp, 64));
	const ds_ha_ue *u = ds_ha_find_hoa(w->ha, &s.hoa);
	assert_non_null(u);
	ds_ha_alloc al;
	ds_ha_ue_alloc(u, &al);
	assert_true(al.bound);
	assert_true(ds_addr_ip_eq(&al.coa, &W_COA6));
	assert_int_equal(al.tunnel, DS_HA_TUN_IP6);
	/* data plane both ways: IPv6-in-IPv6 */
	uint8_t ip6[60] = { 0x60, 0, 0, 0, 0, 20, 59, 64 };
	memcpy(ip6 + 8, s.hoa.ip, 16);
	ip6[24] = 0x20;
	ip6[25] = 0x01;
	ip6[39] = 0x99;   /* CN */
	ds_ue_tun_input(w->ue, ip6, sizeof ip6, w->now);
	w_pump(w);
	assert_int_equal(w->ha_tun.n, 1);
	assert_memory_equal(w->ha_tun.v[0].data, ip6, sizeof ip6);
	uint8_t down[60];
	memcpy(down, ip6, sizeof down);
	memcpy(down + 8, ip6 + 24, 16);
	memcpy(down + 24, s.hoa.ip, 16);
	down[39] = 0x77;   /* any address of the HNP is routed to the UE (implicit mode) */
	ds_ha_tun_input(w->ha, down, sizeof down, w->now);
	assert_int_equal(w->from_ha.n, 1);
	assert_int_equal(w->from_ha.v[0].p.data[6], 41);
	w_pump(w);
	assert_int_equal(w->ue_tun.n, 1);
	assert_memory_equal(w->ue_tun.v[0].data, down, sizeof down);
}

/* IPv4 HoA requested with 0.0.0.0, allocated and configured. */
static void ipv4_hoa_allocation(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access6(&W_COA6);
	ds_ue_access_change(w->ue, &a, w->now);
	w_q_clear(&w->ue_log);
	ds_pdn_id pdn = w_attach(w, "internet", true, NULL);
	ds_mh_msg bu;
	assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &bu, NULL), DS_OK);
	assert_true(bu.ipv4_hoa.present);
	assert_int_equal(bu.ipv4_hoa.plen, 32);
	assert_false(bu.ipv4_hoa.p);
	assert_memory_equal(bu.ipv4_hoa.addr, ((uint8_t[]){ 0, 0, 0, 0 }), 4);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, pdn, &s);
	assert_int_equal(s.hoa4.family, DS_AF_INET);
	assert_int_equal(s.hoa4.ip[0], 10);
	assert_int_equal(s.hoa4.ip[1], 45);
	assert_true(ds_addr_ip_eq(&w->hoa4, &s.hoa4));
	assert_non_null(ds_ha_find_hoa4(w->ha, &s.hoa4));
	assert_int_equal(ds_ha_counters_get(w->ha)->ipv4_ack_status[0], 1);
	/* IPv4 data to the HoA goes IPv4-in-IPv6 */
	uint8_t ip4[28] = { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 198, 51, 100, 9 };
	memcpy(ip4 + 16, s.hoa4.ip, 4);
	ds_ha_tun_input(w->ha, ip4, sizeof ip4, w->now);
	assert_int_equal(w->from_ha.n, 1);
	assert_int_equal(w->from_ha.v[0].p.data[6], 4);
	w_pump(w);
	assert_int_equal(w->ue_tun.n, 1);
	/* re-registration without the option releases the IPv4 HoA (A.3, R-47) only when the UE
	 * stops asking; here it keeps it: the refresh carries the registered address */
	w_q_clear(&w->ue_log);
	w_run_until(w, s.refresh_at);
	assert_true(w->ue_log.n >= 1);
	assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &bu, NULL), DS_OK);
	assert_int_equal(bu.bu_flags & DS_BU_O, 0);    /* A.3: O=0 */
	assert_true(bu.bu_flags & DS_BU_R);
	assert_true(bu.ipv4_hoa.present);
	assert_memory_equal(bu.ipv4_hoa.addr, s.hoa4.ip, 4);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	assert_non_null(ds_ha_find_hoa4(w->ha, &s.hoa4));
}

/* first registration ladder 1.5, 3, 6, 12, 24, 32 s, a new sequence number each time. */
static void retransmission_ladder(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access6(&W_COA6);
	ds_ue_access_change(w->ue, &a, w->now);
	w->drop_ue = true;
	ds_time t0 = w->now;
	w_q_clear(&w->ue_log);
	assert_int_not_equal(w_attach(w, "internet", false, NULL), 0);
	w_run_until(w, t0 + 200000);
	/* 1 + 8 retransmissions, then failure */
	assert_int_equal(w->ue_log.n, 9);
	const ds_time gaps[] = { 1500, 3000, 6000, 12000, 24000, 32000, 32000, 32000 };
	uint16_t prev = 0;
	for (size_t i = 0; i < w->ue_log.n; i++) {
		ds_mh_msg bu;
		assert_int_equal(w_sniff_bu(w, &w->ue_log.v[i], &bu, NULL), DS_OK);
		if (i > 0) {
			assert_int_equal(w->ue_log.v[i].t - w->ue_log.v[i - 1].t, gaps[i - 1]);
			assert_int_equal((uint16_t)(prev + 1), bu.seq);
		}
		prev = bu.seq;
	}
	assert_int_equal(w->st, DS_UE_PDN_FAILED);
	assert_int_equal(w->st_ev, DS_UE_EV_TIMEOUT);
	assert_int_equal(ds_ue_counters_get(w->ue)->bu_retransmitted, 8);
	/* a failed PDN connection does not keep its IKE SA (and the HA's allocation) alive */
	assert_int_equal(w->ue_ike[DS_UE_IKE_DELETE], 1);
	assert_int_equal(w->hoa.family, DS_AF_NONE);
}

/* 135 from the HA, resynchronised on its number and accepted at the next try. */
static void seq_135_resync(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access6(&W_COA6);
	ds_ue_access_change(w->ue, &a, w->now);
	/* the HA remembers a binding with a sequence number ahead of the UE's */
	ds_ha_alloc al;
	memset(&al, 0, sizeof al);
	strcpy(al.nai, W_NAI);
	strcpy(al.apn, "internet");
	ds_addr_parse("2001:db8:1000:77::/64", &al.hnp);
	al.bound = true;
	al.hoa = al.hnp;
	al.hoa.plen = 0;
	al.hoa.ip[14] = 0x12;
	al.hoa.ip[15] = 0x34;
	al.coa = W_COA6B;
	al.tunnel = DS_HA_TUN_IP6;
	al.last_seq = (uint16_t)(7919 + 1000);
	al.expires = w->now + 100000;
	assert_int_equal(ds_ha_restore(w->ha, &al, w->now), DS_OK);
	ds_pdn_id pdn = w_attach(w, "internet", false, NULL);
	assert_true(ds_addr_ip_eq(&w->hnp, &al.hnp));   /* the same HNP after the restart */
	assert_int_equal(ds_ha_counters_get(w->ha)->ba_status[135], 1);
	assert_int_equal(ds_ha_counters_get(w->ha)->ba_status[0], 1);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, pdn, &s);
	assert_int_equal(s.last_seq, (uint16_t)(al.last_seq + 1));
}

/* Sequence numbers wrap modulo 2^16 on both sides (RFC 6275 cl. 9.5.1). */
static void seq_wraps(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access6(&W_COA6);
	ds_ue_access_change(w->ue, &a, w->now);
	w->set_seq = true;
	w->seq0 = 65534;
	w_q_clear(&w->ue_log);
	ds_pdn_id pdn = w_attach(w, "internet", false, NULL);
	ds_mh_msg bu;
	assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &bu, NULL), DS_OK);
	assert_int_equal(bu.seq, 65535);
	const uint16_t want[] = { 0, 1 };
	for (int i = 0; i < 2; i++) {
		ds_ue_pdn_status s;
		ds_ue_pdn_status_get(w->ue, pdn, &s);
		w_q_clear(&w->ue_log);
		w_run_until(w, s.refresh_at);
		assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &bu, NULL), DS_OK);
		assert_int_equal(bu.seq, want[i]);
		assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	}
	assert_int_equal(ds_ha_counters_get(w->ha)->ba_status[0], 3);
	assert_int_equal(ds_ha_counters_get(w->ha)->ba_status[135], 0);
}


static void attach6(world *w, bool v4)
{
	ds_ue_access a = w_access6(&W_COA6);
	ds_ue_access_change(w->ue, &a, w->now);
	assert_int_not_equal(w_attach(w, "internet", v4, NULL), 0);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
}

/* foreign -> foreign with a new IPv6 CoA; K=1 moves the IKE SA on both sides. */
static void handover_ipv6_to_ipv6(void **state)
{
	world *w = *state;
	attach6(w, false);
	w_q_clear(&w->ue_log);
	ds_ue_access a = w_access6(&W_COA6B);
	ds_ue_access_change(w->ue, &a, w->now);
	w_pump(w);
	ds_mh_msg bu;
	assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &bu, NULL), DS_OK);
	assert_true(bu.has_alt_coa);
	assert_memory_equal(bu.alt_coa, W_COA6B.ip, 16);
	assert_true(bu.bu_flags & DS_BU_O);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	assert_int_equal(w->ha_ike[DS_HA_IKE_MOVE], 1);
	assert_true(ds_addr_ip_eq(&w->ha_ike_addr, &W_COA6B));
	assert_int_equal(w->ue_ike[DS_UE_IKE_MOVE], 1);
	assert_true(ds_addr_ip_eq(&w->ue_ike_local, &W_COA6B));
	assert_int_equal(w->ha_bind[DS_HA_BIND_UPDATED], 1);
	/* downlink now goes to the new CoA */
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	uint8_t down[40] = { 0x60, 0, 0, 0, 0, 0, 59, 64 };
	down[8] = 0x20;
	memcpy(down + 24, s.hoa.ip, 16);
	ds_ha_tun_input(w->ha, down, sizeof down, w->now);
	assert_int_equal(w->from_ha.n, 1);
	assert_true(ds_addr_ip_eq(&w->from_ha.v[0].p.dst, &W_COA6B));
}

/* IPv6 -> IPv4-only access behind a NAT. */
static void handover_to_ipv4_behind_nat(void **state)
{
	world *w = *state;
	attach6(w, true);
	w->nat = true;
	w_q_clear(&w->ue_log);
	ds_ue_access a = w_access4(&W_COA4);
	ds_ue_access_change(w->ue, &a, w->now);
	/* the BU goes in UDP 4191 to the HA's IPv4 address, inner IPv6 HoA -> HA, no HAO */
	const w_pkt *k = &w->ue_log.v[0];
	assert_int_equal(k->p.kind, DS_PKT_UDP);
	assert_int_equal(k->p.dst.port, 4191);
	assert_true(ds_addr_ip_eq(&k->p.dst, &W_HA4));
	ds_mh_msg bu;
	bool hao = true;
	assert_int_equal(w_sniff_bu(w, k, &bu, &hao), DS_OK);
	assert_false(hao);
	assert_true(bu.has_ipv4_coa);
	assert_memory_equal(bu.ipv4_coa, W_COA4.ip, 4);
	assert_false(bu.has_alt_coa);
	assert_int_equal(bu.bu_flags & DS_BU_F, 0);
	assert_true(bu.ipv4_hoa.present);   /* keeps the IPv4 HoA */
	w_pump(w);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	assert_int_equal(w->tun, DS_UE_TUN_UDP4);
	assert_int_equal(ds_ha_counters_get(w->ha)->nat_detected, 1);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	assert_true(s.nat);
	/* NAT keepalive by refreshing BU at NATKATIMEOUT (110 s) */
	assert_int_equal(s.refresh_at, w->now + 110000);
	const ds_ha_ue *u = ds_ha_find_hoa(w->ha, &s.hoa);
	ds_ha_alloc al;
	ds_ha_ue_alloc(u, &al);
	assert_int_equal(al.tunnel, DS_HA_TUN_UDP4);
	assert_true(ds_addr_eq(&al.coa, &w->nat_pub));   /* NAT mapping kept */
	assert_true(ds_addr_ip_eq(&w->ha_ike_addr, &w->nat_pub));
	/* uplink: UDP 4191 with the inner packet, no TLV header */
	uint8_t up[40] = { 0x60, 0, 0, 0, 0, 0, 59, 64 };
	memcpy(up + 8, s.hoa.ip, 16);
	up[24] = 0x20;
	w_q_clear(&w->ue_log);
	ds_ue_tun_input(w->ue, up, sizeof up, w->now);
	assert_int_equal(w->ue_log.v[0].p.kind, DS_PKT_UDP);
	assert_int_equal(w->ue_log.v[0].p.len, sizeof up);
	w_pump(w);
	assert_int_equal(w->ha_tun.n, 1);
	/* downlink to the NAT's public address and port */
	uint8_t down[40] = { 0x60, 0, 0, 0, 0, 0, 59, 64 };
	down[8] = 0x20;
	memcpy(down + 24, s.hoa.ip, 16);
	ds_ha_tun_input(w->ha, down, sizeof down, w->now);
	assert_int_equal(w->from_ha.v[0].p.kind, DS_PKT_UDP);
	assert_true(ds_addr_eq(&w->from_ha.v[0].p.dst, &w->nat_pub));
	w_pump(w);
	assert_int_equal(w->ue_tun.n, 1);
	/* a packet from another source port is refused (spoofed injection) */
	ds_pkt fake = { .kind = DS_PKT_UDP, .src = w->nat_pub, .dst = W_HA4, .data = up,
			.len = sizeof up };
	fake.src.port = 40001;
	fake.dst.port = 4191;
	ds_ha_input(w->ha, &fake, w->now);
	assert_int_equal(ds_ha_counters_get(w->ha)->drop[DS_HA_DROP_TUN_SPOOF], 1);
}

/* IPv4 CoA without a NAT: protocol 41 tunnel, no UDP. */
static void ipv4_access_without_nat(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access4(&W_COA4);
	ds_ue_access_change(w->ue, &a, w->now);
	assert_int_not_equal(w_attach(w, "internet", false, NULL), 0);
	assert_int_equal(w->ue_ike[DS_UE_IKE_START], 1);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	assert_int_equal(w->tun, DS_UE_TUN_IP4);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	assert_false(s.nat);
	uint8_t up[40] = { 0x60, 0, 0, 0, 0, 0, 59, 64 };
	memcpy(up + 8, s.hoa.ip, 16);
	w_q_clear(&w->ue_log);
	ds_ue_tun_input(w->ue, up, sizeof up, w->now);
	assert_int_equal(w->ue_log.v[0].p.kind, DS_PKT_IP);
	assert_int_equal(w->ue_log.v[0].p.data[9], 41);
	w_pump(w);
	assert_int_equal(w->ha_tun.n, 1);
}

/* foreign -> home: lifetime 0 from the HoA, binding gone, HNP kept. */
static void return_home(void **state)
{
	world *w = *state;
	attach6(w, true);
	w_q_clear(&w->ue_log);
	int moves_ue = w->ue_ike[DS_UE_IKE_MOVE], moves_ha = w->ha_ike[DS_HA_IKE_MOVE];
	ds_ue_access a = w_access_home(&w->hnp);
	ds_ue_access_change(w->ue, &a, w->now);
	const w_pkt *k = &w->ue_log.v[0];
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	assert_true(ds_addr_ip_eq(&k->p.src, &s.hoa));   /* source = HoA, no HAO */
	ds_mh_msg bu;
	bool hao = true;
	assert_int_equal(w_sniff_bu(w, k, &bu, &hao), DS_OK);
	assert_false(hao);
	assert_int_equal(bu.lifetime, 0);
	assert_true(bu.bu_flags & DS_BU_H);
	assert_true(bu.bu_flags & DS_BU_A);
	assert_true(bu.ipv4_hoa.present);
	w_pump(w);
	assert_int_equal(w->st, DS_UE_PDN_AT_HOME);
	assert_int_equal(w->tun, DS_UE_TUN_NONE);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	assert_int_equal(w->ha_bind[DS_HA_BIND_DEREG_HOME], 1);
	/* HNP and IPv4 HoA stay with the PDN connection */
	assert_non_null(ds_ha_find_hoa(w->ha, &s.hoa));
	assert_non_null(ds_ha_find_hoa4(w->ha, &s.hoa4));
	assert_int_equal(w->ue_ike[DS_UE_IKE_DELETE], 0);   /* IKE SA kept */
	/* RFC 6275 cl. 10.3.2 / 11.7.3, K=1 in both: the HoA is the new endpoint of the IKE SA
	 * on both sides, so IKE (and a detach) keeps working from the home link */
	assert_true(bu.bu_flags & DS_BU_K);
	assert_true(ds_addr_ip_eq(&w->ue_ike_local, &s.hoa));
	assert_true(ds_addr_ip_eq(&w->ha_ike_addr, &s.hoa));
	assert_int_equal(w->ue_ike[DS_UE_IKE_MOVE], moves_ue + 1);
	assert_int_equal(w->ha_ike[DS_HA_IKE_MOVE], moves_ha + 1);
	/* and out again: home -> foreign registers with A.2 flags */
	ds_ue_access f = w_access6(&W_COA6B);
	ds_ue_access_change(w->ue, &f, w->now + 2000);
	w->now += 2000;
	w_pump(w);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
}

/* the BA to the home de-registration is lost; the retransmission (a new sequence
 * number, R-31) finds no binding and gets 133, which the UE takes as "home"; the IKE SA still
 * follows it to the HoA, where the HA has moved its end on the first copy. */
static void return_home_ba_lost(void **state)
{
	world *w = *state;
	attach6(w, false);
	int moves_ue = w->ue_ike[DS_UE_IKE_MOVE], moves_ha = w->ha_ike[DS_HA_IKE_MOVE];
	ds_ue_access a = w_access_home(&w->hnp);
	w->drop_ha = true;
	ds_ue_access_change(w->ue, &a, w->now);
	w_pump(w);
	w->drop_ha = false;
	assert_int_equal(w->st, DS_UE_PDN_RETURNING_HOME);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	assert_int_equal(w->ha_ike[DS_HA_IKE_MOVE], moves_ha + 1);
	w_run_until(w, w->now + 5000);
	assert_int_equal(w->st, DS_UE_PDN_AT_HOME);
	assert_int_equal(ds_ue_counters_get(w->ue)->ba_status[DS_BA_NOT_HA_FOR_MN], 1);
	assert_int_equal(w->ue_ike[DS_UE_IKE_MOVE], moves_ue + 1);
	assert_true(ds_addr_ip_eq(&w->ue_ike_local, &w->ha_ike_addr));
	assert_int_equal(w->ue_ike[DS_UE_IKE_DELETE], 0);
}

/* UE-initiated detach: lifetime 0 BU, BA, then IKE Delete. */
static void ue_detach(void **state)
{
	world *w = *state;
	attach6(w, true);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	w_q_clear(&w->ue_log);
	assert_int_equal(ds_ue_pdn_detach(w->ue, w->pdn, w->now), DS_OK);
	ds_mh_msg bu;
	assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &bu, NULL), DS_OK);
	assert_int_equal(bu.lifetime, 0);
	assert_int_equal(bu.bu_flags & (DS_BU_A | DS_BU_H | DS_BU_K), DS_BU_A | DS_BU_H | DS_BU_K);
	assert_true(bu.has_alt_coa);
	w_pump(w);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(w->ue_ike[DS_UE_IKE_DELETE], 1);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	assert_int_equal(w->ha_bind[DS_HA_BIND_DETACHED], 1);
	assert_null(ds_ha_find_hoa4(w->ha, &s.hoa4));   /* IPv4 HoA released */
	/* the IKE Delete reaches the HA: the PDN connection and its HNP are gone */
	assert_int_equal(ds_ha_ike_down(w->ha, w->ike_ha, w->now), DS_OK);
	assert_null(ds_ha_find_hoa(w->ha, &s.hoa));
	assert_int_equal(ds_ha_ue_count(w->ha), 0);
	assert_int_equal(w->persist_gone, 1);
	assert_int_equal(ds_ue_pdn_remove(w->ue, w->pdn), DS_OK);
}

/* network-initiated detach with BRI/BRA, then IKE Delete by the HA. */
static void network_detach(void **state)
{
	world *w = *state;
	attach6(w, false);
	assert_int_equal(ds_ha_revoke(w->ha, W_NAI, "internet", w->now), DS_OK);
	assert_int_equal(w->from_ha.n, 1);
	/* BRI: IPv6(HA -> CoA) / RH2[HoA] / ESP */
	ds_ip6_view v;
	assert_int_equal(ds_ip6_parse(w->from_ha.v[0].data, w->from_ha.v[0].p.len, &v), DS_OK);
	assert_true(v.has_rh2);
	assert_int_equal(v.proto, 50);
	w_pump(w);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(w->n_revoked, 1);
	assert_int_equal(ds_ue_counters_get(w->ue)->bra_sent, 1);
	const ds_ha_counters *c = ds_ha_counters_get(w->ha);
	assert_int_equal(c->bra_received, 1);
	assert_int_equal(w->ha_ike[DS_HA_IKE_DELETE], 1);
	assert_int_equal(w->ha_bind[DS_HA_BIND_REVOKED], 1);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	assert_int_equal(w->tun, DS_UE_TUN_NONE);
}

/* BRI retransmitted with a doubling timeout, then the HA gives up and deletes. */
static void bri_retransmission(void **state)
{
	world *w = *state;
	attach6(w, false);
	w->drop_ha = true;
	ds_time t0 = w->now;
	ds_ha_revoke(w->ha, W_NAI, "internet", w->now);
	w_run_until(w, t0 + 60000);
	const ds_ha_counters *c = ds_ha_counters_get(w->ha);
	assert_int_equal(c->bri_sent, 4);
	assert_int_equal(c->bri_retransmitted, 3);
	assert_int_equal(c->bri_timeouts, 1);
	assert_int_equal(w->ha_ike[DS_HA_IKE_DELETE], 1);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
}

/* a bare IKE Delete is a detach for the UE. */
static void bare_ike_delete(void **state)
{
	world *w = *state;
	attach6(w, false);
	assert_int_equal(ds_ue_ike_deleted(w->ue, w->pdn, w->now), DS_OK);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(w->n_revoked, 1);
	assert_int_equal(w->hoa.family, DS_AF_NONE);
}

/* a HoA from another UE's HNP gets 133 and the UE reports the failure. */
static void bu_for_foreign_hnp_gets_133(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access6(&W_COA6);
	ds_ue_access_change(w->ue, &a, w->now);
	ds_addr other;
	assert_int_equal(ds_ha_assign_hnp(w->ha, "other@nai", "internet", &other, NULL), DS_OK);
	w_attach(w, "internet", false, &other);
	assert_int_equal(ds_ha_counters_get(w->ha)->ba_status[133], 1);
	assert_int_equal(w->st, DS_UE_PDN_FAILED);
	assert_int_equal(w->st_ev, DS_UE_EV_BA_REJECTED);
	assert_int_equal(w->st_status, 133);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
}

/* a HoA outside the HA's prefixes gets 132 (not home subnet). */
static void bu_outside_pool_gets_132(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access6(&W_COA6);
	ds_ue_access_change(w->ue, &a, w->now);
	ds_addr bad;
	ds_addr_parse("2001:db8:9999:1::/64", &bad);
	w_attach(w, "internet", false, &bad);
	assert_int_equal(ds_ha_counters_get(w->ha)->ba_status[132], 1);
	assert_int_equal(w->st_status, 132);
}

/* RFC 4877 cl. 4.4: a BU without ESP is dropped and counted; no BA. Unknown MH type: BE. */
static void unprotected_bu_dropped(void **state)
{
	world *w = *state;
	attach6(w, false);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	ds_mh_msg bu = { .type = DS_MH_BU, .seq = 999, .bu_flags = DS_BU_A | DS_BU_H,
			 .lifetime = 10 };
	uint8_t mh[64], pkt[256];
	size_t ml, n;
	assert_int_equal(ds_mh_encode(&bu, s.hoa.ip, W_HA6.ip, mh, sizeof mh, &ml), DS_OK);
	assert_int_equal(ds_sig_build(W_COA6.ip, W_HA6.ip, s.hoa.ip, NULL, NULL, mh, ml, pkt,
				      sizeof pkt, &n), DS_OK);
	ds_pkt p = { .kind = DS_PKT_IP, .src = W_COA6, .dst = W_HA6, .data = pkt, .len = n };
	w_q_clear(&w->from_ha);
	ds_ha_input(w->ha, &p, w->now);
	assert_int_equal(w->from_ha.n, 0);
	assert_int_equal(ds_ha_counters_get(w->ha)->drop[DS_HA_DROP_UNPROTECTED], 1);
	/* an unprotected MH of unknown type 11 is dropped too, without a Binding Error (the
	 * protected case is in test_mip_conformance.c) */
	mh[2] = 11;
	mh[4] = mh[5] = 0;
	uint16_t ck = ds_csum_ipv6(s.hoa.ip, W_HA6.ip, 135, mh, ml);
	mh[4] = (uint8_t)(ck >> 8);
	mh[5] = (uint8_t)ck;
	ds_sig_build(W_COA6.ip, W_HA6.ip, s.hoa.ip, NULL, NULL, mh, ml, pkt, sizeof pkt, &n);
	p.len = n;
	ds_ha_input(w->ha, &p, w->now);
	assert_int_equal(ds_ha_counters_get(w->ha)->be_sent, 0);
	assert_int_equal(w->from_ha.n, 0);
	assert_int_equal(ds_ha_counters_get(w->ha)->drop[DS_HA_DROP_UNPROTECTED], 2);
	/* a tampered ESP packet is dropped by the ICV check */
	w_q_clear(&w->ue_log);
	w_q_clear(&w->from_ue);
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	w->drop_ue = true;
	w_run_until(w, s.refresh_at);
	w->drop_ue = false;
	w_pkt k = w->ue_log.v[0];
	k.p.data = k.data;
	k.data[k.p.len - 1] ^= 0x80;
	ds_ha_input(w->ha, &k.p, w->now);
	assert_int_equal(ds_ha_counters_get(w->ha)->drop[DS_HA_DROP_ESP], 1);
	/* unprotected BRI to the UE is dropped */
	ds_mh_msg bri = { .type = DS_MH_BR, .br_type = DS_BR_BRI, .status = 1, .seq = 5 };
	ds_mh_encode(&bri, W_HA6.ip, s.hoa.ip, mh, sizeof mh, &ml);
	ds_sig_build(W_HA6.ip, W_COA6.ip, NULL, s.hoa.ip, NULL, mh, ml, pkt, sizeof pkt, &n);
	ds_pkt q = { .kind = DS_PKT_IP, .src = W_HA6, .dst = W_COA6, .data = pkt, .len = n };
	ds_ue_input(w->ue, &q, w->now);
	assert_int_equal(ds_ue_counters_get(w->ue)->bri_unprotected, 1);
	assert_int_equal(w->n_revoked, 0);
}

/* RFC 6275 cl. 11.8: at most 3 BUs per second to one HA. */
static void bu_rate_limit(void **state)
{
	world *w = *state;
	attach6(w, false);   /* one BU at t0 */
	ds_ue_access a6 = w_access6(&W_COA6B), b6 = w_access6(&W_COA6);
	w_q_clear(&w->ue_log);
	ds_time t0 = w->now;
	ds_ue_access_change(w->ue, &a6, w->now);
	w_pump(w);
	ds_ue_access_change(w->ue, &b6, w->now);
	w_pump(w);
	/* a fourth BU inside the same second waits */
	ds_ue_access_change(w->ue, &a6, w->now);
	w_pump(w);
	assert_int_equal(w->ue_log.n, 2);
	assert_int_equal(ds_ue_counters_get(w->ue)->bu_rate_limited, 1);
	w_run_until(w, t0 + 1000);
	assert_int_equal(w->ue_log.n, 3);
	assert_int_equal(w->ue_log.v[2].t, t0 + 1000);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
}

/* MAX_UPDATE_RATE is per HA: two PDN connections served by one HA share the budget. */
static void bu_rate_limit_shared_per_ha(void **state)
{
	world *w = *state;
	attach6(w, false);
	assert_int_not_equal(w_attach(w, "ims", false, NULL), 0);
	w_run_until(w, w->now + 1500);
	ds_ue_access a6 = w_access6(&W_COA6B), b6 = w_access6(&W_COA6);
	w_q_clear(&w->ue_log);
	ds_ue_access_change(w->ue, &a6, w->now);   /* two BUs, one per PDN connection */
	w_pump(w);
	ds_ue_access_change(w->ue, &b6, w->now);   /* the third goes, the fourth waits */
	w_pump(w);
	assert_int_equal(w->ue_log.n, 3);
	assert_int_equal(ds_ue_counters_get(w->ue)->bu_rate_limited, 1);
}

/* the HA removes an expired binding and releases the PDN connection. */
static void binding_expiry(void **state)
{
	world *w = *state;
	attach6(w, true);
	w->drop_ue = true;   /* the UE falls silent */
	w_run_until(w, w->now + 3600 * 1000 + 1);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	assert_int_equal(ds_ha_counters_get(w->ha)->bindings_expired, 1);
	assert_int_equal(w->ha_ike[DS_HA_IKE_DELETE], 1);
}

/* two PDN connections, independent bindings; detaching one keeps the other. */
static void two_pdn_connections(void **state)
{
	world *w = *state;
	attach6(w, false);
	ds_pdn_id p1 = w->pdn;
	ds_addr h1 = w->hnp;
	ds_pdn_id p2 = w_attach(w, "ims", false, NULL);
	assert_int_not_equal(p2, 0);
	assert_false(ds_addr_ip_eq(&h1, &w->hnp));
	assert_int_equal(ds_ha_binding_count(w->ha), 2);
	assert_int_equal(ds_ue_pdn_state_of(w->ue, p1), DS_UE_PDN_REGISTERED);
	assert_int_equal(ds_ue_pdn_state_of(w->ue, p2), DS_UE_PDN_REGISTERED);
	ds_ue_pdn_detach(w->ue, p2, w->now);
	w_pump(w);
	assert_int_equal(ds_ue_pdn_state_of(w->ue, p2), DS_UE_PDN_DETACHED);
	assert_int_equal(ds_ue_pdn_state_of(w->ue, p1), DS_UE_PDN_REGISTERED);
	assert_int_equal(ds_ha_binding_count(w->ha), 1);
}

/* discovery by HA-APN, AAAA/A choice, redirect to another HA. */
static void discovery_and_redirect(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access4(&W_COA4);
	ds_ue_access_change(w->ue, &a, w->now);
	ds_ue_pdn_config pc;
	memset(&pc, 0, sizeof pc);
	strcpy(pc.apn, "internet");
	pc.discover = true;
	ds_pdn_id pdn = ds_ue_pdn_add(w->ue, &pc, w->now, NULL);
	assert_int_not_equal(pdn, 0);
	assert_int_equal(w->st, DS_UE_PDN_DISCOVERING);
	ds_ue_pdn_status s;
	ds_addr a6 = W_HA6, a4 = W_HA4;
	assert_int_equal(ds_ue_dns_answer(w->ue, pdn, &a6, 1, &a4, 1, w->now), DS_OK);
	assert_int_equal(w->st, DS_UE_PDN_IKE);
	assert_int_equal(w->ue_ike[DS_UE_IKE_START], 1);
	assert_true(ds_addr_ip_eq(&w->ue_ike_local, &W_COA4));   /* IPv4 access: the A record */
	ds_addr other;
	ds_addr_parse("198.51.100.20", &other);
	assert_int_equal(ds_ue_ike_redirected(w->ue, pdn, &other, w->now), DS_OK);
	assert_int_equal(w->ue_ike[DS_UE_IKE_START], 2);
	assert_int_equal(ds_ue_pdn_status_get(w->ue, pdn, &s), DS_OK);
	assert_int_equal(s.state, DS_UE_PDN_IKE);
	/* a redirect by name goes through DNS again (RFC 5685 GW Ident Type 3) */
	w->st = 0;
	assert_int_equal(ds_ue_ike_redirected_fqdn(w->ue, pdn, "ha2.example.net", w->now), DS_OK);
	assert_int_equal(w->st, DS_UE_PDN_DISCOVERING);
	assert_int_equal(ds_ue_ike_redirected_fqdn(w->ue, pdn, "bad name", w->now), DS_E_PARAM);
	assert_int_equal(ds_ue_dns_answer(w->ue, pdn, &a6, 1, &a4, 1, w->now), DS_OK);
	assert_int_equal(w->ue_ike[DS_UE_IKE_START], 3);
	/* an empty answer fails discovery */
	strcpy(pc.apn, "ims");
	pdn = ds_ue_pdn_add(w->ue, &pc, w->now, NULL);
	ds_ue_dns_answer(w->ue, pdn, NULL, 0, NULL, 0, w->now);
	assert_int_equal(w->st, DS_UE_PDN_FAILED);
}

/* on the home link no BU is sent at all. */
static void at_home_no_bu(void **state)
{
	world *w = *state;
	ds_addr pfx;
	ds_addr_parse("2001:db8:1000::/64", &pfx);
	/* the HNP the pool gives this subscriber is not known before; attach from home after */
	ds_addr hnp;
	ds_ha_assign_hnp(w->ha, W_NAI, "internet", &hnp, NULL);
	ds_ue_access a = w_access_home(&hnp);
	a.coa6 = W_COA6;
	ds_ue_access_change(w->ue, &a, w->now);
	w_q_clear(&w->ue_log);
	assert_int_not_equal(w_attach(w, "internet", false, NULL), 0);
	assert_int_equal(w->st, DS_UE_PDN_AT_HOME);
	assert_int_equal(w->ue_log.n, 0);
	assert_int_equal(ds_ha_counters_get(w->ha)->bu_received, 0);
	(void)pfx;
}


static ds_mh_msg reg_bu(uint16_t seq)
{
	ds_mh_msg m;
	memset(&m, 0, sizeof m);
	m.type = DS_MH_BU;
	m.seq = seq;
	m.bu_flags = DS_BU_A | DS_BU_H | DS_BU_K | DS_BU_R | DS_BU_O;
	m.lifetime = 100;
	return m;
}

/* Every BU validation outcome with its status (RFC 6275 cl. 10.3.1, RFC 5555 cl. 4.5). */
static void ha_validation_statuses(void **state)
{
	world *w = *state;
	raw_ue a, b;
	assert_int_equal(w_raw_ue(w, "a@nai", &a), DS_OK);
	assert_int_equal(w_raw_ue(w, "b@nai", &b), DS_OK);
	ds_mh_msg bu = reg_bu(10), ba;
	/* accepted, granted lifetime capped at the configured maximum (3600 s = 900 units) */
	bu.lifetime = 0xffff;
	bu.has_alt_coa = true;
	memcpy(bu.alt_coa, W_COA6.ip, 16);
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_int_equal(ba.seq, 10);
	assert_int_equal(ba.lifetime, 900);
	assert_int_equal(ba.ba_flags, DS_BA_K | DS_BA_R);
	assert_false(ba.nat.present);
	/* 135: not newer than the last accepted; BA carries the last accepted number */
	bu.seq = 10;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 135);
	assert_int_equal(ba.seq, 10);
	bu.seq = 9;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 135);
	/* A=0 still gets a BA for a home registration */
	bu.seq = 11;
	bu.bu_flags &= (uint16_t)~DS_BU_A;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	/* H=0: not a home registration, dropped without a BA */
	bu.seq = 12;
	bu.bu_flags = DS_BU_A;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_E_NOTFOUND);
	/* link-local CoA -> 174 */
	bu = reg_bu(13);
	bu.has_alt_coa = true;
	bu.alt_coa[0] = 0xfe;
	bu.alt_coa[1] = 0x80;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 174);
	/* over UDP without the IPv4 CoA option -> 174 */
	bu = reg_bu(14);
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_UDP, &ba), DS_OK);
	assert_int_equal(ba.status, 174);
	/* RFC 5555 cl. 4.2: a BA sent in UDP carries the NAT Detection option, refusals too */
	assert_true(ba.nat.present);
	assert_false(ba.nat.f);
	/* and one sent in IPv6 does not */
	bu = reg_bu(15);
	bu.has_alt_coa = true;
	bu.alt_coa[0] = 0xfe;
	bu.alt_coa[1] = 0x80;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 174);
	assert_false(ba.nat.present);
	/* b's SA with a's HoA -> 133 (never another UE's HNP, R-58) */
	raw_ue evil = b;
	evil.hoa = a.hoa;
	bu = reg_bu(1);
	ds_mh_msg tmp;
	(void)tmp;
	/* the SA selectors are HoA-bound: b's SA with a's HoA fails the selector check first */
	assert_int_equal(w_raw_bu(w, &evil, &bu, RAW_HAO, &ba), DS_E_NOTFOUND);
	assert_int_equal(ds_ha_counters_get(w->ha)->drop[DS_HA_DROP_SELECTOR], 1);
	/* forced UDP (F=1) without NAT: NAT Detection with F set, UDP tunnel */
	bu = reg_bu(20);
	bu.bu_flags |= DS_BU_F;
	bu.has_ipv4_coa = true;
	memcpy(bu.ipv4_coa, W_COA4.ip, 4);
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_UDP, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_true(ba.nat.present);
	assert_true(ba.nat.f);
	assert_int_equal(ba.nat.refresh_s, 0xffffffffu);   /* no NAT: no keepalives */
	ds_ha_alloc al;
	ds_ha_ue_alloc(ds_ha_find_hoa(w->ha, &a.hoa), &al);
	assert_int_equal(al.tunnel, DS_HA_TUN_UDP4);
	assert_int_equal(ds_ha_counters_get(w->ha)->nat_detected, 0);
	/* the same without F: no NAT, option present with F clear, plain IPv4 tunnel */
	bu.seq = 21;
	bu.bu_flags &= (uint16_t)~DS_BU_F;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_UDP, &ba), DS_OK);
	assert_true(ba.nat.present);
	assert_false(ba.nat.f);
	ds_ha_ue_alloc(ds_ha_find_hoa(w->ha, &a.hoa), &al);
	assert_int_equal(al.tunnel, DS_HA_TUN_IP4);
	/* de-registration from home: success; then no binding: 133, also for the same number
	 * again (RFC 6275 cl. 10.3.2) */
	bu = reg_bu(30);
	bu.lifetime = 0;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HOME, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_int_equal(ba.lifetime, 0);
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HOME, &ba), DS_OK);
	assert_int_equal(ba.status, 133);
	bu.seq = 31;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HOME, &ba), DS_OK);
	assert_int_equal(ba.status, 133);
	assert_non_null(ds_ha_find_hoa(w->ha, &a.hoa));   /* HNP kept */
	w_raw_free(&a);
	w_raw_free(&b);
}

/* IPv4 Address Acknowledgement statuses (RFC 5555 cl. 3.2.1 / 4.5, R-28): an IPv4 failure
 * never fails the IPv6 binding. */
static void ipv4_ack_statuses(void **state)
{
	(void)state;
	world *w = w_new_pool("10.45.0.0/30");   /* two addresses */
	raw_ue a, b, c;
	assert_int_equal(w_raw_ue(w, "a@nai", &a), DS_OK);
	assert_int_equal(w_raw_ue(w, "b@nai", &b), DS_OK);
	assert_int_equal(w_raw_ue(w, "c@nai", &c), DS_OK);
	ds_mh_msg bu = reg_bu(1), ba;
	bu.ipv4_hoa.present = true;
	bu.ipv4_hoa.plen = 32;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_true(ba.ipv4_ack.present);
	assert_int_equal(ba.ipv4_ack.status, 0);
	assert_int_equal(ba.ipv4_ack.plen, 32);
	uint8_t a4[4];
	memcpy(a4, ba.ipv4_ack.addr, 4);
	/* asking again with 0.0.0.0 confirms the same address */
	bu.seq = 2;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_memory_equal(ba.ipv4_ack.addr, a4, 4);
	/* b asks for a's address -> 130 (incorrect IPv4 home address), IPv6 binding accepted */
	memcpy(bu.ipv4_hoa.addr, a4, 4);
	assert_int_equal(w_raw_bu(w, &b, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_int_equal(ba.ipv4_ack.status, 130);
	/* an address outside the pool -> 131 */
	const uint8_t out4[4] = { 8, 8, 8, 8 };
	memcpy(bu.ipv4_hoa.addr, out4, 4);
	bu.seq = 3;
	assert_int_equal(w_raw_bu(w, &b, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.ipv4_ack.status, 131);
	/* P=1 (mobile network prefix) -> 133 */
	memset(bu.ipv4_hoa.addr, 0, 4);
	bu.ipv4_hoa.p = true;
	bu.seq = 4;
	assert_int_equal(w_raw_bu(w, &b, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.ipv4_ack.status, 133);
	/* b takes the last address; c finds the pool empty -> 132 */
	bu.ipv4_hoa.p = false;
	bu.seq = 5;
	assert_int_equal(w_raw_bu(w, &b, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.ipv4_ack.status, 0);
	bu.seq = 1;
	assert_int_equal(w_raw_bu(w, &c, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_int_equal(ba.ipv4_ack.status, 132);
	const ds_ha_counters *hc = ds_ha_counters_get(w->ha);
	assert_int_equal(hc->ipv4_ack_status[130], 1);
	assert_int_equal(hc->ipv4_ack_status[131], 1);
	assert_int_equal(hc->ipv4_ack_status[132], 1);
	assert_int_equal(hc->ipv4_ack_status[133], 1);
	/* a re-registration without the option releases a's IPv4 HoA (A.3, R-47); c then gets it */
	ds_mh_msg r = reg_bu(6);
	r.bu_flags &= (uint16_t)~DS_BU_O;
	assert_int_equal(w_raw_bu(w, &a, &r, RAW_HAO, &ba), DS_OK);
	assert_false(ba.ipv4_ack.present);
	ds_addr a4addr = ds_addr4(a4, 0);
	assert_null(ds_ha_find_hoa4(w->ha, &a4addr));
	bu.seq = 2;
	assert_int_equal(w_raw_bu(w, &c, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.ipv4_ack.status, 0);
	assert_memory_equal(ba.ipv4_ack.addr, a4, 4);
	w_raw_free(&a);
	w_raw_free(&b);
	w_raw_free(&c);
	w_free(w);
}

/* Persistence: allocations survive an HA restart through the persist callback + restore. */
static void persist_and_restore(void **state)
{
	world *w = *state;
	attach6(w, true);
	const ds_ha_ue *u = ds_ha_find_ue(w->ha, W_NAI, "internet");
	assert_non_null(u);
	ds_ha_alloc al;
	ds_ha_ue_alloc(u, &al);
	assert_true(al.bound);
	assert_int_equal(al.hoa4.family, DS_AF_INET);
	assert_true(w->persist_n >= 2);
	world *w2 = w_new();
	assert_int_equal(ds_ha_restore(w2->ha, &al, w->now), DS_OK);
	assert_int_equal(ds_ha_restore(w2->ha, &al, w->now), DS_E_EXISTS);
	assert_int_equal(ds_ha_binding_count(w2->ha), 1);
	assert_non_null(ds_ha_find_hoa4(w2->ha, &al.hoa4));
	ds_addr hnp;
	assert_int_equal(ds_ha_assign_hnp(w2->ha, W_NAI, "internet", &hnp, NULL), DS_OK);
	assert_true(ds_addr_ip_eq(&hnp, &al.hnp));
	/* forwarding works right after the restore */
	uint8_t down[40] = { 0x60, 0, 0, 0, 0, 0, 59, 64 };
	memcpy(down + 24, al.hoa.ip, 16);
	ds_ha_tun_input(w2->ha, down, sizeof down, w2->now);
	assert_int_equal(w2->from_ha.n, 1);
	w_free(w2);
}


/* the UE gives back its IPv4 HoA only; the IPv6 binding stays. */
static void release_ipv4_only(void **state)
{
	world *w = *state;
	attach6(w, true);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	assert_int_equal(s.hoa4.family, DS_AF_INET);
	w_q_clear(&w->ue_log);
	assert_int_equal(ds_ue_pdn_release_ipv4(w->ue, w->pdn, w->now), DS_OK);
	ds_mh_msg bu;
	assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &bu, NULL), DS_OK);
	assert_false(bu.ipv4_hoa.present);
	assert_int_equal(bu.bu_flags & DS_BU_O, 0);
	w_pump(w);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	assert_null(ds_ha_find_hoa4(w->ha, &s.hoa4));
	assert_non_null(ds_ha_find_hoa(w->ha, &s.hoa));
	assert_int_equal(w->hoa4.family, DS_AF_NONE);
	assert_int_equal(w->hoa.family, DS_AF_INET6);
	assert_int_equal(ds_ue_pdn_release_ipv4(w->ue, w->pdn, w->now), DS_E_STATE);
}

/* R-53 over IPv4: BRI in UDP 4191 through the NAT, BRA back the same way. */
static void network_detach_behind_nat(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access4(&W_COA4);
	ds_ue_access_change(w->ue, &a, w->now);
	w->nat = true;
	assert_int_not_equal(w_attach(w, "internet", false, NULL), 0);
	assert_int_equal(w->tun, DS_UE_TUN_UDP4);
	assert_int_equal(ds_ha_revoke(w->ha, W_NAI, "internet", w->now), DS_OK);
	assert_int_equal(w->from_ha.v[0].p.kind, DS_PKT_UDP);
	assert_true(ds_addr_eq(&w->from_ha.v[0].p.dst, &w->nat_pub));
	w_pump(w);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(ds_ha_counters_get(w->ha)->bra_received, 1);
	assert_int_equal(w->ha_ike[DS_HA_IKE_DELETE], 1);
}


/* on 3GPP access one PDN connection is at home while another, anchored with a prefix
 * that is not on this link, registers through the same access as a foreign link. */
static void home_and_foreign_pdns_at_once(void **state)
{
	world *w = *state;
	ds_addr hnp;
	ds_ha_assign_hnp(w->ha, W_NAI, "internet", &hnp, NULL);
	ds_ue_access a = w_access_home(&hnp);
	a.coa6 = W_COA6;
	ds_ue_access_change(w->ue, &a, w->now);
	ds_pdn_id p1 = w_attach(w, "internet", false, NULL);
	ds_pdn_id p2 = w_attach(w, "ims", false, NULL);
	assert_int_equal(ds_ue_pdn_state_of(w->ue, p1), DS_UE_PDN_AT_HOME);
	assert_int_equal(ds_ue_pdn_state_of(w->ue, p2), DS_UE_PDN_REGISTERED);
	assert_int_equal(ds_ha_binding_count(w->ha), 1);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, p2, &s);
	assert_int_equal(s.tunnel, DS_UE_TUN_IP6);
	assert_true(ds_addr_ip_eq(&s.coa, &W_COA6));
}

/* Many UEs: every binding is found by HoA, by any HNP address and by IPv4 HoA; every
 * record and allocation is released when its IKE SA goes (no leak under LSan). */
static void many_ues(void **state)
{
	(void)state;
	world *w = w_new_pool("10.44.0.0/16");
	enum { N = 2000 };
	raw_ue *r = calloc(N, sizeof *r);
	for (int i = 0; i < N; i++) {
		char nai[64];
		snprintf(nai, sizeof nai, "00101%010d@nai.epc.mnc001.mcc001.3gppnetwork.org", i);
		assert_int_equal(w_raw_ue(w, nai, &r[i]), DS_OK);
		ds_mh_msg bu = reg_bu(1), ba;
		bu.ipv4_hoa.present = true;
		bu.ipv4_hoa.plen = 32;
		assert_int_equal(w_raw_bu(w, &r[i], &bu, RAW_HAO, &ba), DS_OK);
		assert_int_equal(ba.status, 0);
		assert_int_equal(ba.ipv4_ack.status, 0);
	}
	assert_int_equal(ds_ha_binding_count(w->ha), N);
	assert_int_equal(ds_ha_ue_count(w->ha), N);
	for (int i = 0; i < N; i++) {
		const ds_ha_ue *u = ds_ha_find_hoa(w->ha, &r[i].hoa);
		assert_non_null(u);
		ds_addr any = r[i].hnp;
		any.ip[15] = 0x99;   /* another address of the same HNP */
		assert_ptr_equal(ds_ha_find_hoa(w->ha, &any), u);
		ds_ha_alloc al;
		ds_ha_ue_alloc(u, &al);
		assert_ptr_equal(ds_ha_find_hoa4(w->ha, &al.hoa4), u);
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(ds_ha_ike_down(w->ha, r[i].ike, w->now), DS_OK);
		w_raw_free(&r[i]);
	}
	assert_int_equal(ds_ha_ue_count(w->ha), 0);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	free(r);
	w_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(initial_registration_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(ipv4_hoa_allocation, setup, teardown),
		cmocka_unit_test_setup_teardown(retransmission_ladder, setup, teardown),
		cmocka_unit_test_setup_teardown(seq_135_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(seq_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(handover_ipv6_to_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(handover_to_ipv4_behind_nat, setup, teardown),
		cmocka_unit_test_setup_teardown(ipv4_access_without_nat, setup, teardown),
		cmocka_unit_test_setup_teardown(return_home, setup, teardown),
		cmocka_unit_test_setup_teardown(return_home_ba_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(ue_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(network_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(bri_retransmission, setup, teardown),
		cmocka_unit_test_setup_teardown(bare_ike_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(bu_for_foreign_hnp_gets_133, setup, teardown),
		cmocka_unit_test_setup_teardown(bu_outside_pool_gets_132, setup, teardown),
		cmocka_unit_test_setup_teardown(unprotected_bu_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(bu_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(bu_rate_limit_shared_per_ha, setup, teardown),
		cmocka_unit_test_setup_teardown(binding_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(two_pdn_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(discovery_and_redirect, setup, teardown),
		cmocka_unit_test_setup_teardown(at_home_no_bu, setup, teardown),
		cmocka_unit_test_setup_teardown(ha_validation_statuses, setup, teardown),
		cmocka_unit_test(ipv4_ack_statuses),
		cmocka_unit_test_setup_teardown(persist_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(release_ipv4_only, setup, teardown),
		cmocka_unit_test_setup_teardown(network_detach_behind_nat, setup, teardown),
		cmocka_unit_test_setup_teardown(home_and_foreign_pdns_at_once, setup, teardown),
		cmocka_unit_test(many_ues),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
