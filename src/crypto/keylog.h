/* Key log lines for Wireshark (off by default; the runtime decides whether and where to write
 * them). Two UAT tables are produced, in the format Wireshark 4.0 reads from its profile files
 * or from `tshark -o "uat:<table>:<line>"`:
 *   ikev2_decryption_table: SPIi,SPIr,SK_ei,SK_er,"encr alg",SK_ai,SK_ar,"integ alg"
 *   esp_sa: "IPv4|IPv6","src","dst","0xSPI","encr alg","0xkey","auth alg","0xkey"
 * GCM keys include their 4-octet salt, as Wireshark expects. These lines reveal traffic keys:
 * they are for test and debugging set-ups only. */
#ifndef DSMIP6_CRYPTO_KEYLOG_H
#define DSMIP6_CRYPTO_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "crypto/ikev2_keys.h"

/* Wireshark's names for an algorithm; NULL when Wireshark 4.0 has none for it. */
const char *ds_keylog_ike_encr_name(uint16_t encr, uint16_t key_bits);
const char *ds_keylog_ike_integ_name(uint16_t integ);
const char *ds_keylog_esp_encr_name(uint16_t encr);
const char *ds_keylog_esp_integ_name(uint16_t integ);

/* One ikev2_decryption_table line (no newline) into out; DS_E_NOSPACE, DS_E_UNSUPPORTED. */
int ds_keylog_ikev2_line(const uint8_t spi_i[DS_IKE_SPI_LEN], const uint8_t spi_r[DS_IKE_SPI_LEN],
			 const ds_ike_keys *k, uint16_t encr, uint16_t key_bits, uint16_t integ,
			 char *out, size_t cap);
/* One esp_sa line (no newline) for the SA from src to dst with this SPI. */
int ds_keylog_esp_line(const ds_addr *src, const ds_addr *dst, uint32_t spi, uint16_t encr,
		       uint16_t key_bits, const uint8_t *encr_key, uint16_t integ,
		       const uint8_t *integ_key, char *out, size_t cap);

#endif
