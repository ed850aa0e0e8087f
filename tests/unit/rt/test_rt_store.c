/* SQLite HA state: allocations and bindings survive closing and reopening the database (an HA
 * restart), expired bindings are dropped, and an HNP cannot be given to two UEs. Writes whose
 * content the database already holds are skipped, and a lifetime-only refresh is stored lazily
 * (the durability rule in rt/ha_store.c): checked by reopening, which reads what is on disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "rt/ha_store.h"

static char dbpath[64];

static int setup(void **state)
{
	snprintf(dbpath, sizeof dbpath, "/tmp/dsmip6-store-%d.db", (int)getpid());
	unlink(dbpath);
	return 0;
}

static int teardown(void **state)
{
	char p[96];
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static ds_addr a6(const char *s)
{
	ds_addr a;
	assert_int_equal(ds_addr_parse(s, &a), 0);
	return a;
}

typedef struct seen {
	int n;
	ds_ha_alloc_rec alloc[8];
	ds_ha_binding_rec bind[8];
} seen;

static int on_alloc(void *ctx, const ds_ha_alloc_rec *r)
{
	seen *s = ctx;
	s->alloc[s->n++] = *r;
	return 0;
}

static int on_bind(void *ctx, const ds_ha_binding_rec *r)
{
	seen *s = ctx;
	s->bind[s->n++] = *r;
	return 0;
}

static void test_persist_across_reopen(void **state)
{
	ds_ha_store *st;
	char err[256];
	assert_int_equal(ds_ha_store_open(&st, dbpath, err, sizeof err), DS_OK);
	ds_ha_alloc_rec a = { .nai = "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org",
			      .apn = "internet" };
	a.hnp = a6("2001:db8:100:1::/64");
	a.ipv4 = a6("198.51.100.7");
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	ds_ha_alloc_rec b = a;
	snprintf(b.apn, sizeof b.apn, "ims");
	b.hnp = a6("2001:db8:100:2::/64");
	memset(&b.ipv4, 0, sizeof b.ipv4);
	assert_int_equal(ds_ha_store_put_alloc(st, &b), DS_OK);

	ds_ha_binding_rec bb = { .seq = 4242, .flags = 0xf400, .tunnel = 3,
				 .expires = 2000000000ull };
	snprintf(bb.nai, sizeof bb.nai, "%s", a.nai);
	snprintf(bb.apn, sizeof bb.apn, "internet");
	bb.hoa = a6("2001:db8:100:1::1");
	bb.coa = a6("192.0.2.77:4191"); /* NATed IPv4 CoA with its UDP port (RFC 5555) */
	assert_int_equal(ds_ha_store_put_binding(st, &bb), DS_OK);
	ds_ha_binding_rec old = bb;
	snprintf(old.apn, sizeof old.apn, "ims");
	old.hoa = a6("2001:db8:100:2::1");
	old.expires = 1000; /* long expired */
	assert_int_equal(ds_ha_store_put_binding(st, &old), DS_OK);
	ds_ha_store_close(st);

	/* restart */
	assert_int_equal(ds_ha_store_open(&st, dbpath, err, sizeof err), DS_OK);
	seen s = { 0 };
	assert_int_equal(ds_ha_store_each_alloc(st, on_alloc, &s), DS_OK);
	assert_int_equal(s.n, 2);
	int i = strcmp(s.alloc[0].apn, "internet") == 0 ? 0 : 1;
	assert_string_equal(s.alloc[i].nai, a.nai);
	assert_true(ds_addr_eq(&s.alloc[i].hnp, &a.hnp));
	assert_int_equal(s.alloc[i].hnp.plen, 64);
	assert_true(ds_addr_eq(&s.alloc[i].ipv4, &a.ipv4));
	assert_int_equal(s.alloc[1 - i].ipv4.family, DS_AF_NONE);

	memset(&s, 0, sizeof s);
	assert_int_equal(ds_ha_store_each_binding(st, 1500000000ull, on_bind, &s), DS_OK);
	assert_int_equal(s.n, 1); /* the expired one is gone */
	assert_string_equal(s.bind[0].apn, "internet");
	assert_true(ds_addr_eq(&s.bind[0].hoa, &bb.hoa));
	assert_true(ds_addr_eq(&s.bind[0].coa, &bb.coa));
	assert_int_equal(s.bind[0].coa.port, 4191);
	assert_int_equal(s.bind[0].seq, 4242);
	assert_int_equal(s.bind[0].flags, 0xf400);
	assert_int_equal(s.bind[0].tunnel, 3);
	assert_int_equal(s.bind[0].expires, 2000000000ull);

	/* detach releases both */
	assert_int_equal(ds_ha_store_del_binding(st, a.nai, "internet"), DS_OK);
	assert_int_equal(ds_ha_store_del_binding(st, a.nai, "internet"), DS_E_NOTFOUND);
	assert_int_equal(ds_ha_store_del_alloc(st, a.nai, "internet"), DS_OK);
	ds_ha_store_close(st);

	assert_int_equal(ds_ha_store_open(&st, dbpath, err, sizeof err), DS_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(ds_ha_store_each_alloc(st, on_alloc, &s), DS_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.alloc[0].apn, "ims");
	ds_ha_store_close(st);
}

