#include "rt/conf_common.h"

#include <string.h>

void ds_conf_require_abs(const ds_ynode *map, const char *key, const char *val)
{
	if (val[0] && val[0] != '/') {
		ds_ynode v;
		ds_ymap_get(map, key, &v, false);
		ds_yerr(&v, "'%s' must be an absolute path", val);
	}
}

void ds_conf_log(const ds_ynode *root, ds_log_opts *o)
{
	static const char *const keys[] = { "level", "syslog", NULL };
	ds_ynode m;
	if (!ds_ymap_get(root, "log", &m, false))
		return;
	ds_ymap_only(&m, keys);
	int idx;
	if (ds_yget_enum(&m, "level", ds_log_level_names, &idx, false))
		o->level = DS_LOG_ERR + idx;
	ds_yget_bool(&m, "syslog", &o->syslog, false);
}

void ds_conf_control(const ds_ynode *root, char *sock, size_t len)
{
	static const char *const keys[] = { "socket", NULL };
	ds_ynode m;
	if (!ds_ymap_get(root, "control", &m, false))
		return;
	ds_ymap_only(&m, keys);
	if (ds_yget_str(&m, "socket", sock, len, false))
		ds_conf_require_abs(&m, "socket", sock);
}

void ds_conf_keylog(const ds_ynode *root, char *dir, size_t len)
{
	static const char *const keys[] = { "dir", NULL };
	ds_ynode m;
	if (!ds_ymap_get(root, "keylog", &m, false))
		return;
	ds_ymap_only(&m, keys);
	if (ds_yget_str(&m, "dir", dir, len, false))
		ds_conf_require_abs(&m, "dir", dir);
}
