/* Mixed-fault scenario: UEs registered over the three kinds of foreign access (IPv6 WLANs and
 * IPv4 behind the NAT), 5 % loss and duplication, 2 % reordering, delay with jitter, the NAT
 * rebinding its mappings, and the HA
 * crashing mid-run: it is recreated from its persisted allocations (ds_ha_restore, as the
 * runtime does from SQLite). The IKE and ESP SAs die with it, so each UE's next refresh goes
 * unanswered and its PDN connection fails (the UE engine does not re-bootstrap by itself); the
 * UE's connection manager then attaches again (R-32 "retry"), asking to keep its IPv4 HoA
 * . Every UE must be registered again with the same HoA and IPv4 HoA, from the restored
 * allocations, and the user plane must work afterwards. Then the NAT rebinds again and every
 * UE detaches: nothing may be left at the HA or in the UEs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scen_assert.h"

#define N_UE 30

static void test_ha_restart(void **st)
{
	(void)st;
	world_cfg c;
	memset(&c, 0, sizeof c);
	c.seed = 31;
	c.access = (sim_link_params){ .delay = 10, .jitter = 3, .loss_ppm = 50000, .dup_ppm = 50000,
				      .reorder_ppm = 20000 };
	c.core.delay = 2;
	c.keep_mh = true;
	/* 1200 s: a UE notices the lost state at its refresh (85 %) and gives up after its
	 * retransmissions (about 127 s), before the restored binding would expire */
	c.lifetime_s = 1200;
	c.ha_max_lifetime_s = 1200;
	scen sc;
	assert_true(scen_open(&sc, &c));
	ue_host *u[N_UE];
	ds_addr hoa[N_UE], hoa4[N_UE];
	static const enum world_access acc[3] = { W_ACC_WLAN1, W_ACC_WLAN2, W_ACC_NAT };
	for (unsigned i = 0; i < N_UE; i++) {
		u[i] = ue_host_new(sc.w, i);
		assert_non_null(u[i]);
		assert_int_equal(ue_host_move(u[i], acc[i % 3]), 0);
		assert_int_equal(ue_host_attach(u[i], 0, WORLD_APN, true, true), 0);
	}
	for (unsigned i = 0; i < N_UE; i++) {
		assert_true(scen_wait_state(&sc, u[i], 0, DS_UE_PDN_REGISTERED, DS_SEC(120)));
	}
	scen_run(&sc, DS_SEC(20));
	for (unsigned i = 0; i < N_UE; i++) {
		const ue_pdn_view *v = ue_host_pdn(u[i], 0);
		assert_int_equal(v->state, DS_UE_PDN_REGISTERED);
		hoa[i] = v->hoa;
		hoa4[i] = v->hoa4;
		assert_int_equal(hoa4[i].family, DS_AF_INET);
	}
	ha_host *h = world_ha(sc.w, 0);
	assert_int_equal(ha_host_persisted(h), N_UE);
	/* the NAT forgets its mappings, then the HA crashes and comes back from its records */
	sim_nat_rebind(sc.w->nat);
	assert_int_equal(ha_host_restart(h), 0);
	ds_ha *ha = ha_host_engine(h);
	assert_int_equal(ds_ha_ue_count(ha), N_UE);
	/* every refresh now goes unanswered (no SA at the HA): the PDN connections fail, and the
	 * connection manager attaches again right away (checked every second) */
	unsigned failed = 0;
	bool retried[N_UE] = { false };
	for (int t = 0; t < 1500; t++) {
		scen_run(&sc, 1000);
		for (unsigned i = 0; i < N_UE; i++) {
			if (ue_host_pdn(u[i], 0)->state != DS_UE_PDN_FAILED)
				continue;
			assert_false(retried[i]);   /* one retry is enough */
			retried[i] = true;
			failed++;
			assert_int_equal(ue_host_reattach(u[i], 0), 0);
		}
	}
	print_message("# %u of %d PDN connections failed after the restart and were re-attached\n",
		      failed, N_UE);
	for (unsigned i = 0; i < N_UE; i++) {
		const ue_pdn_view *v = ue_host_pdn(u[i], 0);
		if (v->state != DS_UE_PDN_REGISTERED)
			fail_msg("%s: state %d after the HA restart (ike failures %u, timeouts %u)",
				 ue_host_nai(u[i]), v->state, v->ike_failures, v->timeouts);
		assert_true(ds_addr_ip_eq(&v->hoa, &hoa[i]));
		assert_true(ds_addr_ip_eq(&v->hoa4, &hoa4[i]));
		const ds_ha_ue *hu = ds_ha_find_hoa(ha, &hoa[i]);
		assert_non_null(hu);
		ds_ha_alloc a;
		ds_ha_ue_alloc(hu, &a);
		assert_true(a.bound);
		assert_true(ds_addr_ip_eq(&a.hoa4, &hoa4[i]));
	}
	assert_int_equal(ds_ha_binding_count(ha), N_UE);
	/* user plane after the restart */
	for (unsigned i = 0; i < N_UE; i++)
		assert_int_equal(ue_host_ping(u[i], 0, false), 0);
	scen_run(&sc, DS_SEC(2));
	unsigned echoed = 0;
	for (unsigned i = 0; i < N_UE; i++)
		echoed += ue_host_pdn(u[i], 0)->echo_rx > 0;
	/* 5 % loss on both access crossings of a round trip: most, not all, come back */
	assert_true(echoed >= N_UE * 3 / 4);
	/* the NAT rebinds once more, then everybody detaches: the restarted HA ends with no
	 * binding, allocation, IKE SA or persisted record, and no UE keeps an IKE SA */
	sim_nat_rebind(sc.w->nat);
	for (unsigned i = 0; i < N_UE; i++)
		assert_int_equal(ue_host_detach(u[i], 0), 0);
	for (unsigned i = 0; i < N_UE; i++)
		assert_true(scen_wait_state(&sc, u[i], 0, DS_UE_PDN_DETACHED, DS_SEC(300)));
	scen_run(&sc, DS_SEC(200));   /* IKE Delete exchanges, retransmitted under loss */
	assert_int_equal(ds_ha_binding_count(ha), 0);
	assert_int_equal(ds_ha_ue_count(ha), 0);
	assert_int_equal(ha_host_persisted(h), 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(h))->sas_current, 0);
	for (unsigned i = 0; i < N_UE; i++)
		assert_int_equal(ds_ike_get_counters(ue_host_ike(u[i]))->sas_current, 0);
	assert_int_equal(scen_close(&sc) % 77, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ha_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
