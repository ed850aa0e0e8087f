#include "rt/ha_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/err.h"

enum { ST_PUT_ALLOC, ST_DEL_ALLOC, ST_ALL_ALLOC, ST_PUT_BIND, ST_DEL_BIND, ST_ALL_BIND,
       ST_EXPIRE_BIND, ST__N };

static const char *const sql_stmt[ST__N] = {
	/* an upsert, not INSERT OR REPLACE: that would silently take a prefix or IPv4 address away
	 * from another UE through the unique indexes instead of failing */
	[ST_PUT_ALLOC] = "INSERT INTO ha_alloc(nai, apn, hnp, hnp_len, ipv4) VALUES (?1, ?2, ?3, ?4, ?5) "
			 "ON CONFLICT(nai, apn) DO UPDATE SET hnp = excluded.hnp, "
			 "hnp_len = excluded.hnp_len, ipv4 = excluded.ipv4",
	[ST_DEL_ALLOC] = "DELETE FROM ha_alloc WHERE nai = ?1 AND apn = ?2",
	[ST_ALL_ALLOC] = "SELECT nai, apn, hnp, hnp_len, ipv4 FROM ha_alloc",
	[ST_PUT_BIND] = "INSERT OR REPLACE INTO ha_binding(nai, apn, hoa, coa, coa_port, seq, flags, "
			"expires, tunnel) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_DEL_BIND] = "DELETE FROM ha_binding WHERE nai = ?1 AND apn = ?2",
	[ST_ALL_BIND] = "SELECT nai, apn, hoa, coa, coa_port, seq, flags, expires, tunnel FROM ha_binding "
			"WHERE expires > ?1",
	[ST_EXPIRE_BIND] = "DELETE FROM ha_binding WHERE expires <= ?1",
};

/* Addresses are stored as blobs of 4 or 16 octets: the family is the length. */
static const char schema[] =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"CREATE TABLE IF NOT EXISTS ha_alloc ("
	"  nai TEXT NOT NULL, apn TEXT NOT NULL, hnp BLOB NOT NULL, hnp_len INTEGER NOT NULL,"
	"  ipv4 BLOB, PRIMARY KEY (nai, apn));"
	"CREATE UNIQUE INDEX IF NOT EXISTS ha_alloc_hnp ON ha_alloc(hnp);"
	"CREATE UNIQUE INDEX IF NOT EXISTS ha_alloc_ipv4 ON ha_alloc(ipv4);"
	"CREATE TABLE IF NOT EXISTS ha_binding ("
	"  nai TEXT NOT NULL, apn TEXT NOT NULL, hoa BLOB NOT NULL, coa BLOB NOT NULL,"
	"  coa_port INTEGER NOT NULL, seq INTEGER NOT NULL, flags INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL, tunnel INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (nai, apn));";

struct ds_ha_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST__N];
};

