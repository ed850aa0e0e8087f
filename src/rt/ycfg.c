#include "rt/ycfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static void add_err(ds_ycfg *c, unsigned line, const char *path, const char *fmt, va_list ap)
{
	unsigned i = c->nerr++;
	if (i >= DS_YCFG_MAX_ERRS)
		return;
	char msg[200];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (path && path[0])
		snprintf(c->errs[i], sizeof c->errs[i], "%s:%u: %s: %s", c->file, line, path, msg);
	else
		snprintf(c->errs[i], sizeof c->errs[i], "%s:%u: %s", c->file, line, msg);
}

static void errf(ds_ycfg *c, unsigned line, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void errf(ds_ycfg *c, unsigned line, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_err(c, line, path, fmt, ap);
	va_end(ap);
}

void ds_yerr(const ds_ynode *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_err(at->c, at->line, at->path, fmt, ap);
	va_end(ap);
}

size_t ds_ycfg_errors(const ds_ycfg *c, char *buf, size_t len)
{
	size_t off = 0;
	if (len)
		buf[0] = '\0';
	unsigned stored = c->nerr < DS_YCFG_MAX_ERRS ? c->nerr : DS_YCFG_MAX_ERRS;
	for (unsigned i = 0; i < stored && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? "\n" : "", c->errs[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (c->nerr > stored && off < len) {
		int n = snprintf(buf + off, len - off, "\n(%u more errors)", c->nerr - stored);
		if (n > 0)
			off += (size_t)n;
	}
	return off < len ? off : (len ? len - 1 : 0);
}

static int load(ds_ycfg *c, yaml_parser_t *p)
{
	if (!yaml_parser_load(p, &c->doc)) {
		/* libyaml marks are 0-based; editors count lines from 1 */
		errf(c, (unsigned)p->problem_mark.line + 1, NULL, "YAML syntax error: %s%s%s",
		     p->problem ? p->problem : "unknown", p->context ? " " : "",
		     p->context ? p->context : "");
		yaml_parser_delete(p);
		return DS_E_CONFIG;
	}
	c->loaded = true;
	yaml_parser_delete(p);
	return DS_OK;
}

int ds_ycfg_load_mem(ds_ycfg *c, const char *text, size_t len, const char *display_name)
{
	memset(c, 0, sizeof *c);
	c->file = display_name;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return DS_E_NOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	return load(c, &p);
}

int ds_ycfg_load_file(ds_ycfg *c, const char *path, const char *display_name)
{
	memset(c, 0, sizeof *c);
	c->file = display_name ? display_name : path;
	FILE *f = fopen(path, "r");
	if (!f) {
		errf(c, 0, NULL, "cannot open: %s", strerror(errno));
		return DS_E_IO;
	}
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		fclose(f);
		return DS_E_NOMEM;
	}
	yaml_parser_set_input_file(&p, f);
	int rc = load(c, &p);
	fclose(f);
	return rc;
}

void ds_ycfg_free(ds_ycfg *c)
{
	if (c->loaded)
		yaml_document_delete(&c->doc);
	c->loaded = false;
}

/* Paths longer than DS_YCFG_PATH_MAX are cut: they only label messages. */
static void copy_cut(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void set_node(ds_ynode *out, ds_ycfg *c, yaml_node_t *n, const char *path)
{
	out->c = c;
	out->n = n;
	out->line = n ? (unsigned)n->start_mark.line + 1 : 0;
	copy_cut(out->path, sizeof out->path, path);
}

bool ds_ycfg_root(ds_ycfg *c, ds_ynode *out)
{
	set_node(out, c, NULL, "");
	out->line = 1;
	if (!c->loaded)
		return false;
	yaml_node_t *r = yaml_document_get_root_node(&c->doc);
	if (!r)
		return true; /* empty file: every key absent, defaults apply */
	set_node(out, c, r, "");
	if (r->type != YAML_MAPPING_NODE) {
		ds_yerr(out, "the top level must be a mapping of keys");
		return false;
	}
	return true;
}

/* "key:" with nothing after it (or ~ / null): an empty section, the same as {} */
bool ds_ynode_is_null(const ds_ynode *n)
{
	if (!ds_ynode_is_scalar(n) || n->n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->n->data.scalar.value;
	return !v[0] || strcmp(v, "~") == 0 || strcmp(v, "null") == 0;
}

bool ds_ynode_is_map(const ds_ynode *n) { return n->n && n->n->type == YAML_MAPPING_NODE; }
bool ds_ynode_is_seq(const ds_ynode *n) { return n->n && n->n->type == YAML_SEQUENCE_NODE; }
bool ds_ynode_is_scalar(const ds_ynode *n) { return n->n && n->n->type == YAML_SCALAR_NODE; }

const char *ds_ynode_str(const ds_ynode *n)
{
	return ds_ynode_is_scalar(n) ? (const char *)n->n->data.scalar.value : NULL;
}

static void child_path(char *dst, size_t len, const char *parent, const char *key)
{
	char tmp[2 * DS_YCFG_PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s%s%.*s", parent, parent[0] ? "." : "", DS_YCFG_PATH_MAX, key);
	copy_cut(dst, len, tmp);
}

bool ds_ymap_get(const ds_ynode *map, const char *key, ds_ynode *out, bool required)
{
	char path[DS_YCFG_PATH_MAX];
	child_path(path, sizeof path, map->path, key);
	set_node(out, map->c, NULL, path);
	out->line = map->line;
	if (ds_ynode_is_map(map)) {
		yaml_node_pair_t *pr;
		for (pr = map->n->data.mapping.pairs.start; pr < map->n->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(&map->c->doc, pr->key);
			if (k && k->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)k->data.scalar.value, key) == 0) {
				set_node(out, map->c, yaml_document_get_node(&map->c->doc, pr->value), path);
				/* a block mapping or list starts on the line after its key: point at the key */
				out->line = (unsigned)k->start_mark.line + 1;
				return true;
			}
		}
	} else if (map->n && !ds_ynode_is_null(map)) {
		ds_yerr(map, "must be a mapping of keys");
		return false;
	}
	if (required)
		ds_yerr(out, "required key missing");
	return false;
}

void ds_ymap_only(const ds_ynode *map, const char *const allowed[])
{
	if (!ds_ynode_is_map(map))
		return;
	yaml_node_pair_t *pr;
	for (pr = map->n->data.mapping.pairs.start; pr < map->n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&map->c->doc, pr->key);
		unsigned line = k ? (unsigned)k->start_mark.line + 1 : map->line;
		if (!k || k->type != YAML_SCALAR_NODE) {
			errf(map->c, line, map->path, "keys must be plain scalars");
			continue;
		}
		const char *name = (const char *)k->data.scalar.value;
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], name) == 0)
				ok = true;
		if (!ok) {
			char path[DS_YCFG_PATH_MAX];
			child_path(path, sizeof path, map->path, name);
			errf(map->c, line, path, "unknown key");
		}
	}
}

