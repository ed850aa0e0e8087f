/* Configuration validation: good configs load with their defaults, and every kind of error is
 * reported as "<file>:<line>: <key path>: <message>". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "rt/dns_name.h"
#include "rt/ha_conf.h"
#include "rt/ue_conf.h"
#include "rt/usim_file.h"
#include "rt/ycfg.h"

static const char good_ue[] =
	"identity:\n"
	"  imsi: \"001010123456789\"\n"
	"  mcc: \"001\"\n"
	"  mnc: \"01\"\n"
	"  usim_file: /etc/dsmip6/usim.yaml\n"
	"accesses:\n"
	"  - interface: lte0\n"
	"    kind: 3gpp-home\n"
	"  - interface: wlan0\n"
	"    kind: wlan\n"
	"    priority: 50\n"
	"pdn:\n"
	"  - apn: internet\n"
	"    ha: 2001:db8:1::1\n"
	"    ha_ipv4: 192.0.2.1\n"
	"    ipv4_hoa: true\n"
	"  - apn: ims\n"
	"log:\n"
	"  level: debug\n"
	"ike:\n"
	"  ca: /etc/dsmip6/ca.pem\n";

static int ue_parse(const char *text, ds_ue_conf *uc, char *err, size_t errlen)
{
	ds_ycfg c;
	int rc = ds_ycfg_load_mem(&c, text, strlen(text), "ue.yaml");
	if (rc == DS_OK)
		rc = ds_ue_conf_parse(&c, uc);
	ds_ycfg_errors(&c, err, errlen);
	ds_ycfg_free(&c);
	return rc;
}

static int ha_parse(const char *text, ds_ha_conf *hc, char *err, size_t errlen)
{
	ds_ycfg c;
	int rc = ds_ycfg_load_mem(&c, text, strlen(text), "ha.yaml");
	if (rc == DS_OK)
		rc = ds_ha_conf_parse(&c, hc);
	ds_ycfg_errors(&c, err, errlen);
	ds_ycfg_free(&c);
	return rc;
}

/* Replace the first occurrence of `from` in good_ue by `to` and expect the one error `want`. */
static void ue_expect(const char *from, const char *to, const char *want)
{
	char text[2048];
	const char *at = strstr(good_ue, from);
	assert_non_null(at);
	snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good_ue), good_ue, to, at + strlen(from));
	ds_ue_conf uc;
	char err[2048];
	assert_int_equal(ue_parse(text, &uc, err, sizeof err), DS_E_CONFIG);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in:\n%s", want, err);
}

static void test_ue_good(void **state)
{
	(void)state;
	ds_ue_conf uc;
	char err[1024];
	assert_int_equal(ue_parse(good_ue, &uc, err, sizeof err), DS_OK);
	assert_string_equal(uc.imsi, "001010123456789");
	/* TS 23.003 cl. 19.3.2, 2-digit MNC padded to 3 */
	assert_string_equal(uc.nai, "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org");
	assert_int_equal(uc.n_access, 2);
	assert_string_equal(uc.access[0].ifname, "lte0");
	assert_int_equal(uc.access[0].kind, DS_ACCESS_3GPP_HOME);
	assert_int_equal(uc.access[0].priority, 30);
	assert_int_equal(uc.access[1].priority, 50);
	assert_int_equal(uc.n_pdn, 2);
	assert_string_equal(uc.pdn[0].apn, "internet");
	assert_int_equal(uc.pdn[0].ha6.family, DS_AF_INET6);
	assert_int_equal(uc.pdn[0].ha4.family, DS_AF_INET);
	assert_true(uc.pdn[0].ipv4_hoa);
	assert_int_equal(uc.pdn[1].ha6.family, DS_AF_NONE); /* DNS discovery */
	assert_false(uc.pdn[1].ipv4_hoa);
	assert_int_equal(uc.pdn[1].lifetime, 3600);
	assert_int_equal(uc.log.level, DS_LOG_DEBUG);
	/* defaults */
	assert_string_equal(uc.tun_name, "dsue0");
	assert_string_equal(uc.ctl_socket, "/run/dsmip6/ue.sock");
}

