/* dkms.c — the strict dkms.conf reader (see dkms.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/dkms.h"

#define KB_DKMS_FILE_MAX (64u << 10)
#define KB_DKMS_VARS_MAX 1024
#define KB_DKMS_INDEX_MAX 255
#define KB_DKMS_DEPTH_MAX 8

struct kb_dkms_buf {
	char *p;
	size_t n, cap;
};

static void kb_dkms_put(struct kb_dkms_buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = kb_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static bool kb_dkms_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool kb_dkms_name_char(char c)
{
	return kb_dkms_name_start(c) || (c >= '0' && c <= '9');
}

struct kb_dkms_parser {
	const char *s, *name;
	size_t len, pos;
	int line;
	const char *why;	/* the first error */
};

static char kb_dkms_peek(const struct kb_dkms_parser *p, size_t ahead)
{
	return p->pos + ahead < p->len ? p->s[p->pos + ahead] : '\0';
}

static bool kb_dkms_end(const struct kb_dkms_parser *p)
{
	return p->pos >= p->len;
}

/* At '$': append the reference as ${NAME}, or a literal $ as $$. */
static int kb_dkms_ref(struct kb_dkms_parser *p, struct kb_dkms_buf *b)
{
	size_t start;
	char c = kb_dkms_peek(p, 1);
	bool brace = c == '{';

	if (c == '(') {
		p->why = "command substitution $(…) is not run";
		return -KB_EPARSE;
	}
	if (!brace && !kb_dkms_name_start(c)) {
		kb_dkms_put(b, "$$", 2);
		p->pos++;
		return 0;
	}
	p->pos += brace ? 2 : 1;
	start = p->pos;
	while (!kb_dkms_end(p) && kb_dkms_name_char(p->s[p->pos]))
		p->pos++;
	if (p->pos == start || !kb_dkms_name_start(p->s[start]) ||
	    (brace && kb_dkms_peek(p, 0) != '}')) {
		p->why = "only $NAME and ${NAME} references are read";
		return -KB_EPARSE;
	}
	kb_dkms_put(b, "${", 2);
	kb_dkms_put(b, p->s + start, p->pos - start);
	kb_dkms_put(b, "}", 1);
	p->pos += brace;
	return 0;
}

static int kb_dkms_single(struct kb_dkms_parser *p, struct kb_dkms_buf *b)
{
	for (p->pos++; !kb_dkms_end(p) && p->s[p->pos] != '\''; p->pos++) {
		char c = p->s[p->pos];

		p->line += c == '\n';
		kb_dkms_put(b, c == '$' ? "$$" : &c, c == '$' ? 2 : 1);
	}
	if (kb_dkms_end(p)) {
		p->why = "unterminated single quote";
		return -KB_EPARSE;
	}
	p->pos++;
	return 0;
}

static int kb_dkms_double(struct kb_dkms_parser *p, struct kb_dkms_buf *b)
{
	int err = 0;

	for (p->pos++; !err && !kb_dkms_end(p) && p->s[p->pos] != '"';) {
		char c = p->s[p->pos], n = kb_dkms_peek(p, 1);

		if (c == '`') {
			p->why = "command substitution `…` is not run";
			return -KB_EPARSE;
		}
		if (c == '$') {
			err = kb_dkms_ref(p, b);
			continue;
		}
		if (c == '\\' && (n == '"' || n == '\\' || n == '$' || n == '`' || n == '\n')) {
			p->line += n == '\n';
			if (n != '\n')
				kb_dkms_put(b, n == '$' ? "$$" : &n, n == '$' ? 2 : 1);
			p->pos += 2;
			continue;
		}
		if (c == '\0') {
			p->why = "a NUL byte";
			return -KB_EPARSE;
		}
		p->line += c == '\n';
		kb_dkms_put(b, &c, 1);
		p->pos++;
	}
	if (!err && kb_dkms_end(p)) {
		p->why = "unterminated double quote";
		return -KB_EPARSE;
	}
	p->pos++;
	return err;
}

