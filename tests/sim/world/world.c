/* Topology of the simulated S2c world and the shared pieces of its hosts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/crypto.h"
#include "mip/ha_apn.h"
#include "world_int.h"

const uint8_t world_psk[32] = "dsmip6 simulation pre-shared key";
const ds_ike_suite world_esp_null = { .encr = DS_ENCR_NULL, .encr_bits = 0,
				      .integ = DS_INTEG_HMAC_SHA2_256_128 };

void world_log(void *ctx, int level, const char *msg)
{
	world *w = ctx;
	w->engine_log_lines++;
	sim_tracef(w->s, "log %d %s", level, msg);
}

void world_ha_apn(const char *apn, char *out, size_t cap)
{
	if (ds_ha_apn_build(apn, WORLD_MCC, WORLD_MNC, out, cap) != DS_OK && cap)
		out[0] = '\0';
}

static sim_link_params fam(sim_link_params p, bool v4, bool v6)
{
	p.v4 = v4;
	p.v6 = v6;
	return p;
}

world *world_new(const world_cfg *cfg)
{
	world *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->cfg = *cfg;
	if (!w->cfg.n_ha)
		w->cfg.n_ha = 1;
	if (w->cfg.n_ha > WORLD_MAX_HA)
		w->cfg.n_ha = WORLD_MAX_HA;
	w->s = sim_new(cfg->seed);
	if (!w->s)
		goto fail;
	if (cfg->trace_file)
		sim_trace_set_file(sim_trace_get(w->s), cfg->trace_file);
	if (cfg->pcap_dir && sim_pcap_dir(w->s, cfg->pcap_dir) != DS_OK)
		goto fail;
	w->tap = sim_mhtap_new(w->s, cfg->keep_mh, cfg->mh_cb, cfg->mh_ctx);
	sim_link_params core = fam(cfg->core, true, true), acc = cfg->access;
	sim_link_params home = fam(acc, false, true), wl1 = fam(acc, true, true),
			wl2 = fam(acc, false, true), nl = fam(acc, true, false);
	w->core = sim_link_new(w->s, "core", &core);
	w->pdn = sim_link_new(w->s, "pdn", &core);
	w->home = sim_link_new(w->s, "home", &home);
	w->wlan1 = sim_link_new(w->s, "wlan1", &wl1);
	w->wlan2 = sim_link_new(w->s, "wlan2", &wl2);
	w->natlan = sim_link_new(w->s, "natlan", &nl);
	sim_nat_config nc = { .idle_timeout = cfg->nat_idle };
	ds_addr_parse("172.16.0.1", &nc.inside);
	ds_addr_parse("203.0.113.1", &nc.outside);
	w->nat = sim_nat_new(w->s, "nat", w->natlan, w->core, &nc);
	ds_addr_parse("2001:db8:c0::1", &w->cn6);
	ds_addr_parse("198.18.0.1", &w->cn4);
	w->cn = sim_cn_new(w->s, "cn", w->pdn, &w->cn6, &w->cn4);
	w->dns = sim_dns_new(w->s, 20);
	if (!w->tap || !w->core || !w->pdn || !w->home || !w->wlan1 || !w->wlan2 || !w->natlan ||
	    !w->nat || !w->cn || !w->dns)
		goto fail;
	for (unsigned i = 0; i < w->cfg.n_ha; i++) {
		w->ha[i] = ha_host_new(w, i);
		if (!w->ha[i])
			goto fail;
		w->n_ha++;
	}
	/* every HA-APN resolves to HA 1 (AAAA and A, R-05/R-06) */
	const char *apns[] = { WORLD_APN, WORLD_APN2 };
	for (size_t i = 0; i < 2; i++) {
		char fqdn[128];
		world_ha_apn(apns[i], fqdn, sizeof fqdn);
		if (sim_dns_set(w->dns, fqdn, ha_host_addr6(w->ha[0]), 1, ha_host_addr4(w->ha[0]), 1) !=
		    DS_OK)
			goto fail;
	}
	return w;
fail:
	world_free(w);
	return NULL;
}

void world_free(world *w)
{
	if (!w)
		return;
	/* engines first (their shutdown may trace), then the simulator, then the helpers whose
	 * scheduled events the simulator dropped */
	for (size_t i = 0; i < w->n_ues; i++)
		ue_host_free(w->ues[i]);
	free(w->ues);
	for (unsigned i = 0; i < w->n_ha; i++)
		ha_host_free(w->ha[i]);
	sim_free(w->s);
	sim_mhtap_free(w->tap);
	sim_dns_free(w->dns);
	sim_cn_free(w->cn);
	sim_nat_free(w->nat);
	free(w);
}

ha_host *world_ha(world *w, unsigned i) { return i < w->n_ha ? w->ha[i] : NULL; }

ha_host *world_ha_by_addr(world *w, const ds_addr *a)
{
	for (unsigned i = 0; i < w->n_ha; i++)
		if (ds_addr_ip_eq(a, ha_host_addr6(w->ha[i])) || ds_addr_ip_eq(a, ha_host_addr4(w->ha[i])))
			return w->ha[i];
	return NULL;
}