static void test_ue_errors(void **state)
{
	(void)state;
	/* required key missing: reported at the enclosing mapping's line with the full key path */
	ue_expect("  - apn: ims\n", "  - ipv4_hoa: true\n", "ue.yaml:17: pdn[1].apn: required key missing");
	/* unknown key, at its own line */
	ue_expect("    ipv4_hoa: true\n", "    ipv4_hoe: true\n", "ue.yaml:16: pdn[0].ipv4_hoe: unknown key");
	/* wrong value type */
	ue_expect("    ipv4_hoa: true\n", "    ipv4_hoa: maybe\n",
		  "ue.yaml:16: pdn[0].ipv4_hoa: 'maybe' is not a boolean");
	/* wrong address family */
	ue_expect("    ha: 2001:db8:1::1\n", "    ha: 192.0.2.1\n",
		  "ue.yaml:14: pdn[0].ha: '192.0.2.1' must be an IPv6 address");
	ue_expect("    ha: 2001:db8:1::1\n", "    ha: not-an-address\n",
		  "ue.yaml:14: pdn[0].ha: 'not-an-address' is not an IP address");
	/* enumeration */
	ue_expect("    kind: wlan\n", "    kind: wifi\n",
		  "ue.yaml:10: accesses[1].kind: 'wifi' is not one of: 3gpp-home, wlan, ipv4");
	/* integer range */
	ue_expect("    priority: 50\n", "    priority: 5000\n",
		  "ue.yaml:11: accesses[1].priority: '5000' is not an integer in [0, 1000]");
	/* identity checks */
	ue_expect("  imsi: \"001010123456789\"\n", "  imsi: \"00101abc\"\n",
		  "ue.yaml:2: identity.imsi: an IMSI is 6 to 15 decimal digits");
	ue_expect("  imsi: \"001010123456789\"\n", "  imsi: \"001020123456789\"\n",
		  "ue.yaml:2: identity.imsi: does not start with MCC 001 and MNC 01");
	ue_expect("  usim_file: /etc/dsmip6/usim.yaml\n", "  usim_file: usim.yaml\n",
		  "ue.yaml:5: identity.usim_file: 'usim.yaml' must be an absolute path");
	/* APN syntax and duplicates */
	ue_expect("  - apn: ims\n", "  - apn: -ims\n", "ue.yaml:17: pdn[1].apn: '-ims' is not an APN");
	ue_expect("  - apn: ims\n", "  - apn: INTERNET\n",
		  "ue.yaml:17: pdn[1].apn: APN INTERNET is listed twice");
	/* a list where a mapping is expected */
	ue_expect("log:\n  level: debug\n", "log:\n  - debug\n", "ue.yaml:18: log: must be a mapping");
	/* a mapping where a scalar is expected */
	ue_expect("    ha_ipv4: 192.0.2.1\n", "    ha_ipv4: {a: 1}\n",
		  "ue.yaml:15: pdn[0].ha_ipv4: must be a single value");
	/* YAML syntax error carries its line */
	ue_expect("    priority: 50\n", "    priority: [50\n", "ue.yaml:12: YAML syntax error");
	/* top-level section missing */
	ue_expect("accesses:\n  - interface: lte0\n    kind: 3gpp-home\n  - interface: wlan0\n"
		  "    kind: wlan\n    priority: 50\n", "",
		  "ue.yaml:1: accesses: required key missing");
	/* top-level typo */
	ue_expect("log:\n", "logging:\n", "ue.yaml:18: logging: unknown key");
	ue_expect("  ca: /etc/dsmip6/ca.pem\n", "", "ue.yaml:20: ike.ca: required key missing");
}

