/* Unit tests for src/mip building blocks: sequence arithmetic, retransmission ladder, update
 * rate limit, HA-APN FQDN, address pools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/addr.h"
#include "core/err.h"
#include "mip/ha_apn.h"
#include "mip/pool.h"
#include "mip/retx.h"
#include "mip/seq.h"

static void seq_modulo_compare(void **state)
{
	(void)state;
	assert_true(ds_seq_newer(1, 0));
	assert_false(ds_seq_newer(0, 1));
	assert_false(ds_seq_newer(5, 5));
	/* wrap: 0 is newer than 65535 (RFC 6275 cl. 9.5.1) */
	assert_true(ds_seq_newer(0, 65535));
	assert_true(ds_seq_newer(10, 65530));
	assert_false(ds_seq_newer(65530, 10));
	/* exactly half the space away is not newer in either direction */
	assert_false(ds_seq_newer(0x8000, 0));
	assert_true(ds_seq_newer(0x7fff, 0));
	assert_int_equal(ds_seq_next(65535), 0);
}

static void retx_ladder_first_reg(void **state)
{
	(void)state;
	ds_bu_retx r;
	assert_int_equal(ds_bu_retx_start(&r, DS_MIP_FIRST_REG_TIMEOUT_MS, DS_MIP_MAX_TIMEOUT_MS),
			 1500);
	const uint32_t want[] = { 3000, 6000, 12000, 24000, 32000, 32000 };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(ds_bu_retx_next(&r), want[i]);
	assert_int_equal(r.count, 6);
	assert_int_equal(ds_bu_retx_start(&r, 0, 0), 1000);
	assert_int_equal(ds_bu_retx_next(&r), 2000);
}

static void rate_limit_three_per_second(void **state)
{
	(void)state;
	ds_bu_rate r;
	memset(&r, 0, sizeof r);
	assert_int_equal(ds_bu_rate_earliest(&r, 1000), 1000);
	ds_bu_rate_note(&r, 1000);
	ds_bu_rate_note(&r, 1100);
	assert_int_equal(ds_bu_rate_earliest(&r, 1200), 1200);
	ds_bu_rate_note(&r, 1200);
	/* fourth BU within the second must wait until the first is a second old */
	assert_int_equal(ds_bu_rate_earliest(&r, 1300), 2000);
	ds_bu_rate_note(&r, 2000);
	assert_int_equal(ds_bu_rate_earliest(&r, 2000), 2100);
	assert_int_equal(ds_bu_rate_earliest(&r, 5000), 5000);
}

