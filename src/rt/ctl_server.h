/* Control socket server: a UNIX stream listener on the daemon's libevent loop; each line from a
 * client is handed to ds_ctl_dispatch and the response line written back. The socket file is
 * created with mode 0660 (root and the daemon's group may steer the daemon) and removed at
 * shutdown. */
#ifndef DSMIP6_RT_CTL_SERVER_H
#define DSMIP6_RT_CTL_SERVER_H

#include <event2/event.h>

#include "core/log.h"
#include "rt/ctl_proto.h"

typedef struct ds_ctl_server ds_ctl_server;

/* Returns NULL (and logs why) when the socket cannot be created. */
ds_ctl_server *ds_ctl_server_new(struct event_base *base, const char *path, const ds_ctl_cmd *cmds,
				 void *ctx, const ds_logger *lg);
void ds_ctl_server_free(ds_ctl_server *s);

#endif
