/* Internal state of the UE role engine, shared by its source files. */
#ifndef DSMIP6_UE_UE_IMPL_H
#define DSMIP6_UE_UE_IMPL_H

#include "core/timerq.h"
#include "ipsec/sad.h"
#include "mip/mh.h"
#include "mip/retx.h"
#include "ue/ue.h"

#define DS_UE_MAX_PDN 16

/* What the outstanding BU is for (TS 24.303 Annex A). */
enum bu_kind {
	BU_NONE = 0,
	BU_REG,        /* A.2: initial registration or handover (O=1) */
	BU_REFRESH,    /* A.3: re-registration (O=0) */
	BU_DEREG_HOME, /* cl. 5.2 scenario B: lifetime 0 from the home link */
	BU_DETACH,     /* A.5: UE-initiated detach, lifetime 0 */
};

/* One PDN connection and its binding update list entry (RFC 6275 cl. 11.1). */
struct ue_pdn {
	ds_pdn_id id;
	enum ds_ue_pdn_state state;
	ds_ue_pdn_config cfg;
	char fqdn[DS_UE_FQDN_MAX + 1];
	void *ike;
	bool ike_started;
	ds_addr ike_local;          /* address the IKE SA runs from */
	ds_esp_sa *sa_in, *sa_out;  /* owned by the engine's SAD */
	ds_addr ha6, ha4;
	ds_addr hnp;                /* plen 64 */
	uint32_t hnp_lifetime_s;
	ds_addr hoa;                /* HNP | IID */
	ds_addr hoa4;               /* IPv4 HoA from the IPv4 Address Ack, or unset */
	/* binding update list entry */
	uint16_t seq;               /* last sequence number sent */
	enum bu_kind bu;            /* outstanding BU, BU_NONE when none */
	bool registered_once;       /* a home registration with this HA succeeded before */
	bool bound;                 /* the HA holds a binding for us */
	ds_bu_retx retx;
	ds_time retx_at, send_at, refresh_at;
	uint32_t granted_s;
	ds_addr coa;                /* CoA of the binding (IPv6, or IPv4 local address) */
	uint8_t access_kind;        /* ds_ue_access_kind the binding uses */
	enum ds_ue_tunnel_mode tunnel;
	bool nat;
	ds_timer timer;
};

/* MAX_UPDATE_RATE is per destination (RFC 6275 cl. 11.8): PDN connections served by the same
 * HA share one send history. */
struct ue_rate {
	ds_addr ha;
	ds_bu_rate r;
};

struct ds_ue {
	ds_ue_config cfg;
	struct ue_rate rate[DS_UE_MAX_PDN];
	ds_ue_access acc;
	ds_sad *sad;
	ds_timerq tq;
	struct ue_pdn *pdn[DS_UE_MAX_PDN];
	ds_pdn_id next_id;
	ds_ue_counters ctr;
	ds_ratelimit rl;
	ds_ratelimit rl_be;         /* Binding Errors to the HA (RFC 6275 cl. 9.3.3) */
	uint8_t buf[DS_PKT_MAX];
	uint8_t buf2[DS_PKT_MAX];
	uint8_t mh[1024];
};

struct ue_pdn *ue_pdn_get(const ds_ue *ue, ds_pdn_id id);
void ue_set_state(ds_ue *ue, struct ue_pdn *p, enum ds_ue_pdn_state st, int why, int status);
void ue_rearm(ds_ue *ue, struct ue_pdn *p);
void ue_set_tunnel(ds_ue *ue, struct ue_pdn *p, enum ds_ue_tunnel_mode mode);
void ue_drop_binding(ds_ue *ue, struct ue_pdn *p);
void ue_release(ds_ue *ue, struct ue_pdn *p);
/* The PDN connection failed for good: release it, report FAILED (ev, status) and delete its
 * IKE SA when one was started. */
void ue_fail(ds_ue *ue, struct ue_pdn *p, int ev, int status);
/* The kind of foreign path the current access offers a PDN connection that is not at home:
 * DS_UE_ACCESS_IPV6 (also a 3GPP access with an IPv6 address, for PDN connections anchored
 * elsewhere, R-59), DS_UE_ACCESS_IPV4, or DS_UE_ACCESS_NONE. */
uint8_t ue_foreign_kind(const ds_ue *ue);
/* Home link detection for p on the current access (TS 24.303 cl. 5.1.2.3, R-19/R-20). */
bool ue_at_home(const ds_ue *ue, const struct ue_pdn *p);
/* Start (or restart) the procedure that fits the access: BU from a foreign link, nothing or a
 * de-registration at home. */
void ue_mobility_decide(ds_ue *ue, struct ue_pdn *p, ds_time now);

/* ue_bu.c */
void ue_bu_start(ds_ue *ue, struct ue_pdn *p, enum bu_kind kind, ds_time now);
void ue_bu_timer(ds_ue *ue, struct ue_pdn *p, ds_time now);
void ue_handle_ba(ds_ue *ue, struct ue_pdn *p, const ds_mh_msg *ba, ds_time now);
/* Send an MH message to the HA over the path of the current access (HAO, UDP, home). */
int ue_send_mh(ds_ue *ue, struct ue_pdn *p, const ds_mh_msg *m);

#endif
