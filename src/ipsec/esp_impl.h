/* The ESP SA object, shared by esp.c and sad.c (internal to src/ipsec). */
#ifndef DSMIP6_IPSEC_ESP_IMPL_H
#define DSMIP6_IPSEC_ESP_IMPL_H

#include <uthash.h>

#include "crypto/crypto.h"
#include "ipsec/esp.h"
#include "ipsec/esp_kat.h"
#include "ipsec/replay.h"

struct ds_esp_sa {
	ds_esp_sa_params p;        /* key pointers cleared */
	ds_cipher *cipher;
	uint64_t seq;              /* outbound: last number sent */
	ds_replay win;             /* inbound */
	ds_esp_counters cnt;
	/* SAD membership (sad.c) */
	uint64_t sad_key;
	bool in_sad;
	UT_hash_handle hh;         /* inbound: by p.spi; outbound: by sad_key */
	uint64_t bitmap[];         /* replay window words (inbound only) */
};

#endif