int ds_ha_store_open(ds_ha_store **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	ds_ha_store *s = calloc(1, sizeof *s);
	if (!s)
		return DS_E_NOMEM;
	char *msg = NULL;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 2000); /* the subscriber store may hold the file briefly */
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "schema error");
		sqlite3_free(msg);
		goto fail;
	}
	for (int i = 0; i < ST__N; i++)
		if (sqlite3_prepare_v3(s->db, sql_stmt[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
			goto fail;
		}
	*out = s;
	return DS_OK;
fail:
	ds_ha_store_close(s);
	return DS_E_IO;
}

void ds_ha_store_close(ds_ha_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST__N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

static int step_done(ds_ha_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	(void)s;
	if (rc == SQLITE_DONE)
		return DS_OK;
	return rc == SQLITE_CONSTRAINT ? DS_E_EXISTS : DS_E_IO;
}

static void bind_addr(sqlite3_stmt *st, int col, const ds_addr *a)
{
	if (a->family == DS_AF_NONE)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_blob(st, col, a->ip, (int)ds_addr_iplen(a), SQLITE_TRANSIENT);
}

static ds_addr col_addr(sqlite3_stmt *st, int col)
{
	ds_addr a;
	memset(&a, 0, sizeof a);
	const void *p = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);
	if (p && n == 16)
		a = ds_addr6(p, 0);
	else if (p && n == 4)
		a = ds_addr4(p, 0);
	return a;
}

static void col_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

int ds_ha_store_put_alloc(ds_ha_store *s, const ds_ha_alloc_rec *r)
{
	if (r->hnp.family != DS_AF_INET6)
		return DS_E_PARAM;
	sqlite3_stmt *st = s->st[ST_PUT_ALLOC];
	sqlite3_bind_text(st, 1, r->nai, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->apn, -1, SQLITE_TRANSIENT);
	bind_addr(st, 3, &r->hnp);
	sqlite3_bind_int(st, 4, r->hnp.plen);
	bind_addr(st, 5, &r->ipv4);
	return step_done(s, st);
}

int ds_ha_store_del_alloc(ds_ha_store *s, const char *nai, const char *apn)
{
	sqlite3_stmt *st = s->st[ST_DEL_ALLOC];
	sqlite3_bind_text(st, 1, nai, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, apn, -1, SQLITE_TRANSIENT);
	int rc = step_done(s, st);
	if (rc == DS_OK && sqlite3_changes(s->db) == 0)
		return DS_E_NOTFOUND;
	return rc;
}

int ds_ha_store_each_alloc(ds_ha_store *s, int (*fn)(void *ctx, const ds_ha_alloc_rec *r),
			   void *ctx)
{
	sqlite3_stmt *st = s->st[ST_ALL_ALLOC];
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ds_ha_alloc_rec r;
		memset(&r, 0, sizeof r);
		col_text(st, 0, r.nai, sizeof r.nai);
		col_text(st, 1, r.apn, sizeof r.apn);
		r.hnp = col_addr(st, 2);
		int plen = sqlite3_column_int(st, 3);
		if (r.hnp.family != DS_AF_INET6 || plen < 1 || plen > 128)
			continue; /* a row edited by hand into nonsense is skipped, not trusted */
		r.hnp.plen = (uint8_t)plen;
		r.ipv4 = col_addr(st, 4);
		if (fn(ctx, &r))
			break;
	}
	sqlite3_reset(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? DS_OK : DS_E_IO;
}

int ds_ha_store_put_binding(ds_ha_store *s, const ds_ha_binding_rec *r)
{
	if (r->hoa.family != DS_AF_INET6 || r->coa.family == DS_AF_NONE)
		return DS_E_PARAM;
	sqlite3_stmt *st = s->st[ST_PUT_BIND];
	sqlite3_bind_text(st, 1, r->nai, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->apn, -1, SQLITE_TRANSIENT);
	bind_addr(st, 3, &r->hoa);
	bind_addr(st, 4, &r->coa);
	sqlite3_bind_int(st, 5, r->coa.port);
	sqlite3_bind_int(st, 6, r->seq);
	sqlite3_bind_int(st, 7, r->flags);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)r->expires);
	sqlite3_bind_int(st, 9, r->tunnel);
	return step_done(s, st);
}

int ds_ha_store_del_binding(ds_ha_store *s, const char *nai, const char *apn)
{
	sqlite3_stmt *st = s->st[ST_DEL_BIND];
	sqlite3_bind_text(st, 1, nai, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, apn, -1, SQLITE_TRANSIENT);
	int rc = step_done(s, st);
	if (rc == DS_OK && sqlite3_changes(s->db) == 0)
		return DS_E_NOTFOUND;
	return rc;
}

int ds_ha_store_each_binding(ds_ha_store *s, uint64_t now_wall,
			     int (*fn)(void *ctx, const ds_ha_binding_rec *r), void *ctx)
{
	sqlite3_stmt *ex = s->st[ST_EXPIRE_BIND];
	sqlite3_bind_int64(ex, 1, (sqlite3_int64)now_wall);
	if (step_done(s, ex) != DS_OK)
		return DS_E_IO;
	sqlite3_stmt *st = s->st[ST_ALL_BIND];
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now_wall);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ds_ha_binding_rec r;
		memset(&r, 0, sizeof r);
		col_text(st, 0, r.nai, sizeof r.nai);
		col_text(st, 1, r.apn, sizeof r.apn);
		r.hoa = col_addr(st, 2);
		r.coa = col_addr(st, 3);
		int port = sqlite3_column_int(st, 4);
		if (r.hoa.family != DS_AF_INET6 || r.coa.family == DS_AF_NONE || port < 0 ||
		    port > 65535)
			continue;
		r.coa.port = (uint16_t)port;
		r.seq = (uint16_t)sqlite3_column_int(st, 5);
		r.flags = (uint16_t)sqlite3_column_int(st, 6);
		r.expires = (uint64_t)sqlite3_column_int64(st, 7);
		r.tunnel = (uint8_t)sqlite3_column_int(st, 8);
		if (fn(ctx, &r))
			break;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? DS_OK : DS_E_IO;
}

int ds_ha_store_begin(ds_ha_store *s)
{
	return sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? DS_OK : DS_E_IO;
}

int ds_ha_store_commit(ds_ha_store *s)
{
	return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? DS_OK : DS_E_IO;
}
