/* Binding Update sequence numbers (RFC 6275 cl. 9.5.1): 16-bit values compared modulo 2^16.
 * x is "less than" y when (y - x) mod 2^16 lies in [1, 2^15). */
#ifndef DSMIP6_MIP_SEQ_H
#define DSMIP6_MIP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* True when a is newer than b, i.e. b < a modulo 2^16 (RFC 6275 cl. 9.5.1). */
static inline bool ds_seq_newer(uint16_t a, uint16_t b)
{
	uint16_t d = (uint16_t)(a - b);
	return d != 0 && d < 0x8000u;
}

static inline uint16_t ds_seq_next(uint16_t s) { return (uint16_t)(s + 1u); }

#endif
