/* Fuzz the ICMPv6 Parameter Problem decoder; a decoded message is rebuilt from its fields and
 * must decode to the same findings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "wire/icmp6.h"

static const uint8_t SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t DST[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ds_icmp6_pp pp, again;
	(void)ds_icmp6_pp_decode(data, size, SRC, DST, &pp);
	int rc = ds_icmp6_pp_decode(data, size, NULL, NULL, &pp);
	if (rc > 0 || rc <= DS_E__COUNT)
		abort();
	if (rc != DS_OK)
		return 0;
	if (pp.invoking_len > DS_ICMP6_ERR_MAX - 48)
		return 0;  /* the encoder cuts longer invoking packets */
	uint8_t out[DS_ICMP6_ERR_MAX];
	size_t len;
	if (ds_icmp6_pp_encode(pp.code, pp.pointer, pp.invoking, pp.invoking_len, SRC, DST, out,
			       sizeof out, &len) != DS_OK)
		abort();
	if (ds_icmp6_pp_decode(out, len, SRC, DST, &again) != DS_OK)
		abort();
	if (again.code != pp.code || again.pointer != pp.pointer ||
	    again.about_hao != pp.about_hao || again.about_rh2 != pp.about_rh2 ||
	    again.inv_src_ok != pp.inv_src_ok || again.invoking_len != pp.invoking_len)
		abort();
	return 0;
}
