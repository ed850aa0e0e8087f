/* UE <-> HA in-process exchanges for every mobility procedure, with real wire bytes and real
 * ESP (fixed-key SA pairs stand in for the IKE exchange). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(initial_registration_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(ipv4_hoa_allocation, setup, teardown),
		cmocka_unit_test_setup_teardown(retransmission_ladder, setup, teardown),
		cmocka_unit_test_setup_teardown(seq_135_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(seq_wraps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
