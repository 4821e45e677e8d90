/* relation.c — parse Debian relation fields without allocating. */
#include <string.h>

#include "lib/error.h"
#include "manifest/relation.h"

/* Longest version a relation may name; Debian's real ones are < 40. */
#define KB_REL_MAX_VERSION 255

static void kb_rel_skip_space(struct kb_str *s)
{
	while (s->n && (s->p[0] == ' ' || s->p[0] == '\t' || s->p[0] == '\n' || s->p[0] == '\r')) {
		s->p++;
		s->n--;
	}
}

static bool kb_rel_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-' || c == '.' || c == '_';
}

static void kb_rel_take(struct kb_str *s, size_t n)
{
	s->p += n;
	s->n -= n;
}

/* "(op version)"; s starts after the '('. */
static int kb_rel_restriction(struct kb_str *s, struct kb_relation *rel)
{
	static const struct {
		const char *text;
		enum kb_relop op;
	} ops[] = {	/* two-letter operators first, so "<<" is not read as "<" */
		{ "<<", KB_REL_LT }, { "<=", KB_REL_LE }, { ">=", KB_REL_GE },
		{ ">>", KB_REL_GT }, { "=", KB_REL_EQ }, { "<", KB_REL_LE }, { ">", KB_REL_GE },
	};
	size_t i, n = 0;

	kb_rel_skip_space(s);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (kb_str_startswith(*s, ops[i].text))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return -KB_EPARSE;
	rel->op = ops[i].op;
	kb_rel_take(s, strlen(ops[i].text));
	kb_rel_skip_space(s);
	while (n < s->n && s->p[n] != ')' && s->p[n] != ' ' && s->p[n] != '\t' && s->p[n] != ',' &&
	       s->p[n] != '|' && s->p[n] != '(')
		n++;
	if (n == 0 || n > KB_REL_MAX_VERSION)
		return -KB_EPARSE;
	rel->version = kb_str(s->p, n);
	kb_rel_take(s, n);
	kb_rel_skip_space(s);
	if (!s->n || s->p[0] != ')')
		return -KB_EPARSE;
	kb_rel_take(s, 1);
	return 0;
}

/* Architecture lists "[amd64]" and build profiles "<!nocheck>" only occur in
 * source relations; skip them so such a field still parses. */
static int kb_rel_skip_group(struct kb_str *s, char open, char close)
{
	const char *e;

	if (!s->n || s->p[0] != open)
		return 0;
	e = memchr(s->p, close, s->n);
	if (!e)
		return -KB_EPARSE;
	kb_rel_take(s, (size_t)(e - s->p) + 1);
	kb_rel_skip_space(s);
	return 0;
}

int kb_relation_next(struct kb_str *rest, struct kb_relation *rel)
{
	struct kb_str s = *rest;
	bool alt = false;
	size_t n = 0;
	int err;

	kb_rel_skip_space(&s);
	if (s.n && (s.p[0] == ',' || s.p[0] == '|')) {
		/* the separator after the previous atom */
		alt = s.p[0] == '|';
		kb_rel_take(&s, 1);
		kb_rel_skip_space(&s);
		if (!s.n)
			return -KB_EPARSE;	/* dangling separator */
	}
	if (!s.n) {
		*rest = s;
		return 0;
	}
	while (n < s.n && kb_rel_name_char(s.p[n]))
		n++;
	if (n == 0)
		return -KB_EPARSE;
	*rel = (struct kb_relation){ .name = kb_str(s.p, n), .op = KB_REL_ANY, .alt = alt };
	kb_rel_take(&s, n);
	if (s.n && s.p[0] == ':') {	/* multiarch qualifier, ":any" or ":amd64" */
		kb_rel_take(&s, 1);
		for (n = 0; n < s.n && kb_rel_name_char(s.p[n]); n++)
			;
		if (n == 0)
			return -KB_EPARSE;
		kb_rel_take(&s, n);
	}
	kb_rel_skip_space(&s);
	if (s.n && s.p[0] == '(') {
		kb_rel_take(&s, 1);
		err = kb_rel_restriction(&s, rel);
		if (err)
			return err;
		kb_rel_skip_space(&s);
	}
	err = kb_rel_skip_group(&s, '[', ']');
	while (!err && s.n && s.p[0] == '<')
		err = kb_rel_skip_group(&s, '<', '>');
	if (err)
		return err;
	if (s.n && s.p[0] != ',' && s.p[0] != '|')
		return -KB_EPARSE;
	*rest = s;
	return 1;
}

bool kb_relation_satisfied(const struct kb_relation *rel, const char *version,
			   int (*vercmp)(const char *a, const char *b))
{
	char want[KB_REL_MAX_VERSION + 1];
	int c;

	if (rel->op == KB_REL_ANY)
		return true;
	if (rel->version.n > KB_REL_MAX_VERSION)
		return false;
	memcpy(want, rel->version.p, rel->version.n);
	want[rel->version.n] = '\0';
	c = vercmp(version, want);
	switch (rel->op) {
	case KB_REL_LT:
		return c < 0;
	case KB_REL_LE:
		return c <= 0;
	case KB_REL_EQ:
		return c == 0;
	case KB_REL_GE:
		return c >= 0;
	case KB_REL_GT:
		return c > 0;
	default:
		return true;
	}
}

const char *kb_relop_str(enum kb_relop op)
{
	static const char *const text[] = {
		[KB_REL_ANY] = "", [KB_REL_LT] = "<<", [KB_REL_LE] = "<=", [KB_REL_EQ] = "=",
		[KB_REL_GE] = ">=", [KB_REL_GT] = ">>",
	};

	return (unsigned)op < sizeof(text) / sizeof(text[0]) ? text[op] : "?";
}
