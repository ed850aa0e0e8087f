/* Control commands of dsmip6-ue (docs/operations.md "dsmip6ctl reference"). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/util.h"
#include "rt/ctl_fmt.h"
#include "rt/ue_host_int.h"

static void add_addr(cJSON *o, const char *key, const ds_addr *a)
{
	char buf[DS_ADDR_STRLEN];
	if (a->family == DS_AF_NONE)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, ds_addr_fmt(a, buf, sizeof buf));
}

static const char *const pdn_states[] = { "?", "discovering", "ike", "at-home", "registering",
					  "registered", "returning-home", "detaching", "detached",
					  "failed" };
static const char *const tunnels[] = { "none", "ipv6", "ipv4", "ipv4-udp" };
static const char *const ike_states[] = { "none", "init-sent", "init-done", "auth",
					  "established", "deleting", "closed" };

static int cmd_status(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ue_host *h = ctx;
	ds_time now = ds_rt_now();
	cJSON_AddStringToObject(res, "nai", h->conf.nai);
	cJSON *acc = cJSON_AddObjectToObject(res, "access");
	if (h->cur_access >= 0) {
		cJSON_AddStringToObject(acc, "interface", h->conf.access[h->cur_access].ifname);
		cJSON_AddStringToObject(acc, "kind",
					ds_access_kind_names[h->conf.access[h->cur_access].kind]);
		add_addr(acc, "coa6", &h->cur.coa6);
		add_addr(acc, "coa4", &h->cur.coa4);
	}
	cJSON *arr = cJSON_AddArrayToObject(res, "pdn");
	for (unsigned i = 0; i < h->conf.n_pdn; i++) {
		const ue_pdn *p = &h->pdn[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			return DS_E_NOMEM;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "apn", h->conf.pdn[i].apn);
		ds_ue_pdn_status st;
		if (!p->id || ds_ue_pdn_status_get(h->ue, p->id, &st) != DS_OK) {
			cJSON_AddStringToObject(o, "state", "not attached");
			continue;
		}
		cJSON_AddStringToObject(o, "state", (size_t)st.state < DS_ARRAY_LEN(pdn_states)
							   ? pdn_states[st.state] : "?");
		add_addr(o, "ha", &st.ha);
		add_addr(o, "hnp", &st.hnp);
		add_addr(o, "hoa", &st.hoa);
		add_addr(o, "ipv4_hoa", &st.hoa4);
		add_addr(o, "coa", &st.coa);
		cJSON_AddStringToObject(o, "tunnel", (unsigned)st.tunnel < 4 ? tunnels[st.tunnel] : "?");
		cJSON_AddBoolToObject(o, "nat", st.nat);
		cJSON_AddNumberToObject(o, "seq", st.last_seq);
		cJSON_AddNumberToObject(o, "lifetime_s", st.granted_lifetime_s);
		if (st.refresh_at != DS_TIME_NEVER)
			cJSON_AddNumberToObject(o, "refresh_in_s",
						st.refresh_at > now ? (double)((st.refresh_at - now) / 1000) : 0);
		cJSON *sa = cJSON_AddObjectToObject(o, "ike_sa");
		if (p->ike) {
			ds_ike_info in;
			ds_ike_sa_info(p->ike, &in);
			cJSON_AddStringToObject(sa, "state", in.state < DS_ARRAY_LEN(ike_states)
								   ? ike_states[in.state] : "?");
			add_addr(sa, "local", &in.local);
			add_addr(sa, "remote", &in.remote);
			cJSON_AddBoolToObject(sa, "nat", in.nat_local || in.nat_remote);
			cJSON_AddNumberToObject(sa, "child_sas", in.children);
		} else {
			cJSON_AddStringToObject(sa, "state", "none");
		}
	}
	return DS_OK;
}

static int cmd_counters(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ue_host *h = ctx;
	const ds_ue_counters *c = ds_ue_counters_get(h->ue);
	cJSON *u = cJSON_AddObjectToObject(res, "ue");
	cJSON_AddNumberToObject(u, "bu_sent", (double)c->bu_sent);
	cJSON_AddNumberToObject(u, "bu_retransmitted", (double)c->bu_retransmitted);
	cJSON_AddNumberToObject(u, "ba_received", (double)c->ba_received);
	cJSON_AddNumberToObject(u, "ba_unexpected", (double)c->ba_unexpected);
	cJSON_AddNumberToObject(u, "bri_received", (double)c->bri_received);
	cJSON_AddNumberToObject(u, "bra_sent", (double)c->bra_sent);
	cJSON_AddNumberToObject(u, "drop_malformed", (double)c->drop_malformed);
	cJSON_AddNumberToObject(u, "drop_no_sa", (double)c->drop_no_sa);
	cJSON_AddNumberToObject(u, "drop_esp", (double)c->drop_esp);
	cJSON_AddNumberToObject(u, "drop_not_from_ha", (double)c->drop_not_from_ha);
	cJSON_AddNumberToObject(u, "tun_encap", (double)c->tun_encap);
	cJSON_AddNumberToObject(u, "tun_decap", (double)c->tun_decap);
	cJSON_AddNumberToObject(u, "tun_drop", (double)c->tun_drop);
	cJSON_AddNumberToObject(u, "nat_keepalives", (double)c->nat_keepalives);
	cJSON_AddNumberToObject(u, "be_sent", (double)c->be_sent);
	cJSON_AddNumberToObject(u, "be_rate_limited", (double)c->be_rate_limited);
	const ds_ike_counters *k = ds_ike_get_counters(h->ike);
	cJSON *i = cJSON_AddObjectToObject(res, "ike");
	cJSON_AddNumberToObject(i, "rx", (double)k->rx);
	cJSON_AddNumberToObject(i, "tx", (double)k->tx);
	cJSON_AddNumberToObject(i, "retransmits", (double)k->retransmits);
	cJSON_AddNumberToObject(i, "rx_malformed", (double)k->rx_malformed);
	cJSON_AddNumberToObject(i, "sa_established", (double)k->sa_established);
	cJSON_AddNumberToObject(i, "sa_failed", (double)k->sa_failed);
	const ds_netio_counters *n = ds_netio_counters_get(h->net);
	cJSON *s = cJSON_AddObjectToObject(res, "sockets");
	cJSON_AddNumberToObject(s, "rx_udp", (double)n->rx_udp);
	cJSON_AddNumberToObject(s, "rx_raw", (double)n->rx_raw);
	cJSON_AddNumberToObject(s, "tx", (double)n->tx);
	cJSON_AddNumberToObject(s, "tx_errors", (double)n->tx_errors);
	cJSON_AddNumberToObject(s, "natt_keepalives_tx", (double)h->natt.keepalives_tx);
	cJSON_AddNumberToObject(s, "natt_keepalives_rx", (double)h->natt.keepalives_rx);
	cJSON_AddNumberToObject(s, "udp4500_dropped", (double)h->natt.udp4500_dropped);
	return DS_OK;
}

static int cmd_detach(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ue_host *h = ctx;
	const char *apn = ds_ctl_arg(args, "apn", 0);
	cJSON *arr = cJSON_AddArrayToObject(res, "detaching");
	for (unsigned i = 0; i < h->conf.n_pdn; i++) {
		ue_pdn *p = &h->pdn[i];
		if (apn && strcasecmp(apn, h->conf.pdn[i].apn) != 0)
			continue;
		if (p->id && ds_ue_pdn_detach(h->ue, p->id, ds_rt_now()) == DS_OK)
			cJSON_AddItemToArray(arr, cJSON_CreateString(h->conf.pdn[i].apn));
	}
	ds_ue_host_sync(h);
	if (cJSON_GetArraySize(arr) == 0) {
		snprintf(err, len, "no attached PDN connection%s%s", apn ? " for APN " : "",
			 apn ? apn : "");
		return DS_E_NOTFOUND;
	}
	return DS_OK;
}

static int cmd_attach(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ue_host *h = ctx;
	const char *apn = ds_ctl_arg(args, "apn", 0);
	ue_pdn *p = apn ? ds_ue_host_pdn_by_apn(h, apn) : NULL;
	if (!p) {
		snprintf(err, len, "usage: attach APN (an APN of the configuration)");
		return DS_E_PARAM;
	}
	int rc = ds_ue_host_attach(h, (unsigned)(p - h->pdn));
	if (rc == DS_E_EXISTS)
		snprintf(err, len, "PDN connection %s is active", apn);
	if (rc == DS_OK)
		cJSON_AddStringToObject(res, "attaching", apn);
	return rc;
}

static int cmd_log_level(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ue_host *h = ctx;
	const char *l = ds_ctl_arg(args, "level", 0);
	int lv = l ? ds_log_level_parse(l) : -1;
	if (lv < 0) {
		snprintf(err, len, "level: err, warn, notice, info or debug");
		return DS_E_PARAM;
	}
	ds_log_sink_set_level(&h->log, lv);
	cJSON_AddStringToObject(res, "log_level", ds_log_level_name(lv));
	return DS_OK;
}

static int cmd_reload(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ue_host *h = ctx;
	char msg[1024];
	int rc = ds_ue_host_reload(h, msg, sizeof msg);
	if (rc != DS_OK) {
		snprintf(err, len, "%s", msg);
		return rc;
	}
	cJSON_AddStringToObject(res, "reload", msg);
	return DS_OK;
}

const ds_ctl_cmd ds_ue_ctl_cmds[] = {
	{ "status", "per PDN connection: state, HA, HoA, IPv4 HoA, CoA, tunnel, lifetime, IKE SA",
	  cmd_status },
	{ "counters", "UE, IKE and socket counters", cmd_counters },
	{ "detach", "[APN]: UE-initiated detach (every PDN connection without APN)", cmd_detach },
	{ "attach", "APN: attach a configured PDN connection again", cmd_attach },
	{ "log-level", "err|warn|notice|info|debug", cmd_log_level },
	{ "reload", "re-read the configuration file", cmd_reload },
	{ NULL, NULL, NULL },
};