static void test_ue_all_errors_reported(void **state)
{
	(void)state;
	ds_ue_conf uc;
	char err[2048];
	const char *bad = "identity:\n  imsi: x\n  mcc: \"001\"\n  mnc: \"01\"\n  usim_file: /u\n"
			  "accesses: []\npdn:\n  - apn: a\n    lifetime: 1\n    color: red\n"
			  "ike: {ca: /ca.pem}\n";
	assert_int_equal(ue_parse(bad, &uc, err, sizeof err), DS_E_CONFIG);
	assert_non_null(strstr(err, "ue.yaml:2: identity.imsi:"));
	assert_non_null(strstr(err, "ue.yaml:6: accesses: at least one access is needed"));
	assert_non_null(strstr(err, "ue.yaml:9: pdn[0].lifetime: '1' is not an integer in [4, 262140]"));
	assert_non_null(strstr(err, "ue.yaml:10: pdn[0].color: unknown key"));
}

static void test_empty_and_missing_file(void **state)
{
	(void)state;
	ds_ue_conf uc;
	char err[1024];
	assert_int_equal(ue_parse("", &uc, err, sizeof err), DS_E_CONFIG);
	assert_non_null(strstr(err, "identity: required key missing"));
	assert_int_equal(ds_ue_conf_load("/nonexistent/ue.yaml", &uc, err, sizeof err), DS_E_IO);
	assert_non_null(strstr(err, "/nonexistent/ue.yaml:0: cannot open"));
	assert_int_equal(ue_parse("- a\n- b\n", &uc, err, sizeof err), DS_E_CONFIG);
	assert_non_null(strstr(err, "ue.yaml:1: the top level must be a mapping"));
}

static const char good_ha[] =
	"addresses:\n"
	"  ipv6: 2001:db8:1::1\n"
	"  ipv4: 192.0.2.1\n"
	"pools:\n"
	"  hnp: 2001:db8:100::/40\n"
	"  ipv4: 198.51.100.0/24\n"
	"ike:\n"
	"  certificate: /etc/dsmip6/ha.pem\n"
	"  key: /etc/dsmip6/ha.key\n"
	"aaa:\n"
	"  mode: radius\n"
	"  radius:\n"
	"    server: 127.0.0.1\n"
	"    secret: testing123\n"
	"redirect:\n"
	"  - nai: \"0001010*@nai.epc.mnc001.mcc001.3gppnetwork.org\"\n"
	"    apn: ims\n"
	"    to: 2001:db8:2::1\n"
	"lifetime:\n"
	"  max: 7200\n";

static void ha_expect(const char *from, const char *to, const char *want)
{
	char text[2048];
	const char *at = strstr(good_ha, from);
	assert_non_null(at);
	snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good_ha), good_ha, to, at + strlen(from));
	ds_ha_conf hc;
	char err[2048];
	assert_int_equal(ha_parse(text, &hc, err, sizeof err), DS_E_CONFIG);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in:\n%s", want, err);
}

static void test_ha_good(void **state)
{
	(void)state;
	ds_ha_conf hc;
	char err[1024];
	assert_int_equal(ha_parse(good_ha, &hc, err, sizeof err), DS_OK);
	assert_int_equal(hc.hnp_pool.plen, 40);
	assert_int_equal(hc.hnp_len, 64);
	assert_int_equal(hc.ipv4_pool.plen, 24);
	assert_int_equal(hc.aaa_mode, DS_AAA_RADIUS);
	assert_int_equal(hc.radius.server.port, 1812);
	assert_string_equal(hc.radius.secret, "testing123");
	assert_int_equal(hc.max_lifetime, 7200);
	assert_string_equal(hc.db_path, "/var/lib/dsmip6/ha.db");
	assert_int_equal(hc.n_redirect, 1);
	const char *nai = "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org";
	assert_non_null(ds_ha_redirect_match(&hc, nai, "ims"));
	assert_null(ds_ha_redirect_match(&hc, nai, "internet"));
	assert_null(ds_ha_redirect_match(&hc, "0001020123456789@x", "ims"));
}

