/* Control protocol: dispatcher round trips, and a real UNIX-socket round trip between the
 * libevent server and the blocking client used by dsmip6ctl. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "core/err.h"
#include "rt/ctl_client.h"
#include "rt/ctl_fmt.h"
#include "rt/ctl_proto.h"
#include "rt/ctl_server.h"

typedef struct fake_daemon {
	int level;
	int calls;
} fake_daemon;

static int cmd_status(void *ctx, const cJSON *args, cJSON *result, char *err, size_t errlen)
{
	fake_daemon *d = ctx;
	d->calls++;
	cJSON_AddNumberToObject(result, "level", d->level);
	cJSON *pdns = cJSON_AddArrayToObject(result, "pdn");
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "apn", "internet");
	cJSON_AddStringToObject(p, "hoa", "2001:db8:100::1");
	cJSON_AddItemToArray(pdns, p);
	return DS_OK;
}

static int cmd_set_level(void *ctx, const cJSON *args, cJSON *result, char *err, size_t errlen)
{
	fake_daemon *d = ctx;
	long long v;
	if (ds_ctl_arg_int(args, "level", &v) != 0 || v < 3 || v > 7) {
		snprintf(err, errlen, "level must be 3..7");
		return DS_E_PARAM;
	}
	d->level = (int)v;
	cJSON_AddNumberToObject(result, "level", d->level);
	return DS_OK;
}

static int cmd_fail(void *ctx, const cJSON *args, cJSON *result, char *err, size_t errlen)
{
	return DS_E_NOTFOUND; /* no message: the error text comes from ds_strerror */
}

static const ds_ctl_cmd cmds[] = {
	{ "status", "show state", cmd_status },
	{ "log-level", "level=<3..7>", cmd_set_level },
	{ "fail", "always fails", cmd_fail },
	{ NULL, NULL, NULL },
};

static cJSON *dispatch(fake_daemon *d, const char *line)
{
	char *out = ds_ctl_dispatch(cmds, d, line, strlen(line));
	assert_non_null(out);
	assert_null(strchr(out, '\n')); /* one response per line */
	cJSON *j = cJSON_Parse(out);
	free(out);
	assert_non_null(j);
	return j;
}

static bool ok(const cJSON *r) { return cJSON_IsTrue(cJSON_GetObjectItem(r, "ok")); }
static const char *error_of(const cJSON *r)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(r, "error"));
}

static void test_dispatch(void **state)
{
	(void)state;
	fake_daemon d = { .level = 6 };
	cJSON *r = dispatch(&d, "{\"cmd\":\"status\"}");
	assert_true(ok(r));
	cJSON *res = cJSON_GetObjectItem(r, "result");
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(res, "level")), 6);
	cJSON_Delete(r);

	r = dispatch(&d, "{\"cmd\":\"log-level\",\"args\":{\"level\":7}}");
	assert_true(ok(r));
	assert_int_equal(d.level, 7);
	cJSON_Delete(r);

	r = dispatch(&d, "{\"cmd\":\"log-level\",\"args\":{\"level\":99}}");
	assert_false(ok(r));
	assert_string_equal(error_of(r), "level must be 3..7");
	assert_int_equal(d.level, 7);
	cJSON_Delete(r);

	r = dispatch(&d, "{\"cmd\":\"fail\"}");
	assert_false(ok(r));
	assert_string_equal(error_of(r), ds_strerror(DS_E_NOTFOUND));
	cJSON_Delete(r);

	r = dispatch(&d, "{\"cmd\":\"nope\"}");
	assert_false(ok(r));
	assert_non_null(strstr(error_of(r), "unknown command 'nope'"));
	cJSON_Delete(r);

	r = dispatch(&d, "{\"cmd\":\"help\"}");
	assert_true(ok(r));
	cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"), "commands");
	assert_int_equal(cJSON_GetArraySize(list), 3);
	cJSON_Delete(r);
}

static void test_dispatch_malformed(void **state)
{
	(void)state;
	fake_daemon d = { .level = 6 };
	const char *bad[] = { "", "not json", "[1,2]", "{\"cmd\":5}", "{\"args\":{}}",
			      "{\"cmd\":\"status\",\"args\":[1]}", "{\"cmd\":\"status\"", "\"status\"" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *r = dispatch(&d, bad[i]);
		assert_false(ok(r));
		assert_non_null(error_of(r));
		cJSON_Delete(r);
	}
	assert_int_equal(d.calls, 0);
	/* bytes after a complete object are not a second request */
	char *out = ds_ctl_dispatch(cmds, &d, "{\"cmd\":\"status\"}garbage", 23);
	assert_non_null(out);
	free(out);
}

