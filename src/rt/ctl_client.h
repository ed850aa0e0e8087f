/* Blocking control-socket client used by dsmip6ctl (and tests): one request, one response. */
#ifndef DSMIP6_RT_CTL_CLIENT_H
#define DSMIP6_RT_CTL_CLIENT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Send {"cmd":cmd,"args":args} to the daemon at `path` and wait up to timeout_ms for the answer.
 * On DS_OK *resp holds the parsed response object (caller frees with cJSON_Delete). */
int ds_ctl_call(const char *path, const char *cmd, const cJSON *args, int timeout_ms,
		cJSON **resp, char *err, size_t errlen);

#endif
