/* Lifecycle scenarios: re-registration (TS 24.303 cl. 5.3, Annex A.3), UE-initiated detach
 * (cl. 5.4.1, A.5) and network-initiated detach by Binding Revocation (cl. 5.4.2, A.6), on an
 * IPv6 WLAN and behind the IPv4 NAT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scen_assert.h"

static ue_host *attach(scen *sc, const world_cfg *cfg, enum world_access acc)
{
	assert_true(scen_open(sc, cfg));
	ue_host *u = ue_host_new(sc->w, 0);
	assert_non_null(u);
	assert_int_equal(ue_host_move(u, acc), 0);
	assert_int_equal(ue_host_attach(u, 0, WORLD_APN, true, true), 0);
	assert_true(scen_wait_state(sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	return u;
}

static world_cfg short_lifetime(void)
{
	world_cfg c;
	memset(&c, 0, sizeof c);
	c.seed = 11;
	c.access.delay = 10;
	c.core.delay = 2;
	c.keep_mh = true;
	c.lifetime_s = 120;
	c.ha_max_lifetime_s = 120;
	return c;
}

static void check_reregistration(enum world_access acc)
{
	scen sc;
	world_cfg c = short_lifetime();
	ue_host *u = attach(&sc, &c, acc);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa, hoa4 = v->hoa4;
	bool v4 = acc == W_ACC_NAT;
	/* 120 s granted: three refreshes (at about 85 %) within 6 minutes */
	scen_run(&sc, DS_SEC(330));
	assert_int_equal(v->state, DS_UE_PDN_REGISTERED);
	sim_mh_rec r[16];
	assert_mh_seq(&sc, scen_link(acc), &hoa, r, 16, "BU,BA,BU,BA,BU,BA,BU,BA");
	assert_conform(annex_a2_bu(&r[0], v4, true, NULL), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, true, v4), &r[1]);
	for (int i = 2; i < 8; i += 2) {
		/* R-46..R-48: same CoA, A.3 flags (O = 0), the IPv4 HoA kept, granted lifetime */
		assert_conform(annex_a3_bu(&r[i], v4, &hoa4), &r[i]);
		assert_conform(annex_ba_ok(&r[i + 1], r[i].seq, false, true, v4), &r[i + 1]);
		assert_true((uint16_t)(r[i].seq - r[i - 2].seq) == 1);
		assert_true(ds_addr_eq(&r[i].outer_src, &r[0].outer_src));
		assert_int_equal(r[i].lifetime, 30);   /* 120 s in 4-s units */
		ds_time gap = r[i].at - r[i - 2].at;
		assert_in_range(gap, DS_SEC(90), DS_SEC(115));
	}
	assert_true(ds_addr_ip_eq(&v->hoa4, &hoa4));
	ds_ha *ha = ha_host_engine(world_ha(sc.w, 0));
	assert_int_equal(ds_ha_binding_count(ha), 1);
	assert_int_equal(ds_ha_counters_get(ha)->bindings_expired, 0);
	assert_int_equal(ue_host_ping(u, 0, true), 0);
	scen_run(&sc, 1000);
	assert_int_equal(v->echo_rx, 1);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void test_reregistration_wlan(void **st)
{
	(void)st;
	check_reregistration(W_ACC_WLAN1);
}

static void test_reregistration_nat(void **st)
{
	(void)st;
	check_reregistration(W_ACC_NAT);
}

static void check_ue_detach(enum world_access acc)
{
	scen sc;
	ue_host *u = attach(&sc, NULL, acc);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa;
	bool v4 = acc == W_ACC_NAT;
	assert_int_equal(ue_host_detach(u, 0), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_DETACHED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(5));   /* the IKE Delete exchange completes */
	sim_mh_rec r[8];
	assert_mh_seq(&sc, scen_link(acc), &hoa, r, 8, "BU,BA,BU,BA");
	assert_conform(annex_a5_bu(&r[2], v4), &r[2]);
	assert_conform(annex_ba_ok(&r[3], r[2].seq, true, false, v4), &r[3]);
	assert_int_equal(v->revoked, 0);
	/* binding, HNP, HoA and IPv4 HoA released; R-52: IKE SA deleted on both sides */
	ds_ha *ha = ha_host_engine(world_ha(sc.w, 0));
	assert_int_equal(ds_ha_binding_count(ha), 0);
	assert_int_equal(ds_ha_ue_count(ha), 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(world_ha(sc.w, 0)))->sas_current, 0);
	assert_int_equal(ha_host_persisted(world_ha(sc.w, 0)), 0);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void test_ue_detach_wlan(void **st)
{
	(void)st;
	check_ue_detach(W_ACC_WLAN1);
}

static void test_ue_detach_nat(void **st)
{
	(void)st;
	check_ue_detach(W_ACC_NAT);
}

static void check_network_detach(enum world_access acc)
{
	scen sc;
	ue_host *u = attach(&sc, NULL, acc);
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa = v->hoa;
	ds_ha *ha = ha_host_engine(world_ha(sc.w, 0));
	assert_int_equal(ha_host_revoke(world_ha(sc.w, 0), ue_host_nai(u), WORLD_APN), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_DETACHED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(5));
	sim_mh_rec r[8];
	assert_mh_seq(&sc, scen_link(acc), &hoa, r, 8, "BU,BA,BRI,BRA");
	assert_conform(annex_a6_bri(&r[2]), &r[2]);
	assert_conform(annex_a6_bra(&r[3], r[2].seq), &r[3]);
	assert_int_equal(r[3].status, DS_MOB_BRA_SUCCESS);
	assert_int_equal(v->revoked, 1);
	assert_int_equal(ds_ha_binding_count(ha), 0);
	assert_int_equal(ds_ha_ue_count(ha), 0);
	assert_int_equal(ds_ha_counters_get(ha)->bra_received, 1);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(world_ha(sc.w, 0)))->sas_current, 0);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void test_network_detach_wlan(void **st)
{
	(void)st;
	check_network_detach(W_ACC_WLAN1);
}

static void test_network_detach_nat(void **st)
{
	(void)st;
	check_network_detach(W_ACC_NAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reregistration_wlan),
		cmocka_unit_test(test_reregistration_nat),
		cmocka_unit_test(test_ue_detach_wlan),
		cmocka_unit_test(test_ue_detach_nat),
		cmocka_unit_test(test_network_detach_wlan),
		cmocka_unit_test(test_network_detach_nat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
