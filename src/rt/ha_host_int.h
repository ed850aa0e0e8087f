/* Internal state of the dsmip6-ha host, shared by its setup/glue and its control commands. */
#ifndef DSMIP6_RT_HA_HOST_INT_H
#define DSMIP6_RT_HA_HOST_INT_H

#include <stdio.h>

#include <event2/event.h>

#include "crypto/cert.h"
#include "eap/eap_aka_server.h"
#include "eap/eap_radius.h"
#include "eap/subscriber_db.h"
#include "ha/ha.h"
#include "ike/ike.h"
#include "rt/ctl_proto.h"
#include "rt/ctl_server.h"
#include "rt/keylog_files.h"
#include "rt/ha_conf.h"
#include "rt/ha_host.h"
#include "rt/ha_store.h"
#include "rt/log_sink.h"
#include "rt/natt_keepalive.h"
#include "rt/loop.h"
#include "rt/netio.h"
#include "rt/nl.h"

#define DS_HA_NFT_TABLE "dsmip6_ha"

struct ds_ha_host {
	ds_ha_conf conf;
	const char *conf_path;
	ds_log_sink log;
	struct event_base *base;
	struct event *sig_term, *sig_int, *sig_hup, *tun_ev;
	ds_netio *net;
	ds_nl *nl;
	int tun_fd, tun_ifindex;
	char tun_name[IF_NAMESIZE];
	bool nft_installed;
	ds_ha *ha;
	ds_ike *ike;
	ds_rt_timer ha_timer, ike_timer;
	ds_ha_store *store;
	ds_subdb *subdb;
	ds_eap_aka_server *eap;      /* aaa.mode embedded */
	ds_eap_radius *radius;       /* aaa.mode radius */
	struct event *radius_ev;
	ds_cert *cert;
	ds_ike_signer signer;
	uint8_t *cert_der;
	ds_ctl_server *ctl;
	ds_keylog_files keylog;  /* keylog.dir: Wireshark key tables */
	ds_ike_sa *closing;      /* IKE SA whose close event is being handled */
	bool stopping;           /* shutting down: engine teardown events change no state */
	ds_ratelimit rl;
	ds_natt_counters natt;   /* UDP 4500 keepalives and drops */
	uint64_t persist_errors;
	uint8_t tun_buf[DS_PKT_MAX];
};

extern const ds_ctl_cmd ds_ha_ctl_cmds[];

/* Apply what SIGHUP / "reload" may change; fills msg with what changed and what needs a
 * restart. Returns DS_OK or DS_E_CONFIG (nothing applied). */
int ds_ha_host_reload(ds_ha_host *h, char *msg, size_t len);

#endif