static void test_unique_hnp_and_params(void **state)
{
	ds_ha_store *st;
	char err[256];
	assert_int_equal(ds_ha_store_open(&st, dbpath, err, sizeof err), DS_OK);
	ds_ha_alloc_rec a = { .nai = "0001@x", .apn = "internet" };
	a.hnp = a6("2001:db8:100:1::/64");
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	ds_ha_alloc_rec b = { .nai = "0002@x", .apn = "internet" };
	b.hnp = a.hnp;
	assert_int_equal(ds_ha_store_put_alloc(st, &b), DS_E_EXISTS); /* same HNP for another UE */
	b.hnp = a6("2001:db8:100:2::/64");
	b.ipv4 = a6("198.51.100.9");
	assert_int_equal(ds_ha_store_put_alloc(st, &b), DS_OK);
	ds_ha_alloc_rec c = { .nai = "0004@x", .apn = "internet" };
	c.hnp = a6("2001:db8:100:4::/64");
	c.ipv4 = b.ipv4;
	assert_int_equal(ds_ha_store_put_alloc(st, &c), DS_E_EXISTS); /* same IPv4 HoA */
	seen s = { 0 };
	assert_int_equal(ds_ha_store_each_alloc(st, on_alloc, &s), DS_OK);
	assert_int_equal(s.n, 2); /* nothing was taken away from the first UE */
	/* the same UE re-allocated (replace) is fine */
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	ds_ha_alloc_rec v4 = { .nai = "0003@x", .apn = "internet" };
	v4.hnp = a6("192.0.2.0/24");
	assert_int_equal(ds_ha_store_put_alloc(st, &v4), DS_E_PARAM);
	ds_ha_binding_rec nb = { .nai = "0001@x", .apn = "internet" };
	assert_int_equal(ds_ha_store_put_binding(st, &nb), DS_E_PARAM);
	/* transactions */
	assert_int_equal(ds_ha_store_begin(st), DS_OK);
	b.hnp = a6("2001:db8:100:3::/64");
	assert_int_equal(ds_ha_store_put_alloc(st, &b), DS_OK);
	assert_int_equal(ds_ha_store_commit(st), DS_OK);
	ds_ha_store_close(st);

	assert_int_equal(ds_ha_store_open(&st, "/nonexistent-dir/x.db", err, sizeof err), DS_E_IO);
	assert_null(st);
	assert_non_null(strstr(err, "/nonexistent-dir/x.db"));
}

