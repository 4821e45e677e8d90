/* relation.h — Debian package relation fields (Depends:) as the grouping
 * rules read them: "a (>= 1.0), b (= 2) | c, d:any".
 *
 * The parser works on string views over the field and never allocates;
 * alternatives ("b | c") come out as separate atoms with `alt` set, because
 * the grouping rules only ask "which atom names a -common or kbuild package"
 * and treat every alternative as a candidate. */
#ifndef KB_RELATION_H
#define KB_RELATION_H

#include <stdbool.h>

#include "lib/strview.h"

enum kb_relop {
	KB_REL_ANY,	/* no version restriction */
	KB_REL_LT,	/* << */
	KB_REL_LE,	/* <=, and the obsolete < */
	KB_REL_EQ,	/* = */
	KB_REL_GE,	/* >=, and the obsolete > */
	KB_REL_GT,	/* >> */
};

struct kb_relation {
	struct kb_str name;	/* without an ":arch" qualifier */
	enum kb_relop op;
	struct kb_str version;	/* empty for KB_REL_ANY */
	bool alt;		/* an alternative of the atom before it ("|") */
};

/* Next atom of the field in *rest, which advances past it. Returns 1 with
 * *rel filled, 0 at the end, -KB_EPARSE when the field is malformed (the
 * caller names the package whose field it was). */
int kb_relation_next(struct kb_str *rest, struct kb_relation *rel);

/* Does version satisfy rel's restriction, under the family's ordering
 * (kb_deb_vercmp for apt)? */
bool kb_relation_satisfied(const struct kb_relation *rel, const char *version,
			   int (*vercmp)(const char *a, const char *b));

/* "(>= 6.1.164-1)" style text for messages; "" for KB_REL_ANY. */
const char *kb_relop_str(enum kb_relop op);

#endif
