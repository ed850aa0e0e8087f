/* Subscriber store of the embedded EAP-AKA server (the HSS/AuC role for the HA's local
 * authentication): per IMSI the Milenage key K, OPc, AMF, the AuC sequence number SQN_HE and the
 * APNs the subscriber may use. Backed by SQLite (one file, or ":memory:").
 *
 * Schema version 1 (PRAGMA user_version): table subscriber(imsi, k, opc, amf, sqn) and table
 * subscriber_apn(imsi, apn) with ON DELETE CASCADE; "*" as an APN allows every APN. A database
 * written by a newer schema is refused (DS_E_VERSION) rather than misread.
 *
 * SQN handling follows TS 33.102 Annex C.1 and C.3.2: SQN = SEQ (43 bits) || IND (5 bits); each
 * new vector increments SEQ and IND (IND modulo 32) in one atomic UPDATE, so concurrent users of
 * the same database never hand out the same SQN twice. */
#ifndef DSMIP6_EAP_SUBSCRIBER_DB_H
#define DSMIP6_EAP_SUBSCRIBER_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_SUBDB_SCHEMA_VERSION 1
#define DS_IMSI_MAX 15
#define DS_APN_MAX 100           /* TS 23.003 cl. 9.1: APN at most 100 octets */
#define DS_SQN_MAX 0xffffffffffffull
#define DS_SQN_IND_BITS 5

/* A handle is used by one thread at a time (SQLite opened without its own mutexes); several
 * handles, in one or several processes, may share a database file. */
typedef struct ds_subdb ds_subdb;

typedef struct ds_subscriber {
	char imsi[DS_IMSI_MAX + 1];
	uint8_t k[16];
	uint8_t opc[16];
	uint16_t amf;
	uint64_t sqn;                /* SQN_HE: the last SQN handed out (48 bits) */
} ds_subscriber;

int ds_subdb_open(const char *path, ds_subdb **out);
void ds_subdb_close(ds_subdb *db);

/* True when `imsi` is 6 to 15 decimal digits (TS 23.003 cl. 2.2). */
bool ds_imsi_valid(const char *imsi);

/* Adds a subscriber with its APN list (may be empty). DS_E_EXISTS if the IMSI is present. */
int ds_subdb_add(ds_subdb *db, const ds_subscriber *s, const char *const *apns, size_t n_apns);
/* Replaces the APN list of a subscriber. */
int ds_subdb_set_apns(ds_subdb *db, const char *imsi, const char *const *apns, size_t n_apns);
int ds_subdb_remove(ds_subdb *db, const char *imsi);                  /* DS_E_NOTFOUND */
int ds_subdb_get(ds_subdb *db, const char *imsi, ds_subscriber *out); /* DS_E_NOTFOUND */
/* Calls fn for each subscriber in IMSI order; a non-zero return from fn stops the walk and is
 * returned. */
int ds_subdb_list(ds_subdb *db, int (*fn)(void *ctx, const ds_subscriber *s), void *ctx);
/* 1 if the APN is allowed (case-insensitive, TS 23.003 cl. 9.1; "*" allows all, and is the
 * only thing that allows an empty APN), 0 if not, negative ds_err on error. */
int ds_subdb_apn_allowed(ds_subdb *db, const char *imsi, const char *apn);
/* Next SQN for a new authentication vector (SEQ + 1, IND + 1), stored atomically. */
int ds_subdb_next_sqn(ds_subdb *db, const char *imsi, uint64_t *sqn);
/* Resynchronisation (TS 33.102 cl. 6.3.5): SQN_HE := SQN_MS recovered from AUTS. */
int ds_subdb_set_sqn(ds_subdb *db, const char *imsi, uint64_t sqn);

#endif
