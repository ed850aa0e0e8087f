#include "rt/ue_conf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "rt/conf_common.h"
#include "rt/dns_name.h"

const char *const ds_access_kind_names[] = { "3gpp-home", "wlan", "ipv4", NULL };
static const char *const eap_names[] = { "aka", "aka-prime", NULL };

void ds_ue_conf_defaults(ds_ue_conf *uc)
{
	memset(uc, 0, sizeof *uc);
	snprintf(uc->tun_name, sizeof uc->tun_name, "dsue0");
	uc->tun_mtu = 1400; /* leaves room for IPv6 + ESP/UDP encapsulation on a 1500-octet path */
	snprintf(uc->ctl_socket, sizeof uc->ctl_socket, "/run/dsmip6/ue.sock");
	uc->log.level = DS_LOG_INFO;
}

static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int ds_nai_from_imsi(const char *imsi, const char *mcc, const char *mnc, int eap, char *out,
		     size_t len)
{
	if (!all_digits(imsi, 6, 15) || !all_digits(mcc, 3, 3) || !all_digits(mnc, 2, 3))
		return DS_E_PARAM;
	/* TS 23.003 cl. 19.3.2: "0" for EAP-AKA, "6" for EAP-AKA' (cl. 19.3.2 / RFC 5448);
	 * MNC of two digits is written with a leading zero. */
	int n = snprintf(out, len, "%c%s@nai.epc.mnc%s%s.mcc%s.3gppnetwork.org",
			 eap == DS_EAP_KIND_AKA_PRIME ? '6' : '0', imsi, strlen(mnc) == 2 ? "0" : "",
			 mnc, mcc);
	return (n < 0 || (size_t)n >= len) ? DS_E_NOSPACE : DS_OK;
}

static void parse_identity(const ds_ynode *root, ds_ue_conf *uc)
{
	static const char *const keys[] = { "imsi", "mcc", "mnc", "nai", "eap", "usim_file", NULL };
	ds_ynode m, v;
	if (!ds_ymap_get(root, "identity", &m, true))
		return;
	ds_ymap_only(&m, keys);
	if (ds_yget_str(&m, "imsi", uc->imsi, sizeof uc->imsi, true) && !all_digits(uc->imsi, 6, 15)) {
		ds_ymap_get(&m, "imsi", &v, false);
		ds_yerr(&v, "an IMSI is 6 to 15 decimal digits (TS 23.003 cl. 2.2)");
	}
	if (ds_yget_str(&m, "mcc", uc->mcc, sizeof uc->mcc, true) && !all_digits(uc->mcc, 3, 3)) {
		ds_ymap_get(&m, "mcc", &v, false);
		ds_yerr(&v, "an MCC is 3 decimal digits");
	}
	if (ds_yget_str(&m, "mnc", uc->mnc, sizeof uc->mnc, true) && !all_digits(uc->mnc, 2, 3)) {
		ds_ymap_get(&m, "mnc", &v, false);
		ds_yerr(&v, "an MNC is 2 or 3 decimal digits");
	}
	ds_yget_enum(&m, "eap", eap_names, &uc->eap, false);
	if (uc->imsi[0] && uc->mcc[0] && uc->mnc[0] &&
	    strncmp(uc->imsi, uc->mcc, 3) == 0 && strncmp(uc->imsi + 3, uc->mnc, strlen(uc->mnc)) != 0) {
		ds_ymap_get(&m, "imsi", &v, false);
		ds_yerr(&v, "does not start with MCC %s and MNC %s", uc->mcc, uc->mnc);
	}
	if (!ds_yget_str(&m, "nai", uc->nai, sizeof uc->nai, false))
		ds_nai_from_imsi(uc->imsi, uc->mcc, uc->mnc, uc->eap, uc->nai, sizeof uc->nai);
	if (ds_yget_str(&m, "usim_file", uc->usim_file, sizeof uc->usim_file, true))
		ds_conf_require_abs(&m, "usim_file", uc->usim_file);
}

