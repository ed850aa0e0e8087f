#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static void vlog(const ds_logger *lg, int level, const char *prefix, const char *fmt, va_list ap)
{
	char msg[512];
	int n = snprintf(msg, sizeof msg, "%s", prefix);
	if (n < 0 || (size_t)n >= sizeof msg)
		n = 0;
	vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	lg->fn(lg->ctx, level, msg);
}

void ds_logf(const ds_logger *lg, int level, const char *fmt, ...)
{
	if (!ds_log_enabled(lg, level))
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(lg, level, "", fmt, ap);
	va_end(ap);
}

bool ds_ratelimit_ok(ds_ratelimit *rl, ds_time now)
{
	if (now - rl->window_start >= rl->interval || now < rl->window_start) {
		rl->window_start = now;
		rl->used = 0;
	}
	if (rl->used < rl->burst) {
		rl->used++;
		return true;
	}
	rl->suppressed++;
	return false;
}

void ds_logf_rl(const ds_logger *lg, ds_ratelimit *rl, ds_time now, int level, const char *fmt, ...)
{
	if (!ds_log_enabled(lg, level))
		return;
	if (!ds_ratelimit_ok(rl, now))
		return;
	char prefix[64] = "";
	if (rl->suppressed) {
		snprintf(prefix, sizeof prefix, "(%u similar suppressed) ", rl->suppressed);
		rl->suppressed = 0;
	}
	va_list ap;
	va_start(ap, fmt);
	vlog(lg, level, prefix, fmt, ap);
	va_end(ap);
}