typedef struct client_job {
	const char *path;
	int rc[3];
	cJSON *resp[3];
	volatile int done;
} client_job;

static void *client_thread(void *arg)
{
	client_job *j = arg;
	char err[256];
	cJSON *args = cJSON_CreateObject();
	cJSON_AddNumberToObject(args, "level", 4);
	j->rc[0] = ds_ctl_call(j->path, "status", NULL, 2000, &j->resp[0], err, sizeof err);
	j->rc[1] = ds_ctl_call(j->path, "log-level", args, 2000, &j->resp[1], err, sizeof err);
	j->rc[2] = ds_ctl_call(j->path, "nope", NULL, 2000, &j->resp[2], err, sizeof err);
	cJSON_Delete(args);
	j->done = 1;
	return NULL;
}

static void poll_done(evutil_socket_t fd, short what, void *arg)
{
	void **a = arg;
	client_job *j = a[0];
	if (j->done)
		event_base_loopbreak(a[1]);
}

static void test_socket_round_trip(void **state)
{
	(void)state;
	char dir[] = "/tmp/dsmip6-ctl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/sub/ctl.sock", dir); /* parent created by the server */
	fake_daemon d = { .level = 6 };
	struct event_base *base = event_base_new();
	ds_ctl_server *srv = ds_ctl_server_new(base, path, cmds, &d, NULL);
	assert_non_null(srv);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	/* a second daemon must not steal a live socket */
	assert_null(ds_ctl_server_new(base, path, cmds, &d, NULL));

	client_job j = { .path = path };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, client_thread, &j), 0);
	void *arg[2] = { &j, base };
	struct event *tick = event_new(base, -1, EV_PERSIST, poll_done, arg);
	struct timeval tv = { 0, 10000 };
	event_add(tick, &tv);
	event_base_loop(base, 0);
	pthread_join(th, NULL);

	assert_int_equal(j.rc[0], DS_OK);
	assert_true(ok(j.resp[0]));
	cJSON *pdn = cJSON_GetObjectItem(cJSON_GetObjectItem(j.resp[0], "result"), "pdn");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(pdn, 0), "hoa")),
			    "2001:db8:100::1");
	assert_int_equal(j.rc[1], DS_OK);
	assert_true(ok(j.resp[1]));
	assert_int_equal(d.level, 4);
	assert_int_equal(j.rc[2], DS_OK);
	assert_false(ok(j.resp[2]));
	for (int i = 0; i < 3; i++)
		cJSON_Delete(j.resp[i]);

	event_free(tick);
	ds_ctl_server_free(srv);
	assert_int_not_equal(stat(path, &st), 0); /* removed at shutdown */
	event_base_free(base);

	cJSON *resp;
	char err[256];
	assert_int_equal(ds_ctl_call(path, "status", NULL, 500, &resp, err, sizeof err), DS_E_IO);
	assert_non_null(strstr(err, "is the daemon running?"));
	char sub[160];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	rmdir(sub);
	rmdir(dir);
}

static void test_cli_args_and_printer(void **state)
{
	(void)state;
	char *argv[] = { "001010123456789", "k=465b5ce8b199b49faa5f0a2ee238a6bc", "apn=internet",
			 "apn=ims", "apn=corp", "extra" };
	cJSON *a = ds_ctl_args_from_argv(6, argv);
	assert_non_null(a);
	assert_string_equal(ds_ctl_arg(a, "imsi", 0), "001010123456789");
	assert_string_equal(ds_ctl_arg(a, "k", 9), "465b5ce8b199b49faa5f0a2ee238a6bc");
	assert_string_equal(ds_ctl_arg(a, "x", 1), "extra");
	assert_null(ds_ctl_arg(a, "x", 2));
	cJSON *apn = cJSON_GetObjectItem(a, "apn");
	assert_true(cJSON_IsArray(apn));
	assert_int_equal(cJSON_GetArraySize(apn), 3);
	assert_string_equal(cJSON_GetArrayItem(apn, 2)->valuestring, "corp");

	char buf[1024];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	cJSON *r = cJSON_Parse("{\"pdn\":[{\"apn\":\"internet\",\"nat\":true,\"lifetime\":3600}],"
			       "\"counters\":{},\"list\":[1,\"x\"]}");
	ds_ctl_print_human(f, r);
	fclose(f);
	assert_string_equal(buf, "pdn:\n  [0]\n    apn: internet\n    nat: yes\n    lifetime: 3600\n"
				 "counters: (none)\nlist:\n  - 1\n  - x\n");
	cJSON_Delete(r);
	cJSON_Delete(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_dispatch_malformed),
		cmocka_unit_test(test_socket_round_trip),
		cmocka_unit_test(test_cli_args_and_printer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
