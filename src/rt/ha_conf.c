#include "rt/ha_conf.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "rt/conf_common.h"
#include "rt/dns_name.h"

const char *const ds_aaa_mode_names[] = { "embedded", "radius", NULL };

void ds_ha_conf_defaults(ds_ha_conf *hc)
{
	memset(hc, 0, sizeof *hc);
	hc->hnp_len = 64; /* TS 24.303 cl. 4.1: one /64 prefix per UE and PDN connection */
	hc->max_lifetime = 3600;
	snprintf(hc->tun_name, sizeof hc->tun_name, "dsha0");
	hc->tun_mtu = 1400;
	snprintf(hc->db_path, sizeof hc->db_path, "/var/lib/dsmip6/ha.db");
	snprintf(hc->ctl_socket, sizeof hc->ctl_socket, "/run/dsmip6/ha.sock");
	hc->radius.timeout_s = 3;
	hc->radius.retries = 3;
	hc->log.level = DS_LOG_INFO;
}

static void parse_addresses(const ds_ynode *root, ds_ha_conf *hc)
{
	static const char *const keys[] = { "ipv6", "ipv4", NULL };
	ds_ynode m;
	if (!ds_ymap_get(root, "addresses", &m, true))
		return;
	ds_ymap_only(&m, keys);
	ds_yget_addr(&m, "ipv6", &hc->addr6, DS_AF_INET6, false, true);
	ds_yget_addr(&m, "ipv4", &hc->addr4, DS_AF_INET, false, false);
}

static void parse_pools(const ds_ynode *root, ds_ha_conf *hc)
{
	static const char *const keys[] = { "hnp", "hnp_length", "ipv4", NULL };
	ds_ynode m, v;
	if (!ds_ymap_get(root, "pools", &m, true))
		return;
	ds_ymap_only(&m, keys);
	bool have = ds_yget_addr(&m, "hnp", &hc->hnp_pool, DS_AF_INET6, true, true);
	if (ds_yget_u32(&m, "hnp_length", &hc->hnp_len, 16, 128, false) && hc->hnp_len != 64) {
		/* TS 24.303 cl. 4.1 / RFC 5026: the HA engine assigns /64 home network prefixes */
		ds_ymap_get(&m, "hnp_length", &v, false);
		ds_yerr(&v, "only /64 home network prefixes are supported");
		hc->hnp_len = 64;
	}
	if (have && (hc->hnp_pool.plen >= hc->hnp_len || hc->hnp_len - hc->hnp_pool.plen > 32)) {
		ds_ymap_get(&m, "hnp", &v, false);
		ds_yerr(&v, "a /%u pool cannot be cut into /%u prefixes (need 1..32 bits between them)",
			hc->hnp_pool.plen, hc->hnp_len);
	}
	if (ds_yget_addr(&m, "ipv4", &hc->ipv4_pool, DS_AF_INET, true, false) &&
	    (hc->ipv4_pool.plen < 8 || hc->ipv4_pool.plen > 30)) {
		ds_ymap_get(&m, "ipv4", &v, false);
		ds_yerr(&v, "IPv4 pool length must be between /8 and /30");
	}
}

static void parse_ike(const ds_ynode *root, ds_ha_conf *hc)
{
	static const char *const keys[] = { "certificate", "key", "ca", "id",
					      DS_CONF_IKE_TUNING_HA_KEYS, NULL };
	ds_ynode m;
	if (!ds_ymap_get(root, "ike", &m, true))
		return;
	ds_ymap_only(&m, keys);
	/* TS 33.402 cl. 8.2.2 / R-13: the HA authenticates with a certificate */
	if (ds_yget_str(&m, "certificate", hc->cert, sizeof hc->cert, true))
		ds_conf_require_abs(&m, "certificate", hc->cert);
	if (ds_yget_str(&m, "key", hc->key, sizeof hc->key, true))
		ds_conf_require_abs(&m, "key", hc->key);
	if (ds_yget_str(&m, "ca", hc->ca, sizeof hc->ca, false))
		ds_conf_require_abs(&m, "ca", hc->ca);
	ds_yget_str(&m, "id", hc->ike_id, sizeof hc->ike_id, false);
	ds_conf_ike_tuning_parse(&m, &hc->ike, true);
}

