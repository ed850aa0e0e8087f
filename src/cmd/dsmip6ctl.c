/* dsmip6ctl: operator CLI for dsmip6-ue and dsmip6-ha over their control sockets. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/err.h"
#include "rt/ctl_client.h"
#include "rt/ctl_fmt.h"

#define UE_SOCK "/run/dsmip6/ue.sock"
#define HA_SOCK "/run/dsmip6/ha.sock"

static void usage(FILE *f)
{
	fputs("Usage: dsmip6ctl [OPTIONS] COMMAND [ARGUMENTS]\n"
	      "\n"
	      "Talk to a running dsmip6-ue or dsmip6-ha through its control socket.\n"
	      "\n"
	      "Options:\n"
	      "  -s, --socket PATH   control socket (default: " HA_SOCK " if present, else " UE_SOCK ")\n"
	      "      --ue            use " UE_SOCK "\n"
	      "      --ha            use " HA_SOCK "\n"
	      "  -j, --json          print the daemon's JSON answer as is (one line)\n"
	      "  -t, --timeout MS    how long to wait for the answer (default 5000)\n"
	      "  -h, --help          this text\n"
	      "\n"
	      "Commands of both daemons:\n"
	      "  help                        list the commands the daemon understands\n"
	      "  status                      state overview\n"
	      "  counters                    protocol and drop counters\n"
	      "  log-level LEVEL             err | warn | notice | info | debug\n"
	      "  reload                      re-read the configuration (what can change without a restart)\n"
	      "\n"
	      "dsmip6-ue:\n"
	      "  status                      per PDN connection: HA, HoA, IPv4 HoA, CoA, access, lifetime\n"
	      "                              left, tunnel mode, IKE/ESP SA state\n"
	      "  detach [APN]                UE-initiated detach (all PDN connections without APN)\n"
	      "  attach APN                  attach a PDN connection from the configuration again\n"
	      "\n"
	      "dsmip6-ha:\n"
	      "  bindings                    the binding cache: NAI, APN, HoA, HNP, IPv4 HoA, CoA, lifetime\n"
	      "  subscriber add IMSI k=HEX opc=HEX [amf=HEX] [sqn=N] [apn=APN ...]\n"
	      "  subscriber list\n"
	      "  subscriber remove IMSI\n"
	      "  detach NAI APN              network-initiated detach (Binding Revocation, RFC 5846)\n"
	      "  redirect NAI APN ADDRESS    move the UE to another HA (IKEv2 redirect, RFC 5685)\n"
	      "\n"
	      "Arguments of the form key=value are passed by name; others by position.\n"
	      "Exit status: 0 success, 1 the daemon refused the command, 2 usage or connection error.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{ "ue", no_argument, NULL, 'U' },            { "ha", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL;
	bool json = false;
	int timeout = 5000;
	int c;
	/* "+": stop at the first non-option so command arguments may start with '-' */
	while ((c = getopt_long(argc, argv, "+s:jt:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'j': json = true; break;
		case 't': timeout = atoi(optarg); break;
		case 'U': sock = UE_SOCK; break;
		case 'H': sock = HA_SOCK; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (!sock)
		sock = access(HA_SOCK, F_OK) == 0 ? HA_SOCK : UE_SOCK;
	if (timeout <= 0)
		timeout = 5000;

	/* "subscriber add" -> "subscriber-add": two-word commands of the HA */
	char cmd[64];
	int first_arg = optind + 1;
	if (strcmp(argv[optind], "subscriber") == 0 && optind + 1 < argc) {
		snprintf(cmd, sizeof cmd, "subscriber-%s", argv[optind + 1]);
		first_arg++;
	} else {
		snprintf(cmd, sizeof cmd, "%s", argv[optind]);
	}
	cJSON *args = ds_ctl_args_from_argv(argc - first_arg, argv + first_arg);
	if (!args) {
		fputs("dsmip6ctl: out of memory\n", stderr);
		return 2;
	}
	cJSON *resp = NULL;
	char err[512];
	int rc = ds_ctl_call(sock, cmd, args, timeout, &resp, err, sizeof err);
	cJSON_Delete(args);
	if (rc != DS_OK) {
		fprintf(stderr, "dsmip6ctl: %s\n", err);
		return 2;
	}
	int status = cJSON_IsTrue(cJSON_GetObjectItem(resp, "ok")) ? 0 : 1;
	if (json) {
		char *s = cJSON_PrintUnformatted(resp);
		if (s)
			puts(s);
		free(s);
	} else if (status == 0) {
		ds_ctl_print_human(stdout, cJSON_GetObjectItem(resp, "result"));
	} else {
		const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(resp, "error"));
		fprintf(stderr, "dsmip6ctl: %s: %s\n", cmd, e ? e : "failed");
	}
	cJSON_Delete(resp);
	return status;
}