size_t ds_yseq_len(const ds_ynode *seq)
{
	if (!ds_ynode_is_seq(seq)) {
		if (seq->n)
			ds_yerr(seq, "must be a list");
		return 0;
	}
	return (size_t)(seq->n->data.sequence.items.top - seq->n->data.sequence.items.start);
}

bool ds_yseq_at(const ds_ynode *seq, size_t i, ds_ynode *out)
{
	char path[DS_YCFG_PATH_MAX], tmp[DS_YCFG_PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s[%zu]", seq->path, i);
	copy_cut(path, sizeof path, tmp);
	set_node(out, seq->c, NULL, path);
	if (!ds_ynode_is_seq(seq))
		return false;
	size_t n = (size_t)(seq->n->data.sequence.items.top - seq->n->data.sequence.items.start);
	if (i >= n)
		return false;
	set_node(out, seq->c, yaml_document_get_node(&seq->c->doc, seq->n->data.sequence.items.start[i]),
		 path);
	return out->n != NULL;
}

/* Present scalar or error; NULL when absent or wrong type. */
static const char *scalar(const ds_ynode *map, const char *key, bool required, ds_ynode *v)
{
	if (!ds_ymap_get(map, key, v, required))
		return NULL;
	const char *s = ds_ynode_str(v);
	if (!s)
		ds_yerr(v, "must be a single value, not a list or mapping");
	return s;
}

bool ds_yget_str(const ds_ynode *map, const char *key, char *buf, size_t len, bool required)
{
	ds_ynode v;
	const char *s = scalar(map, key, required, &v);
	if (!s)
		return false;
	size_t n = v.n->data.scalar.length;
	if (n >= len || strlen(s) != n) {
		ds_yerr(&v, strlen(s) != n ? "must not contain NUL characters"
					   : "too long (at most %zu characters)", len - 1);
		return false;
	}
	memcpy(buf, s, n + 1);
	return true;
}

bool ds_yget_u32(const ds_ynode *map, const char *key, uint32_t *out, uint32_t min, uint32_t max,
		 bool required)
{
	ds_ynode v;
	const char *s = scalar(map, key, required, &v);
	if (!s)
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (!*s || *end || errno || s[0] == '-' || x < min || x > max) {
		ds_yerr(&v, "'%s' is not an integer in [%u, %u]", s, min, max);
		return false;
	}
	*out = (uint32_t)x;
	return true;
}

bool ds_yget_bool(const ds_ynode *map, const char *key, bool *out, bool required)
{
	static const char *const t[] = { "true", "yes", "on", "True", "TRUE", "Yes", NULL };
	static const char *const f[] = { "false", "no", "off", "False", "FALSE", "No", NULL };
	ds_ynode v;
	const char *s = scalar(map, key, required, &v);
	if (!s)
		return false;
	for (size_t i = 0; t[i]; i++) {
		if (strcmp(s, t[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, f[i]) == 0) {
			*out = false;
			return true;
		}
	}
	ds_yerr(&v, "'%s' is not a boolean (true or false)", s);
	return false;
}

bool ds_yget_addr(const ds_ynode *map, const char *key, ds_addr *out, int family, bool want_plen,
		  bool required)
{
	ds_ynode v;
	const char *s = scalar(map, key, required, &v);
	if (!s)
		return false;
	ds_addr a;
	bool has_slash = strchr(s, '/') != NULL;
	if (ds_addr_parse(s, &a) != 0 || a.port != 0) {
		ds_yerr(&v, "'%s' is not an IP %s", s, want_plen ? "prefix (address/length)" : "address");
		return false;
	}
	if (family != DS_AF_NONE && a.family != family) {
		ds_yerr(&v, "'%s' must be an %s %s", s, family == DS_AF_INET ? "IPv4" : "IPv6",
			want_plen ? "prefix" : "address");
		return false;
	}
	if (want_plen != has_slash) {
		ds_yerr(&v, want_plen ? "'%s' needs a prefix length (/len)"
				      : "'%s' must be an address without /len", s);
		return false;
	}
	*out = a;
	return true;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool ds_yget_hex(const ds_ynode *map, const char *key, uint8_t *out, size_t n, bool required)
{
	ds_ynode v;
	const char *s = scalar(map, key, required, &v);
	if (!s)
		return false;
	const char *h = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? s + 2 : s;
	if (strlen(h) != 2 * n) {
		ds_yerr(&v, "must be exactly %zu hex digits", 2 * n);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			ds_yerr(&v, "not a hex string");
			return false;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool ds_yget_enum(const ds_ynode *map, const char *key, const char *const names[], int *idx,
		  bool required)
{
	ds_ynode v;
	const char *s = scalar(map, key, required, &v);
	if (!s)
		return false;
	char list[160] = "";
	size_t off = 0;
	for (int i = 0; names[i]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*idx = i;
			return true;
		}
		int w = snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", names[i]);
		if (w > 0 && (size_t)w < sizeof list - off)
			off += (size_t)w;
	}
	ds_yerr(&v, "'%s' is not one of: %s", s, list);
	return false;
}