static void test_ha_errors(void **state)
{
	(void)state;
	ha_expect("  hnp: 2001:db8:100::/40\n", "  hnp: 2001:db8:100::1\n",
		  "ha.yaml:5: pools.hnp: '2001:db8:100::1' needs a prefix length");
	ha_expect("  hnp: 2001:db8:100::/40\n", "  hnp: 2001:db8:100::/64\n",
		  "ha.yaml:5: pools.hnp: a /64 pool cannot be cut into /64 prefixes");
	ha_expect("  hnp: 2001:db8:100::/40\n", "  hnp: 2001:db8:100::/40\n  hnp_length: 56\n",
		  "ha.yaml:6: pools.hnp_length: only /64 home network prefixes are supported");
	ha_expect("  ipv4: 198.51.100.0/24\n", "  ipv4: 198.51.100.0/31\n",
		  "ha.yaml:6: pools.ipv4: IPv4 pool length");
	ha_expect("  key: /etc/dsmip6/ha.key\n", "", "ha.yaml:7: ike.key: required key missing");
	ha_expect("  mode: radius\n", "  mode: diameter\n",
		  "ha.yaml:11: aaa.mode: 'diameter' is not one of: embedded, radius");
	ha_expect("    secret: testing123\n", "", "ha.yaml:12: aaa.radius.secret: required key missing");
	ha_expect("    server: 127.0.0.1\n", "    server: radius.example\n",
		  "ha.yaml:13: aaa.radius.server: 'radius.example' is not an address");
	ha_expect("    to: 2001:db8:2::1\n", "", "ha.yaml:16: redirect[0].to: a redirect needs a target");
	ha_expect("  max: 7200\n", "  max: 300000\n", "ha.yaml:20: lifetime.max: '300000' is not an integer");
}

