/* Logging seam: engines format messages and hand them to a sink the host installs; they never
 * print. Network-triggered messages go through a rate limiter so that a flood of bad packets
 * cannot flood the log (suppressed messages are counted and reported when logging resumes). */
#ifndef DSMIP6_CORE_LOG_H
#define DSMIP6_CORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/time.h"

/* syslog-compatible levels */
enum { DS_LOG_ERR = 3, DS_LOG_WARN = 4, DS_LOG_NOTICE = 5, DS_LOG_INFO = 6, DS_LOG_DEBUG = 7 };

typedef void (*ds_log_fn)(void *ctx, int level, const char *msg);

typedef struct ds_logger {
	ds_log_fn fn;   /* NULL: logging off */
	void *ctx;
	int level;      /* messages above this level are dropped */
} ds_logger;

void ds_logf(const ds_logger *lg, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline bool ds_log_enabled(const ds_logger *lg, int level)
{
	return lg && lg->fn && level <= lg->level;
}

/* Token bucket: `burst` messages per `interval` ms. */
typedef struct ds_ratelimit {
	ds_time interval;
	uint32_t burst;
	ds_time window_start;
	uint32_t used;
	uint32_t suppressed;  /* messages dropped in previous windows, not yet reported */
} ds_ratelimit;

#define DS_RATELIMIT_INIT(interval_ms, burst_n) { (interval_ms), (burst_n), 0, 0, 0 }

/* True when a message may be logged now. */
bool ds_ratelimit_ok(ds_ratelimit *rl, ds_time now);

/* Rate-limited log: also reports how many messages were suppressed since the last one. */
void ds_logf_rl(const ds_logger *lg, ds_ratelimit *rl, ds_time now, int level, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
