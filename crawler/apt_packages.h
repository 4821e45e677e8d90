/* apt_packages.h — a streaming parser for apt Packages indexes.
 *
 * The index (≈50 MB for Debian main) is read through kb_stream in chunks;
 * one stanza at a time is held, and its fields are string views into the
 * read buffer: no malloc per field or per stanza. */
#ifndef KB_APT_PACKAGES_H
#define KB_APT_PACKAGES_H

#include <stddef.h>

#include "lib/stream.h"
#include "lib/strview.h"

#define KB_APT_MAX_FIELDS 128

struct kb_apt_field {
	struct kb_str name;
	struct kb_str value;	/* after ": ", without the line end; continuation
				 * lines included, joined by their "\n " */
};

struct kb_apt_stanza {
	struct kb_apt_field fields[KB_APT_MAX_FIELDS];
	size_t n;
	size_t line;		/* 1-based line of the stanza's first field */
};

/* The field's value, or an empty view (p == NULL) when absent. */
struct kb_str kb_apt_stanza_get(const struct kb_apt_stanza *st, const char *name);

struct kb_apt_limits {
	size_t max_line;	/* 0: the default --max-line (1 MiB, lib/limits.h) */
	size_t max_stanza;	/* 0: 8 MiB */
};

/* Called once per stanza; views are valid only during the call. A non-zero
 * return stops the parse and is returned by kb_apt_packages_parse(). */
typedef int (*kb_apt_stanza_fn)(void *ctx, const struct kb_apt_stanza *st);

/* Parse the whole stream; name (URL or file) is used in messages, which are
 * logged here with the line number. Returns 0, the callback's value,
 * -KB_EPARSE, -KB_ELIMIT or the stream's error. */
int kb_apt_packages_parse(struct kb_stream *s, const char *name, const struct kb_apt_limits *lim,
			  kb_apt_stanza_fn fn, void *ctx);

#endif
