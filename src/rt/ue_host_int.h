/* Internal state of the dsmip6-ue host, shared by its glue and its control commands. */
#ifndef DSMIP6_RT_UE_HOST_INT_H
#define DSMIP6_RT_UE_HOST_INT_H

#include <stdio.h>

#include <event2/event.h>

#include "crypto/cert.h"
#include "eap/eap_aka_peer.h"
#include "ike/ike.h"
#include "rt/ctl_proto.h"
#include "rt/ctl_server.h"
#include "rt/keylog_files.h"
#include "rt/dns.h"
#include "rt/log_sink.h"
#include "rt/natt_keepalive.h"
#include "rt/loop.h"
#include "rt/netio.h"
#include "rt/nl.h"
#include "rt/ue_conf.h"
#include "rt/ue_host.h"
#include "rt/usim_file.h"
#include "ue/ue.h"

#define DS_UE_NFT_TABLE "dsmip6_ue"
#define DS_UE_RT_TABLE_BASE 200   /* policy routing table of PDN i: 200 + i */
#define DS_UE_RULE_PRIO 1000
#define DS_UE_MAX_ADDRS 8

/* What the UE knows about one configured access interface. */
typedef struct ue_if {
	int ifindex;             /* 0: interface not present */
	bool up;
	ds_addr v6[DS_UE_MAX_ADDRS];   /* usable global IPv6 addresses (with plen) */
	unsigned n6;
	ds_addr v4[DS_UE_MAX_ADDRS];
	unsigned n4;
} ue_if;

typedef struct ue_pdn {
	ds_pdn_id id;
	unsigned idx;            /* index in the configuration */
	ds_ike_sa *ike;
	ds_eap_peer *eap;
	ds_ike_info info;        /* from the established event */
	bool ike_up;
	bool want_child;         /* CREATE_CHILD_SA for the HoA pending (deferred) */
	ds_addr hoa, hoa4;       /* configured on the TUN */
	bool hoa_set;
	bool rules_on;           /* source policy rules installed (tunnel up) */
	enum ds_ue_tunnel_mode tunnel;
	enum ds_ue_pdn_state state;
	ds_addr tun_local, tun_ha;
	ds_addr redirected_from; /* RFC 5685 cl. 6: the gateway that redirected the next IKE SA */
	bool redirect_fqdn;      /* the next DNS query names the redirect's gateway (cl. 4.2) */
} ue_pdn;

struct ds_ue_host {
	ds_ue_conf conf;
	const char *conf_path;
	ds_log_sink log;
	struct event_base *base;
	struct event *sig_term, *sig_int, *sig_hup, *tun_ev, *nl_ev, *eval_ev, *stop_ev, *defer_ev;
	struct event *keepalive_ev; /* every DS_NATT_KEEPALIVE_S: RFC 3948 cl. 4 */
	ds_netio *net;
	ds_nl *nl;
	ds_nl_mon *mon;
	ds_dns *dns;
	int tun_fd, tun_ifindex;
	char tun_name[IF_NAMESIZE];
	bool nft_installed;
	ds_ue *ue;
	ds_ike *ike;
	ds_rt_timer ue_timer, ike_timer;
	ds_usim_file usim;
	ds_ca_store *ca;
	ds_ike_verifier verifier;
	ue_if ifs[DS_UE_MAX_ACCESS];
	int cur_access;          /* index into conf.access, -1: none */
	ds_ue_access cur;        /* what the engine was told last */
	ue_pdn pdn[DS_UE_MAX_PDN];
	ue_pdn *attaching;       /* PDN being added (its events precede the returned handle) */
	ds_ctl_server *ctl;
	ds_keylog_files keylog;  /* keylog.dir: Wireshark key tables */
	bool stopping;           /* SIGTERM: detaching, exit when every PDN is down */
	ds_time stop_deadline;
	ds_ratelimit rl;
	ds_natt_counters natt;   /* UDP 4500 keepalives and drops */
	uint8_t iid[8];
	uint8_t tun_buf[DS_PKT_MAX];
};

extern const ds_ctl_cmd ds_ue_ctl_cmds[];

ue_pdn *ds_ue_host_pdn_by_apn(ds_ue_host *h, const char *apn);
int ds_ue_host_attach(ds_ue_host *h, unsigned idx);
int ds_ue_host_reload(ds_ue_host *h, char *msg, size_t len);
void ds_ue_host_sync(ds_ue_host *h);

#endif
