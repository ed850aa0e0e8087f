/* Fuzz the textual address parser used by configuration and the control socket. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[96];
	if (size >= sizeof s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	ds_addr a;
	char out[DS_ADDR_STRLEN];
	if (ds_addr_parse(s, &a) == 0)
		ds_addr_fmt(&a, out, sizeof out);
	return 0;
}
