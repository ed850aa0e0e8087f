/* dsmip6-ue: the DSMIPv6 mobile node of a UE on S2c (TS 24.303), in user space. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt/log_sink.h"
#include "rt/ue_conf.h"
#include "rt/ue_host.h"

#define DEFAULT_CONF "/etc/dsmip6/dsmip6-ue.yaml"

static void usage(FILE *f)
{
	fputs("Usage: dsmip6-ue [OPTIONS]\n"
	      "\n"
	      "DSMIPv6 mobile node for 3GPP S2c (TS 24.303, RFC 5555): HA discovery by DNS, IKEv2\n"
	      "with EAP-AKA and home prefix assignment (RFC 5026/4877), home link detection, binding\n"
	      "registration of the IPv6 and IPv4 home addresses, handover between the configured\n"
	      "accesses (3GPP home link, WLAN, IPv4-only behind NAT), detach.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE   configuration (default " DEFAULT_CONF ")\n"
	      "  -t, --check         validate the configuration, print the NAI, and exit\n"
	      "  -f, --foreground    log to stderr even if the configuration asks for syslog\n"
	      "  -d, --debug         log level debug\n"
	      "  -h, --help          this text\n"
	      "\n"
	      "Signals: SIGTERM/SIGINT detach every PDN connection (lifetime-0 BU, IKE Delete) and\n"
	      "exit (at most 5 s; a second signal exits at once); SIGHUP re-reads the log level and\n"
	      "reports what needs a restart.\n"
	      "Control: dsmip6ctl --ue status | counters | detach [APN] | attach APN | log-level\n"
	      "Exit status: 0 stopped cleanly, 1 configuration error, 2 start-up failure.\n"
	      "See dsmip6-ue(8) and docs/operations.md.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "check", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },   { "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	ds_ue_host_opts o = { .conf_path = DEFAULT_CONF, .log_level = -1 };
	bool check = false;
	int c;
	while ((c = getopt_long(argc, argv, "c:tfdh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.conf_path = optarg; break;
		case 't': check = true; break;
		case 'f': o.foreground_log = true; break;
		case 'd': o.log_level = DS_LOG_DEBUG; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (check) {
		ds_ue_conf uc;
		char err[4096];
		if (ds_ue_conf_load(o.conf_path, &uc, err, sizeof err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		printf("%s: configuration OK; NAI %s, %u PDN connection(s), %u access(es)\n",
		       o.conf_path, uc.nai, uc.n_pdn, uc.n_access);
		return 0;
	}
	return ds_ue_host_main(&o);
}
