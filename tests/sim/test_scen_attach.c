/* Scenarios: initial attach on an IPv6 WLAN with an IPv4 HoA (TS 24.303 cl. 5.1, Annex A.2) and
 * at home over 3GPP access (cl. 5.1.2.3: no BU), with user-plane echo through the PDN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scen.h"

static void assert_conform(const char *violation, const sim_mh_rec *r)
{
	if (violation) {
		char line[300];
		sim_mh_rec_fmt(r, line, sizeof line);
		fail_msg("%s: %s", violation, line);
	}
}

static void test_attach_wlan_ipv4_hoa(void **st)
{
	(void)st;
	scen sc;
	assert_true(scen_open(&sc, NULL));
	ue_host *u = ue_host_new(sc.w, 0);
	assert_non_null(u);
	assert_int_equal(ue_host_move(u, W_ACC_WLAN1), 0);
	assert_int_equal(ue_host_attach(u, 0, WORLD_APN, true, true), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_REGISTERED, DS_SEC(30)));
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	assert_int_equal(v->hoa.family, DS_AF_INET6);
	assert_int_equal(v->hoa4.family, DS_AF_INET);
	assert_int_equal(v->tunnel, DS_UE_TUN_IP6);
	/* the HA-APN was resolved once */
	assert_int_equal(sim_dns_queries(sc.w->dns), 1);

	sim_mh_rec r[8];
	size_t n = scen_mh(&sc, "wlan1", &v->hoa, r, 8);
	char seq[64];
	scen_seq_str(r, n, seq, sizeof seq);
	assert_string_equal(seq, "BU,BA");
	assert_conform(annex_a2_bu(&r[0], false, true, NULL), &r[0]);
	assert_conform(annex_ba_ok(&r[1], r[0].seq, false, true, false), &r[1]);
	assert_memory_equal(r[1].ipv4_ack.addr, v->hoa4.ip, 4);
	assert_true(r[1].has_rh2);

	ds_ha *ha = ha_host_engine(world_ha(sc.w, 0));
	assert_int_equal(ds_ha_binding_count(ha), 1);
	assert_non_null(ds_ha_find_hoa(ha, &v->hoa));

	/* user plane both ways through the IPv6 tunnel, IPv6 and IPv4 HoA */
	assert_int_equal(ue_host_ping(u, 0, false), 0);
	assert_int_equal(ue_host_ping(u, 0, true), 0);
	scen_run(&sc, 1000);
	assert_int_equal(v->echo_rx, 2);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

static void test_attach_home(void **st)
{
	(void)st;
	scen sc;
	assert_true(scen_open(&sc, NULL));
	ue_host *u = ue_host_new(sc.w, 0);
	assert_non_null(u);
	assert_int_equal(ue_host_attach(u, 0, WORLD_APN, false, true), 0);
	assert_int_equal(ue_host_move(u, W_ACC_HOME), 0);
	assert_true(scen_wait_state(&sc, u, 0, DS_UE_PDN_AT_HOME, DS_SEC(30)));
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	assert_int_equal(v->hoa.family, DS_AF_INET6);
	assert_int_equal(v->tunnel, DS_UE_TUN_NONE);
	scen_run(&sc, DS_SEC(5));
	sim_mh_rec r[4];
	/* at home no BU is sent */
	assert_int_equal(scen_mh(&sc, "home", &v->hoa, r, 4), 0);
	assert_int_equal(sim_mhtap_stats_get(sc.w->tap)->messages, 0);
	assert_int_equal(ds_ha_binding_count(ha_host_engine(world_ha(sc.w, 0))), 0);
	assert_int_equal(ue_host_ping(u, 0, false), 0);
	scen_run(&sc, 1000);
	assert_int_equal(v->echo_rx, 1);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_wlan_ipv4_hoa),
		cmocka_unit_test(test_attach_home),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
