/* The runtime's log sink behind the engines' ds_logger seam: stderr lines with an ISO-8601 UTC
 * timestamp and a level name, or syslog(3). The level is changeable at run time (control socket
 * "log-level", SIGHUP reload) because every engine holds a pointer to the one ds_logger. */
#ifndef DSMIP6_RT_LOG_SINK_H
#define DSMIP6_RT_LOG_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "core/log.h"

typedef struct ds_log_opts {
	int level;      /* DS_LOG_* */
	bool syslog;    /* false: stderr */
} ds_log_opts;

typedef struct ds_log_sink {
	ds_logger lg;   /* hand &sink->lg to engines */
	bool syslog;
	FILE *out;      /* stderr unless a test redirects it */
	char ident[32];
} ds_log_sink;

void ds_log_sink_open(ds_log_sink *s, const char *ident, const ds_log_opts *o);
void ds_log_sink_close(ds_log_sink *s);
void ds_log_sink_set_level(ds_log_sink *s, int level);

/* "err", "warn", "notice", "info", "debug" <-> DS_LOG_*; -1 for an unknown name. */
int ds_log_level_parse(const char *name);
const char *ds_log_level_name(int level);
extern const char *const ds_log_level_names[]; /* NULL-terminated, index + DS_LOG_ERR = level */

#endif
