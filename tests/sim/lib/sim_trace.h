/* Event trace of a simulation run: one text line per event ("<ms> <what>"), fed into a running
 * SHA-256 (OpenSSL) so that two runs with the same seed can be compared by digest, and
 * optionally written to a file. */
#ifndef DSMIP6_SIM_TRACE_H
#define DSMIP6_SIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "core/time.h"

typedef struct sim_trace sim_trace;

sim_trace *sim_trace_new(void);
void sim_trace_free(sim_trace *t);
/* Also write every line to f (not closed by the trace); NULL stops writing. */
void sim_trace_set_file(sim_trace *t, FILE *f);
void sim_trace_line(sim_trace *t, ds_time now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t sim_trace_lines(const sim_trace *t);
/* Hex SHA-256 of every line so far (65 octets with the terminator); the trace goes on. */
void sim_trace_digest(const sim_trace *t, char hex[65]);

#endif
