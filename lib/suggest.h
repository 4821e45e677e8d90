/* suggest.h — "did you mean debian-12?": the nearest valid name to a
 * mistyped one, by edit distance, and the sentence every command prints
 * after an unknown upstream, distro, architecture or command. */
#ifndef KB_LIB_SUGGEST_H
#define KB_LIB_SUGGEST_H

#include "lib/strv.h"

/* The name of names nearest to word (Levenshtein distance, case folded)
 * when it is near enough to be a typo of it (at most 2 edits, and fewer
 * than word has letters), else NULL. Ties go to the first. */
const char *kb_suggest_nearest(const char *word, const struct kb_strv *names);

/* "did you mean X? valid: a, b, c" (or "valid: a, b, c", or "none are
 * known" for no names), malloc'd: the tail of an "unknown NAME" message.
 * names need not be sorted; the list is printed sorted and unique. */
char *kb_suggest_text(const char *word, const struct kb_strv *names);

#endif
