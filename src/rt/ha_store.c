#include "rt/ha_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <uthash.h>

#include "core/err.h"
#include "rt/loop.h"

/* Durability rule (why a re-registration usually costs no disk write):
 *   - An allocation row is written whenever its content (HNP, IPv4 home address) changes and
 *     deleted on release; a put with the content already stored is skipped. Allocations are
 *     therefore always exactly on disk.
 *   - A binding row is written whenever its HoA, CoA (with port), flags or tunnel mode change,
 *     so a restarted HA always restores the current CoA. A re-registration that changes only the
 *     sequence number and expiry is written lazily: only when the expiry on disk would be less
 *     than half of the newly granted remaining lifetime away. So after every BU the stored
 *     expiry is at least half a lifetime ahead; a UE that re-registers more often than that
 *     (NAT keepalive BUs, RFC 5555 cl. 4.3; a Binding Refresh Advice) sends its next BU before
 *     the stored expiry passes, so a restarted HA restores its binding. A UE refreshing later
 *     than half its lifetime (the usual 85 %) gets every refresh written, as before. The
 *     sequence number on disk may be older than the last accepted one; harmless, because the
 *     MN's next BU carries a higher number anyway and a restarted HA has no ESP SAs through
 *     which an old BU could be replayed (RFC 4877: BUs are accepted only under the UE's
 *     CHILD_SA).
 * The cache below remembers what the database holds, per (NAI, APN); an entry is dropped
 * whenever a write fails or its state is not known, so the next put writes again. */
typedef struct store_row {
	UT_hash_handle hh;
	bool has_alloc;      /* alloc below is what the ha_alloc row holds */
	bool has_binding;    /* binding below is what the ha_binding row holds */
	bool no_binding;     /* known: no ha_binding row */
	ds_addr hnp, ipv4;   /* stored allocation */
	ds_addr hoa, coa;    /* stored binding, with flags, tunnel and expiry */
	uint16_t flags;
	uint8_t tunnel;
	uint64_t expires;
	size_t keylen;
	char key[];          /* nai NUL apn */
} store_row;

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
	store_row *rows;     /* what the database is known to hold (see the durability rule) */
	uint64_t skipped;    /* writes avoided because the row already held the content */
	bool deferred;       /* ds_ha_store_defer(): writes join one transaction until flushed */
};

