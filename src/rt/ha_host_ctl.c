/* Control commands of dsmip6-ha (docs/operations.md "dsmip6ctl reference"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "rt/ctl_fmt.h"
#include "rt/ha_host_int.h"

static void add_addr(cJSON *o, const char *key, const ds_addr *a)
{
	char buf[DS_ADDR_STRLEN];
	if (a->family == DS_AF_NONE)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, ds_addr_fmt(a, buf, sizeof buf));
}

static const char *const tunnel_names[] = { "none", "ipv6", "ipv4", "ipv4-udp" };

typedef struct walk {
	cJSON *arr;
	ds_time now;
	bool only_bound;
} walk;

static bool add_ue(void *ctx, const ds_ha_ue *u)
{
	walk *w = ctx;
	ds_ha_alloc a;
	ds_ha_ue_alloc(u, &a);
	if (w->only_bound && !a.bound)
		return true;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return false;
	cJSON_AddStringToObject(o, "nai", a.nai);
	cJSON_AddStringToObject(o, "apn", a.apn);
	add_addr(o, "hnp", &a.hnp);
	add_addr(o, "ipv4_hoa", &a.hoa4);
	cJSON_AddBoolToObject(o, "bound", a.bound);
	if (a.bound) {
		add_addr(o, "hoa", &a.hoa);
		add_addr(o, "coa", &a.coa);
		cJSON_AddNumberToObject(o, "seq", a.last_seq);
		cJSON_AddStringToObject(o, "tunnel", a.tunnel < 4 ? tunnel_names[a.tunnel] : "?");
		cJSON_AddNumberToObject(o, "lifetime_left_s",
					a.expires > w->now ? (double)((a.expires - w->now) / 1000) : 0);
	}
	cJSON_AddItemToArray(w->arr, o);
	return true;
}

static int cmd_bindings(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	walk w = { .arr = cJSON_AddArrayToObject(res, "bindings"), .now = ds_rt_now() };
	const char *all = ds_ctl_arg(args, "all", 0);
	w.only_bound = !(all && (strcmp(all, "all") == 0 || strcmp(all, "yes") == 0));
	if (!w.arr)
		return DS_E_NOMEM;
	ds_ha_foreach(h->ha, add_ue, &w);
	return DS_OK;
}

static void add_ha_counters(cJSON *o, const ds_ha_counters *c)
{
	static const char *const drops[DS_HA_DROP__COUNT] = {
		"malformed", "checksum", "no_sa", "esp", "selector", "unprotected", "not_home_reg",
		"bra_unmatched", "tun_no_binding", "tun_spoof", "rate",
	};
	cJSON_AddNumberToObject(o, "bu_received", (double)c->bu_received);
	cJSON_AddNumberToObject(o, "ba_sent", (double)c->ba_sent);
	cJSON *st = cJSON_AddObjectToObject(o, "ba_status");
	for (int i = 0; i < 256; i++)
		if (c->ba_status[i]) {
			char k[8];
			snprintf(k, sizeof k, "%d", i);
			cJSON_AddNumberToObject(st, k, (double)c->ba_status[i]);
		}
	cJSON_AddNumberToObject(o, "be_sent", (double)c->be_sent);
	cJSON_AddNumberToObject(o, "nat_detected", (double)c->nat_detected);
	cJSON_AddNumberToObject(o, "bri_sent", (double)c->bri_sent);
	cJSON_AddNumberToObject(o, "bri_retransmitted", (double)c->bri_retransmitted);
	cJSON_AddNumberToObject(o, "bra_received", (double)c->bra_received);
	cJSON_AddNumberToObject(o, "bri_timeouts", (double)c->bri_timeouts);
	cJSON_AddNumberToObject(o, "bindings_added", (double)c->bindings_added);
	cJSON_AddNumberToObject(o, "bindings_removed", (double)c->bindings_removed);
	cJSON_AddNumberToObject(o, "bindings_expired", (double)c->bindings_expired);
	cJSON_AddNumberToObject(o, "tun_encap", (double)c->tun_encap);
	cJSON_AddNumberToObject(o, "tun_decap", (double)c->tun_decap);
	cJSON *d = cJSON_AddObjectToObject(o, "drop");
	for (int i = 0; i < DS_HA_DROP__COUNT; i++)
		cJSON_AddNumberToObject(d, drops[i], (double)c->drop[i]);
}

static void add_ike_counters(cJSON *o, const ds_ike_counters *c)
{
	cJSON_AddNumberToObject(o, "rx", (double)c->rx);
	cJSON_AddNumberToObject(o, "tx", (double)c->tx);
	cJSON_AddNumberToObject(o, "retransmits", (double)c->retransmits);
	cJSON_AddNumberToObject(o, "rx_malformed", (double)c->rx_malformed);
	cJSON_AddNumberToObject(o, "rx_unknown_spi", (double)c->rx_unknown_spi);
	cJSON_AddNumberToObject(o, "rx_auth_failed", (double)c->rx_auth_failed);
	cJSON_AddNumberToObject(o, "sa_established", (double)c->sa_established);
	cJSON_AddNumberToObject(o, "sa_failed", (double)c->sa_failed);
	cJSON_AddNumberToObject(o, "auth_failures", (double)c->auth_failures);
	cJSON_AddNumberToObject(o, "redirects_sent", (double)c->redirects_sent);
	cJSON_AddNumberToObject(o, "cookies_sent", (double)c->cookies_sent);
	cJSON_AddNumberToObject(o, "sas_current", (double)c->sas_current);
	cJSON_AddNumberToObject(o, "half_open_current", (double)c->half_open_current);
}

static int cmd_counters(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	add_ha_counters(cJSON_AddObjectToObject(res, "ha"), ds_ha_counters_get(h->ha));
	add_ike_counters(cJSON_AddObjectToObject(res, "ike"), ds_ike_get_counters(h->ike));
	if (h->eap) {
		const ds_eap_aka_server_counters *e = ds_eap_aka_server_counters_get(h->eap);
		cJSON *eo = cJSON_AddObjectToObject(res, "eap");
		cJSON_AddNumberToObject(eo, "sessions", (double)e->sessions);
		cJSON_AddNumberToObject(eo, "successes", (double)e->successes);
		cJSON_AddNumberToObject(eo, "failures", (double)e->failures);
		cJSON_AddNumberToObject(eo, "unknown_users", (double)e->unknown_users);
		cJSON_AddNumberToObject(eo, "apn_rejects", (double)e->apn_rejects);
		cJSON_AddNumberToObject(eo, "resyncs", (double)e->resyncs);
	}
	if (h->radius) {
		ds_eap_radius_counters rc;
		ds_eap_radius_counters_get(h->radius, &rc);
		cJSON *ro = cJSON_AddObjectToObject(res, "radius");
		cJSON_AddNumberToObject(ro, "requests", (double)rc.requests);
		cJSON_AddNumberToObject(ro, "challenges", (double)rc.challenges);
		cJSON_AddNumberToObject(ro, "accepts", (double)rc.accepts);
		cJSON_AddNumberToObject(ro, "rejects", (double)rc.rejects);
		cJSON_AddNumberToObject(ro, "timeouts", (double)rc.timeouts);
		cJSON_AddNumberToObject(ro, "errors", (double)rc.errors);
	}
	const ds_netio_counters *n = ds_netio_counters_get(h->net);
	cJSON *no = cJSON_AddObjectToObject(res, "sockets");
	cJSON_AddNumberToObject(no, "rx_udp", (double)n->rx_udp);
	cJSON_AddNumberToObject(no, "rx_raw", (double)n->rx_raw);
	cJSON_AddNumberToObject(no, "tx", (double)n->tx);
	cJSON_AddNumberToObject(no, "tx_errors", (double)n->tx_errors);
	cJSON_AddNumberToObject(no, "rx_errors", (double)n->rx_errors);
	cJSON_AddNumberToObject(no, "natt_keepalives_tx", (double)h->natt.keepalives_tx);
	cJSON_AddNumberToObject(no, "natt_keepalives_rx", (double)h->natt.keepalives_rx);
	cJSON_AddNumberToObject(no, "udp4500_dropped", (double)h->natt.udp4500_dropped);
	cJSON_AddNumberToObject(res, "persist_errors", (double)h->persist_errors);
	return DS_OK;
}

static int cmd_status(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	add_addr(res, "ha_ipv6", &h->conf.addr6);
	add_addr(res, "ha_ipv4", &h->conf.addr4);
	add_addr(res, "hnp_pool", &h->conf.hnp_pool);
	add_addr(res, "ipv4_pool", &h->conf.ipv4_pool);
	cJSON_AddStringToObject(res, "tun", h->tun_name);
	cJSON_AddStringToObject(res, "aaa", ds_aaa_mode_names[h->conf.aaa_mode]);
	cJSON_AddNumberToObject(res, "ues", (double)ds_ha_ue_count(h->ha));
	cJSON_AddNumberToObject(res, "bindings", (double)ds_ha_binding_count(h->ha));
	cJSON_AddNumberToObject(res, "ike_sas", (double)ds_ike_get_counters(h->ike)->sas_current);
	cJSON_AddStringToObject(res, "log_level", ds_log_level_name(h->log.lg.level));
	cJSON_AddStringToObject(res, "state_db", h->conf.db_path);
	return DS_OK;
}

/* ---- subscribers (the embedded AAA's store) ---- */

