/* Deterministic ESP sealing for known-answer tests (e.g. the RFC 3602 cl. 4 ESP packets): the
 * caller supplies the IV. Never use it for traffic: a repeated IV breaks CBC and GCM. */
#ifndef DSMIP6_IPSEC_ESP_KAT_H
#define DSMIP6_IPSEC_ESP_KAT_H

#include <stddef.h>
#include <stdint.h>

#include "ipsec/esp.h"

int ds_esp_seal_iv(ds_esp_sa *sa, uint8_t next_header, const uint8_t *payload, size_t len,
		   const uint8_t *iv, uint8_t *out, size_t cap, size_t *out_len);

#endif