/* Replace `from` in `base` by `to` into out (the good configs plus one change). */
static void edit(char *out, size_t len, const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	assert_non_null(at);
	snprintf(out, len, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
}

/* ike: tuning keys reach ds_ike_config in the engine's units; absent keys change nothing. */
static void test_ike_tuning(void **state)
{
	(void)state;
	char text[2048], err[2048];
	ds_ue_conf uc;
	ds_ha_conf hc;
	ds_ike_config ic;

	/* defaults: no rekey, no fragmentation, no DPD, AUTHENTICATION_FAILED, engine cookies */
	assert_int_equal(ue_parse(good_ue, &uc, err, sizeof err), DS_OK);
	memset(&ic, 0, sizeof ic);
	ds_conf_ike_tuning_apply(&uc.ike, &ic);
	assert_int_equal(ic.ike_lifetime, 0);
	assert_false(ic.fragmentation);
	assert_int_equal(ic.frag_mtu, 0);
	assert_int_equal(ic.dpd_interval, 0);
	assert_false(ic.notify_3gpp);
	assert_int_equal(ic.cookie_rotate, 0);

	edit(text, sizeof text, good_ue, "  ca: /etc/dsmip6/ca.pem\n",
	     "  ca: /etc/dsmip6/ca.pem\n  lifetime: 3600\n  fragmentation: true\n"
	     "  frag_mtu: 1400\n  dpd_interval: 30\n");
	assert_int_equal(ue_parse(text, &uc, err, sizeof err), DS_OK);
	memset(&ic, 0, sizeof ic);
	ds_conf_ike_tuning_apply(&uc.ike, &ic);
	assert_int_equal(ic.ike_lifetime, 3600 * 1000);
	assert_true(ic.fragmentation);
	assert_int_equal(ic.frag_mtu, 1400);
	assert_int_equal(ic.dpd_interval, 30 * 1000);
	assert_false(ic.notify_3gpp);

	edit(text, sizeof text, good_ha, "  key: /etc/dsmip6/ha.key\n",
	     "  key: /etc/dsmip6/ha.key\n  notify_3gpp: true\n  cookie_rotate: 120\n"
	     "  lifetime: 86400\n  dpd_interval: 0\n");
	assert_int_equal(ha_parse(text, &hc, err, sizeof err), DS_OK);
	memset(&ic, 0, sizeof ic);
	ds_conf_ike_tuning_apply(&hc.ike, &ic);
	assert_true(ic.notify_3gpp);
	assert_int_equal(ic.cookie_rotate, 120 * 1000);
	assert_int_equal(ic.ike_lifetime, (ds_time)86400 * 1000);
	assert_int_equal(ic.dpd_interval, 0);
	assert_false(ic.fragmentation);
}

static void test_ike_tuning_errors(void **state)
{
	(void)state;
	const char *ca = "  ca: /etc/dsmip6/ca.pem\n";
	ue_expect(ca, "  ca: /etc/dsmip6/ca.pem\n  lifetime: 30\n",
		  "ue.yaml:22: ike.lifetime: must be 0 (never rekey) or between 60 and 31536000");
	ue_expect(ca, "  ca: /etc/dsmip6/ca.pem\n  lifetime: -1\n",
		  "ue.yaml:22: ike.lifetime: '-1' is not an integer");
	ue_expect(ca, "  ca: /etc/dsmip6/ca.pem\n  fragmentation: sometimes\n",
		  "ue.yaml:22: ike.fragmentation: 'sometimes' is not a boolean");
	ue_expect(ca, "  ca: /etc/dsmip6/ca.pem\n  frag_mtu: 500\n",
		  "ue.yaml:22: ike.frag_mtu: must be 0 (1280 over IPv6, 576 over IPv4) or between 576 and 65535");
	ue_expect(ca, "  ca: /etc/dsmip6/ca.pem\n  frag_mtu: 70000\n",
		  "ue.yaml:22: ike.frag_mtu: '70000' is not an integer in [0, 65535]");
	ue_expect(ca, "  ca: /etc/dsmip6/ca.pem\n  dpd_interval: 2\n",
		  "ue.yaml:22: ike.dpd_interval: must be 0 (off) or between 5 and 86400");
	/* the HA-only keys are unknown to the UE */
	ue_expect(ca, "  ca: /etc/dsmip6/ca.pem\n  notify_3gpp: true\n",
		  "ue.yaml:22: ike.notify_3gpp: unknown key");
	ue_expect(ca, "  ca: /etc/dsmip6/ca.pem\n  cookie_rotate: 60\n",
		  "ue.yaml:22: ike.cookie_rotate: unknown key");
	const char *key = "  key: /etc/dsmip6/ha.key\n";
	ha_expect(key, "  key: /etc/dsmip6/ha.key\n  cookie_rotate: 5\n",
		  "ha.yaml:10: ike.cookie_rotate: must be 0 (5 minutes) or between 10 and 86400");
	ha_expect(key, "  key: /etc/dsmip6/ha.key\n  notify_3gpp: 1x\n",
		  "ha.yaml:10: ike.notify_3gpp: '1x' is not a boolean");
	ha_expect(key, "  key: /etc/dsmip6/ha.key\n  dpd_interval: 100000\n",
		  "ha.yaml:10: ike.dpd_interval: '100000' is not an integer in [0, 86400]");
}

static void test_names(void **state)
{
	(void)state;
	char out[128];
	assert_int_equal(ds_nai_from_imsi("310260123456789", "310", "260", DS_EAP_KIND_AKA_PRIME, out,
					  sizeof out), DS_OK);
	assert_string_equal(out, "6310260123456789@nai.epc.mnc260.mcc310.3gppnetwork.org");
	assert_int_equal(ds_nai_from_imsi("31026x", "310", "260", 0, out, sizeof out), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_fqdn("internet", "310", "26", out, sizeof out), DS_OK);
	assert_string_equal(out, "internet.ha-apn.mnc026.mcc310.pub.3gppnetwork.org");
	assert_int_equal(ds_ha_apn_fqdn("x.ha-apn.y", "310", "26", out, sizeof out), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_fqdn("a.3gppnetwork.org", "310", "26", out, sizeof out), DS_E_PARAM);
	assert_true(ds_dns_name_valid("ha-apn.internet.apn.epc.mnc001.mcc001.3gppnetwork.org", 255));
	assert_false(ds_dns_name_valid("a..b", 255));
	assert_false(ds_dns_name_valid("a-.b", 255));
	assert_false(ds_dns_name_valid("a_b", 255));
	assert_false(ds_dns_name_valid("abcdef", 5));
}

static void test_usim_file(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof path, "/tmp/dsmip6-usim-%d.yaml", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("k: 465b5ce8b199b49faa5f0a2ee238a6bc\nopc: 0xcd63cb71954a9f4e48a5994e37a02baf\n"
	      "sqn: 32\n", f);
	fclose(f);
	ds_usim_file u;
	char err[512];
	assert_int_equal(ds_usim_file_load(path, &u, err, sizeof err), DS_OK);
	assert_int_equal(u.k[0], 0x46);
	assert_int_equal(u.opc[15], 0xaf);
	assert_int_equal(u.sqn, 32);
	/* the daemon persists a newer SQN; K and OPc survive the rewrite */
	u.sqn = 0x123456789aull;
	assert_int_equal(ds_usim_file_save(path, &u), DS_OK);
	ds_usim_file v;
	assert_int_equal(ds_usim_file_load(path, &v, err, sizeof err), DS_OK);
	assert_memory_equal(&u, &v, sizeof u);

	f = fopen(path, "w");
	fputs("k: 465b5ce8\nopc: cd63cb71954a9f4e48a5994e37a02baf\nsqn: -1\nkey: x\n", f);
	fclose(f);
	assert_int_equal(ds_usim_file_load(path, &u, err, sizeof err), DS_E_CONFIG);
	assert_non_null(strstr(err, ":1: k: must be exactly 32 hex digits"));
	assert_non_null(strstr(err, ":3: sqn: must be a 48-bit sequence number"));
	assert_non_null(strstr(err, ":4: key: unknown key"));
	unlink(path);
}

/* The shipped example configurations must load as they are. */
static void test_example_configs(void **state)
{
	(void)state;
	const char *root = getenv("DSMIP6_SOURCE_ROOT");
	if (!root)
		skip();
	char path[512], err[4096];
	ds_ue_conf uc;
	snprintf(path, sizeof path, "%s/etc/dsmip6-ue.yaml", root);
	if (ds_ue_conf_load(path, &uc, err, sizeof err) != DS_OK)
		fail_msg("%s", err);
	assert_int_equal(uc.n_pdn, 2);
	assert_int_equal(uc.n_access, 3);
	assert_int_equal(uc.n_dns, 2);
	assert_string_equal(uc.nai, "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org");
	ds_ha_conf hc;
	snprintf(path, sizeof path, "%s/etc/dsmip6-ha.yaml", root);
	if (ds_ha_conf_load(path, &hc, err, sizeof err) != DS_OK)
		fail_msg("%s", err);
	assert_int_equal(hc.aaa_mode, DS_AAA_EMBEDDED);
	ds_usim_file u;
	snprintf(path, sizeof path, "%s/etc/usim.yaml", root);
	if (ds_usim_file_load(path, &u, err, sizeof err) != DS_OK)
		fail_msg("%s", err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ue_good),
		cmocka_unit_test(test_ue_errors),
		cmocka_unit_test(test_ue_all_errors_reported),
		cmocka_unit_test(test_empty_and_missing_file),
		cmocka_unit_test(test_ha_good),
		cmocka_unit_test(test_ha_errors),
		cmocka_unit_test(test_ike_tuning),
		cmocka_unit_test(test_ike_tuning_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_usim_file),
		cmocka_unit_test(test_example_configs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
