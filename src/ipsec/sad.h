/* Security Association Database (RFC 4301 cl. 4.4.2): inbound SAs by SPI in O(1) (uthash),
 * outbound SAs by a caller-chosen 64-bit key (e.g. the child SA it belongs to) and by selector
 * for policy lookups. The SAD owns the ds_esp_sa objects added to it and frees them on removal.
 *
 * A SAD and its SAs belong to one thread (one engine instance), like every sans-I/O engine:
 * compact SAs share the SAD's cipher contexts.
 *
 * Inbound SPIs are chosen by the receiver (RFC 7296 cl. 3.3.1), so they are unique within one
 * SAD; ds_sad_alloc_spi() picks a random unused one for a new inbound SA. */
#ifndef DSMIP6_IPSEC_SAD_H
#define DSMIP6_IPSEC_SAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "ipsec/esp.h"

typedef struct ds_sad ds_sad;

ds_sad *ds_sad_new(void);
void ds_sad_free(ds_sad *sad);                   /* frees every SA */

/* Add an SA; the SAD takes ownership (also on error it frees nothing: the caller keeps sa).
 * Inbound: keyed by SPI; DS_E_EXISTS when the SPI is taken. Outbound: keyed by `key` (unique;
 * DS_E_EXISTS when taken) and also found by ds_sad_find_out_sel(). */
int ds_sad_add(ds_sad *sad, ds_esp_sa *sa, uint64_t key);
/* Inbound lookup for a received ESP packet, O(1). NULL when absent. */
ds_esp_sa *ds_sad_find_in(const ds_sad *sad, uint32_t spi);
/* Outbound lookup by key, O(1). */
ds_esp_sa *ds_sad_find_out(const ds_sad *sad, uint64_t key);
/* Outbound lookup by selector: the first outbound SA whose selector covers a packet from local
 * to remote with protocol proto and ports (MH type << 8 for protocol 135). Linear in the number
 * of outbound SAs without a key; hosts with many SAs should use ds_sad_find_out(). */
ds_esp_sa *ds_sad_find_out_sel(const ds_sad *sad, const ds_addr *local, const ds_addr *remote,
			       uint8_t proto, uint16_t local_port, uint16_t remote_port);
/* Remove and free an SA (inbound by SPI or outbound, found by pointer). DS_E_NOTFOUND if absent. */
int ds_sad_del(ds_sad *sad, ds_esp_sa *sa);
/* Remove and free every SA whose owner is `owner` (IKE SA deleted); returns how many. */
size_t ds_sad_del_owner(ds_sad *sad, const void *owner);
size_t ds_sad_count(const ds_sad *sad);

/* A random SPI in [256, 2^32-1] (0 is reserved and 1..255 are reserved by IANA, RFC 4303
 * cl. 2.1) not used by any inbound SA of this SAD. DS_E_CRYPTO if the random source fails. */
int ds_sad_alloc_spi(const ds_sad *sad, uint32_t *spi);

/* Does a selector cover this packet? (exported for callers checking decrypted packets). */
bool ds_esp_selector_match(const ds_esp_selector *sel, const ds_addr *local,
			   const ds_addr *remote, uint8_t proto, uint16_t local_port,
			   uint16_t remote_port);

#endif