static void parse_tun(const ds_ynode *root, ds_ue_conf *uc)
{
	static const char *const keys[] = { "name", "mtu", NULL };
	ds_ynode m;
	if (!ds_ymap_get(root, "tun", &m, false))
		return;
	ds_ymap_only(&m, keys);
	ds_yget_str(&m, "name", uc->tun_name, sizeof uc->tun_name, false);
	/* IPv6 needs 1280 (RFC 8200 cl. 5) */
	ds_yget_u32(&m, "mtu", &uc->tun_mtu, 1280, 9000, false);
}

static void parse_accesses(const ds_ynode *root, ds_ue_conf *uc)
{
	static const char *const keys[] = { "interface", "kind", "priority", NULL };
	ds_ynode seq, it;
	if (!ds_ymap_get(root, "accesses", &seq, true))
		return;
	size_t n = ds_yseq_len(&seq);
	if (ds_ynode_is_seq(&seq) && n == 0)
		ds_yerr(&seq, "at least one access is needed");
	if (n > DS_UE_MAX_ACCESS) {
		ds_yerr(&seq, "at most %d accesses", DS_UE_MAX_ACCESS);
		n = DS_UE_MAX_ACCESS;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ds_yseq_at(&seq, i, &it))
			continue;
		if (!ds_ynode_is_map(&it)) {
			ds_yerr(&it, "must be a mapping with interface and kind");
			continue;
		}
		ds_ymap_only(&it, keys);
		ds_ue_access_conf *a = &uc->access[uc->n_access++];
		ds_yget_str(&it, "interface", a->ifname, sizeof a->ifname, true);
		ds_yget_enum(&it, "kind", ds_access_kind_names, &a->kind, true);
		/* default preference: home link first, then WLAN, then IPv4-only */
		a->priority = a->kind == DS_ACCESS_3GPP_HOME ? 30 : a->kind == DS_ACCESS_WLAN ? 20 : 10;
		ds_yget_u32(&it, "priority", &a->priority, 0, 1000, false);
		for (unsigned j = 0; j + 1 < uc->n_access; j++)
			if (a->ifname[0] && strcmp(uc->access[j].ifname, a->ifname) == 0) {
				ds_ynode v;
				ds_ymap_get(&it, "interface", &v, false);
				ds_yerr(&v, "interface %s is listed twice", a->ifname);
			}
	}
}

static void parse_pdns(const ds_ynode *root, ds_ue_conf *uc)
{
	static const char *const keys[] = { "apn", "ha", "ha_ipv4", "ha_fqdn", "ipv4_hoa", "force_udp",
					    "lifetime", NULL };
	ds_ynode seq, it, v;
	if (!ds_ymap_get(root, "pdn", &seq, true))
		return;
	size_t n = ds_yseq_len(&seq);
	if (ds_ynode_is_seq(&seq) && n == 0)
		ds_yerr(&seq, "at least one PDN connection is needed");
	if (n > DS_UE_MAX_PDN) {
		ds_yerr(&seq, "at most %d PDN connections", DS_UE_MAX_PDN);
		n = DS_UE_MAX_PDN;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ds_yseq_at(&seq, i, &it))
			continue;
		if (!ds_ynode_is_map(&it)) {
			ds_yerr(&it, "must be a mapping with at least an apn");
			continue;
		}
		ds_ymap_only(&it, keys);
		ds_ue_pdn_conf *p = &uc->pdn[uc->n_pdn++];
		p->lifetime = 3600;
		if (ds_yget_str(&it, "apn", p->apn, sizeof p->apn, true) &&
		    !ds_dns_name_valid(p->apn, DS_APN_MAX)) {
			ds_ymap_get(&it, "apn", &v, false);
			ds_yerr(&v, "'%s' is not an APN (letters, digits, hyphens in dot-separated labels, "
				    "TS 23.003 cl. 9.1)", p->apn);
		}
		for (unsigned j = 0; j + 1 < uc->n_pdn; j++)
			if (p->apn[0] && strcasecmp(uc->pdn[j].apn, p->apn) == 0) {
				ds_ymap_get(&it, "apn", &v, false);
				ds_yerr(&v, "APN %s is listed twice (one PDN connection per APN)", p->apn);
			}
		ds_yget_addr(&it, "ha", &p->ha6, DS_AF_INET6, false, false);
		ds_yget_addr(&it, "ha_ipv4", &p->ha4, DS_AF_INET, false, false);
		if (ds_yget_str(&it, "ha_fqdn", p->ha_fqdn, sizeof p->ha_fqdn, false) &&
		    !ds_dns_name_valid(p->ha_fqdn, 255)) {
			ds_ymap_get(&it, "ha_fqdn", &v, false);
			ds_yerr(&v, "'%s' is not a DNS name", p->ha_fqdn);
		}
		ds_yget_bool(&it, "ipv4_hoa", &p->ipv4_hoa, false);
		ds_yget_bool(&it, "force_udp", &p->force_udp, false);
		/* BU lifetime is in 4-s units in 16 bits (RFC 6275 cl. 6.1.7): at most 262140 s */
		ds_yget_u32(&it, "lifetime", &p->lifetime, 4, 262140, false);
	}
}