static int hex16(const char *s, uint8_t out[16])
{
	if (!s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (strlen(s) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int cmd_sub_add(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	ds_subscriber s;
	memset(&s, 0, sizeof s);
	const char *imsi = ds_ctl_arg(args, "imsi", 0);
	if (!imsi || !ds_imsi_valid(imsi)) {
		snprintf(err, len, "imsi: 6 to 15 digits required");
		return DS_E_PARAM;
	}
	snprintf(s.imsi, sizeof s.imsi, "%s", imsi);
	if (hex16(ds_ctl_arg(args, "k", 1), s.k) || hex16(ds_ctl_arg(args, "opc", 2), s.opc)) {
		snprintf(err, len, "k and opc: 32 hex digits each");
		return DS_E_PARAM;
	}
	const char *amf = ds_ctl_arg(args, "amf", 99);
	s.amf = 0x8000; /* TS 33.102 Annex H: AMF separation bit set for E-UTRAN/EPS use */
	if (amf) {
		char *end;
		unsigned long v = strtoul(amf, &end, 16);
		if (*end || v > 0xffff) {
			snprintf(err, len, "amf: 4 hex digits");
			return DS_E_PARAM;
		}
		s.amf = (uint16_t)v;
	}
	const char *sqn = ds_ctl_arg(args, "sqn", 99);
	if (sqn) {
		char *end;
		unsigned long long v = strtoull(sqn, &end, 0);
		if (*end || v > DS_SQN_MAX) {
			snprintf(err, len, "sqn: a 48-bit number");
			return DS_E_PARAM;
		}
		s.sqn = v;
	}
	const char *apns[32];
	size_t n = 0;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(args, "apn");
	if (cJSON_IsString(a)) {
		apns[n++] = a->valuestring;
	} else if (cJSON_IsArray(a)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, a)
			if (cJSON_IsString(it) && n < 32)
				apns[n++] = it->valuestring;
	}
	if (n == 0)
		apns[n++] = "*"; /* no list given: every APN */
	int rc = ds_subdb_add(h->subdb, &s, apns, n);
	if (rc == DS_E_EXISTS)
		snprintf(err, len, "subscriber %s exists (remove it first)", s.imsi);
	if (rc == DS_OK)
		cJSON_AddStringToObject(res, "added", s.imsi);
	memset(&s, 0, sizeof s); /* key material */
	return rc;
}

static int list_one(void *ctx, const ds_subscriber *s)
{
	cJSON *arr = ctx;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return DS_E_NOMEM;
	cJSON_AddStringToObject(o, "imsi", s->imsi);
	char amf[8];
	snprintf(amf, sizeof amf, "%04x", s->amf);
	cJSON_AddStringToObject(o, "amf", amf);
	cJSON_AddNumberToObject(o, "sqn", (double)s->sqn);
	/* K and OPc are never shown */
	cJSON_AddItemToArray(arr, o);
	return 0;
}

static int cmd_sub_list(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	cJSON *arr = cJSON_AddArrayToObject(res, "subscribers");
	return arr ? ds_subdb_list(h->subdb, list_one, arr) : DS_E_NOMEM;
}

static int cmd_sub_remove(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	const char *imsi = ds_ctl_arg(args, "imsi", 0);
	if (!imsi) {
		snprintf(err, len, "usage: subscriber remove IMSI");
		return DS_E_PARAM;
	}
	int rc = ds_subdb_remove(h->subdb, imsi);
	if (rc == DS_E_NOTFOUND)
		snprintf(err, len, "no subscriber %s", imsi);
	if (rc == DS_OK)
		cJSON_AddStringToObject(res, "removed", imsi);
	return rc;
}

/* ---- operator actions on a UE ---- */

static int cmd_detach(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	const char *nai = ds_ctl_arg(args, "nai", 0), *apn = ds_ctl_arg(args, "apn", 1);
	if (!nai || !apn) {
		snprintf(err, len, "usage: detach NAI APN");
		return DS_E_PARAM;
	}
	int rc = ds_ha_revoke(h->ha, nai, apn, ds_rt_now());
	ds_rt_timer_sync(&h->ha_timer);
	ds_rt_timer_sync(&h->ike_timer);
	if (rc == DS_E_NOTFOUND)
		snprintf(err, len, "no PDN connection %s / %s", nai, apn);
	if (rc == DS_OK)
		cJSON_AddStringToObject(res, "revocation", "sent"); /* BRI, RFC 5846 / Annex A.6 */
	return rc;
}

/* The PDN GW side of a 3GPP-access PDN connection (TS 23.402 cl. 5.3, TS 24.303 cl. 5.1.2.3):
 * the prefix given to the UE on the 3GPP access is the one its S2c bootstrap later gets as the
 * HNP (MIP6_HOME_PREFIX), so the UE finds itself on its home link. The same allocation the IKE
 * responder uses, so both report the same prefix, also after a restart. */
static int cmd_pdn_prefix(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	const char *nai = ds_ctl_arg(args, "nai", 0), *apn = ds_ctl_arg(args, "apn", 1);
	if (!nai || !apn) {
		snprintf(err, len, "usage: pdn-prefix NAI APN");
		return DS_E_PARAM;
	}
	ds_addr hnp;
	uint32_t lifetime = 0;
	int rc = ds_ha_assign_hnp(h->ha, nai, apn, &hnp, &lifetime);
	ds_rt_timer_sync(&h->ha_timer);
	if (rc != DS_OK) {
		snprintf(err, len, "no prefix for %s / %s: %s", nai, apn, ds_strerror(rc));
		return rc;
	}
	add_addr(res, "hnp", &hnp);
	cJSON_AddNumberToObject(res, "lifetime", lifetime);
	return DS_OK;
}

static int cmd_redirect(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
	const char *nai = ds_ctl_arg(args, "nai", 0), *apn = ds_ctl_arg(args, "apn", 1);
	const char *to = ds_ctl_arg(args, "to", 2);
	ds_addr a;
	if (!nai || !apn || !to || ds_addr_parse(to, &a) != 0 || a.plen || a.port) {
		snprintf(err, len, "usage: redirect NAI APN ADDRESS");
		return DS_E_PARAM;
	}
	int rc = ds_ha_redirect(h->ha, nai, apn, &a, ds_rt_now());
	ds_rt_timer_sync(&h->ha_timer);
	ds_rt_timer_sync(&h->ike_timer);
	if (rc == DS_E_NOTFOUND)
		snprintf(err, len, "no PDN connection %s / %s", nai, apn);
	if (rc == DS_OK)
		cJSON_AddStringToObject(res, "redirect", to);
	return rc;
}

static int cmd_log_level(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	ds_ha_host *h = ctx;
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
	ds_ha_host *h = ctx;
	char msg[1024];
	int rc = ds_ha_host_reload(h, msg, sizeof msg);
	if (rc != DS_OK) {
		snprintf(err, len, "%s", msg);
		return rc;
	}
	cJSON_AddStringToObject(res, "reload", msg);
	return DS_OK;
}

const ds_ctl_cmd ds_ha_ctl_cmds[] = {
	{ "status", "HA addresses, pools, UE and binding counts", cmd_status },
	{ "bindings", "[all]: binding cache (all: also UEs without a binding)", cmd_bindings },
	{ "counters", "HA, IKE, EAP and socket counters", cmd_counters },
	{ "subscriber-add", "IMSI k=HEX opc=HEX [amf=HEX] [sqn=N] [apn=APN ...]", cmd_sub_add },
	{ "subscriber-list", "subscribers (IMSI, AMF, SQN; keys are never shown)", cmd_sub_list },
	{ "subscriber-remove", "IMSI", cmd_sub_remove },
	{ "detach", "NAI APN: network-initiated detach (Binding Revocation)", cmd_detach },
	{ "redirect", "NAI APN ADDRESS: move the UE to another HA (RFC 5685)", cmd_redirect },
	{ "pdn-prefix", "NAI APN: the HNP of that PDN connection, allocated if new (3GPP access)",
	  cmd_pdn_prefix },
	{ "log-level", "err|warn|notice|info|debug", cmd_log_level },
	{ "reload", "re-read the configuration file", cmd_reload },
	{ NULL, NULL, NULL },
};
