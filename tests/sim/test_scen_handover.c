/* Handover scenarios (TS 24.303 cl. 5.2): home -> foreign (A), foreign -> foreign over IPv6
 * (C), IPv6 -> IPv4-only behind a NAT (RFC 5555), and foreign -> home (B), plus where the IKE
 * SA goes with the UE (K bit: behind the NAT, then home) and the detach from there. Each
 * asserts the MH sequence on the access link, the Annex A fields of every BU and BA, the HA
 * binding and the user plane through the new path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scen_assert.h"

static ue_host *attach_on(scen *sc, enum world_access acc, bool want4)
{
	assert_true(scen_open(sc, NULL));
	ue_host *u = ue_host_new(sc->w, 0);
	assert_non_null(u);
	if (acc == W_ACC_HOME) {
		assert_int_equal(ue_host_attach(u, 0, WORLD_APN, want4, true), 0);
		assert_int_equal(ue_host_move(u, W_ACC_HOME), 0);
		assert_true(scen_wait_state(sc, u, 0, DS_UE_PDN_AT_HOME, DS_SEC(30)));
	} else {
		assert_int_equal(ue_host_move(u, acc), 0);
		assert_int_equal(ue_host_attach(u, 0, WORLD_APN, want4, true), 0);
		assert_true(scen_wait_state(sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	}
	return u;
}

static const ds_ha_ue *binding_of(scen *sc, const ue_pdn_view *v, ds_ha_alloc *a)
{
	const ds_ha_ue *hu = ds_ha_find_hoa(ha_host_engine(world_ha(sc->w, 0)), &v->hoa);
	if (hu)
		ds_ha_ue_alloc(hu, a);
	return hu;
}

static void assert_ping(scen *sc, ue_host *u, bool v4)
{
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	uint64_t before = v->echo_rx;
	assert_int_equal(ue_host_ping(u, 0, false), 0);
	if (v4)
		assert_int_equal(ue_host_ping(u, 0, true), 0);
	scen_run(sc, 1000);
	assert_int_equal(v->echo_rx, before + (v4 ? 2 : 1));
}

static void test_home_to_wlan(void **st)
{
	(void)st;
	scen sc;
	ue_host *u = attach_on(&sc, W_ACC_HOME, false);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa;
	assert_int_equal(ue_host_move(u, W_ACC_WLAN1), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	/* the HNP (and HoA) stays the one used over 3GPP access */
	assert_true(ds_addr_ip_eq(&v->hoa, &hoa));
	sim_mh_rec r[8];
	assert_mh_seq(&sc, "wlan1", &hoa, r, 8, "BU,BA");
	assert_conform(annex_a2_bu(&r[0], false, false, NULL), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, false, false), &r[1]);
	ds_ha_alloc a;
	assert_non_null(binding_of(&sc, v, &a));
	assert_true(a.bound);
	assert_int_equal(v->tunnel, DS_UE_TUN_IP6);
	assert_ping(&sc, u, false);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void test_wlan_to_wlan(void **st)
{
	(void)st;
	scen sc;
	ue_host *u = attach_on(&sc, W_ACC_WLAN1, true);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa, hoa4 = v->hoa4;
	sim_mh_rec r[8];
	assert_mh_seq(&sc, "wlan1", &hoa, r, 8, "BU,BA");
	uint16_t seq1 = r[0].seq;
	assert_int_equal(ue_host_move(u, W_ACC_WLAN2), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	assert_mh_seq(&sc, "wlan2", &hoa, r, 8, "BU,BA");
	/* new CoA, increased sequence number, A.2 flags, Alternate CoA, IPv4 HoA kept */
	assert_true((uint16_t)(r[0].seq - seq1) > 0 && (uint16_t)(r[0].seq - seq1) < 0x8000);
	assert_conform(annex_a2_bu(&r[0], false, false, &hoa4), &r[0]);
	assert_true(r[0].present & DS_MOPT_ALT_COA);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, true, false), &r[1]);
	assert_true(ds_addr_ip_eq(&v->hoa4, &hoa4));
	ds_ha_alloc a;
	assert_non_null(binding_of(&sc, v, &a));
	char b[DS_ADDR_STRLEN];
	assert_string_equal(ds_addr_fmt(&a.coa, b, sizeof b), "2001:db8:a2:0:200:5eff:fe00:1");
	assert_ping(&sc, u, true);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void test_wlan_to_ipv4_nat(void **st)
{
	(void)st;
	scen sc;
	ue_host *u = attach_on(&sc, W_ACC_WLAN1, true);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa, hoa4 = v->hoa4;
	assert_int_equal(ue_host_move(u, W_ACC_NAT), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	sim_mh_rec r[8];
	/* seen inside the NAT (private source) and again outside (translated) */
	assert_mh_seq(&sc, "natlan", &hoa, r, 8, "BU,BA");
	assert_conform(annex_a2_bu(&r[0], true, false, &hoa4), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, true, true), &r[1]);
	assert_int_equal(r[1].outer_dst.port, 4191);
	assert_mh_seq(&sc, "core", &hoa, r, 8, "BU,BA,BU,BA");
	char b[DS_ADDR_STRLEN];
	assert_string_equal(ds_addr_fmt(&r[2].outer_src, b, sizeof b), "203.0.113.1:20000");
	/* the NAT-observed endpoint is what the binding holds */
	/* behind a NAT every packet is in UDP 4191 */
	assert_int_equal(v->tunnel, DS_UE_TUN_UDP4);
	ds_ha_alloc a;
	assert_non_null(binding_of(&sc, v, &a));
	assert_int_equal(a.tunnel, DS_HA_TUN_UDP4);
	assert_int_equal(a.coa.family, DS_AF_INET);
	assert_ping(&sc, u, true);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void test_wlan_to_home(void **st)
{
	(void)st;
	scen sc;
	ue_host *u = attach_on(&sc, W_ACC_WLAN1, false);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa;
	assert_int_equal(ue_host_move(u, W_ACC_HOME), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_AT_HOME, DS_SEC(30)));
	sim_mh_rec r[8];
	assert_mh_seq(&sc, "home", &hoa, r, 8, "BU,BA");
	assert_conform(annex_dereg_home_bu(&r[0]), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, true, false, false), &r[1]);
	/* the binding is gone, the prefix stays allocated to the PDN connection */
	ds_ha *ha = ha_host_engine(world_ha(sc.w, 0));
	assert_int_equal(ds_ha_binding_count(ha), 0);
	assert_int_equal(ds_ha_ue_count(ha), 1);
	assert_true(ds_addr_ip_eq(&v->hoa, &hoa));
	assert_int_equal(v->tunnel, DS_UE_TUN_NONE);
	assert_ping(&sc, u, false);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void grab_info(void *ctx, const ds_ike_sa *sa)
{
	ds_ike_sa_info(sa, ctx);
}

