/* Configuration sections shared by dsmip6-ue and dsmip6-ha: "log", "control" and "keylog". */
#ifndef DSMIP6_RT_CONF_COMMON_H
#define DSMIP6_RT_CONF_COMMON_H

#include <stddef.h>

#include "rt/log_sink.h"
#include "rt/ycfg.h"

/* log: { level: err|warn|notice|info|debug, syslog: bool } */
void ds_conf_log(const ds_ynode *root, ds_log_opts *o);
/* control: { socket: /path } ; the path must fit a sockaddr_un */
void ds_conf_control(const ds_ynode *root, char *sock, size_t len);
/* keylog: { dir: /path }: IKE and ESP keys in Wireshark's table format for debugging */
void ds_conf_keylog(const ds_ynode *root, char *dir, size_t len);
/* Reject a path that is not absolute (daemons chdir to /). */
void ds_conf_require_abs(const ds_ynode *map, const char *key, const char *val);

#endif
