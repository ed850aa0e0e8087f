/* Fuzz the Mobility Header decoder; whatever decodes must re-encode and decode identically. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "wire/mh.h"

static const uint8_t SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 1 };
static const uint8_t DST[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ds_mob_msg m, again;
	(void)ds_mob_csum_verify(data, size, SRC, DST);
	int rc = ds_mob_decode(data, size, &m);
	if (rc > 0 || rc <= DS_E__COUNT)
		abort();
	if (rc != DS_OK)
		return 0;
	uint8_t out[DS_MOB_MAX_LEN];
	size_t len;
	if (ds_mob_encode_csum(&m, SRC, DST, out, sizeof out, &len) != DS_OK)
		abort();
	if (len % 8 || ds_mob_decode_csum(out, len, SRC, DST, &again) != DS_OK)
		abort();
	if (!ds_mob_msg_eq(&m, &again) || again.opt.misaligned || again.opt.unknown)
		abort();
	return 0;
}
