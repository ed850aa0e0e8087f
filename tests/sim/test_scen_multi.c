/* Scenarios with more than one anchor: HA reallocation by IKEv2 redirect to a second HA
 * (RFC 5685, TS 24.303 cl. 5.1.2.2, R-60/R-61) and two PDN connections of one UE over the same
 * access (cl. 4.3, R-57), each with its own HNP, IKE SA and binding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scen_assert.h"

static void test_redirect_to_second_ha(void **st)
{
	(void)st;
	world_cfg c;
	memset(&c, 0, sizeof c);
	c.seed = 21;
	c.access.delay = 10;
	c.core.delay = 2;
	c.keep_mh = true;
	c.n_ha = 2;
	scen sc;
	assert_true(scen_open(&sc, &c));
	ue_host *u = ue_host_new(sc.w, 0);
	assert_non_null(u);
	assert_int_equal(ue_host_move(u, W_ACC_WLAN1), 0);
	assert_int_equal(ue_host_attach(u, 0, WORLD_APN, false, true), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	ds_addr hoa1 = v->hoa;
	ha_host *h1 = world_ha(sc.w, 0), *h2 = world_ha(sc.w, 1);
	assert_int_equal(ha_host_redirect(h1, ue_host_nai(u), WORLD_APN, ha_host_addr6(h2)), 0);
	/* the UE leaves HA 1 and bootstraps again with HA 2 */
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_IKE, DS_SEC(30)));
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(2));
	assert_int_equal(v->redirects, 1);
	/* HA 2 owns a prefix out of its own pool */
	ds_addr pool2;
	assert_int_equal(ds_addr_parse("2001:db8:2000::/36", &pool2), 0);
	assert_true(ds_addr_in_prefix(&v->hoa, &pool2, 36));
	assert_int_equal(ds_ha_binding_count(ha_host_engine(h2)), 1);
	assert_non_null(ds_ha_find_hoa(ha_host_engine(h2), &v->hoa));
	assert_int_equal(ds_ike_get_counters(ha_host_ike(h1))->redirects_sent, 1);
	/* RFC 5685 cl. 5: having acknowledged the redirect the UE deletes its IKE SA with HA 1,
	 * which releases the PDN connection there: no binding, no allocation, nothing
	 * persisted, no IKE SA left (the UE keeps exactly the one with HA 2) */
	assert_int_equal(ds_ha_binding_count(ha_host_engine(h1)), 0);
	assert_int_equal(ds_ha_ue_count(ha_host_engine(h1)), 0);
	assert_int_equal(ha_host_persisted(h1), 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(h1))->sas_current, 0);
	assert_int_equal(ds_ike_get_counters(ue_host_ike(u))->sas_current, 1);
	assert_int_equal(ds_ike_get_counters(ue_host_ike(u))->sa_timeouts, 0);
	sim_mh_rec r[8];
	assert_mh_seq(&sc, "wlan1", &hoa1, r, 8, "BU,BA");
	assert_mh_seq(&sc, "wlan1", &v->hoa, r, 8, "BU,BA");
	assert_conform(annex_a2_bu(&r[0], false, false, NULL), &r[0]);
	assert_true(ds_addr_ip_eq(&r[0].outer_dst, ha_host_addr6(h2)));
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, false, false), &r[1]);
	assert_int_equal(ue_host_ping(u, 0, false), 0);
	scen_run(&sc, 1000);
	assert_int_equal(v->echo_rx, 1);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void test_two_pdn_connections(void **st)
{
	(void)st;
	scen sc;
	assert_true(scen_open(&sc, NULL));
	ue_host *u = ue_host_new(sc.w, 0);
	assert_non_null(u);
	assert_int_equal(ue_host_move(u, W_ACC_WLAN1), 0);
	assert_int_equal(ue_host_attach(u, 0, WORLD_APN, true, true), 0);
	assert_int_equal(ue_host_attach(u, 1, WORLD_APN2, false, true), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	assert_true(scen_wait_state(&sc, u, 1, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	const ue_pdn_view *a = ue_host_pdn(u, 0), *b = ue_host_pdn(u, 1);
	/* one HNP per PDN connection */
	ds_addr pa = a->hoa, pb = b->hoa;
	pa.plen = pb.plen = 0;
	assert_false(ds_addr_in_prefix(&pa, &pb, 64));
	assert_int_equal(a->hoa4.family, DS_AF_INET);
	assert_int_equal(b->hoa4.family, DS_AF_NONE);
	ds_ha *ha = ha_host_engine(world_ha(sc.w, 0));
	assert_int_equal(ds_ha_binding_count(ha), 2);
	assert_non_null(ds_ha_find_ue(ha, ue_host_nai(u), WORLD_APN));
	assert_non_null(ds_ha_find_ue(ha, ue_host_nai(u), WORLD_APN2));
	assert_int_equal(ds_ike_get_counters(ha_host_ike(world_ha(sc.w, 0)))->sas_current, 2);
	sim_mh_rec r[8];
	assert_mh_seq(&sc, "wlan1", &a->hoa, r, 8, "BU,BA");
	assert_conform(annex_a2_bu(&r[0], false, true, NULL), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, true, false), &r[1]);
	assert_mh_seq(&sc, "wlan1", &b->hoa, r, 8, "BU,BA");
	assert_conform(annex_a2_bu(&r[0], false, false, NULL), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, false, false), &r[1]);
	assert_int_equal(ue_host_ping(u, 0, false), 0);
	assert_int_equal(ue_host_ping(u, 0, true), 0);
	assert_int_equal(ue_host_ping(u, 1, false), 0);
	scen_run(&sc, 1000);
	assert_int_equal(a->echo_rx, 2);
	assert_int_equal(b->echo_rx, 1);
	/* both move together; then one is detached, the other stays (cl. 4.3) */
	assert_int_equal(ue_host_move(u, W_ACC_WLAN2), 0);
	assert_true(scen_wait_state(&sc, u, 1, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(2));
	assert_int_equal(a->state, DS_UE_PDN_REGISTERED);
	assert_mh_seq(&sc, "wlan2", &a->hoa, r, 8, "BU,BA");
	assert_mh_seq(&sc, "wlan2", &b->hoa, r, 8, "BU,BA");
	assert_int_equal(ue_host_detach(u, 1), 0);
	assert_true(scen_wait_state(&sc, u, 1, DS_UE_PDN_DETACHED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(5));
	assert_int_equal(a->state, DS_UE_PDN_REGISTERED);
	assert_int_equal(ds_ha_binding_count(ha), 1);
	assert_int_equal(ds_ha_ue_count(ha), 1);
	assert_int_equal(ue_host_ping(u, 0, false), 0);
	scen_run(&sc, 1000);
	assert_int_equal(a->echo_rx, 3);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redirect_to_second_ha),
		cmocka_unit_test(test_two_pdn_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