/* The one IKE SA of the HA (and of the UE), for endpoint checks. */
static void ike_infos(scen *sc, ue_host *u, ds_ike_info *ha, ds_ike_info *ue)
{
	memset(ha, 0, sizeof *ha);
	memset(ue, 0, sizeof *ue);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(world_ha(sc->w, 0)))->sas_current, 1);
	assert_int_equal(ds_ike_get_counters(ue_host_ike(u))->sas_current, 1);
	ds_ike_foreach(ha_host_ike(world_ha(sc->w, 0)), grab_info, ha);
	ds_ike_foreach(ue_host_ike(u), grab_info, ue);
}

/* The HA released everything of the UE and no IKE exchange ran out of retransmissions. */
static void assert_released(scen *sc, ue_host *u)
{
	ha_host *h = world_ha(sc->w, 0);
	assert_int_equal(ds_ha_binding_count(ha_host_engine(h)), 0);
	assert_int_equal(ds_ha_ue_count(ha_host_engine(h)), 0);
	assert_int_equal(ha_host_persisted(h), 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(h))->sas_current, 0);
	assert_int_equal(ds_ike_get_counters(ue_host_ike(u))->sas_current, 0);
	assert_int_equal(ds_ike_get_counters(ue_host_ike(u))->sa_timeouts, 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(h))->sa_timeouts, 0);
}