static void parse_aaa(const ds_ynode *root, ds_ha_conf *hc)
{
	static const char *const keys[] = { "mode", "radius", NULL };
	static const char *const rkeys[] = { "server", "secret", "timeout", "retries", NULL };
	ds_ynode m, r;
	if (!ds_ymap_get(root, "aaa", &m, false))
		return;
	ds_ymap_only(&m, keys);
	ds_yget_enum(&m, "mode", ds_aaa_mode_names, &hc->aaa_mode, false);
	bool have_r = ds_ymap_get(&m, "radius", &r, hc->aaa_mode == DS_AAA_RADIUS);
	if (!have_r)
		return;
	ds_ymap_only(&r, rkeys);
	ds_ynode sv;
	char server[64];
	if (ds_yget_str(&r, "server", server, sizeof server, true)) {
		ds_ymap_get(&r, "server", &sv, false);
		/* "192.0.2.9", "192.0.2.9:1812", "[2001:db8::9]:1812" */
		if (ds_addr_parse(server, &hc->radius.server) != 0 || hc->radius.server.plen)
			ds_yerr(&sv, "'%s' is not an address or [address]:port", server);
	}
	if (hc->radius.server.family && !hc->radius.server.port)
		hc->radius.server.port = 1812; /* RFC 2865 cl. 3 */
	ds_yget_str(&r, "secret", hc->radius.secret, sizeof hc->radius.secret, true);
	ds_yget_u32(&r, "timeout", &hc->radius.timeout_s, 1, 60, false);
	ds_yget_u32(&r, "retries", &hc->radius.retries, 0, 10, false);
}

static void parse_apns(const ds_ynode *root, ds_ha_conf *hc)
{
	ds_ynode seq, it;
	if (!ds_ymap_get(root, "apns", &seq, false))
		return;
	size_t n = ds_yseq_len(&seq);
	if (n > DS_HA_MAX_APN) {
		ds_yerr(&seq, "at most %d APNs", DS_HA_MAX_APN);
		n = DS_HA_MAX_APN;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ds_yseq_at(&seq, i, &it))
			continue;
		const char *s = ds_ynode_str(&it);
		if (!s || !ds_dns_name_valid(s, DS_APN_MAX)) {
			ds_yerr(&it, "'%s' is not an APN (TS 23.003 cl. 9.1)", s ? s : "");
			continue;
		}
		snprintf(hc->apns[hc->n_apn++], sizeof hc->apns[0], "%s", s);
	}
}

static void parse_redirects(const ds_ynode *root, ds_ha_conf *hc)
{
	static const char *const keys[] = { "nai", "apn", "to", "to_ipv4", NULL };
	ds_ynode seq, it;
	if (!ds_ymap_get(root, "redirect", &seq, false))
		return;
	size_t n = ds_yseq_len(&seq);
	if (n > DS_HA_MAX_REDIRECT) {
		ds_yerr(&seq, "at most %d rules", DS_HA_MAX_REDIRECT);
		n = DS_HA_MAX_REDIRECT;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ds_yseq_at(&seq, i, &it))
			continue;
		if (!ds_ynode_is_map(&it)) {
			ds_yerr(&it, "must be a mapping with nai and to");
			continue;
		}
		ds_ymap_only(&it, keys);
		ds_ha_redirect_rule *r = &hc->redirect[hc->n_redirect++];
		ds_yget_str(&it, "nai", r->nai, sizeof r->nai, true);
		ds_yget_str(&it, "apn", r->apn, sizeof r->apn, false);
		ds_yget_addr(&it, "to", &r->to6, DS_AF_INET6, false, false);
		ds_yget_addr(&it, "to_ipv4", &r->to4, DS_AF_INET, false, false);
		ds_ynode v6, v4;
		bool p6 = ds_ymap_get(&it, "to", &v6, false);
		bool p4 = ds_ymap_get(&it, "to_ipv4", &v4, false);
		if (!p6 && !p4) /* RFC 5685 cl. 5: REDIRECT carries the new gateway's identity */
			ds_yerr(&v6, "a redirect needs a target: to (IPv6) or to_ipv4");
	}
}