/* A value: quoted and bare parts up to unquoted whitespace. */
static int kb_dkms_value(struct kb_dkms_parser *p, struct kb_dkms_buf *b)
{
	int err = 0;

	kb_dkms_put(b, "", 0);
	while (!err && !kb_dkms_end(p)) {
		char c = p->s[p->pos];

		if (c == ' ' || c == '\t' || c == '\n')
			break;
		if (c == '\'') {
			err = kb_dkms_single(p, b);
		} else if (c == '"') {
			err = kb_dkms_double(p, b);
		} else if (c == '$') {
			err = kb_dkms_ref(p, b);
		} else if (c == '\\' && kb_dkms_peek(p, 1)) {
			char n = kb_dkms_peek(p, 1);

			p->line += n == '\n';
			if (n != '\n')
				kb_dkms_put(b, n == '$' ? "$$" : &n, n == '$' ? 2 : 1);
			p->pos += 2;
		} else if (strchr(";|&<>()`{}", c) || c == '\0') {
			p->why = "shell syntax (commands are not run; only assignments are read)";
			err = -KB_EPARSE;
		} else {
			kb_dkms_put(b, &c, 1);
			p->pos++;
		}
	}
	return err;
}

static void kb_dkms_skip_blank(struct kb_dkms_parser *p)
{
	while (!kb_dkms_end(p) && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
}

/* NAME[=[N]]=VALUE, then only a comment or the end of the line. */
static int kb_dkms_assignment(struct kb_dkms_parser *p, struct kb_dkms_conf *c)
{
	struct kb_dkms_buf b = { 0 };
	size_t start = p->pos;
	unsigned long index = 0;
	char *name;
	int err;

	while (!kb_dkms_end(p) && kb_dkms_name_char(p->s[p->pos]))
		p->pos++;
	if (p->pos == start || !kb_dkms_name_start(p->s[start])) {
		p->why = "not an assignment (only NAME=VALUE lines are read; commands are not run)";
		return -KB_EPARSE;
	}
	name = kb_xstrndup(p->s + start, p->pos - start);
	if (kb_dkms_peek(p, 0) == '[') {
		size_t d = ++p->pos;

		while (!kb_dkms_end(p) && p->s[p->pos] >= '0' && p->s[p->pos] <= '9' &&
		       p->pos - d < 4)
			index = index * 10 + (unsigned long)(p->s[p->pos++] - '0');
		if (p->pos == d || kb_dkms_peek(p, 0) != ']') {
			p->why = "want NAME[number]=VALUE";
			err = -KB_EPARSE;
			goto out;
		}
		p->pos++;
	}
	if (kb_dkms_peek(p, 0) != '=') {
		p->why = "not an assignment (only NAME=VALUE lines are read; commands are not run)";
		err = -KB_EPARSE;
		goto out;
	}
	p->pos++;
	err = kb_dkms_value(p, &b);
	if (err)
		goto out;
	kb_dkms_skip_blank(p);
	if (!kb_dkms_end(p) && p->s[p->pos] != '\n' && p->s[p->pos] != '#') {
		p->why = "more than one word after '=' (bash would run it as a command)";
		err = -KB_EPARSE;
		goto out;
	}
	if (index > KB_DKMS_INDEX_MAX || c->n >= KB_DKMS_VARS_MAX) {
		p->why = index > KB_DKMS_INDEX_MAX ? "index above 255" : "more than 1024 assignments";
		err = -KB_ELIMIT;
		goto out;
	}
	c->v = kb_xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n++] = (struct kb_dkms_var){ .name = name, .index = (unsigned)index, .value = b.p };
	name = NULL;
	b.p = NULL;
out:
	free(name);
	free(b.p);
	return err;
}