/* What a restarted HA would read: a fresh handle has no cache. */
static seen reread(ds_ha_store **st)
{
	char err[256];
	ds_ha_store_close(*st);
	assert_int_equal(ds_ha_store_open(st, dbpath, err, sizeof err), DS_OK);
	seen a = { 0 }, b = { 0 };
	assert_int_equal(ds_ha_store_each_alloc(*st, on_alloc, &a), DS_OK);
	assert_int_equal(ds_ha_store_each_binding(*st, 0, on_bind, &b), DS_OK);
	memcpy(a.bind, b.bind, sizeof a.bind);
	a.n = a.n * 100 + b.n;   /* allocations * 100 + bindings */
	return a;
}

static void test_skip_unchanged_alloc(void **state)
{
	(void)state;
	char err[256];
	ds_ha_store *st;
	assert_int_equal(ds_ha_store_open(&st, dbpath, err, sizeof err), DS_OK);
	ds_ha_alloc_rec a = { .nai = "0001@x", .apn = "internet" };
	a.hnp = a6("2001:db8:100:1::/64");
	a.ipv4 = a6("10.1.0.1");
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	assert_int_equal(ds_ha_store_skipped(st), 0);
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);   /* a re-registration */
	assert_int_equal(ds_ha_store_skipped(st), 1);
	a.ipv4 = a6("10.1.0.2");                                   /* content changed: written */
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	assert_int_equal(ds_ha_store_skipped(st), 1);
	a.hnp.plen = 56;                                           /* only the length changed */
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	assert_int_equal(ds_ha_store_skipped(st), 1);
	seen s = reread(&st);
	assert_int_equal(s.n, 100);
	assert_true(ds_addr_eq(&s.alloc[0].ipv4, &a.ipv4));
	assert_int_equal(s.alloc[0].hnp.plen, 56);
	/* a fresh handle knows nothing: the first put writes, a release forgets */
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	assert_int_equal(ds_ha_store_skipped(st), 0);
	assert_int_equal(ds_ha_store_del_alloc(st, a.nai, a.apn), DS_OK);
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	assert_int_equal(ds_ha_store_skipped(st), 0);
	s = reread(&st);
	assert_int_equal(s.n, 100);
	ds_ha_store_close(st);
}

static void test_lazy_binding_expiry(void **state)
{
	(void)state;
	char err[256];
	ds_ha_store *st;
	assert_int_equal(ds_ha_store_open(&st, dbpath, err, sizeof err), DS_OK);
	uint64_t now = (uint64_t)time(NULL);
	ds_ha_binding_rec b = { .nai = "0001@x", .apn = "internet", .seq = 10, .flags = 0x8000 };
	b.hoa = a6("2001:db8:100:1::1");
	b.coa = a6("2001:db8:aa::1");
	b.expires = now + 3600;
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	/* a refresh that only moves seq and expiry a little: not written */
	b.seq = 11;
	b.expires = now + 3650;
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	assert_int_equal(ds_ha_store_skipped(st), 1);
	seen s = reread(&st);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.bind[0].expires, now + 3600);   /* the lazily stored expiry */
	assert_int_equal(s.bind[0].seq, 10);
	assert_true(ds_addr_eq(&s.bind[0].coa, &b.coa));

	/* fresh handle: written; then a refresh whose stored expiry would be less than half the new
	 * remaining lifetime away is written */
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	b.seq = 12;
	b.expires = now + 3600 * 3;
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	assert_int_equal(ds_ha_store_skipped(st), 0);
	/* a new CoA (handover) is always written, even with the same expiry */
	b.coa = a6("192.0.2.7");
	b.coa.port = 4500;
	b.seq = 13;
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	/* so are new flags, a new tunnel mode and a shortened lifetime */
	b.flags = 0x8100;
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	b.tunnel = 1;
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	b.expires = now + 600;
	b.seq = 14;
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	assert_int_equal(ds_ha_store_skipped(st), 0);
	s = reread(&st);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.bind[0].expires, now + 600);
	assert_int_equal(s.bind[0].seq, 14);
	assert_int_equal(s.bind[0].flags, 0x8100);
	assert_int_equal(s.bind[0].tunnel, 1);
	assert_int_equal(s.bind[0].coa.port, 4500);

	/* deregistration: a delete of a row known to be absent is skipped, a put after it writes */
	assert_int_equal(ds_ha_store_del_binding(st, b.nai, b.apn), DS_OK);
	assert_int_equal(ds_ha_store_del_binding(st, b.nai, b.apn), DS_E_NOTFOUND);
	assert_int_equal(ds_ha_store_skipped(st), 1);
	s = reread(&st);
	assert_int_equal(s.n, 0);
	assert_int_equal(ds_ha_store_del_binding(st, b.nai, b.apn), DS_E_NOTFOUND);
	assert_int_equal(ds_ha_store_skipped(st), 0);   /* not known yet: asked the database */
	assert_int_equal(ds_ha_store_put_binding(st, &b), DS_OK);
	s = reread(&st);
	assert_int_equal(s.n, 1);
	ds_ha_store_close(st);
}

