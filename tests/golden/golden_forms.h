/* The reference DSMIPv6 packets that the golden tests compare with scapy and tshark: each is a
 * whole IP packet (no link layer) built with the dsmip6 wire encoders. */
#ifndef DSMIP6_TESTS_GOLDEN_FORMS_H
#define DSMIP6_TESTS_GOLDEN_FORMS_H

#include <stddef.h>
#include <stdint.h>

typedef struct golden_form {
	const char *name;
	int (*build)(uint8_t *out, size_t cap, size_t *len);
} golden_form;

extern const golden_form golden_forms[];
extern const size_t golden_n_forms;

#endif
