/* Scale scenario: N UEs (10,000 by default; DSMIP6_SIM_UES overrides, 1,000 by default in
 * sanitizer builds) attach on an IPv6 WLAN with an IPv4 HoA, hand over WLAN -> WLAN -> IPv4
 * behind the NAT -> home and detach at home, over access links with 10 % loss, 10 %
 * duplication, 1 % reordering and jitter (DSMIP6_SIM_LOSS_PPM overrides the loss), the NAT
 * rebinding all its mappings every 3.1 s.
 * Checks: every UE reaches the expected state in every phase; every MH message on the wire is
 * ESP-protected with a right checksum and no accepted registration is refused; at the end the HA
 * holds no binding, no allocation, no IKE SA and no persisted record, and no UE holds an IKE SA;
 * the whole run repeated with the same seed gives the same trace digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <time.h>

#include <cmocka.h>

#include "scen_assert.h"

#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_UES 1000
#else
#define DEFAULT_UES 10000
#endif

/* Access link loss: 10 % unless DSMIP6_SIM_LOSS_PPM says otherwise (investigations). */
static uint32_t scale_loss_ppm(void)
{
	const char *e = getenv("DSMIP6_SIM_LOSS_PPM");
	return e ? (uint32_t)strtoul(e, NULL, 10) : 100000u;
}

typedef struct mh_stats {
	uint64_t bu, ba, other, bad, ba_status[256];
	char first_bad[400];
} mh_stats;

static void on_mh(void *ctx, const sim_mh_rec *r)
{
	mh_stats *m = ctx;
	if (r->type == DS_MOB_BU)
		m->bu++;
	else if (r->type == DS_MOB_BA)
		m->ba++, m->ba_status[r->status]++;
	else
		m->other++;
	/* TS 24.303 Annex A on every message of the run */
	const char *v = annex_any(r);
	if (v && m->bad++ == 0) {
		char l[240];
		sim_mh_rec_fmt(r, l, sizeof l);
		snprintf(m->first_bad, sizeof m->first_bad, "%s: %s", v, l);
	}
}

enum phase { PH_ATTACH, PH_WLAN2, PH_NAT, PH_HOME, PH_DETACH, PH__N };
static const char *phase_name[] = { "attach wlan1", "wlan1->wlan2", "wlan2->ipv4 nat",
				    "nat->home", "detach at home" };

typedef struct run {
	world *w;
	ue_host **u;
	size_t n;
	uint8_t *ph;           /* per UE: the phase it is in */
	ds_time *due;          /* per UE: when its next phase starts (DS_TIME_NEVER: waiting) */
	uint8_t *retries;      /* per UE: re-attachments after a failed PDN connection */
	size_t reattached;
	size_t reached[PH__N]; /* UEs that completed each phase */
	ds_time last[PH__N];   /* when the last of them did */
} run;

static void start_one(run *r, size_t i)
{
	ue_host *u = r->u[i];
	switch (r->ph[i]) {
	case PH_ATTACH:
		ue_host_move(u, W_ACC_WLAN1);
		ue_host_attach(u, 0, WORLD_APN, true, true);
		break;
	case PH_WLAN2: ue_host_move(u, W_ACC_WLAN2); break;
	case PH_NAT: ue_host_move(u, W_ACC_NAT); break;
	case PH_HOME: ue_host_move(u, W_ACC_HOME); break;
	case PH_DETACH: ue_host_detach(u, 0); break;
	default: break;
	}
}

/* Time a UE stays in a phase once it completed it: 20 s on every link (with refreshes and
 * IKE exchanges from the new address possible), also at home, where the IKE SA now runs from
 * the HoA (K=1 on the de-registration) and the detach is an IKE Delete from there. */
static ds_time dwell(uint8_t ph) { (void)ph; return DS_SEC(20); }

static bool phase_done(uint8_t ph, ue_host *u)
{
	const ue_pdn_view *v = ue_host_pdn(u, 0);
	if (!v)
		return false;
	ds_ue_pdn_status st;
	switch (ph) {
	case PH_ATTACH:
		return v->state == DS_UE_PDN_REGISTERED && v->hoa4.family == DS_AF_INET &&
		       v->tunnel == DS_UE_TUN_IP6;
	case PH_WLAN2:
	case PH_NAT:
		if (v->state != DS_UE_PDN_REGISTERED ||
		    ds_ue_pdn_status_get(ue_host_engine(u), v->id, &st) != 0)
			return false;
		if (ph == PH_NAT)
			return st.coa.family == DS_AF_INET && v->tunnel == DS_UE_TUN_UDP4;
		return st.coa.family == DS_AF_INET6 && st.coa.ip[5] == 0xa2;
	case PH_HOME: return v->state == DS_UE_PDN_AT_HOME;
	case PH_DETACH: return v->state == DS_UE_PDN_DETACHED;
	default: return false;
	}
}

