/* libFuzzer harness: arbitrary bytes as a dsmip6-ue / dsmip6-ha configuration file. The YAML
 * walker and both schemas must reject anything malformed with messages, never crash or leak. */
#include <stddef.h>
#include <stdint.h>

#include "rt/ha_conf.h"
#include "rt/ue_conf.h"
#include "rt/ycfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ds_ycfg c;
	char err[4096];
	if (ds_ycfg_load_mem(&c, (const char *)data, size, "fuzz.yaml") == 0) {
		ds_ue_conf uc;
		ds_ue_conf_parse(&c, &uc);
		ds_ha_conf hc;
		c.nerr = 0;
		ds_ha_conf_parse(&c, &hc);
	}
	ds_ycfg_errors(&c, err, sizeof err);
	ds_ycfg_free(&c);
	return 0;
}
