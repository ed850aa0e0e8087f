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

/* A value that is either 0 (off / default) or within [min, max]: ds_yget_u32 checks the upper
 * bound, the lower one is checked here so that 0 stays allowed. */
static void get_zero_or_range(const ds_ynode *m, const char *key, uint32_t *v, uint32_t min,
			      uint32_t max, const char *zero_means)
{
	if (!ds_yget_u32(m, key, v, 0, max, false) || *v == 0 || *v >= min)
		return;
	ds_ynode n;
	ds_ymap_get(m, key, &n, false);
	ds_yerr(&n, "must be 0 (%s) or between %u and %u", zero_means, min, max);
	*v = 0;
}

void ds_conf_ike_tuning_parse(const ds_ynode *ike, ds_conf_ike_tuning *t, bool responder)
{
	/* An IKE SA rekeyed more often than every minute costs a DH exchange per UE for nothing;
	 * a year bounds the ds_time product. */
	get_zero_or_range(ike, "lifetime", &t->lifetime, 60, 365u * 86400u, "never rekey");
	ds_yget_bool(ike, "fragmentation", &t->fragmentation, false);
	/* RFC 7383 cl. 2.5.1: IPv4 hosts must take 576-octet datagrams, IPv6 1280 */
	get_zero_or_range(ike, "frag_mtu", &t->frag_mtu, 576, 65535, "1280 over IPv6, 576 over IPv4");
	get_zero_or_range(ike, "dpd_interval", &t->dpd_interval, 5, 86400, "off");
	if (!responder)
		return;
	ds_yget_bool(ike, "notify_3gpp", &t->notify_3gpp, false);
	get_zero_or_range(ike, "cookie_rotate", &t->cookie_rotate, 10, 86400, "5 minutes");
}

void ds_conf_ike_tuning_apply(const ds_conf_ike_tuning *t, ds_ike_config *ic)
{
	ic->ike_lifetime = (ds_time)t->lifetime * 1000;
	ic->fragmentation = t->fragmentation;
	ic->frag_mtu = (uint16_t)t->frag_mtu;
	ic->dpd_interval = (ds_time)t->dpd_interval * 1000;
	ic->notify_3gpp = t->notify_3gpp;
	ic->cookie_rotate = (ds_time)t->cookie_rotate * 1000;
}
