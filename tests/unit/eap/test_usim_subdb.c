/* USIM emulation (TS 33.102 cl. 6.3.3, Annex C.2) and the SQLite subscriber store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "core/err.h"
#include "crypto/milenage.h"
#include "eap/subscriber_db.h"
#include "eap/usim.h"
#include "test_hex.h"

static uint8_t K[16], OPC[16];

static int setup(void **s)
{
	(void)s;
	HEX(K, "465b5ce8b199b49faa5f0a2ee238a6bc");
	HEX(OPC, "cd63cb71954a9f4e48a5994e37a02baf");
	return 0;
}

static void make_autn(uint64_t sqn, const uint8_t rand[16], uint8_t autn[16], uint8_t xres[8])
{
	uint8_t s[6], amf[2] = { 0x80, 0x00 }, ck[16], ik[16];
	ds_sqn_put(s, sqn);
	assert_int_equal(ds_milenage_generate(K, OPC, rand, s, amf, autn, xres, ck, ik), DS_OK);
}

static void usim_accepts_fresh_rejects_replay(void **st)
{
	(void)st;
	ds_usim u;
	uint8_t rand[16] = { 1 }, autn[16], xres[8], res[8], ck[16], ik[16], auts[14];
	ds_usim_init(&u, K, OPC, 0);
	make_autn(0x21, rand, autn, xres);  /* SEQ 1, IND 1 */
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_OK);
	assert_memory_equal(res, xres, 8);
	assert_int_equal(ds_usim_sqn_ms(&u), 0x21);
	/* same SQN again: replay -> AUTS */
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_E_REPLAY);
	/* AUTS decodes to SQN_MS with a valid MAC-S (AMF* = 0) */
	uint8_t aks[6], sqn_ms[6], mac_s[8], amf0[2] = { 0, 0 };
	assert_int_equal(ds_milenage_f2345(K, OPC, rand, NULL, NULL, NULL, NULL, aks), DS_OK);
	for (int i = 0; i < 6; i++)
		sqn_ms[i] = auts[i] ^ aks[i];
	assert_int_equal(ds_sqn_get(sqn_ms), 0x21);
	assert_int_equal(ds_milenage_f1(K, OPC, rand, sqn_ms, amf0, NULL, mac_s), DS_OK);
	assert_memory_equal(mac_s, auts + 6, 8);
	/* a lower SEQ in another IND slot is still fresh (Annex C.2: per-IND array) */
	make_autn(0x22, rand, autn, xres);  /* SEQ 1, IND 2 */
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_OK);
	/* far beyond Delta: refused */
	make_autn(((1ull << 28) + 5) << 5, rand, autn, xres);
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_E_REPLAY);
	/* forged MAC-A */
	make_autn(0x41, rand, autn, xres);
	autn[15] ^= 1;
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_E_AUTH);
	assert_int_equal(u.mac_failures, 1);
	assert_int_equal(u.sync_failures, 2);
	assert_int_equal(u.accepted, 2);
	/* age limit L: with SEQ_MS 100 in IND 7, the unused IND 3 still refuses SEQ 100 - L */
	ds_usim_init(&u, K, OPC, 0);
	u.age_limit = 10;
	make_autn((100u << 5) | 7, rand, autn, xres);
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_OK);
	make_autn((90u << 5) | 3, rand, autn, xres);
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_E_REPLAY);
	make_autn((91u << 5) | 3, rand, autn, xres);
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_OK);
	/* restored from SQN_MS alone: every slot starts at its SEQ, so an older vector in another
	 * IND is refused, a newer one accepted, and SQN_MS is reported unchanged */
	ds_usim_init(&u, K, OPC, (100u << 5) | 7);
	assert_int_equal(ds_usim_sqn_ms(&u), (100u << 5) | 7);
	make_autn((99u << 5) | 3, rand, autn, xres);
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_E_REPLAY);
	make_autn((101u << 5) | 3, rand, autn, xres);
	assert_int_equal(ds_usim_authenticate(&u, rand, autn, res, ck, ik, auts), DS_OK);
}

static int count_cb(void *ctx, const ds_subscriber *s)
{
	(void)s;
	(*(int *)ctx)++;
	return 0;
}

