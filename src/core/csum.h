/* Internet checksum (RFC 1071) with the IPv6 pseudo-header (RFC 8200 cl. 8.1). */
#ifndef DSMIP6_CORE_CSUM_H
#define DSMIP6_CORE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Running one's-complement sum of data (odd lengths padded with a zero octet). */
uint32_t ds_csum_add(uint32_t sum, const void *data, size_t len);
/* Fold and complement: the value to put in a checksum field. */
uint16_t ds_csum_fold(uint32_t sum);
/* Checksum of `len` bytes of upper-layer data with the IPv6 pseudo-header
 * (src, dst, upper-layer length, next header). Result 0 on a correct packet. */
uint16_t ds_csum_ipv6(const uint8_t src[16], const uint8_t dst[16], uint8_t next_header,
		      const void *data, size_t len);
/* Same with the IPv4 pseudo-header (UDP). */
uint16_t ds_csum_ipv4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
		      const void *data, size_t len);

#endif
