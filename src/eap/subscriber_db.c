/* SQLite subscriber store, see subscriber_db.h. */
#include "eap/subscriber_db.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "core/err.h"

struct ds_subdb {
	sqlite3 *db;
	sqlite3_stmt *get, *next_sqn, *set_sqn, *apn_ok, *add, *add_apn, *del, *del_apns;
};

static const char schema_v1[] =
	"CREATE TABLE subscriber ("
	" imsi TEXT PRIMARY KEY NOT NULL"
	"  CHECK (length(imsi) BETWEEN 6 AND 15 AND imsi NOT GLOB '*[^0-9]*'),"
	" k BLOB NOT NULL CHECK (length(k) = 16),"
	" opc BLOB NOT NULL CHECK (length(opc) = 16),"
	" amf INTEGER NOT NULL CHECK (amf BETWEEN 0 AND 65535),"
	" sqn INTEGER NOT NULL CHECK (sqn BETWEEN 0 AND 281474976710655)"
	") WITHOUT ROWID;"
	"CREATE TABLE subscriber_apn ("
	" imsi TEXT NOT NULL REFERENCES subscriber(imsi) ON DELETE CASCADE,"
	" apn TEXT NOT NULL COLLATE NOCASE CHECK (length(apn) BETWEEN 1 AND 100),"
	" PRIMARY KEY (imsi, apn)"
	") WITHOUT ROWID;"
	"PRAGMA user_version = 1;";

bool ds_imsi_valid(const char *imsi)
{
	size_t n = 0;
	for (; imsi[n]; n++)
		if (imsi[n] < '0' || imsi[n] > '9')
			return false;
	return n >= 6 && n <= DS_IMSI_MAX;
}

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK
		       ? DS_OK
		       : DS_E_IO;
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return DS_E_IO;
	int rc = sqlite3_step(st) == SQLITE_ROW ? DS_OK : DS_E_IO;
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static int migrate(sqlite3 *db)
{
	int v = 0;
	int rc = user_version(db, &v);
	if (rc)
		return rc;
	if (v > DS_SUBDB_SCHEMA_VERSION)
		return DS_E_VERSION;
	if (v == 0) {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return DS_E_IO;
		/* another process may have created it between our read and the lock */
		if (user_version(db, &v) || (v == 0 &&
		    sqlite3_exec(db, schema_v1, NULL, NULL, NULL) != SQLITE_OK)) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return DS_E_IO;
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return DS_E_IO;
	}
	return DS_OK;
}

void ds_subdb_close(ds_subdb *d)
{
	if (!d)
		return;
	sqlite3_stmt *all[] = { d->get, d->next_sqn, d->set_sqn, d->apn_ok,
				d->add, d->add_apn, d->del, d->del_apns };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(d->db);
	free(d);
}