/* The first word of the line at p (at most n bytes), for the guard blocks. */
static size_t kb_dkms_word(const struct kb_dkms_parser *p, char *w, size_t n)
{
	size_t i = 0;

	while (p->pos + i < p->len && i + 1 < n && !strchr(" \t\n;", p->s[p->pos + i])) {
		w[i] = p->s[p->pos + i];
		i++;
	}
	w[i] = '\0';
	return i;
}

/* dkms.conf files guard a build with shell conditionals that only set
 * BUILD_EXCLUSIVE_* (v4l2loopback's reads the kernel's .config to refuse
 * kernels without V4L2). Such a block is skipped, not evaluated: kbundle
 * builds, and a kernel without the feature fails the build visibly. Any
 * other line inside one is refused. */
static int kb_dkms_guard(struct kb_dkms_parser *p)
{
	static const char *const ok[] = { "if", "then", "else", "elif", "fi", "." };
	int depth = 0, first = p->line;
	char w[64];

	do {
		bool known = false;

		kb_dkms_skip_blank(p);
		kb_dkms_word(p, w, sizeof(w));
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			known = known || !strcmp(w, ok[i]);
		known = known || !w[0] || w[0] == '#' || !strncmp(w, "BUILD_EXCLUSIVE_", 16);
		if (!known) {
			p->why = "a conditional block that does more than set BUILD_EXCLUSIVE_* "
				 "(commands are not run)";
			return -KB_EPARSE;
		}
		depth += !strcmp(w, "if") - !strcmp(w, "fi");
		while (!kb_dkms_end(p) && p->s[p->pos] != '\n')
			p->pos++;
		if (!kb_dkms_end(p)) {
			p->pos++;
			p->line++;
		}
	} while (depth > 0 && !kb_dkms_end(p));
	if (depth > 0) {
		p->why = "'if' without 'fi'";
		return -KB_EPARSE;
	}
	kb_info("%s:%d-%d: a BUILD_EXCLUSIVE_* conditional, not evaluated", p->name, first,
		p->line - 1);
	return 0;
}

int kb_dkms_conf_parse(const char *buf, size_t len, const char *name, struct kb_dkms_conf *c)
{
	struct kb_dkms_parser p = { .s = buf, .len = len, .name = name, .line = 1 };
	int err = 0;

	memset(c, 0, sizeof(*c));
	if (len > KB_DKMS_FILE_MAX) {
		kb_error("%s: larger than %u KiB: not a dkms.conf", name, KB_DKMS_FILE_MAX >> 10);
		return -KB_ELIMIT;
	}
	while (!err && !kb_dkms_end(&p)) {
		int line;

		kb_dkms_skip_blank(&p);
		if (kb_dkms_end(&p))
			break;
		if (p.s[p.pos] == '\n') {
			p.line++;
			p.pos++;
			continue;
		}
		if (p.s[p.pos] == '#') {
			while (!kb_dkms_end(&p) && p.s[p.pos] != '\n')
				p.pos++;
			continue;
		}
		line = p.line;
		{
			char w[8];

			kb_dkms_word(&p, w, sizeof(w));
			err = !strcmp(w, "if") ? kb_dkms_guard(&p) : kb_dkms_assignment(&p, c);
		}
		if (err)
			kb_error("%s:%d: %s", name, line, p.why ? p.why : "not readable");
	}
	if (err)
		kb_dkms_conf_free(c);
	return err;
}

int kb_dkms_conf_load(const char *path, struct kb_dkms_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(path, KB_DKMS_FILE_MAX, &buf, &len);

	memset(c, 0, sizeof(*c));
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	else
		err = kb_dkms_conf_parse(buf, len, path, c);
	free(buf);
	return err;
}

void kb_dkms_conf_free(struct kb_dkms_conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].value);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

const char *kb_dkms_get(const struct kb_dkms_conf *c, const char *name, unsigned index)
{
	for (size_t i = c->n; i-- > 0;)
		if (c->v[i].index == index && !strcmp(c->v[i].name, name))
			return c->v[i].value;
	return NULL;
}

