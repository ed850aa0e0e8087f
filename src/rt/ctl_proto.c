#include "rt/ctl_proto.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

static char *error_line(const char *msg)
{
	cJSON *r = cJSON_CreateObject();
	if (!r)
		return NULL;
	cJSON_AddFalseToObject(r, "ok");
	cJSON_AddStringToObject(r, "error", msg);
	char *s = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	return s;
}

static int help(const ds_ctl_cmd *cmds, cJSON *result)
{
	cJSON *arr = cJSON_AddArrayToObject(result, "commands");
	if (!arr)
		return DS_E_NOMEM;
	for (const ds_ctl_cmd *c = cmds; c->name; c++) {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			return DS_E_NOMEM;
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddStringToObject(o, "usage", c->usage ? c->usage : "");
		cJSON_AddItemToArray(arr, o);
	}
	return DS_OK;
}

char *ds_ctl_dispatch(const ds_ctl_cmd *cmds, void *ctx, const char *line, size_t len)
{
	cJSON *req = cJSON_ParseWithLength(line, len);
	if (!req || !cJSON_IsObject(req)) {
		cJSON_Delete(req);
		return error_line("request is not a JSON object");
	}
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(req, "cmd");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(req, "args");
	if (!cJSON_IsString(cmd)) {
		cJSON_Delete(req);
		return error_line("request has no \"cmd\" string");
	}
	if (args && !cJSON_IsObject(args)) {
		cJSON_Delete(req);
		return error_line("\"args\" must be an object");
	}
	const ds_ctl_cmd *c = NULL;
	for (const ds_ctl_cmd *it = cmds; it->name; it++)
		if (strcmp(it->name, cmd->valuestring) == 0)
			c = it;
	cJSON *result = cJSON_CreateObject();
	char err[256] = "";
	int rc;
	if (!result)
		rc = DS_E_NOMEM;
	else if (c)
		rc = c->fn(ctx, args, result, err, sizeof err);
	else if (strcmp(cmd->valuestring, "help") == 0)
		rc = help(cmds, result);
	else {
		snprintf(err, sizeof err, "unknown command '%s' (try help)", cmd->valuestring);
		rc = DS_E_NOTFOUND;
	}
	cJSON_Delete(req);
	if (rc < 0) {
		cJSON_Delete(result);
		if (!err[0])
			snprintf(err, sizeof err, "%s", ds_strerror(rc));
		return error_line(err);
	}
	cJSON *resp = cJSON_CreateObject();
	if (!resp) {
		cJSON_Delete(result);
		return NULL;
	}
	cJSON_AddTrueToObject(resp, "ok");
	cJSON_AddItemToObject(resp, "result", result);
	char *s = cJSON_PrintUnformatted(resp);
	cJSON_Delete(resp);
	return s;
}

char *ds_ctl_request(const char *cmd, const cJSON *args)
{
	cJSON *r = cJSON_CreateObject();
	if (!r)
		return NULL;
	cJSON_AddStringToObject(r, "cmd", cmd);
	if (args)
		cJSON_AddItemToObject(r, "args", cJSON_Duplicate(args, 1));
	char *s = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	return s;
}

const char *ds_ctl_arg_str(const cJSON *args, const char *name)
{
	const cJSON *v = args ? cJSON_GetObjectItemCaseSensitive(args, name) : NULL;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ds_ctl_arg_int(const cJSON *args, const char *name, long long *out)
{
	const cJSON *v = args ? cJSON_GetObjectItemCaseSensitive(args, name) : NULL;
	if (!cJSON_IsNumber(v))
		return -1;
	*out = (long long)v->valuedouble;
	return 0;
}
