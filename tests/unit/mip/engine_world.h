/* In-process test world for the UE and HA engines: both engines, packet queues between them
 * with an optional NAT in the path, a virtual clock, recorded events, and ESP SA pairs created
 * with fixed keys (the IKE exchange itself is tested in the IKE area). */
#ifndef DSMIP6_TEST_ENGINE_WORLD_H
#define DSMIP6_TEST_ENGINE_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/pkt.h"
#include "ha/ha.h"
#include "mip/mh.h"
#include "ue/ue.h"

#define W_QMAX 64
#define W_NAI "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org"

typedef struct w_pkt {
	ds_pkt p;
	ds_time t;
	uint8_t data[DS_PKT_MAX];
} w_pkt;

typedef struct w_queue {
	w_pkt *v;
	size_t n;
} w_queue;

typedef struct world {
	ds_ue *ue;
	ds_ha *ha;
	ds_time now;
	w_queue from_ue, from_ha, ue_tun, ha_tun;
	w_queue ue_log;             /* every packet the UE sent (not consumed by pumping) */
	bool drop_ue, drop_ha;      /* lose everything one side sends */
	bool nat;                   /* rewrite IPv4 UDP sources of the UE to nat_pub */
	ds_addr nat_pub;
	ds_addr ue_private4;
	/* events */
	int ue_ike[4];              /* per ds_ue_ike_action */
	ds_addr ue_ike_local;
	int ha_ike[4];              /* per ds_ha_ike_action */
	ds_addr ha_ike_addr;
	enum ds_ue_pdn_state st;
	int st_ev, st_status, n_revoked, n_v4_rejected;
	enum ds_ue_tunnel_mode tun;
	ds_addr hoa, hoa4;
	int ha_bind[8];
	int persist_n, persist_gone;
	ds_pdn_id pdn;
	ds_addr hnp;
	void *ike_ha;
	uint32_t spi_base;
	bool set_seq;               /* w_attach: continue the UE's sequence space at seq0 */
	uint16_t seq0;
	struct ds_esp_sa *sniff;    /* inbound copy of the UE -> HA SA: reads what the UE sent */
} world;

extern const ds_addr W_HA6, W_HA4, W_COA6, W_COA6B, W_COA4;

world *w_new(void);
void w_free(world *w);
ds_ue_access w_access6(const ds_addr *coa);
ds_ue_access w_access4(const ds_addr *coa);
ds_ue_access w_access_home(const ds_addr *prefix);
/* Add a PDN connection (static HA), run the IKE seam with fixed-key ESP SAs, pump. */
ds_pdn_id w_attach(world *w, const char *apn, bool want_v4, const ds_addr *lie_hnp);
void w_pump(world *w);
void w_run_until(world *w, ds_time t);
/* Decrypt and decode a BU the UE sent (entry of ue_log). */
int w_sniff_bu(world *w, const w_pkt *k, ds_mh_msg *m, bool *has_hao);
void w_q_clear(w_queue *q);
/* A new world with another IPv4 HoA pool (e.g. a tiny one to exhaust). */
world *w_new_pool(const char *v4pool);

/* A hand-driven UE identity at the HA: its own ESP SA pair, BUs crafted by the test. */
typedef struct raw_ue {
	struct ds_esp_sa *out, *in;
	ds_addr hnp, hoa;
	void *ike;
} raw_ue;
enum { RAW_HAO = 0, RAW_UDP = 1, RAW_HOME = 2 };
int w_raw_ue(world *w, const char *nai, raw_ue *r);
void w_raw_free(raw_ue *r);
/* Seal bu, send it over `path` (from W_COA6 with HAO, UDP from W_COA4 through the NAT when
 * w->nat, or from the home link) and decode the BA that comes back. DS_E_NOTFOUND: no BA. */
int w_raw_bu(world *w, raw_ue *r, const ds_mh_msg *bu, int path, ds_mh_msg *ba);

#endif