unsigned kb_dkms_count(const struct kb_dkms_conf *c, const char *name)
{
	unsigned n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name) && c->v[i].index + 1 > n)
			n = c->v[i].index + 1;
	return n;
}

static int kb_dkms_expand_depth(const struct kb_dkms_conf *c, const char *t,
				const char *const *env, const char *name, int depth,
				struct kb_dkms_buf *b)
{
	int err = 0;

	if (depth > KB_DKMS_DEPTH_MAX) {
		kb_error("%s: variables refer to each other more than %d deep", name,
			 KB_DKMS_DEPTH_MAX);
		return -KB_EPARSE;
	}
	while (*t && !err) {
		const char *v = NULL, *end;
		size_t n;

		if (t[0] != '$') {
			n = strcspn(t, "$");
			kb_dkms_put(b, t, n);
			t += n;
			continue;
		}
		if (t[1] == '$') {
			kb_dkms_put(b, "$", 1);
			t += 2;
			continue;
		}
		end = strchr(t, '}');	/* the parser wrote ${NAME} */
		if (t[1] != '{' || !end)
			return -KB_EPARSE;
		n = (size_t)(end - t - 2);
		for (size_t i = 0; env && env[i] && !v; i++)
			if (!strncmp(env[i], t + 2, n) && env[i][n] == '=')
				v = env[i] + n + 1;
		if (v) {
			kb_dkms_put(b, v, strlen(v));
		} else {
			char *var = kb_xstrndup(t + 2, n);

			v = kb_dkms_get(c, var, 0);
			if (v)
				err = kb_dkms_expand_depth(c, v, env, name, depth + 1, b);
			else
				kb_error("%s: ${%s} is not a variable kbundle knows (dkms would "
					 "set it; kbundle does not guess)", name, var);
			err = v ? err : -KB_EPARSE;
			free(var);
		}
		t = end + 1;
	}
	return err;
}

int kb_dkms_expand(const struct kb_dkms_conf *c, const char *tmpl, const char *const *env,
		   const char *name, char **out)
{
	struct kb_dkms_buf b = { 0 };
	int err;

	kb_dkms_put(&b, "", 0);
	err = kb_dkms_expand_depth(c, tmpl, env, name, 0, &b);
	if (err)
		free(b.p);
	else
		*out = b.p;
	return err;
}

int kb_dkms_split(const char *cmd, const char *name, char ***argv, size_t *argc)
{
	struct kb_dkms_buf w = { 0 };
	char **v = NULL;
	size_t n = 0;
	bool in_word = false;
	char q = 0;
	int err = 0;

	for (const char *s = cmd;; s++) {
		if (!q && (!*s || *s == ' ' || *s == '\t' || *s == '\n')) {
			if (in_word) {
				v = kb_xrealloc(v, (n + 2) * sizeof(*v));
				v[n++] = w.p;
				v[n] = NULL;
				w = (struct kb_dkms_buf){ 0 };
				in_word = false;
			}
			if (!*s)
				break;
			continue;
		}
		if (!*s || (!q && strchr(";|&<>()`$", *s))) {
			kb_error("%s: '%s': %s", name, cmd, *s ? "shell syntax needs a shell, "
				 "which kbundle does not run" : "unbalanced quote");
			err = -KB_EPARSE;
			break;
		}
		in_word = true;
		if ((*s == '\'' || *s == '"') && (!q || q == *s)) {
			q = q ? 0 : *s;
			kb_dkms_put(&w, "", 0);
			continue;
		}
		kb_dkms_put(&w, s, 1);
	}
	if (!err && !n) {
		kb_error("%s: an empty command", name);
		err = -KB_EPARSE;
	}
	free(w.p);
	if (err) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
	} else {
		*argv = v;
		*argc = n;
	}
	return err;
}
