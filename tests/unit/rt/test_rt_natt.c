/* NAT-keepalives on UDP 4500 (RFC 3948 cl. 2.3 and 4, RFC 5555 cl. 4.3): which IKE SAs get
 * them, what goes on the wire, and which received datagrams are taken for one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rt/natt_keepalive.h"

static ds_addr addr(const char *s, uint16_t port)
{
	ds_addr a;
	assert_int_equal(ds_addr_parse(s, &a), 0);
	a.port = port;
	return a;
}

static ds_ike_info sa(const char *local, const char *remote, uint16_t rport, uint8_t state)
{
	ds_ike_info i;
	memset(&i, 0, sizeof i);
	i.state = state;
	i.local = addr(local, 4500);
	i.remote = addr(remote, rport);
	return i;
}

static void test_wanted(void **state)
{
	(void)state;
	ds_ike_info i = sa("10.0.0.2", "192.0.2.1", 4500, DS_IKE_ST_ESTABLISHED);
	assert_true(ds_natt_keepalive_wanted(&i));
	/* IKE still on 500 (no NAT-T float yet) */
	i = sa("10.0.0.2", "192.0.2.1", 500, DS_IKE_ST_ESTABLISHED);
	assert_false(ds_natt_keepalive_wanted(&i));
	/* IPv6 path: no NAT on S2c */
	i = sa("2001:db8:5::2", "2001:db8:1::1", 4500, DS_IKE_ST_ESTABLISHED);
	assert_false(ds_natt_keepalive_wanted(&i));
	/* cl. 4: only while the SA exists */
	i = sa("10.0.0.2", "192.0.2.1", 4500, DS_IKE_ST_AUTH);
	assert_false(ds_natt_keepalive_wanted(&i));
	i = sa("10.0.0.2", "192.0.2.1", 4500, DS_IKE_ST_DELETING);
	assert_false(ds_natt_keepalive_wanted(&i));
}

static void test_make(void **state)
{
	(void)state;
	ds_ike_info i = sa("10.0.0.2", "192.0.2.1", 4500, DS_IKE_ST_ESTABLISHED);
	ds_pkt p;
	ds_natt_keepalive_make(&i, &p);
	assert_int_equal(p.kind, DS_PKT_UDP);
	assert_int_equal(p.len, 1);
	assert_int_equal(p.data[0], 0xFF);   /* RFC 3948 cl. 2.3 */
	assert_true(ds_addr_eq(&p.src, &i.local));
	assert_int_equal(p.src.port, 4500);
	assert_true(ds_addr_eq(&p.dst, &i.remote));
	assert_int_equal(p.dst.port, 4500);
	/* what the receiver sees is taken for a keepalive */
	assert_true(ds_natt_is_keepalive(&p));
}

static void test_is_keepalive(void **state)
{
	(void)state;
	static const uint8_t ff[1] = { 0xFF }, zero[1] = { 0x00 };
	static const uint8_t ike[8] = { 0, 0, 0, 0, 1, 2, 3, 4 };
	ds_pkt p = { .kind = DS_PKT_UDP, .src = addr("192.0.2.9", 4500),
		     .dst = addr("192.0.2.1", 4500), .data = ff, .len = 1 };
	assert_true(ds_natt_is_keepalive(&p));
	p.data = zero;
	assert_false(ds_natt_is_keepalive(&p));
	p.data = ike;
	p.len = sizeof ike;   /* non-ESP marker: IKE */
	assert_false(ds_natt_is_keepalive(&p));
	p.data = ff;
	p.len = 1;
	p.dst.port = 4191;    /* only UDP 4500 carries keepalives */
	assert_false(ds_natt_is_keepalive(&p));
	p.dst.port = 4500;
	p.kind = DS_PKT_IP;
	assert_false(ds_natt_is_keepalive(&p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_is_keepalive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
