/* strv.h — a growable array of malloc'd strings: mirror lists, upstream
 * fields, sets of sha256 digests. A sorted strv is a set (kb_strv_has). */
#ifndef KB_STRV_H
#define KB_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct kb_strv {
	char **v;
	size_t n;
};

/* Append a copy of s. */
void kb_strv_push(struct kb_strv *v, const char *s);
/* Sort and drop duplicates, making v a set for kb_strv_has. */
void kb_strv_sort_unique(struct kb_strv *v);
/* Is s in v (sorted by kb_strv_sort_unique)? */
bool kb_strv_has(const struct kb_strv *v, const char *s);
void kb_strv_free(struct kb_strv *v);

#endif
