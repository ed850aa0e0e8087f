/* Hex helpers for the EAP unit tests: spaces in the strings are ignored so that vectors can be
 * pasted as the RFCs print them. */
#ifndef DSMIP6_TEST_EAP_HEX_H
#define DSMIP6_TEST_EAP_HEX_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static inline size_t hex2bin(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		int c = tolower((unsigned char)*s), v;
		if (c == ' ')
			continue;
		v = isdigit(c) ? c - '0' : c - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			if (n < cap)
				out[n] = (uint8_t)(hi << 4 | v);
			n++;
			hi = -1;
		}
	}
	return n;
}

#define HEX(buf, str) hex2bin((str), (buf), sizeof(buf))

#endif
