/* Unit tests for src/core: reader/writer bounds, checksums, addresses, timer heap, rate limiter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/addr.h"
#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"
#include "core/log.h"
#include "core/timerq.h"

static void reader_never_overruns(void **state)
{
	(void)state;
	const uint8_t b[3] = { 1, 2, 3 };
	ds_rd r = ds_rd_init(b, sizeof b);
	assert_int_equal(ds_rd_u16(&r), 0x0102);
	assert_false(r.err);
	assert_int_equal(ds_rd_u16(&r), 0); /* only one byte left */
	assert_true(r.err);
	assert_int_equal(ds_rd_u8(&r), 0);  /* sticky */
	assert_int_equal(ds_rd_left(&r), 0);
	assert_null(ds_rd_ptr(&r, 1));
}

static void reader_sub_span(void **state)
{
	(void)state;
	const uint8_t b[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	ds_rd r = ds_rd_init(b, sizeof b);
	ds_rd s = ds_rd_sub(&r, 4);
	assert_false(s.err);
	assert_int_equal(ds_rd_u32(&s), 0xaabbccdd);
	assert_int_equal(ds_rd_left(&s), 0);
	assert_int_equal(ds_rd_u16(&r), 0xeeff);
	ds_rd bad = ds_rd_sub(&r, 1);
	assert_true(bad.err);
	assert_true(r.err);
}

static void writer_never_overruns(void **state)
{
	(void)state;
	uint8_t b[5];
	ds_wr w = ds_wr_init(b, sizeof b);
	ds_wr_u32(&w, 0x01020304);
	assert_false(w.err);
	ds_wr_u16(&w, 0xffff);
	assert_true(w.err);
	assert_int_equal(w.off, 4);
	ds_wr w2 = ds_wr_init(b, sizeof b);
	ds_wr_u16(&w2, 0);
	ds_wr_put_u16_at(&w2, 0, 0xbeef);
	assert_int_equal(b[0], 0xbe);
	ds_wr_put_u16_at(&w2, 1, 0); /* not yet written */
	assert_true(w2.err);
}

/* RFC 1071 cl. 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2. */
static void checksum_rfc1071(void **state)
{
	(void)state;
	const uint8_t d[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(ds_csum_fold(ds_csum_add(0, d, sizeof d)), (uint16_t)~0xddf2);
}

static void checksum_ipv6_verifies_to_zero(void **state)
{
	(void)state;
	uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	uint8_t mh[16] = { 59, 1, 5, 0, 0, 0, 0, 7, 0xd4, 0, 0, 0x10, 1, 2, 0, 0 };
	uint16_t c = ds_csum_ipv6(src, dst, 135, mh, sizeof mh);
	ds_put_u16(mh + 4, c);
	assert_int_equal(ds_csum_ipv6(src, dst, 135, mh, sizeof mh), 0);
}

static void addr_parse_and_format(void **state)
{
	(void)state;
	ds_addr a;
	char buf[DS_ADDR_STRLEN];
	assert_int_equal(ds_addr_parse("[2001:db8::1]:500", &a), DS_OK);
	assert_int_equal(a.family, DS_AF_INET6);
	assert_int_equal(a.port, 500);
	assert_string_equal(ds_addr_fmt(&a, buf, sizeof buf), "[2001:db8::1]:500");
	assert_int_equal(ds_addr_parse("192.0.2.1:4500", &a), DS_OK);
	assert_string_equal(ds_addr_fmt(&a, buf, sizeof buf), "192.0.2.1:4500");
	assert_int_equal(ds_addr_parse("2001:db8:100::/64", &a), DS_OK);
	assert_int_equal(a.plen, 64);
	ds_addr h;
	assert_int_equal(ds_addr_parse("2001:db8:100::abcd", &h), DS_OK);
	assert_true(ds_addr_in_prefix(&h, &a, 64));
	assert_int_equal(ds_addr_parse("2001:db8:101::abcd", &h), DS_OK);
	assert_false(ds_addr_in_prefix(&h, &a, 64));
	assert_int_equal(ds_addr_parse("300.1.1.1", &a), DS_E_PARAM);
	assert_int_equal(ds_addr_parse("1.2.3.4:99999", &a), DS_E_PARAM);
	assert_int_equal(ds_addr_parse("[::1", &a), DS_E_PARAM);
	assert_int_equal(ds_addr_parse("10.0.0.0/33", &a), DS_E_PARAM);
}

static void timerq_orders_and_cancels(void **state)
{
	(void)state;
	enum { N = 1000 };
	ds_timerq q;
	ds_timerq_init(&q);
	ds_timer *t = calloc(N, sizeof *t);
	for (int i = 0; i < N; i++)
		assert_int_equal(ds_timerq_arm(&q, &t[i], (ds_time)((i * 7919) % N)), DS_OK);
	for (int i = 0; i < N; i += 2)
		ds_timerq_cancel(&q, &t[i]);
	ds_timerq_arm(&q, &t[1], 5000); /* move later */
	ds_time last = 0;
	int popped = 0;
	ds_timer *x;
	while ((x = ds_timerq_pop_expired(&q, 4999)) != NULL) {
		assert_true(x->when >= last);
		assert_false(ds_timer_armed(x));
		last = x->when;
		popped++;
	}
	assert_int_equal(popped, N / 2 - 1);
	assert_int_equal(ds_timerq_next(&q), 5000);
	ds_timerq_free(&q);
	free(t);
}

static int logged;
static void count_log(void *ctx, int level, const char *msg)
{
	(void)ctx; (void)level; (void)msg;
	logged++;
}

static void ratelimit_bounds_output(void **state)
{
	(void)state;
	ds_logger lg = { count_log, NULL, DS_LOG_DEBUG };
	ds_ratelimit rl = DS_RATELIMIT_INIT(1000, 5);
	logged = 0;
	for (int i = 0; i < 1000; i++)
		ds_logf_rl(&lg, &rl, 10, DS_LOG_WARN, "bad packet %d", i);
	assert_int_equal(logged, 5);
	assert_int_equal(rl.suppressed, 995);
	ds_logf_rl(&lg, &rl, 2000, DS_LOG_WARN, "again");
	assert_int_equal(logged, 6);
	assert_int_equal(rl.suppressed, 0);
	assert_string_equal(ds_strerror(DS_E_OVERRUN), "length overruns container");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reader_never_overruns),
		cmocka_unit_test(reader_sub_span),
		cmocka_unit_test(writer_never_overruns),
		cmocka_unit_test(checksum_rfc1071),
		cmocka_unit_test(checksum_ipv6_verifies_to_zero),
		cmocka_unit_test(addr_parse_and_format),
		cmocka_unit_test(timerq_orders_and_cancels),
		cmocka_unit_test(ratelimit_bounds_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
