/* Helpers shared by the scenario tests: world setup with pcaps in a temporary directory, running
 * until a UE reaches a state, selecting the MH records of one UE on one link, and the tshark
 * check of every pcap written. */
#ifndef DSMIP6_SIM_SCEN_H
#define DSMIP6_SIM_SCEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "annex_a.h"
#include "world.h"

typedef struct scen {
	world *w;
	char dir[256];          /* pcap directory ("" when none) */
	FILE *trace;            /* DSMIP6_SIM_TRACE=file: every trace line is appended there */
} scen;

/* cfg may be NULL (defaults: 1 HA, 10 ms access / 2 ms core delay, no impairments, pcaps). */
bool scen_open(scen *sc, const world_cfg *cfg);
#define SCEN_ANNEX_A_VIOLATION 3
/* Check every MH record kept (Annex A, annex_any) and the pcaps (when written) with tshark,
 * and free everything. Returns SCEN_ANNEX_A_VIOLATION when a record violates Annex A, else
 * the pcap checker's exit status (0 fine, 77 tshark absent) or -1 when it could not run. */
int scen_close(scen *sc);
/* Run until the PDN connection of slot reaches st, or limit ms of simulated time pass. */
bool scen_wait_state(scen *sc, ue_host *u, unsigned slot, enum ds_ue_pdn_state st, ds_time limit);
/* Run for ms of simulated time. */
void scen_run(scen *sc, ds_time ms);

/* The MH records seen on `link` whose home address is hoa (records kept by the world's tap),
 * copied into out (at most cap); returns how many matched. */
size_t scen_mh(scen *sc, const char *link, const ds_addr *hoa, sim_mh_rec *out, size_t cap);
/* Compact "BU,BA,BU,BA" string of those records for sequence assertions. */
void scen_seq_str(const sim_mh_rec *r, size_t n, char *buf, size_t cap);
/* Name of the link an access uses. */
const char *scen_link(enum world_access a);

#endif
