#include "rt/ctl_fmt.h"

#include <stdbool.h>
#include <string.h>

static void indent(FILE *out, int n)
{
	for (int i = 0; i < n; i++)
		fputs("  ", out);
}

static void scalar(FILE *out, const cJSON *v)
{
	if (cJSON_IsString(v))
		fputs(v->valuestring, out);
	else if (cJSON_IsBool(v))
		fputs(cJSON_IsTrue(v) ? "yes" : "no", out);
	else if (cJSON_IsNull(v))
		fputs("-", out);
	else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d == (double)(long long)d)
			fprintf(out, "%lld", (long long)d);
		else
			fprintf(out, "%g", d);
	}
}

static bool is_container(const cJSON *v) { return cJSON_IsObject(v) || cJSON_IsArray(v); }

static void print_value(FILE *out, const cJSON *v, int depth);

static void print_object(FILE *out, const cJSON *o, int depth)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, o) {
		indent(out, depth);
		fprintf(out, "%s:", it->string);
		if (is_container(it) && cJSON_GetArraySize(it) > 0) {
			fputc('\n', out);
			print_value(out, it, depth + 1);
		} else if (is_container(it)) {
			fputs(" (none)\n", out);
		} else {
			fputc(' ', out);
			scalar(out, it);
			fputc('\n', out);
		}
	}
}

static void print_value(FILE *out, const cJSON *v, int depth)
{
	if (cJSON_IsObject(v)) {
		print_object(out, v, depth);
		return;
	}
	if (cJSON_IsArray(v)) {
		int i = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, v) {
			indent(out, depth);
			if (is_container(it)) {
				fprintf(out, "[%d]\n", i);
				print_value(out, it, depth + 1);
			} else {
				fputs("- ", out);
				scalar(out, it);
				fputc('\n', out);
			}
			i++;
		}
		return;
	}
	indent(out, depth);
	scalar(out, v);
	fputc('\n', out);
}

void ds_ctl_print_human(FILE *out, const cJSON *v)
{
	if (!v || (is_container(v) && cJSON_GetArraySize(v) == 0)) {
		fputs("ok\n", out);
		return;
	}
	print_value(out, v, 0);
}

cJSON *ds_ctl_args_from_argv(int argc, char *const argv[])
{
	cJSON *args = cJSON_CreateObject();
	cJSON *pos = cJSON_CreateArray();
	if (!args || !pos) {
		cJSON_Delete(args);
		cJSON_Delete(pos);
		return NULL;
	}
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i]) {
			cJSON_AddItemToArray(pos, cJSON_CreateString(argv[i]));
			continue;
		}
		char key[64];
		size_t kl = (size_t)(eq - argv[i]);
		if (kl >= sizeof key)
			kl = sizeof key - 1;
		memcpy(key, argv[i], kl);
		key[kl] = '\0';
		cJSON *val = cJSON_CreateString(eq + 1);
		cJSON *prev = cJSON_GetObjectItemCaseSensitive(args, key);
		if (!prev) {
			cJSON_AddItemToObject(args, key, val);
		} else if (cJSON_IsArray(prev)) {
			cJSON_AddItemToArray(prev, val);
		} else {
			cJSON *list = cJSON_CreateArray();
			cJSON_AddItemToArray(list, cJSON_Duplicate(prev, 1));
			cJSON_AddItemToArray(list, val);
			cJSON_ReplaceItemInObjectCaseSensitive(args, key, list);
		}
	}
	cJSON_AddItemToObject(args, "argv", pos);
	return args;
}

const char *ds_ctl_arg(const cJSON *args, const char *name, int index)
{
	if (!args)
		return NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);
	if (cJSON_IsString(v))
		return v->valuestring;
	const cJSON *pos = cJSON_GetObjectItemCaseSensitive(args, "argv");
	const cJSON *p = cJSON_IsArray(pos) ? cJSON_GetArrayItem(pos, index) : NULL;
	return cJSON_IsString(p) ? p->valuestring : NULL;
}