static void ha_apn_fqdn(void **state)
{
	(void)state;
	char out[128];
	assert_int_equal(ds_ha_apn_build("internet", "310", "26", out, sizeof out), DS_OK);
	assert_string_equal(out, "internet.ha-apn.mnc026.mcc310.pub.3gppnetwork.org");
	assert_int_equal(ds_ha_apn_build("ims.corp-1", "001", "001", out, sizeof out), DS_OK);
	assert_string_equal(out, "ims.corp-1.ha-apn.mnc001.mcc001.pub.3gppnetwork.org");
	/* forbidden Network Identifiers (TS 23.003 cl. 9.1.1, 21.2) */
	assert_int_equal(ds_ha_apn_ni_check("a.ha-apn.b"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check("x.w-apn.y"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check("foo.3gppnetwork.org"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check("-bad"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check("bad-"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check("a..b"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check("a_b"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check("rac1"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check("web.gprs"), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_ni_check(""), DS_E_PARAM);
	/* bad PLMN digits */
	assert_int_equal(ds_ha_apn_build("internet", "31", "26", out, sizeof out), DS_E_PARAM);
	assert_int_equal(ds_ha_apn_build("internet", "310", "2a", out, sizeof out), DS_E_PARAM);
	/* 100-octet limit: a 63-octet NI + 50-octet operator part is too long */
	char ni[64];
	memset(ni, 'a', 63);
	ni[63] = '\0';
	assert_int_equal(ds_ha_apn_build(ni, "310", "260", out, sizeof out), DS_E_NOSPACE);
	/* short buffer */
	assert_int_equal(ds_ha_apn_build("internet", "310", "260", out, 10), DS_E_NOSPACE);
}

static void ipool_alloc_release(void **state)
{
	(void)state;
	ds_ipool p;
	assert_int_equal(ds_ipool_init(&p, 130), DS_OK);
	uint32_t idx;
	for (uint32_t i = 0; i < 130; i++) {
		assert_int_equal(ds_ipool_alloc(&p, 7, &idx), DS_OK);
		assert_int_equal(idx, (7 + i) % 130);
	}
	assert_int_equal(ds_ipool_alloc(&p, 0, &idx), DS_E_EXHAUSTED);
	assert_int_equal(ds_ipool_release(&p, 64), DS_OK);
	assert_int_equal(ds_ipool_release(&p, 64), DS_E_NOTFOUND);
	assert_int_equal(ds_ipool_alloc(&p, 100, &idx), DS_OK);
	assert_int_equal(idx, 64);
	assert_int_equal(ds_ipool_take(&p, 64), DS_E_EXISTS);
	assert_int_equal(ds_ipool_take(&p, 130), DS_E_PARAM);
	ds_ipool_free(&p);
}

static void hnp_pool_stable_and_distinct(void **state)
{
	(void)state;
	ds_addr pool, a, b, c;
	assert_int_equal(ds_addr_parse("2001:db8:1000::/48", &pool), DS_OK);
	ds_addr_pool p;
	assert_int_equal(ds_addr_pool_init(&p, &pool, 64), DS_OK);
	assert_int_equal(ds_addr_pool_alloc(&p, "ue1\0apn", 7, &a), DS_OK);
	assert_int_equal(a.plen, 64);
	assert_true(ds_addr_in_prefix(&a, &pool, 48));
	assert_int_equal(ds_addr_pool_alloc(&p, "ue2\0apn", 7, &b), DS_OK);
	assert_false(ds_addr_ip_eq(&a, &b));
	/* release then re-allocate with the same key gives the same prefix back */
	assert_int_equal(ds_addr_pool_release(&p, &a), DS_OK);
	assert_int_equal(ds_addr_pool_alloc(&p, "ue1\0apn", 7, &c), DS_OK);
	assert_true(ds_addr_ip_eq(&a, &c));
	/* a HoA inside the prefix maps to the same entry */
	ds_addr hoa = a;
	hoa.ip[15] = 1;
	hoa.plen = 0;
	assert_int_equal(ds_addr_pool_take(&p, &hoa), DS_E_EXISTS);
	ds_addr out;
	assert_int_equal(ds_addr_parse("2001:db8:2000::", &out), DS_OK);
	assert_int_equal(ds_addr_pool_release(&p, &out), DS_E_NOTFOUND);
	assert_int_equal(ds_addr_pool_used(&p), 2);
	ds_addr_pool_free(&p);
}

static void ipv4_pool_skips_network_and_broadcast(void **state)
{
	(void)state;
	ds_addr pool, a;
	assert_int_equal(ds_addr_parse("10.45.0.0/30", &pool), DS_OK);
	ds_addr_pool p;
	assert_int_equal(ds_addr_pool_init(&p, &pool, 32), DS_OK);
	assert_int_equal(ds_addr_pool_alloc(&p, NULL, 0, &a), DS_OK);
	char s[DS_ADDR_STRLEN];
	ds_addr_fmt(&a, s, sizeof s);
	assert_memory_equal(a.ip, ((uint8_t[]){ 10, 45, 0, 1 }), 4);
	assert_int_equal(ds_addr_pool_alloc(&p, NULL, 0, &a), DS_OK);
	assert_memory_equal(a.ip, ((uint8_t[]){ 10, 45, 0, 2 }), 4);
	assert_int_equal(ds_addr_pool_alloc(&p, NULL, 0, &a), DS_E_EXHAUSTED);
	ds_addr bcast;
	assert_int_equal(ds_addr_parse("10.45.0.3", &bcast), DS_OK);
	assert_int_equal(ds_addr_pool_take(&p, &bcast), DS_E_PARAM);
	assert_int_equal(ds_addr_pool_release(&p, &a), DS_OK);
	assert_int_equal(ds_addr_pool_take(&p, &a), DS_OK);
	ds_addr_pool_free(&p);
	assert_int_equal(ds_addr_parse("10.45.0.0/31", &pool), DS_OK);
	assert_int_equal(ds_addr_pool_init(&p, &pool, 32), DS_E_PARAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seq_modulo_compare),
		cmocka_unit_test(retx_ladder_first_reg),
		cmocka_unit_test(rate_limit_three_per_second),
		cmocka_unit_test(ha_apn_fqdn),
		cmocka_unit_test(ipool_alloc_release),
		cmocka_unit_test(hnp_pool_stable_and_distinct),
		cmocka_unit_test(ipv4_pool_skips_network_and_broadcast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
