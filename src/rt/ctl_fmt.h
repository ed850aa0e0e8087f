/* Human-readable rendering of control-socket results for dsmip6ctl: nested objects become
 * indented "key: value" lines, lists of objects become numbered blocks, so any result prints
 * sensibly without per-command code. */
#ifndef DSMIP6_RT_CTL_FMT_H
#define DSMIP6_RT_CTL_FMT_H

#include <stdio.h>

#include <cjson/cJSON.h>

void ds_ctl_print_human(FILE *out, const cJSON *v);

/* Build request arguments from command-line words: "key=value" pairs become members (a key
 * given twice becomes a list), other words are collected in order in "argv". Numbers stay
 * strings; handlers convert. Returns a new object or NULL. */
cJSON *ds_ctl_args_from_argv(int argc, char *const argv[]);

/* Positional-or-named argument: args[name] if a string, else argv[index], else NULL. */
const char *ds_ctl_arg(const cJSON *args, const char *name, int index);

#endif
