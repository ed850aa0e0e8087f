/* Control protocol of dsmip6-ue and dsmip6-ha: a UNIX stream socket carrying one JSON object per
 * line in each direction.
 *   request:  {"cmd": "status", "args": {...}}
 *   response: {"ok": true, "result": {...}}  or  {"ok": false, "error": "text"}
 * The dispatcher is independent of sockets so it is tested directly. */
#ifndef DSMIP6_RT_CTL_PROTO_H
#define DSMIP6_RT_CTL_PROTO_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define DS_CTL_MAX_LINE 65536

/* A handler fills `result` (an empty object) or returns a negative ds_err with a message in err. */
typedef int (*ds_ctl_fn)(void *ctx, const cJSON *args, cJSON *result, char *err, size_t errlen);

typedef struct ds_ctl_cmd {
	const char *name;
	const char *usage;   /* one line: arguments and meaning, shown by "help" */
	ds_ctl_fn fn;
} ds_ctl_cmd;

/* Handle one request line; returns a malloc'd response line without the newline (never NULL
 * unless out of memory). `cmds` ends with a {NULL} entry; "help" is built in. */
char *ds_ctl_dispatch(const ds_ctl_cmd *cmds, void *ctx, const char *line, size_t len);

/* Build a request line (malloc'd, no newline); args may be NULL and is not consumed. */
char *ds_ctl_request(const char *cmd, const cJSON *args);

/* Argument helpers for handlers: string / integer members of args (NULL or -1 when absent). */
const char *ds_ctl_arg_str(const cJSON *args, const char *name);
int ds_ctl_arg_int(const cJSON *args, const char *name, long long *out);

#endif