static void parse_tun(const ds_ynode *root, ds_ha_conf *hc)
{
	static const char *const keys[] = { "name", "mtu", NULL };
	ds_ynode m;
	if (!ds_ymap_get(root, "tun", &m, false))
		return;
	ds_ymap_only(&m, keys);
	ds_yget_str(&m, "name", hc->tun_name, sizeof hc->tun_name, false);
	ds_yget_u32(&m, "mtu", &hc->tun_mtu, 1280, 9000, false);
}

static void parse_state(const ds_ynode *root, ds_ha_conf *hc)
{
	static const char *const keys[] = { "db", NULL };
	ds_ynode m;
	if (!ds_ymap_get(root, "state", &m, false))
		return;
	ds_ymap_only(&m, keys);
	if (ds_yget_str(&m, "db", hc->db_path, sizeof hc->db_path, false))
		ds_conf_require_abs(&m, "db", hc->db_path);
}

int ds_ha_conf_parse(ds_ycfg *c, ds_ha_conf *hc)
{
	static const char *const keys[] = { "addresses", "pools", "lifetime", "apns", "tun", "ike",
					    "state", "aaa", "redirect", "control", "log", "keylog",
					    NULL };
	ds_ha_conf_defaults(hc);
	ds_ynode root;
	if (ds_ycfg_root(c, &root)) {
		ds_ymap_only(&root, keys);
		parse_addresses(&root, hc);
		parse_pools(&root, hc);
		ds_ynode lt;
		if (ds_ymap_get(&root, "lifetime", &lt, false)) {
			static const char *const lkeys[] = { "max", NULL };
			ds_ymap_only(&lt, lkeys);
			/* RFC 6275 cl. 6.1.8: 16-bit lifetime in 4-s units */
			ds_yget_u32(&lt, "max", &hc->max_lifetime, 4, 262140, false);
		}
		parse_apns(&root, hc);
		parse_tun(&root, hc);
		parse_ike(&root, hc);
		parse_state(&root, hc);
		parse_aaa(&root, hc);
		parse_redirects(&root, hc);
		ds_conf_control(&root, hc->ctl_socket, sizeof hc->ctl_socket);
		ds_conf_log(&root, &hc->log);
		ds_conf_keylog(&root, hc->keylog_dir, sizeof hc->keylog_dir);
	}
	return c->nerr ? DS_E_CONFIG : DS_OK;
}

int ds_ha_conf_load(const char *path, ds_ha_conf *hc, char *err, size_t errlen)
{
	ds_ycfg c;
	int rc = ds_ycfg_load_file(&c, path, path);
	if (rc == DS_OK)
		rc = ds_ha_conf_parse(&c, hc);
	if (rc != DS_OK)
		ds_ycfg_errors(&c, err, errlen);
	ds_ycfg_free(&c);
	return rc;
}

const ds_ha_redirect_rule *ds_ha_redirect_match(const ds_ha_conf *hc, const char *nai, const char *apn)
{
	for (unsigned i = 0; i < hc->n_redirect; i++) {
		const ds_ha_redirect_rule *r = &hc->redirect[i];
		if (fnmatch(r->nai, nai, FNM_CASEFOLD) != 0)
			continue;
		if (r->apn[0] && (!apn || strcasecmp(r->apn, apn) != 0))
			continue;
		return r;
	}
	return NULL;
}
