/* apt_packages.c — stream-parse Packages stanzas (deb822).
 *
 * The buffer holds the current stanza plus whatever was read after it. When a
 * line runs past the data, the stanza is moved to the front (or the buffer
 * grows, up to max_stanza) and more is read. Fields are kept as offsets from
 * the stanza start so the move costs nothing more than the memmove, and are
 * turned into views only when the stanza is handed to the callback. */
#include <stdlib.h>
#include <string.h>

#include "crawler/apt_packages.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/limits.h"
#include "lib/log.h"

#define KB_APT_CHUNK (256u << 10)

struct kb_apt_off {
	size_t name, name_n, value, value_n;
};

struct kb_apt_parser {
	struct kb_stream *s;
	const char *name;
	size_t max_line, max_stanza;
	char *buf;
	size_t cap, len;	/* bytes in buf */
	size_t start;		/* offset of the current stanza */
	bool eof;
	struct kb_apt_off off[KB_APT_MAX_FIELDS];
	size_t nfields;
	size_t lineno, stanza_line;
	struct kb_apt_stanza st;
};

struct kb_str kb_apt_stanza_get(const struct kb_apt_stanza *st, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < st->n; i++)
		if (st->fields[i].name.n == n && memcmp(st->fields[i].name.p, name, n) == 0)
			return st->fields[i].value;
	return KB_STR_NULL;
}

/* Make room and read more; returns bytes read (0 at end) or an error. */
static ssize_t kb_apt_fill(struct kb_apt_parser *p)
{
	ssize_t r;

	if (p->start) {
		memmove(p->buf, p->buf + p->start, p->len - p->start);
		p->len -= p->start;
		for (size_t i = 0; i < p->nfields; i++) {
			p->off[i].name -= p->start;
			p->off[i].value -= p->start;
		}
		p->start = 0;
	}
	if (p->cap - p->len < KB_APT_CHUNK) {
		if (p->len >= p->max_stanza + p->max_line)
			return -KB_ELIMIT;
		p->cap = p->cap ? p->cap * 2 : 4 * KB_APT_CHUNK;
		p->buf = kb_xrealloc(p->buf, p->cap);
	}
	r = kb_stream_read(p->s, p->buf + p->len, p->cap - p->len);
	if (r > 0)
		p->len += (size_t)r;
	return r;
}

static int kb_apt_emit(struct kb_apt_parser *p, kb_apt_stanza_fn fn, void *ctx)
{
	const char *b = p->buf;
	int err;

	if (!p->nfields)
		return 0;
	for (size_t i = 0; i < p->nfields; i++) {
		p->st.fields[i].name = kb_str(b + p->off[i].name, p->off[i].name_n);
		p->st.fields[i].value = kb_str(b + p->off[i].value, p->off[i].value_n);
	}
	p->st.n = p->nfields;
	p->st.line = p->stanza_line;
	err = fn(ctx, &p->st);
	p->nfields = 0;
	return err;
}

static int kb_apt_fail(struct kb_apt_parser *p, int err, const char *why)
{
	kb_error("%s:%zu: %s", p->name, p->lineno, why);
	return err;
}

/* One line [ls, le) (le at '\n' or the end of data), relative to buf. */
static int kb_apt_line(struct kb_apt_parser *p, size_t ls, size_t le, kb_apt_stanza_fn fn,
		       void *ctx)
{
	const char *b = p->buf;
	size_t e = le;
	const char *colon;

	if (e > ls && b[e - 1] == '\r')
		e--;
	if (e == ls) {	/* blank: the stanza ends */
		int err = kb_apt_emit(p, fn, ctx);

		p->start = le + 1 > p->len ? p->len : le + 1;
		return err;
	}
	if (p->nfields == 0)
		p->stanza_line = p->lineno;
	if (e - p->start > p->max_stanza)
		return kb_apt_fail(p, -KB_ELIMIT, "stanza too long");
	if (b[ls] == ' ' || b[ls] == '\t') {
		if (!p->nfields)
			return kb_apt_fail(p, -KB_EPARSE, "continuation line outside a field");
		p->off[p->nfields - 1].value_n = e - p->off[p->nfields - 1].value;
		return 0;
	}
	if (b[ls] == '#')
		return 0;	/* deb822 comment */
	colon = memchr(b + ls, ':', e - ls);
	if (!colon || colon == b + ls)
		return kb_apt_fail(p, -KB_EPARSE, "not a 'Field: value' line");
	if (p->nfields == KB_APT_MAX_FIELDS)
		return kb_apt_fail(p, -KB_ELIMIT, "too many fields in one stanza");
	{
		struct kb_apt_off *o = &p->off[p->nfields++];
		size_t v = (size_t)(colon - b) + 1;

		while (v < e && (b[v] == ' ' || b[v] == '\t'))
			v++;
		o->name = ls;
		o->name_n = (size_t)(colon - b) - ls;
		o->value = v;
		o->value_n = e - v;
	}
	return 0;
}

int kb_apt_packages_parse(struct kb_stream *s, const char *name, const struct kb_apt_limits *lim,
			  kb_apt_stanza_fn fn, void *ctx)
{
	struct kb_apt_parser *p = kb_xcalloc(1, sizeof(*p));
	size_t pos = 0;	/* where the next line starts */
	int err = 0;

	p->s = s;
	p->name = name;
	p->max_line = lim && lim->max_line ? lim->max_line : kb_limits_default.max_line;
	p->max_stanza = lim && lim->max_stanza ? lim->max_stanza : (8u << 20);
	p->lineno = 0;
	for (;;) {
		const char *nl = pos < p->len ? memchr(p->buf + pos, '\n', p->len - pos) : NULL;

		if (!nl) {
			ssize_t r;
			size_t shift = p->start;

			if (p->eof) {
				if (pos < p->len) {	/* last line without '\n' */
					p->lineno++;
					err = kb_apt_line(p, pos, p->len, fn, ctx);
					if (err)
						goto out;
				}
				err = kb_apt_emit(p, fn, ctx);
				goto out;
			}
			if (p->len - pos > p->max_line) {
				p->lineno++;
				err = kb_apt_fail(p, -KB_ELIMIT, "line too long (--max-line)");
				goto out;
			}
			r = kb_apt_fill(p);
			if (r < 0) {
				if (r == -KB_ELIMIT && p->len >= p->max_stanza + p->max_line)
					err = kb_apt_fail(p, -KB_ELIMIT, "stanza too long");
				else if (r == -KB_ELIMIT)	/* the stream's size or ratio */
					err = (int)r;		/* limit, logged there */
				else
					err = kb_apt_fail(p, (int)r, kb_strerror((int)r));
				goto out;
			}
			pos -= shift;
			if (r == 0)
				p->eof = true;
			continue;
		}
		p->lineno++;
		if ((size_t)(nl - (p->buf + pos)) > p->max_line) {
			err = kb_apt_fail(p, -KB_ELIMIT, "line too long (--max-line)");
			goto out;
		}
		err = kb_apt_line(p, pos, (size_t)(nl - p->buf), fn, ctx);
		if (err)
			goto out;
		pos = (size_t)(nl - p->buf) + 1;
		if (!p->nfields)
			p->start = pos;
	}
out:
	free(p->buf);
	free(p);
	return err;
}