static void rebind_nat(void *ctx, ds_time now)
{
	(void)now;
	sim_nat_rebind(ctx);
}

/* Whole scenario; returns the trace digest. */
static void scale_run(uint64_t seed, size_t n, char digest[65], bool verbose)
{
	mh_stats m;
	memset(&m, 0, sizeof m);
	world_cfg c;
	memset(&c, 0, sizeof c);
	c.seed = seed;
	c.access = (sim_link_params){ .delay = 10, .jitter = 4, .loss_ppm = scale_loss_ppm(),
				      .dup_ppm = 100000, .reorder_ppm = 10000 };
	c.core = (sim_link_params){ .delay = 2 };
	c.mh_cb = on_mh;
	c.mh_ctx = &m;
	c.nat_idle = DS_SEC(300);
	FILE *tf = verbose && getenv("DSMIP6_SIM_TRACE") ? fopen(getenv("DSMIP6_SIM_TRACE"), "w")
							     : NULL;
	c.trace_file = tf;
	if (tf && getenv("DSMIP6_SIM_LOG"))
		c.log_level = atoi(getenv("DSMIP6_SIM_LOG"));
	run r = { .n = n };
	r.w = world_new(&c);
	assert_non_null(r.w);
	r.u = calloc(n, sizeof *r.u);
	r.ph = calloc(n, 1);
	r.due = calloc(n, sizeof *r.due);
	r.retries = calloc(n, 1);
	assert_true(r.u && r.ph && r.due && r.retries);
	for (size_t i = 0; i < n; i++) {
		r.u[i] = ue_host_new(r.w, (unsigned)i);
		assert_non_null(r.u[i]);
		r.due[i] = (ds_time)(i / 100) * 50;   /* 100 UEs arrive every 50 ms */
	}
	ds_ha *ha = ha_host_engine(world_ha(r.w, 0));
	clock_t t0 = clock();
	/* each UE walks through the phases on its own: start a phase when due, wait until the UE
	 * completed it, dwell, go on; checked every 100 ms of simulated time */
	size_t finished = 0, rebinds = 0;
	ds_time limit = DS_SEC(3600);
	while (finished < n && sim_now(r.w->s) < limit) {
		ds_time now = sim_now(r.w->s);
		/* the NAT loses all its mappings every 3.1 s (as after a NAT reboot): UDP 4191 and
		 * IKE on 4500 continue through new public ports (RFC 5555 cl. 4.3, RFC 7296
		 * cl. 2.11 / 2.23) */
		if (now > 0 && now % 3100 == 0) {
			/* 17 ms after the 100 ms grid the UEs act on: BAs are on their way back */
			sim_at(r.w->s, now + 17, rebind_nat, r.w->nat);
			rebinds++;
		}
		for (size_t i = 0; i < n; i++) {
			if (r.ph[i] >= PH__N)
				continue;
			if (r.due[i] != DS_TIME_NEVER) {
				if (r.due[i] <= now) {
					r.due[i] = DS_TIME_NEVER;
					start_one(&r, i);
				}
				continue;
			}
			const ue_pdn_view *pv = ue_host_pdn(r.u[i], 0);
			if (pv && pv->state == DS_UE_PDN_FAILED && r.ph[i] != PH_DETACH) {
				/* every retransmission of an exchange lost (7 IKE tries or 9 BUs
				 * under 10 % loss each way): the connection manager attaches again
				 * at most twice per UE */
				if (++r.retries[i] > 2)
					fail_msg("%s failed a third time in phase %s",
						 ue_host_nai(r.u[i]), phase_name[r.ph[i]]);
				assert_int_equal(ue_host_reattach(r.u[i], 0), 0);
				r.reattached++;
				continue;
			}
			if (!phase_done(r.ph[i], r.u[i]))
				continue;
			r.reached[r.ph[i]]++;
			r.last[r.ph[i]] = now;
			if (++r.ph[i] == PH__N)
				finished++;
			else
				r.due[i] = now + dwell((uint8_t)(r.ph[i] - 1));
		}
		sim_run_until(r.w->s, now + 100);
	}
	if (verbose)
		for (int p = 0; p < PH__N; p++)
			print_message("# phase %-16s %zu/%zu UEs, the last at %.1f s\n", phase_name[p],
				      r.reached[p], n, (double)r.last[p] / 1000.0);
	if (verbose)
		print_message("# %.1f s simulated, %.1f s CPU, %zu NAT rebindings, %zu re-attachments"
			      "\n", (double)sim_now(r.w->s) / 1000.0,
			      (double)(clock() - t0) / CLOCKS_PER_SEC, rebinds, r.reattached);
	assert_true(rebinds > 0);
	for (size_t i = 0; i < n; i++) {
		if (r.ph[i] == PH__N)
			continue;
		const ue_pdn_view *v = ue_host_pdn(r.u[i], 0);
		fail_msg("%s stuck in phase %s, PDN state %d (timeouts %u, rejected %u, failures %u)",
			 ue_host_nai(r.u[i]), phase_name[r.ph[i]], v ? (int)v->state : -1,
			 v ? v->timeouts : 0, v ? v->rejected : 0, v ? v->ike_failures : 0);
	}
	/* let the last IKE Delete exchanges finish: a UE whose Delete was answered but the
	 * answer lost retransmits to a forgotten SA until it gives up (127 s); an SA whose UE
	 * gave up an exchange under loss (and with it the Delete queued behind) is found by the
	 * HA's liveness check (2 minutes of silence, then up to 127 s of retransmissions) */
	ds_time drain_end = sim_now(r.w->s) + DS_SEC(600);
	size_t busy = 0;   /* first UE that may still hold an IKE SA */
	while (sim_now(r.w->s) < drain_end) {
		while (busy < n && ds_ike_get_counters(ue_host_ike(r.u[busy]))->sas_current == 0)
			busy++;
		if (busy == n && !ds_ha_ue_count(ha) &&
		    !ds_ike_get_counters(ha_host_ike(world_ha(r.w, 0)))->sas_current)
			break;
		sim_run_until(r.w->s, sim_now(r.w->s) + DS_SEC(1));
	}
	uint64_t dpd_closed = ds_ike_get_counters(ha_host_ike(world_ha(r.w, 0)))->sa_timeouts;
	/* no leak of bindings, allocations, IKE SAs or persisted records */
	assert_int_equal(ds_ha_binding_count(ha), 0);
	assert_int_equal(ds_ha_ue_count(ha), 0);
	assert_int_equal(ds_ike_get_counters(ha_host_ike(world_ha(r.w, 0)))->sas_current, 0);
	assert_int_equal(ha_host_persisted(world_ha(r.w, 0)), 0);
	for (size_t i = 0; i < n; i++)
		if (ds_ike_get_counters(ue_host_ike(r.u[i]))->sas_current)
			fail_msg("%s keeps an IKE SA", ue_host_nai(r.u[i]));
	const sim_stats *ss = sim_stats_get(r.w->s);
	if (verbose)
		print_message("# %zu UEs: %" PRIu64 " events, %" PRIu64 " packets sent, %" PRIu64
			      " lost, %" PRIu64 " duplicated; MH: %" PRIu64 " BU, %" PRIu64
			      " BA (status 0: %" PRIu64 ", 135: %" PRIu64 "), %" PRIu64
			      " other; trace %" PRIu64 " lines; %" PRIu64 " IKE SAs closed by the HA after"
			      " unanswered retransmissions\n", n, ss->events, ss->sent, ss->lost,
			      ss->duplicated, m.bu, m.ba, m.ba_status[0], m.ba_status[135], m.other,
			      sim_trace_lines(sim_trace_get(r.w->s)), dpd_closed);
	if (m.bad)
		fail_msg("%" PRIu64 " non-conforming MH messages, first: %s", m.bad, m.first_bad);
	/* the impairments really happened */
	assert_true(ss->duplicated > 0);
	assert_true(scale_loss_ppm() == 0 || ss->lost > 0);
	sim_trace_digest(sim_trace_get(r.w->s), digest);
	world_free(r.w);
	free(r.u);
	free(r.ph);
	free(r.due);
	free(r.retries);
	if (tf)
		fclose(tf);
}

static void test_scale(void **st)
{
	(void)st;
	size_t n = DEFAULT_UES;
	const char *e = getenv("DSMIP6_SIM_UES");
	if (e && atoi(e) > 0)
		n = (size_t)atoi(e);
	/* seed 7 unless DSMIP6_SIM_SEED says otherwise (investigations) */
	uint64_t seed = 7;
	const char *se = getenv("DSMIP6_SIM_SEED");
	if (se && *se)
		seed = strtoull(se, NULL, 10);
	char d1[65], d2[65];
	scale_run(seed, n, d1, true);
	scale_run(seed, n, d2, false);
	print_message("# trace digest %s (twice)\n", d1);
	assert_string_equal(d1, d2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
