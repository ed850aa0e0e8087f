/* The ESP SA object, shared by esp.c and sad.c (internal to src/ipsec). */
#ifndef DSMIP6_IPSEC_ESP_IMPL_H
#define DSMIP6_IPSEC_ESP_IMPL_H

#include <uthash.h>

#include "crypto/crypto.h"
#include "ipsec/esp.h"
#include "ipsec/esp_kat.h"
#include "ipsec/replay.h"

#define DS_ESP_KEYS_MAX (36 + 64)   /* AES-256 + salt, HMAC-SHA2-512 key */

struct ds_esp_sa {
	ds_esp_sa_params p;        /* key pointers cleared */
	ds_cipher *cipher;         /* own contexts; NULL for a compact SA served by its SAD */
	uint8_t ivl, bl, icvl;     /* IV, padding block and ICV lengths of the suite */
	uint8_t key[DS_ESP_KEYS_MAX]; /* compact SAs: encr key then integ key (wiped on free) */
	struct ds_sad *sad;        /* SAD holding the SA (compact SAs borrow its contexts) */
	uint64_t id;               /* unique within the SAD: which SA a shared context is keyed for */
	uint64_t seq;              /* outbound: last number sent */
	ds_replay win;             /* inbound */
	ds_esp_counters cnt;
	/* SAD membership (sad.c) */
	uint64_t sad_key;
	bool in_sad;
	UT_hash_handle hh;         /* inbound: by p.spi; outbound: by sad_key */
	uint64_t bitmap[];         /* replay window words (inbound only) */
};

/* The SAD's shared context for this compact SA's suite, keyed with its keys (sad.c). */
ds_cipher *ds_sad_cipher_for(struct ds_sad *sad, ds_esp_sa *sa);

#endif