static size_t row_key(char *buf, size_t len, const char *nai, const char *apn)
{
	int n = snprintf(buf, len, "%s%c%s", nai, '\0', apn);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

static store_row *row_find(ds_ha_store *s, const char *nai, const char *apn)
{
	char key[DS_NAI_MAX + DS_APN_MAX + 2];
	size_t n = row_key(key, sizeof key, nai, apn);
	store_row *r = NULL;
	HASH_FIND(hh, s->rows, key, n, r);
	return r;
}

/* The cache entry for (nai, apn), created unknown; NULL when out of memory (then every put
 * simply writes). */
static store_row *row_get(ds_ha_store *s, const char *nai, const char *apn)
{
	store_row *r = row_find(s, nai, apn);
	if (r)
		return r;
	char key[DS_NAI_MAX + DS_APN_MAX + 2];
	size_t n = row_key(key, sizeof key, nai, apn);
	r = calloc(1, sizeof *r + n + 1);
	if (!r)
		return NULL;
	memcpy(r->key, key, n);
	r->keylen = n;
	HASH_ADD_KEYPTR(hh, s->rows, r->key, r->keylen, r);
	return r;
}

static void row_drop(ds_ha_store *s, store_row *r)
{
	if (!r)
		return;
	HASH_DEL(s->rows, r);
	free(r);
}

static void rows_clear(ds_ha_store *s)
{
	store_row *r, *tmp;
	HASH_ITER(hh, s->rows, r, tmp) {
		HASH_DEL(s->rows, r);
		free(r);
	}
}

static int tx_commit(ds_ha_store *s);

uint64_t ds_ha_store_skipped(const ds_ha_store *s)
{
	return s->skipped;
}

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
	if (s->db && !sqlite3_get_autocommit(s->db))
		tx_commit(s);   /* a deferred (or unfinished) transaction is flushed at stop */
	for (int i = 0; i < ST__N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	rows_clear(s);
	free(s);
}

static int step_done(ds_ha_store *s, sqlite3_stmt *st)
{
	/* deferred mode: the first write after a flush opens the transaction the next flush ends */
	if (s->deferred && sqlite3_get_autocommit(s->db) &&
	    sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_clear_bindings(st);
		return DS_E_IO;
	}
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
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
	store_row *c = row_find(s, r->nai, r->apn);
	if (c && c->has_alloc && ds_addr_eq(&c->hnp, &r->hnp) && c->hnp.plen == r->hnp.plen &&
	    ds_addr_eq(&c->ipv4, &r->ipv4)) {
		s->skipped++;
		return DS_OK;
	}
	sqlite3_stmt *st = s->st[ST_PUT_ALLOC];
	sqlite3_bind_text(st, 1, r->nai, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->apn, -1, SQLITE_TRANSIENT);
	bind_addr(st, 3, &r->hnp);
	sqlite3_bind_int(st, 4, r->hnp.plen);
	bind_addr(st, 5, &r->ipv4);
	int rc = step_done(s, st);
	c = row_get(s, r->nai, r->apn);
	if (c && rc == DS_OK) {
		c->has_alloc = true;
		c->hnp = r->hnp;
		c->ipv4 = r->ipv4;
	} else if (c) {
		c->has_alloc = false;
	}
	return rc;
}

int ds_ha_store_del_alloc(ds_ha_store *s, const char *nai, const char *apn)
{
	row_drop(s, row_find(s, nai, apn));   /* released: nothing worth remembering */
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

/* The lazy expiry of the durability rule: skip the write while the stored expiry is still at
 * least half of the newly granted remaining lifetime away (now is wall-clock seconds, the unit
 * of the stored expiry). A shortened lifetime is always written. */
static bool lazy_expiry_ok(uint64_t stored, uint64_t granted)
{
	if (granted <= stored)
		return granted == stored;
	uint64_t now = ds_rt_wall();
	if (stored <= now)
		return false;
	return stored - now >= (granted - now + 1) / 2;
}

int ds_ha_store_put_binding(ds_ha_store *s, const ds_ha_binding_rec *r)
{
	if (r->hoa.family != DS_AF_INET6 || r->coa.family == DS_AF_NONE)
		return DS_E_PARAM;
	store_row *c = row_find(s, r->nai, r->apn);
	if (c && c->has_binding && ds_addr_eq(&c->hoa, &r->hoa) && ds_addr_eq(&c->coa, &r->coa) &&
	    c->flags == r->flags && c->tunnel == r->tunnel && lazy_expiry_ok(c->expires, r->expires)) {
		s->skipped++;
		return DS_OK;
	}
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
	int rc = step_done(s, st);
	c = row_get(s, r->nai, r->apn);
	if (c && rc == DS_OK) {
		c->has_binding = true;
		c->no_binding = false;
		c->hoa = r->hoa;
		c->coa = r->coa;
		c->flags = r->flags;
		c->tunnel = r->tunnel;
		c->expires = r->expires;
	} else if (c) {
		c->has_binding = false;
		c->no_binding = false;
	}
	return rc;
}

int ds_ha_store_del_binding(ds_ha_store *s, const char *nai, const char *apn)
{
	store_row *c = row_find(s, nai, apn);
	if (c && c->no_binding) {
		s->skipped++;
		return DS_E_NOTFOUND;   /* known absent: no statement, no transaction */
	}
	sqlite3_stmt *st = s->st[ST_DEL_BIND];
	sqlite3_bind_text(st, 1, nai, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, apn, -1, SQLITE_TRANSIENT);
	int rc = step_done(s, st);
	if (rc == DS_OK && sqlite3_changes(s->db) == 0)
		rc = DS_E_NOTFOUND;
	c = row_get(s, nai, apn);
	if (c) {
		c->has_binding = false;
		c->no_binding = rc == DS_OK || rc == DS_E_NOTFOUND;
		if (!c->has_alloc && !c->no_binding)
			row_drop(s, c);
	}
	return rc;
}

int ds_ha_store_each_binding(ds_ha_store *s, uint64_t now_wall,
			     int (*fn)(void *ctx, const ds_ha_binding_rec *r), void *ctx)
{
	sqlite3_stmt *ex = s->st[ST_EXPIRE_BIND];
	sqlite3_bind_int64(ex, 1, (sqlite3_int64)now_wall);
	/* the delete below removes rows behind the cache's back: forget what it knew */
	store_row *c, *tmp;
	HASH_ITER(hh, s->rows, c, tmp) {
		c->has_binding = false;
		c->no_binding = false;
	}
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

static int tx_commit(ds_ha_store *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return DS_OK;
	/* what the failed transaction wrote is not on disk: end it and forget the cache */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	rows_clear(s);
	return DS_E_IO;
}

void ds_ha_store_defer(ds_ha_store *s, bool on)
{
	if (!on)
		ds_ha_store_flush(s);
	s->deferred = on;
}

int ds_ha_store_flush(ds_ha_store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return DS_OK;   /* nothing written since the last flush */
	return tx_commit(s);
}

int ds_ha_store_begin(ds_ha_store *s)
{
	if (s->deferred && !sqlite3_get_autocommit(s->db))
		return DS_OK;   /* already inside the pass's transaction: the flush ends it */
	return sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? DS_OK : DS_E_IO;
}

int ds_ha_store_commit(ds_ha_store *s)
{
	if (s->deferred)
		return DS_OK;   /* inside the pass's transaction: the flush ends it */
	return tx_commit(s);
}
