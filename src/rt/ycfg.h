/* YAML configuration walker: libyaml loads the document (with line marks on every node); this
 * module walks it against a schema the caller expresses in code and reports every problem as
 * "<file>:<line>: <key path>: <what is wrong>", e.g. "ue.yaml:12: pdn[0].apn: required".
 *
 * Errors are collected (not fatal on the first one) so an operator sees all of them at once.
 * Unknown keys are errors too: a misspelt optional key must not silently fall back to a default. */
#ifndef DSMIP6_RT_YCFG_H
#define DSMIP6_RT_YCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "core/addr.h"

#define DS_YCFG_MAX_ERRS 32
#define DS_YCFG_PATH_MAX 128

typedef struct ds_ycfg {
	const char *file;      /* name used in messages (as the operator gave it) */
	yaml_document_t doc;
	bool loaded;
	unsigned nerr;         /* all errors, including those not stored */
	char errs[DS_YCFG_MAX_ERRS][256];
} ds_ycfg;

/* A node plus the key path that led to it (for messages). n == NULL: the key is absent and
 * `line` is the line of the enclosing mapping. */
typedef struct ds_ynode {
	ds_ycfg *c;
	yaml_node_t *n;
	unsigned line;
	char path[DS_YCFG_PATH_MAX];
} ds_ynode;

/* Load a file (or a memory buffer, for tests). Syntax errors are recorded with their line.
 * Returns DS_OK or DS_E_CONFIG / DS_E_IO. An empty document yields an empty root mapping. */
int ds_ycfg_load_file(ds_ycfg *c, const char *path, const char *display_name);
int ds_ycfg_load_mem(ds_ycfg *c, const char *text, size_t len, const char *display_name);
void ds_ycfg_free(ds_ycfg *c);

/* Root node; records an error when the document is not a mapping. */
bool ds_ycfg_root(ds_ycfg *c, ds_ynode *out);

/* Record an error at a node: "<file>:<line>: <path>: <message>". */
void ds_yerr(const ds_ynode *at, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* All recorded errors joined with newlines into buf. */
size_t ds_ycfg_errors(const ds_ycfg *c, char *buf, size_t len);

bool ds_ynode_is_map(const ds_ynode *n);
bool ds_ynode_is_null(const ds_ynode *n);   /* empty value: treated as an empty section */
bool ds_ynode_is_seq(const ds_ynode *n);
bool ds_ynode_is_scalar(const ds_ynode *n);

/* Fetch the value of `key` in a mapping. Returns true when present (out filled); when absent
 * out->n is NULL and, if `required`, an error is recorded. */
bool ds_ymap_get(const ds_ynode *map, const char *key, ds_ynode *out, bool required);
/* Record an error for every key of `map` not in the NULL-terminated list `allowed`. */
void ds_ymap_only(const ds_ynode *map, const char *const allowed[]);

/* Sequence access; ds_yseq_len is 0 (and an error recorded) when the node is not a sequence. */
size_t ds_yseq_len(const ds_ynode *seq);
bool ds_yseq_at(const ds_ynode *seq, size_t i, ds_ynode *out);

/* Typed scalars. Each returns true when the key was present and valid; when absent the output
 * is left untouched (the caller's default stays) and false is returned; invalid values record an
 * error naming the key. */
bool ds_yget_str(const ds_ynode *map, const char *key, char *buf, size_t len, bool required);
bool ds_yget_u32(const ds_ynode *map, const char *key, uint32_t *v, uint32_t min, uint32_t max,
		 bool required);
bool ds_yget_bool(const ds_ynode *map, const char *key, bool *v, bool required);
/* family: DS_AF_INET, DS_AF_INET6 or DS_AF_NONE (either). want_plen: a "/len" suffix is required
 * (prefix) or forbidden (address). */
bool ds_yget_addr(const ds_ynode *map, const char *key, ds_addr *a, int family, bool want_plen,
		  bool required);
/* Exactly n bytes of hex (optional "0x" prefix). */
bool ds_yget_hex(const ds_ynode *map, const char *key, uint8_t *out, size_t n, bool required);
/* One of the NULL-terminated names; *idx receives its index. */
bool ds_yget_enum(const ds_ynode *map, const char *key, const char *const names[], int *idx,
		  bool required);

/* Scalar text of a node (NULL when not a scalar). */
const char *ds_ynode_str(const ds_ynode *n);

#endif
