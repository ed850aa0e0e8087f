/* dsmip6-ha: the Home Agent function of a PDN GW on S2c (TS 24.303), in user space. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt/ha_conf.h"
#include "rt/ha_host.h"
#include "rt/log_sink.h"

#define DEFAULT_CONF "/etc/dsmip6/dsmip6-ha.yaml"

static void usage(FILE *f)
{
	fputs("Usage: dsmip6-ha [OPTIONS]\n"
	      "\n"
	      "Home Agent of a PDN GW for DSMIPv6 over S2c (3GPP TS 24.303, RFC 5555): IKEv2\n"
	      "responder with EAP-AKA (RFC 5026/4877), binding cache, HNP and IPv4 home address\n"
	      "pools, user-space ESP and tunnelling, Binding Revocation, IKEv2 redirect.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE   configuration (default " DEFAULT_CONF ")\n"
	      "  -t, --check         validate the configuration, print it, and exit\n"
	      "  -f, --foreground    log to stderr even if the configuration asks for syslog\n"
	      "  -d, --debug         log level debug\n"
	      "  -h, --help          this text\n"
	      "\n"
	      "Signals: SIGTERM/SIGINT stop the daemon and keep every allocation and binding in the\n"
	      "state database for the next start; SIGHUP re-reads the log level, redirect rules and\n"
	      "served APNs and reports what needs a restart.\n"
	      "Control: dsmip6ctl --ha status | bindings | counters | subscriber ... | detach | redirect\n"
	      "Exit status: 0 stopped cleanly, 1 configuration error, 2 start-up failure.\n"
	      "See dsmip6-ha(8) and docs/operations.md.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "check", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },   { "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	ds_ha_host_opts o = { .conf_path = DEFAULT_CONF, .log_level = -1 };
	int check = 0, c;
	while ((c = getopt_long(argc, argv, "c:tfdh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.conf_path = optarg; break;
		case 't': check = 1; break;
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
		ds_ha_conf hc;
		char err[4096];
		if (ds_ha_conf_load(o.conf_path, &hc, err, sizeof err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		printf("%s: configuration OK\n", o.conf_path);
		return 0;
	}
	return ds_ha_host_main(&o);
}
