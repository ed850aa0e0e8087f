/* Small language helpers shared by every area. */
#ifndef DSMIP6_CORE_UTIL_H
#define DSMIP6_CORE_UTIL_H

#include <stddef.h>

#define DS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DS_CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define DS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DS_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
