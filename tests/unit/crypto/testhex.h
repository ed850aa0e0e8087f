/* Hex helpers for known-answer tests: vectors are written as in the RFCs (spaces allowed). */
#ifndef DSMIP6_TEST_HEX_H
#define DSMIP6_TEST_HEX_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode hex (whitespace ignored) into out; returns the number of octets, or (size_t)-1. */
static inline size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		int v = hexval((unsigned char)*s);
		if (v < 0)
			return (size_t)-1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return (size_t)-1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? n : (size_t)-1;
}

#endif
