/* Scenarios for behaviour the engines do not have yet (see docs/simulator.md, "known gaps").
 * Built, not part of the test suite: each test states what the specification asks and fails
 * until the engines do it; run by hand (build/tests/sim/test_scen_gaps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scen_assert.h"

/* GAP-1, RFC 5685 cl. 5: after acknowledging a gateway-initiated redirect the client SHOULD
 * delete its IKE SA with the old gateway, so that the old PDN GW releases the PDN connection. */
static void test_redirect_releases_old_ha(void **st)
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
	assert_int_equal(ue_host_move(u, W_ACC_WLAN1), 0);
	assert_int_equal(ue_host_attach(u, 0, WORLD_APN, false, true), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	ha_host *h1 = world_ha(sc.w, 0), *h2 = world_ha(sc.w, 1);
	assert_int_equal(ha_host_redirect(h1, ue_host_nai(u), WORLD_APN, ha_host_addr6(h2)), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_IKE, DS_SEC(30)));
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(10));
	assert_int_equal(ds_ha_binding_count(ha_host_engine(h1)), 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(h1))->sas_current, 0);
	scen_close(&sc);
}

/* GAP-2, R-37/R-40: after the de-registration from the home link (BA with K=1) the IKE SA must
 * follow the UE to its home address; otherwise its next IKE exchange leaves from the old CoA
 * (here an IPv4 address behind the NAT, unusable at home), fails after the retransmissions,
 * and the PDN connection is lost; a detach at home never reaches the HA. */
static void test_stay_home_then_detach(void **st)
{
	(void)st;
	scen sc;
	assert_true(scen_open(&sc, NULL));
	ue_host *u = ue_host_new(sc.w, 0);
	assert_int_equal(ue_host_move(u, W_ACC_WLAN1), 0);
	assert_int_equal(ue_host_attach(u, 0, WORLD_APN, true, true), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	assert_int_equal(ue_host_move(u, W_ACC_NAT), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	assert_int_equal(ue_host_move(u, W_ACC_HOME), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_AT_HOME, DS_SEC(30)));
	scen_run(&sc, DS_SEC(300));
	assert_int_equal(ue_host_pdn(u, 0)->state, DS_UE_PDN_AT_HOME);
	assert_int_equal(ue_host_detach(u, 0), 0);
	scen_run(&sc, DS_SEC(10));
	ds_ha *ha = ha_host_engine(world_ha(sc.w, 0));
	assert_int_equal(ds_ha_ue_count(ha), 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(world_ha(sc.w, 0)))->sas_current, 0);
	scen_close(&sc);
}

/* GAP-3, RFC 5555 cl. 5.1 / RFC 7296 cl. 2.23: after the IKE SA moves to an IPv4 CoA behind a
 * NAT, an IKE request from the UE (sent to port 500 through a new NAT mapping) is not answered
 * by the HA; the exchange only completes if the UE moves on before its retransmissions run
 * out. With loss, the UE's later Delete is stuck behind it and the HA keeps the allocation.
 * Here: stay behind the NAT for 100 s, then detach; the HA must have released everything. */
static void test_ike_exchange_behind_nat(void **st)
{
	(void)st;
	scen sc;
	assert_true(scen_open(&sc, NULL));
	ue_host *u = ue_host_new(sc.w, 0);
	assert_int_equal(ue_host_move(u, W_ACC_WLAN1), 0);
	assert_int_equal(ue_host_attach(u, 0, WORLD_APN, true, true), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	assert_int_equal(ue_host_move(u, W_ACC_NAT), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(100));
	assert_int_equal(ue_host_pdn(u, 0)->state, DS_UE_PDN_REGISTERED);
	assert_int_equal(ue_host_detach(u, 0), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_DETACHED, DS_SEC(30)));
	scen_run(&sc, DS_SEC(10));
	assert_int_equal(ds_ha_ue_count(ha_host_engine(world_ha(sc.w, 0))), 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(world_ha(sc.w, 0)))->sas_current, 0);
	scen_close(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redirect_releases_old_ha),
		cmocka_unit_test(test_stay_home_then_detach),
		cmocka_unit_test(test_ike_exchange_behind_nat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