static void parse_ike(const ds_ynode *root, ds_ue_conf *uc)
{
	static const char *const keys[] = { "ca", DS_CONF_IKE_TUNING_KEYS, NULL };
	ds_ynode m;
	/* the HA proves itself with a certificate; the UE must be able to check it */
	if (!ds_ymap_get(root, "ike", &m, true))
		return;
	ds_ymap_only(&m, keys);
	if (ds_yget_str(&m, "ca", uc->ha_ca, sizeof uc->ha_ca, true))
		ds_conf_require_abs(&m, "ca", uc->ha_ca);
	ds_conf_ike_tuning_parse(&m, &uc->ike, false);
}

static void parse_dns(const ds_ynode *root, ds_ue_conf *uc)
{
	static const char *const keys[] = { "servers", NULL };
	ds_ynode m, seq, it;
	if (!ds_ymap_get(root, "dns", &m, false))
		return;
	ds_ymap_only(&m, keys);
	if (!ds_ymap_get(&m, "servers", &seq, false))
		return;
	size_t n = ds_yseq_len(&seq);
	if (n > DS_UE_MAX_DNS) {
		ds_yerr(&seq, "at most %d servers", DS_UE_MAX_DNS);
		n = DS_UE_MAX_DNS;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ds_yseq_at(&seq, i, &it))
			continue;
		const char *s = ds_ynode_str(&it);
		ds_addr a;
		if (!s || ds_addr_parse(s, &a) != 0 || a.plen) {
			ds_yerr(&it, "'%s' is not an IP address", s ? s : "");
			continue;
		}
		uc->dns_servers[uc->n_dns++] = a;
	}
}

int ds_ue_conf_parse(ds_ycfg *c, ds_ue_conf *uc)
{
	static const char *const keys[] = { "identity", "ike", "tun", "accesses", "pdn", "dns",
					    "control", "log", "keylog", NULL };
	ds_ue_conf_defaults(uc);
	ds_ynode root;
	if (ds_ycfg_root(c, &root)) {
		ds_ymap_only(&root, keys);
		parse_identity(&root, uc);
		parse_ike(&root, uc);
		parse_tun(&root, uc);
		parse_accesses(&root, uc);
		parse_pdns(&root, uc);
		parse_dns(&root, uc);
		ds_conf_control(&root, uc->ctl_socket, sizeof uc->ctl_socket);
		ds_conf_log(&root, &uc->log);
		ds_conf_keylog(&root, uc->keylog_dir, sizeof uc->keylog_dir);
		/* an IPv4-only access can reach only an HA with an IPv4 address: static or from DNS */
	}
	return c->nerr ? DS_E_CONFIG : DS_OK;
}

int ds_ue_conf_load(const char *path, ds_ue_conf *uc, char *err, size_t errlen)
{
	ds_ycfg c;
	int rc = ds_ycfg_load_file(&c, path, path);
	if (rc == DS_OK)
		rc = ds_ue_conf_parse(&c, uc);
	if (rc != DS_OK)
		ds_ycfg_errors(&c, err, errlen);
	ds_ycfg_free(&c);
	return rc;
}
