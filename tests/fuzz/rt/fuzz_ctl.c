/* libFuzzer harness: arbitrary bytes as one control-socket request line, dispatched to a
 * command table whose handlers read every argument shape (named, positional, lists). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"
#include "rt/ctl_fmt.h"
#include "rt/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmd_echo(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	for (int i = 0; i < 4; i++) {
		const char *a = ds_ctl_arg(args, "name", i);
		if (a)
			cJSON_AddStringToObject(res, "arg", a);
	}
	long long v;
	if (ds_ctl_arg_int(args, "n", &v) == 0)
		cJSON_AddNumberToObject(res, "n", (double)v);
	return DS_OK;
}

static int cmd_fail(void *ctx, const cJSON *args, cJSON *res, char *err, size_t len)
{
	return DS_E_PARAM;
}

static const ds_ctl_cmd cmds[] = {
	{ "echo", "", cmd_echo },
	{ "fail", "", cmd_fail },
	{ NULL, NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = ds_ctl_dispatch(cmds, NULL, (const char *)data, size);
	free(out);
	return 0;
}