/* RFC 5555 cl. 5 / 5.1, RFC 7296 cl. 2.23: the IKE SA, set up over IPv6 and running on
 * UDP 4500 from IKE_AUTH on, follows the UE behind a NAT (BA with K=1). The UE's INFORMATIONAL
 * takes a NAT mapping of its own (not the UDP 4191 one); the HA answers through it. After 100 s
 * there, the detach (A.5 BU, then the IKE Delete through the NAT) releases everything. */
static void test_nat_stay_then_detach(void **st)
{
	(void)st;
	scen sc;
	ue_host *u = attach_on(&sc, W_ACC_WLAN1, true);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa, hoa4 = v->hoa4;
	assert_int_equal(ue_host_move(u, W_ACC_NAT), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(100));
	assert_int_equal(v->state, DS_UE_PDN_REGISTERED);
	ds_ike_info hi, ui;
	ike_infos(&sc, u, &hi, &ui);
	char b[DS_ADDR_STRLEN];
	assert_string_equal(ds_addr_fmt(&ui.local, b, sizeof b), "172.16.0.2:4500");
	assert_string_equal(ds_addr_fmt(&ui.remote, b, sizeof b), "192.0.2.1:4500");
	/* the NAT's second mapping (the first one carries UDP 4191) */
	assert_string_equal(ds_addr_fmt(&hi.remote, b, sizeof b), "203.0.113.1:20001");
	assert_string_equal(ds_addr_fmt(&hi.local, b, sizeof b), "192.0.2.1:4500");
	assert_int_equal(ue_host_detach(u, 0), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_DETACHED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(10));
	sim_mh_rec r[8];
	assert_mh_seq(&sc, "natlan", &hoa, r, 8, "BU,BA,BU,BA");
	assert_conform(annex_a2_bu(&r[0], true, false, &hoa4), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, true, true), &r[1]);
	assert_conform(annex_a5_bu(&r[2], true), &r[2]);
	assert_conform(annex_ba_ok(&r[3], r[2].seq, true, true, true), &r[3]);
	assert_released(&sc, u);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

/* RFC 6275 cl. 10.3.2 / 11.7.3: foreign (IPv6) -> IPv4 behind a NAT -> home. The
 * de-registration BA from the home link has K=1, so both ends move the IKE SA to the HoA; five
 * minutes at home later the PDN connection is still up (IKE works from home), and the detach at
 * home (IKE Delete only, no BU) reaches the HA, which releases everything. */
static void test_nat_to_home_then_detach(void **st)
{
	(void)st;
	scen sc;
	ue_host *u = attach_on(&sc, W_ACC_WLAN1, true);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa;
	assert_int_equal(ue_host_move(u, W_ACC_NAT), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	assert_int_equal(ue_host_move(u, W_ACC_HOME), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_AT_HOME, DS_SEC(30)));
	sim_mh_rec r[8];
	assert_mh_seq(&sc, "home", &hoa, r, 8, "BU,BA");
	assert_conform(annex_dereg_home_bu(&r[0]), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, true, true, false), &r[1]);
	scen_run(&sc, DS_SEC(300));
	assert_int_equal(v->state, DS_UE_PDN_AT_HOME);
	ds_ike_info hi, ui;
	ike_infos(&sc, u, &hi, &ui);
	assert_true(ds_addr_ip_eq(&ui.local, &hoa));
	assert_true(ds_addr_ip_eq(&hi.remote, &hoa));
	assert_true(ds_addr_ip_eq(&hi.local, ha_host_addr6(world_ha(sc.w, 0))));
	assert_ping(&sc, u, false);
	assert_int_equal(ue_host_detach(u, 0), 0);
	assert_int_equal(v->state, DS_UE_PDN_DETACHED);
	scen_run(&sc, DS_SEC(10));
	assert_mh_seq(&sc, "home", &hoa, r, 8, "BU,BA");   /* no BU for a detach at home */
	assert_released(&sc, u);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_home_to_wlan),
		cmocka_unit_test(test_wlan_to_wlan),
		cmocka_unit_test(test_wlan_to_ipv4_nat),
		cmocka_unit_test(test_wlan_to_home),
		cmocka_unit_test(test_nat_stay_then_detach),
		cmocka_unit_test(test_nat_to_home_then_detach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