static int count_allocs(ds_ha_store *st)
{
	seen s = { 0 };
	assert_int_equal(ds_ha_store_each_alloc(st, on_alloc, &s), DS_OK);
	return s.n;
}

/* Deferred writes: another connection (a restarted HA) sees them only after the flush, and
 * closing the store flushes. */
static void test_deferred_flush(void **state)
{
	(void)state;
	char err[256];
	ds_ha_store *st, *other;
	assert_int_equal(ds_ha_store_open(&st, dbpath, err, sizeof err), DS_OK);
	assert_int_equal(ds_ha_store_open(&other, dbpath, err, sizeof err), DS_OK);
	ds_ha_store_defer(st, true);
	assert_int_equal(ds_ha_store_flush(st), DS_OK);   /* nothing pending */
	ds_ha_alloc_rec a = { .nai = "0001@x", .apn = "internet" };
	a.hnp = a6("2001:db8:100:1::/64");
	ds_ha_alloc_rec b = { .nai = "0002@x", .apn = "internet" };
	b.hnp = a6("2001:db8:100:2::/64");
	assert_int_equal(ds_ha_store_put_alloc(st, &a), DS_OK);
	assert_int_equal(ds_ha_store_begin(st), DS_OK);   /* joins the pass's transaction */
	assert_int_equal(ds_ha_store_put_alloc(st, &b), DS_OK);
	assert_int_equal(ds_ha_store_commit(st), DS_OK);
	assert_int_equal(count_allocs(other), 0);          /* not yet committed */
	assert_int_equal(ds_ha_store_flush(st), DS_OK);
	assert_int_equal(count_allocs(other), 2);
	/* a constraint failure inside the pass does not lose the pass's other writes */
	ds_ha_alloc_rec c = { .nai = "0003@x", .apn = "internet" };
	c.hnp = a6("2001:db8:100:3::/64");
	assert_int_equal(ds_ha_store_put_alloc(st, &c), DS_OK);
	ds_ha_alloc_rec dup = { .nai = "0004@x", .apn = "internet" };
	dup.hnp = c.hnp;
	assert_int_equal(ds_ha_store_put_alloc(st, &dup), DS_E_EXISTS);
	assert_int_equal(ds_ha_store_flush(st), DS_OK);
	assert_int_equal(count_allocs(other), 3);
	/* pending at stop: close flushes */
	assert_int_equal(ds_ha_store_del_alloc(st, a.nai, a.apn), DS_OK);
	assert_int_equal(count_allocs(other), 3);
	ds_ha_store_close(st);
	assert_int_equal(count_allocs(other), 2);
	/* turning deferral off flushes too */
	ds_ha_store_defer(other, true);
	assert_int_equal(ds_ha_store_del_alloc(other, b.nai, b.apn), DS_OK);
	ds_ha_store_defer(other, false);
	assert_int_equal(ds_ha_store_open(&st, dbpath, err, sizeof err), DS_OK);
	assert_int_equal(count_allocs(st), 1);
	ds_ha_store_close(st);
	ds_ha_store_close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_persist_across_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_hnp_and_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_unchanged_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lazy_binding_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_flush, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
