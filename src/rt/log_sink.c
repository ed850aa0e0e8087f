#include "rt/log_sink.h"

#include <string.h>
#include <syslog.h>
#include <time.h>

const char *const ds_log_level_names[] = { "err", "warn", "notice", "info", "debug", NULL };

int ds_log_level_parse(const char *name)
{
	for (int i = 0; ds_log_level_names[i]; i++)
		if (strcmp(name, ds_log_level_names[i]) == 0)
			return DS_LOG_ERR + i;
	if (strcmp(name, "error") == 0)
		return DS_LOG_ERR;
	if (strcmp(name, "warning") == 0)
		return DS_LOG_WARN;
	return -1;
}

const char *ds_log_level_name(int level)
{
	if (level < DS_LOG_ERR)
		level = DS_LOG_ERR;
	if (level > DS_LOG_DEBUG)
		level = DS_LOG_DEBUG;
	return ds_log_level_names[level - DS_LOG_ERR];
}

static void sink_fn(void *ctx, int level, const char *msg)
{
	ds_log_sink *s = ctx;
	if (s->syslog) {
		syslog(level, "%s", msg);
		return;
	}
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	/* one fprintf per line so concurrent writers (two daemons on one terminal) do not interleave */
	fprintf(s->out, "%s.%03ldZ %s %s: %s\n", when, ts.tv_nsec / 1000000L, s->ident,
		ds_log_level_name(level), msg);
	fflush(s->out);
}

void ds_log_sink_open(ds_log_sink *s, const char *ident, const ds_log_opts *o)
{
	memset(s, 0, sizeof *s);
	snprintf(s->ident, sizeof s->ident, "%s", ident);
	s->syslog = o->syslog;
	s->out = stderr;
	s->lg.fn = sink_fn;
	s->lg.ctx = s;
	s->lg.level = o->level;
	if (s->syslog)
		openlog(s->ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void ds_log_sink_close(ds_log_sink *s)
{
	if (s->syslog)
		closelog();
	s->lg.fn = NULL;
}

void ds_log_sink_set_level(ds_log_sink *s, int level)
{
	if (level < DS_LOG_ERR)
		level = DS_LOG_ERR;
	if (level > DS_LOG_DEBUG)
		level = DS_LOG_DEBUG;
	s->lg.level = level;
}
