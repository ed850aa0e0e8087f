/* Time as seen by the sans-I/O engines: a monotonic millisecond count supplied by the caller.
 * Engines never read a clock; the runtime passes the real monotonic time, the simulator a
 * virtual one. DS_TIME_NEVER means "no deadline". */
#ifndef DSMIP6_CORE_TIME_H
#define DSMIP6_CORE_TIME_H

#include <stdint.h>

typedef uint64_t ds_time;
#define DS_TIME_NEVER UINT64_MAX
#define DS_MS(x) ((ds_time)(x))
#define DS_SEC(x) ((ds_time)(x) * 1000u)

#endif
