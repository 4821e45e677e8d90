/* strview.h — non-owning string views, so big indexes parse without a malloc
 * per field (after apk-tools' apk_blob). */
#ifndef KB_STRVIEW_H
#define KB_STRVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct kb_str {
	const char *p;
	size_t n;
};

#define KB_STR_NULL ((struct kb_str){ NULL, 0 })
#define KB_STR_FMT "%.*s"
#define KB_STR_ARG(s) (int)(s).n, (s).p

static inline struct kb_str kb_str(const char *p, size_t n)
{
	return (struct kb_str){ p, n };
}

static inline struct kb_str kb_str_c(const char *s)
{
	return (struct kb_str){ s, strlen(s) };
}

static inline bool kb_str_eq(struct kb_str a, const char *s)
{
	size_t n = strlen(s);

	return a.n == n && memcmp(a.p, s, n) == 0;
}

static inline bool kb_str_startswith(struct kb_str a, const char *prefix)
{
	size_t n = strlen(prefix);

	return a.n >= n && memcmp(a.p, prefix, n) == 0;
}

static inline bool kb_str_endswith(struct kb_str a, const char *suffix)
{
	size_t n = strlen(suffix);

	return a.n >= n && memcmp(a.p + a.n - n, suffix, n) == 0;
}

static inline struct kb_str kb_str_trim(struct kb_str s)
{
	while (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n')) {
		s.p++;
		s.n--;
	}
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r' ||
		       s.p[s.n - 1] == '\n'))
		s.n--;
	return s;
}

/* Split s at the first c: head gets what is before it, s keeps what is after.
 * Returns false (head = all of s, s empty) when c does not occur. */
static inline bool kb_str_split(struct kb_str *s, char c, struct kb_str *head)
{
	const char *e = s->n ? memchr(s->p, c, s->n) : NULL;

	if (!e) {
		*head = *s;
		*s = kb_str(s->p + s->n, 0);
		return false;
	}
	*head = kb_str(s->p, (size_t)(e - s->p));
	s->n -= (size_t)(e - s->p) + 1;
	s->p = e + 1;
	return true;
}

#endif
