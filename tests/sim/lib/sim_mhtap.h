/* Wire observer for Mobility Header signalling: decodes every BU, BA, BRI, BRA and BE seen on
 * any link of the simulation with src/wire, whether sent as IPv6 (Home Address option or Type 2
 * Routing Header, RFC 6275 cl. 6.3/6.4), inside UDP 4191 from an IPv4 CoA (RFC 5555 cl. 4.1) or
 * inside an IPv4/IPv6 tunnel. MH protected by transport-mode ESP (RFC 4877) is readable when the
 * SA uses ENCR_NULL (RFC 2410), which the simulation negotiates for that purpose: the MH then
 * starts right after the 8-octet ESP header; with a real cipher the message is counted as
 * opaque. Scenarios assert the message sequence and the TS 24.303 Annex A field values on these
 * records. */
#ifndef DSMIP6_SIM_MHTAP_H
#define DSMIP6_SIM_MHTAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "wire/mh.h"

typedef struct sim_mh_rec {
	ds_time at;
	const char *link;          /* link name (owned by the simulator) */
	uint8_t type;              /* DS_MOB_BU, DS_MOB_BA, DS_MOB_BE, DS_MOB_BR */
	uint8_t br_type;           /* DS_MOB_BRI / DS_MOB_BRA when type = DS_MOB_BR */
	bool esp;                  /* carried in ESP (SPI below) */
	bool udp4191;              /* carried in UDP 4191 (outer = the UDP endpoints) */
	bool csum_ok;              /* MH checksum right with the RFC 6275 cl. 6.1.1 pseudo-header */
	uint32_t spi;
	ds_addr outer_src, outer_dst;  /* outermost header (with ports for UDP 4191) */
	ds_addr src, dst;          /* IPv6 header carrying the MH */
	bool has_hao, has_rh2;
	ds_addr hoa;               /* HAO (BU, BRA) or RH2 address (BA, BRI), else unset */
	/* message fields */
	uint16_t seq;
	uint16_t flags;            /* BU flags, BA flags (low octet) or BR flags */
	uint16_t lifetime;         /* BU/BA lifetime in 4 s units */
	uint8_t status;            /* BA status, BRI trigger or BRA status, BE status */
	uint32_t present;          /* DS_MOPT_* of the options present */
	ds_mob_ipv4_hoa ipv4_hoa;
	ds_mob_ipv4_ack ipv4_ack;
	ds_mob_nat_det nat;
	uint16_t refresh;          /* Binding Refresh Advice (4 s units) */
	uint16_t unknown_opts, misaligned_opts;
} sim_mh_rec;

typedef struct sim_mhtap sim_mhtap;

typedef struct sim_mhtap_stats {
	uint64_t messages, by_type[17], opaque_esp, malformed;
} sim_mhtap_stats;

/* Installs itself as the simulator's tap. keep = store records (sim_mhtap_records); cb (may be
 * NULL) sees each record as it is decoded. */
sim_mhtap *sim_mhtap_new(sim *s, bool keep, void (*cb)(void *ctx, const sim_mh_rec *r),
			 void *ctx);
void sim_mhtap_free(sim_mhtap *t);
const sim_mh_rec *sim_mhtap_records(const sim_mhtap *t, size_t *n);
void sim_mhtap_clear(sim_mhtap *t);
const sim_mhtap_stats *sim_mhtap_stats_get(const sim_mhtap *t);
/* One-line text of a record for traces and failure messages. */
void sim_mh_rec_fmt(const sim_mh_rec *r, char *buf, size_t cap);
/* Decode one packet (what the tap does; exposed for tests). Returns the number of MH
 * messages found (0 or 1) and fills *out. */
int sim_mh_decode(const sim_link *l, const ds_pkt *pkt, ds_time now, sim_mh_rec *out,
		  bool *opaque);

#endif
