#include "scen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/err.h"

bool scen_open(scen *sc, const world_cfg *cfg)
{
	memset(sc, 0, sizeof *sc);
	world_cfg c;
	if (cfg) {
		c = *cfg;
	} else {
		memset(&c, 0, sizeof c);
		c.seed = 1;
		c.access.delay = 10;
		c.core.delay = 2;
		c.keep_mh = true;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(sc->dir, sizeof sc->dir, "%s/dsmip6-sim-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(sc->dir))
		return false;
	c.pcap_dir = sc->dir;
	/* debugging aids: the trace in a file, engine logs in the trace */
	const char *tf = getenv("DSMIP6_SIM_TRACE");
	if (tf && !c.trace_file)
		c.trace_file = sc->trace = fopen(tf, "a");
	const char *lv = getenv("DSMIP6_SIM_LOG");
	if (lv && !c.log_level)
		c.log_level = atoi(lv);
	sc->w = world_new(&c);
	return sc->w != NULL;
}

/* TS 24.303 Annex A on every kept MH record of the run (annex_any): the first violation is
 * printed, their number returned. */
static size_t annex_check_all(scen *sc)
{
	size_t n = 0, bad = 0;
	const sim_mh_rec *r = sim_mhtap_records(sc->w->tap, &n);
	for (size_t i = 0; i < n; i++) {
		const char *v = annex_any(&r[i]);
		if (!v)
			continue;
		if (bad++ == 0) {
			char l[300];
			sim_mh_rec_fmt(&r[i], l, sizeof l);
			fprintf(stderr, "Annex A: %s: %s\n", v, l);
		}
	}
	return bad;
}

int scen_close(scen *sc)
{
	size_t bad = sc->w ? annex_check_all(sc) : 0;
	world_free(sc->w);
	sc->w = NULL;
	if (sc->trace)
		fclose(sc->trace);
	sc->trace = NULL;
	if (!sc->dir[0])
		return 0;
	int rc = -1;
	const char *chk = getenv("DSMIP6_PCAP_CHECK");
	char cmd[1024], path[512];
	if (!chk && getenv("DSMIP6_SOURCE_ROOT")) {
		snprintf(path, sizeof path, "%s/tests/sim/check_pcap.sh", getenv("DSMIP6_SOURCE_ROOT"));
		chk = path;
	}
	if (!chk) {
		rc = 77;   /* no checker given: counts as skipped */
	} else {
		/* its report goes to stderr: stdout is the TAP stream */
		snprintf(cmd, sizeof cmd, "'%s' '%s'/*.pcap 1>&2", chk, sc->dir);
		int st = system(cmd);
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	if (bad)
		rc = SCEN_ANNEX_A_VIOLATION;
	if (rc == 0 || rc == 77 || !getenv("DSMIP6_SIM_KEEP_FAILED")) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", sc->dir);
		if (system(cmd) != 0)
			rc = -1;
	} else {
		fprintf(stderr, "pcaps kept in %s\n", sc->dir);
	}
	return rc;
}

typedef struct wait_ctx {
	ue_host *u;
	unsigned slot;
	enum ds_ue_pdn_state st;
} wait_ctx;

static bool reached(void *ctx)
{
	wait_ctx *c = ctx;
	const ue_pdn_view *v = ue_host_pdn(c->u, c->slot);
	return v && v->state == c->st;
}

bool scen_wait_state(scen *sc, ue_host *u, unsigned slot, enum ds_ue_pdn_state st, ds_time limit)
{
	wait_ctx c = { u, slot, st };
	return sim_run_while(sc->w->s, sim_now(sc->w->s) + limit, reached, &c);
}

void scen_run(scen *sc, ds_time ms) { sim_run_until(sc->w->s, sim_now(sc->w->s) + ms); }

size_t scen_mh(scen *sc, const char *link, const ds_addr *hoa, sim_mh_rec *out, size_t cap)
{
	size_t n = 0, total;
	const sim_mh_rec *r = sim_mhtap_records(sc->w->tap, &total);
	for (size_t i = 0; i < total; i++) {
		if (strcmp(r[i].link, link) != 0 || !ds_addr_ip_eq(&r[i].hoa, hoa))
			continue;
		if (n < cap)
			out[n] = r[i];
		n++;
	}
	return n;
}

void scen_seq_str(const sim_mh_rec *r, size_t n, char *buf, size_t cap)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < cap; i++) {
		const char *name = r[i].type == DS_MOB_BR ? (r[i].br_type == DS_MOB_BRI ? "BRI" : "BRA")
							  : ds_mob_type_name(r[i].type);
		int k = snprintf(buf + off, cap - off, "%s%s", i ? "," : "", name);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

const char *scen_link(enum world_access a)
{
	switch (a) {
	case W_ACC_HOME: return "home";
	case W_ACC_WLAN1: return "wlan1";
	case W_ACC_WLAN2: return "wlan2";
	case W_ACC_NAT: return "natlan";
	default: return "-";
	}
}