static void subdb_crud_and_sqn(void **st)
{
	(void)st;
	ds_subdb *db;
	assert_int_equal(ds_subdb_open(":memory:", &db), DS_OK);
	ds_subscriber s = { .imsi = "001010123456789", .amf = 0x8000, .sqn = 0x20 };
	memcpy(s.k, K, 16);
	memcpy(s.opc, OPC, 16);
	const char *apns[] = { "internet", "ims" };
	assert_int_equal(ds_subdb_add(db, &s, apns, 2), DS_OK);
	assert_int_equal(ds_subdb_add(db, &s, apns, 2), DS_E_EXISTS);
	ds_subscriber bad = s;
	strcpy(bad.imsi, "12ab5");
	assert_int_equal(ds_subdb_add(db, &bad, NULL, 0), DS_E_PARAM);
	ds_subscriber g;
	assert_int_equal(ds_subdb_get(db, "001010123456789", &g), DS_OK);
	assert_memory_equal(g.k, K, 16);
	assert_memory_equal(g.opc, OPC, 16);
	assert_int_equal(g.amf, 0x8000);
	assert_int_equal(g.sqn, 0x20);
	assert_int_equal(ds_subdb_get(db, "001010000000000", &g), DS_E_NOTFOUND);
	/* APNs: case-insensitive, exact */
	assert_int_equal(ds_subdb_apn_allowed(db, s.imsi, "INTERNET"), 1);
	assert_int_equal(ds_subdb_apn_allowed(db, s.imsi, "internet2"), 0);
	assert_int_equal(ds_subdb_apn_allowed(db, s.imsi, ""), 0);
	const char *any[] = { "*" };
	assert_int_equal(ds_subdb_set_apns(db, s.imsi, any, 1), DS_OK);
	assert_int_equal(ds_subdb_apn_allowed(db, s.imsi, "whatever.apn"), 1);
	assert_int_equal(ds_subdb_apn_allowed(db, s.imsi, ""), 1);
	assert_int_equal(ds_subdb_set_apns(db, s.imsi, NULL, 0), DS_OK);
	assert_int_equal(ds_subdb_apn_allowed(db, s.imsi, "internet"), 0);
	/* SQN: SEQ + 1 and IND + 1 per vector, IND wraps at 32 */
	uint64_t sqn;
	assert_int_equal(ds_subdb_next_sqn(db, s.imsi, &sqn), DS_OK);
	assert_int_equal(sqn, 0x41);
	assert_int_equal(ds_subdb_next_sqn(db, s.imsi, &sqn), DS_OK);
	assert_int_equal(sqn, 0x62);
	assert_int_equal(ds_subdb_set_sqn(db, s.imsi, 0x3ff), DS_OK);  /* SEQ 31, IND 31 */
	assert_int_equal(ds_subdb_next_sqn(db, s.imsi, &sqn), DS_OK);
	assert_int_equal(sqn, 0x400);                                   /* SEQ 32, IND 0 */
	assert_int_equal(ds_subdb_set_sqn(db, s.imsi, DS_SQN_MAX), DS_OK);
	assert_int_equal(ds_subdb_next_sqn(db, s.imsi, &sqn), DS_OK);
	assert_true(sqn <= DS_SQN_MAX);                                 /* wraps within 48 bits */
	assert_int_equal(ds_subdb_set_sqn(db, s.imsi, DS_SQN_MAX + 1), DS_E_PARAM);
	assert_int_equal(ds_subdb_next_sqn(db, "001010000000000", &sqn), DS_E_NOTFOUND);
	/* list and remove */
	ds_subscriber s2 = s;
	strcpy(s2.imsi, "001010000000001");
	assert_int_equal(ds_subdb_add(db, &s2, NULL, 0), DS_OK);
	int n = 0;
	assert_int_equal(ds_subdb_list(db, count_cb, &n), DS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ds_subdb_remove(db, s.imsi), DS_OK);
	assert_int_equal(ds_subdb_remove(db, s.imsi), DS_E_NOTFOUND);
	n = 0;
	assert_int_equal(ds_subdb_list(db, count_cb, &n), DS_OK);
	assert_int_equal(n, 1);
	ds_subdb_close(db);
}

/* A file database keeps its data and refuses a newer schema. */
static void subdb_file_and_version(void **st)
{
	(void)st;
	char path[512];
	const char *dir = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/dsmip6-subdb-XXXXXX", dir && *dir ? dir : P_tmpdir);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	ds_subdb *db;
	assert_int_equal(ds_subdb_open(path, &db), DS_OK);
	ds_subscriber s = { .imsi = "001010123456789", .amf = 1, .sqn = 7 };
	assert_int_equal(ds_subdb_add(db, &s, NULL, 0), DS_OK);
	ds_subdb_close(db);
	assert_int_equal(ds_subdb_open(path, &db), DS_OK);
	ds_subscriber g;
	assert_int_equal(ds_subdb_get(db, s.imsi, &g), DS_OK);
	assert_int_equal(g.sqn, 7);
	ds_subdb_close(db);
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(ds_subdb_open(path, &db), DS_E_VERSION);
	assert_null(db);
	unlink(path);
	char wal[600];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usim_accepts_fresh_rejects_replay),
		cmocka_unit_test(subdb_crud_and_sqn),
		cmocka_unit_test(subdb_file_and_version),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