int ds_subdb_open(const char *path, ds_subdb **out)
{
	*out = NULL;
	ds_subdb *d = calloc(1, sizeof *d);
	if (!d)
		return DS_E_NOMEM;
	int rc = DS_E_IO;
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(d->db, 2000);
	if (sqlite3_exec(d->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	/* WAL lets the control tool read while the HA writes (":memory:" simply keeps "memory").
	 * synchronous = NORMAL: no fsync per SQN update; a power cut may lose the last
	 * increments, and a USIM that already saw such an SQN answers with AUTS, which
	 * resynchronises (TS 33.102 cl. 6.3.5) instead of failing. */
	sqlite3_exec(d->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	sqlite3_exec(d->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	rc = migrate(d->db);
	if (rc)
		goto fail;
	rc = prep(d->db, "SELECT imsi, k, opc, amf, sqn FROM subscriber WHERE imsi = ?1", &d->get);
	if (!rc)
		rc = prep(d->db,
			  "UPDATE subscriber SET sqn = ((((sqn >> 5) + 1) << 5) | ((sqn + 1) & 31))"
			  " & 281474976710655 WHERE imsi = ?1 RETURNING sqn", &d->next_sqn);
	if (!rc)
		rc = prep(d->db, "UPDATE subscriber SET sqn = ?2 WHERE imsi = ?1", &d->set_sqn);
	if (!rc)
		rc = prep(d->db, "SELECT 1 FROM subscriber_apn WHERE imsi = ?1 AND"
			  " (apn = ?2 OR apn = '*') LIMIT 1", &d->apn_ok);
	if (!rc)
		rc = prep(d->db, "INSERT INTO subscriber (imsi, k, opc, amf, sqn)"
			  " VALUES (?1, ?2, ?3, ?4, ?5)", &d->add);
	if (!rc)
		rc = prep(d->db, "INSERT OR IGNORE INTO subscriber_apn (imsi, apn) VALUES (?1, ?2)",
			  &d->add_apn);
	if (!rc)
		rc = prep(d->db, "DELETE FROM subscriber WHERE imsi = ?1", &d->del);
	if (!rc)
		rc = prep(d->db, "DELETE FROM subscriber_apn WHERE imsi = ?1", &d->del_apns);
	if (rc)
		goto fail;
	*out = d;
	return DS_OK;
fail:
	ds_subdb_close(d);
	return rc;
}

static bool apn_valid(const char *apn)
{
	size_t n = strlen(apn);
	return n >= 1 && n <= DS_APN_MAX;
}

static int put_apns(ds_subdb *d, const char *imsi, const char *const *apns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!apn_valid(apns[i]))
			return DS_E_PARAM;
		sqlite3_reset(d->add_apn);
		sqlite3_bind_text(d->add_apn, 1, imsi, -1, SQLITE_STATIC);
		sqlite3_bind_text(d->add_apn, 2, apns[i], -1, SQLITE_STATIC);
		int s = sqlite3_step(d->add_apn);
		sqlite3_reset(d->add_apn);
		if (s != SQLITE_DONE)
			return DS_E_IO;
	}
	return DS_OK;
}

static int tx_end(ds_subdb *d, int rc)
{
	if (rc == DS_OK && sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return DS_OK;
	sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	return rc ? rc : DS_E_IO;
}

int ds_subdb_add(ds_subdb *d, const ds_subscriber *s, const char *const *apns, size_t n_apns)
{
	if (!ds_imsi_valid(s->imsi) || s->sqn > DS_SQN_MAX)
		return DS_E_PARAM;
	if (sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return DS_E_IO;
	sqlite3_reset(d->add);
	sqlite3_bind_text(d->add, 1, s->imsi, -1, SQLITE_STATIC);
	sqlite3_bind_blob(d->add, 2, s->k, 16, SQLITE_STATIC);
	sqlite3_bind_blob(d->add, 3, s->opc, 16, SQLITE_STATIC);
	sqlite3_bind_int(d->add, 4, s->amf);
	sqlite3_bind_int64(d->add, 5, (sqlite3_int64)s->sqn);
	int st = sqlite3_step(d->add);
	int ext = sqlite3_extended_errcode(d->db);
	sqlite3_reset(d->add);
	sqlite3_clear_bindings(d->add);
	int rc = DS_OK;
	if (st != SQLITE_DONE)
		rc = ext == SQLITE_CONSTRAINT_PRIMARYKEY ? DS_E_EXISTS : DS_E_IO;
	if (!rc)
		rc = put_apns(d, s->imsi, apns, n_apns);
	return tx_end(d, rc);
}

int ds_subdb_set_apns(ds_subdb *d, const char *imsi, const char *const *apns, size_t n_apns)
{
	ds_subscriber tmp;
	int rc = ds_subdb_get(d, imsi, &tmp);
	OPENSSL_cleanse(&tmp, sizeof tmp);
	if (rc)
		return rc;
	if (sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return DS_E_IO;
	sqlite3_reset(d->del_apns);
	sqlite3_bind_text(d->del_apns, 1, imsi, -1, SQLITE_STATIC);
	rc = sqlite3_step(d->del_apns) == SQLITE_DONE ? DS_OK : DS_E_IO;
	sqlite3_reset(d->del_apns);
	if (!rc)
		rc = put_apns(d, imsi, apns, n_apns);
	return tx_end(d, rc);
}

int ds_subdb_remove(ds_subdb *d, const char *imsi)
{
	sqlite3_reset(d->del);
	sqlite3_bind_text(d->del, 1, imsi, -1, SQLITE_STATIC);
	int st = sqlite3_step(d->del);
	sqlite3_reset(d->del);
	if (st != SQLITE_DONE)
		return DS_E_IO;
	return sqlite3_changes(d->db) ? DS_OK : DS_E_NOTFOUND;
}

static int row_to_sub(sqlite3_stmt *st, ds_subscriber *out)
{
	const unsigned char *imsi = sqlite3_column_text(st, 0);
	const void *k = sqlite3_column_blob(st, 1);
	const void *opc = sqlite3_column_blob(st, 2);
	if (!imsi || !k || !opc || sqlite3_column_bytes(st, 1) != 16 ||
	    sqlite3_column_bytes(st, 2) != 16 || sqlite3_column_bytes(st, 0) > DS_IMSI_MAX)
		return DS_E_IO;
	memset(out, 0, sizeof *out);
	memcpy(out->imsi, imsi, (size_t)sqlite3_column_bytes(st, 0));
	memcpy(out->k, k, 16);
	memcpy(out->opc, opc, 16);
	out->amf = (uint16_t)sqlite3_column_int(st, 3);
	out->sqn = (uint64_t)sqlite3_column_int64(st, 4);
	return DS_OK;
}

int ds_subdb_get(ds_subdb *d, const char *imsi, ds_subscriber *out)
{
	sqlite3_reset(d->get);
	sqlite3_bind_text(d->get, 1, imsi, -1, SQLITE_STATIC);
	int st = sqlite3_step(d->get);
	int rc = st == SQLITE_ROW ? row_to_sub(d->get, out) : st == SQLITE_DONE ? DS_E_NOTFOUND
										   : DS_E_IO;
	sqlite3_reset(d->get);
	return rc;
}

int ds_subdb_list(ds_subdb *d, int (*fn)(void *ctx, const ds_subscriber *s), void *ctx)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db, "SELECT imsi, k, opc, amf, sqn FROM subscriber ORDER BY imsi",
			       -1, &st, NULL) != SQLITE_OK)
		return DS_E_IO;
	int rc = DS_OK, s;
	ds_subscriber sub;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		rc = row_to_sub(st, &sub);
		if (!rc)
			rc = fn(ctx, &sub);
		if (rc)
			break;
	}
	if (!rc && s != SQLITE_DONE)
		rc = DS_E_IO;
	OPENSSL_cleanse(&sub, sizeof sub);
	sqlite3_finalize(st);
	return rc;
}

int ds_subdb_apn_allowed(ds_subdb *d, const char *imsi, const char *apn)
{
	/* no APN at all (no IDr) only passes a "*" subscription */
	if (!*apn)
		apn = "*";
	else if (!apn_valid(apn))
		return 0;
	sqlite3_reset(d->apn_ok);
	sqlite3_bind_text(d->apn_ok, 1, imsi, -1, SQLITE_STATIC);
	sqlite3_bind_text(d->apn_ok, 2, apn, -1, SQLITE_STATIC);
	int st = sqlite3_step(d->apn_ok);
	sqlite3_reset(d->apn_ok);
	return st == SQLITE_ROW ? 1 : st == SQLITE_DONE ? 0 : DS_E_IO;
}

int ds_subdb_next_sqn(ds_subdb *d, const char *imsi, uint64_t *sqn)
{
	sqlite3_reset(d->next_sqn);
	sqlite3_bind_text(d->next_sqn, 1, imsi, -1, SQLITE_STATIC);
	int st = sqlite3_step(d->next_sqn);
	int rc = DS_E_IO;
	if (st == SQLITE_ROW) {
		*sqn = (uint64_t)sqlite3_column_int64(d->next_sqn, 0);
		st = sqlite3_step(d->next_sqn);  /* finish the statement so the UPDATE commits */
		rc = st == SQLITE_DONE ? DS_OK : DS_E_IO;
	} else if (st == SQLITE_DONE) {
		rc = DS_E_NOTFOUND;
	}
	sqlite3_reset(d->next_sqn);
	return rc;
}

int ds_subdb_set_sqn(ds_subdb *d, const char *imsi, uint64_t sqn)
{
	if (sqn > DS_SQN_MAX)
		return DS_E_PARAM;
	sqlite3_reset(d->set_sqn);
	sqlite3_bind_text(d->set_sqn, 1, imsi, -1, SQLITE_STATIC);
	sqlite3_bind_int64(d->set_sqn, 2, (sqlite3_int64)sqn);
	int st = sqlite3_step(d->set_sqn);
	sqlite3_reset(d->set_sqn);
	if (st != SQLITE_DONE)
		return DS_E_IO;
	return sqlite3_changes(d->db) ? DS_OK : DS_E_NOTFOUND;
}
