/* compiler.c — the compiler facts in a kernel configuration, and the
 * version in a compiler's `--version` line. Pure: text in, facts out. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/compiler.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/strview.h"

#define KB_CC_PART_MAX 999u

/* What the configuration says, before it is reconciled. */
struct kb_cc_facts {
	char *text;
	bool is_gcc, is_clang;
	unsigned long gcc_ver, clang_ver;	/* major*10000 + minor*100 + patch */
};

static bool kb_cc_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *s (at most 9 of them) into *v; false when there are none. */
static bool kb_cc_number(struct kb_str *s, unsigned long *v)
{
	size_t i = 0;

	*v = 0;
	while (i < s->n && i < 9 && kb_cc_digit(s->p[i]))
		*v = *v * 10 + (unsigned long)(s->p[i++] - '0');
	if (i == 0 || (i < s->n && kb_cc_digit(s->p[i])))
		return false;
	s->p += i;
	s->n -= i;
	return true;
}

/* A config value: a C-style quoted string (unescaped) or a bare word. */
static char *kb_cc_value(struct kb_str v)
{
	char *out, *o;

	v = kb_str_trim(v);
	if (v.n < 2 || v.p[0] != '"' || v.p[v.n - 1] != '"')
		return kb_xstrndup(v.p, v.n);
	out = o = kb_xmalloc(v.n);
	for (size_t i = 1; i + 1 < v.n; i++) {
		if (v.p[i] == '\\' && i + 2 < v.n)
			i++;
		*o++ = v.p[i];
	}
	*o = '\0';
	return out;
}

static bool kb_cc_true(const char *v)
{
	return strcmp(v, "y") == 0 || strcmp(v, "1") == 0;
}

static unsigned long kb_cc_ulong(const char *v)
{
	struct kb_str s = kb_str_c(v);
	unsigned long n;

	return kb_cc_number(&s, &n) && s.n == 0 ? n : 0;
}

/* One line: "CONFIG_X=v" (.config, auto.conf) or "#define CONFIG_X v"
 * (autoconf.h); comments and other lines are skipped. */
static void kb_cc_line(struct kb_str line, struct kb_cc_facts *f)
{
	struct kb_str name;
	char *v;

	line = kb_str_trim(line);
	if (kb_str_startswith(line, "#define ")) {
		line = kb_str_trim(kb_str(line.p + 8, line.n - 8));
		kb_str_split(&line, ' ', &name);
	} else if (!kb_str_startswith(line, "CONFIG_") || !kb_str_split(&line, '=', &name)) {
		return;
	}
	name = kb_str_trim(name);
	if (!kb_str_startswith(name, "CONFIG_"))
		return;
	name = kb_str(name.p + 7, name.n - 7);
	if (!kb_str_eq(name, "CC_VERSION_TEXT") && !kb_str_eq(name, "CC_IS_GCC") &&
	    !kb_str_eq(name, "CC_IS_CLANG") && !kb_str_eq(name, "GCC_VERSION") &&
	    !kb_str_eq(name, "CLANG_VERSION"))
		return;
	v = kb_cc_value(line);
	if (kb_str_eq(name, "CC_VERSION_TEXT")) {
		free(f->text);
		f->text = v;
		return;
	}
	if (kb_str_eq(name, "CC_IS_GCC"))
		f->is_gcc = kb_cc_true(v);
	else if (kb_str_eq(name, "CC_IS_CLANG"))
		f->is_clang = kb_cc_true(v);
	else if (kb_str_eq(name, "GCC_VERSION"))
		f->gcc_ver = kb_cc_ulong(v);
	else
		f->clang_ver = kb_cc_ulong(v);
	free(v);
}

static bool kb_cc_set_version(struct kb_compiler *c, unsigned long major, unsigned long minor,
			      unsigned long patch)
{
	if (major == 0 || major > KB_CC_PART_MAX || minor > KB_CC_PART_MAX || patch > KB_CC_PART_MAX)
		return false;
	c->major = (unsigned)major;
	c->minor = (unsigned)minor;
	c->patch = (unsigned)patch;
	snprintf(c->version, sizeof(c->version), "%u.%u.%u", c->major, c->minor, c->patch);
	return true;
}

/* The first "N.N[.N]" token outside parentheses: "(Debian 10.2.1-6)" is
 * the package version, the compiler's own follows it. */
static bool kb_cc_text_version(struct kb_str t, struct kb_compiler *c)
{
	int depth = 0;

	for (size_t i = 0; i < t.n; i++) {
		struct kb_str s = kb_str(t.p + i, t.n - i);
		unsigned long maj, min, pat = 0;

		if (t.p[i] == '(')
			depth++;
		else if (t.p[i] == ')' && depth > 0)
			depth--;
		if (depth > 0 || !kb_cc_digit(t.p[i]) || (i > 0 && t.p[i - 1] != ' '))
			continue;
		if (!kb_cc_number(&s, &maj) || !s.n || s.p[0] != '.')
			continue;
		s = kb_str(s.p + 1, s.n - 1);
		if (!kb_cc_number(&s, &min))
			continue;
		if (s.n && s.p[0] == '.') {
			s = kb_str(s.p + 1, s.n - 1);
			if (!kb_cc_number(&s, &pat))
				continue;
		}
		return kb_cc_set_version(c, maj, min, pat);
	}
	return false;
}

/* "… clang version N…" is clang; a command named *gcc* or gcc's "(GCC)"
 * package string is gcc. */
static enum kb_cc_kind kb_cc_text_kind(struct kb_str t)
{
	struct kb_str rest = t, word;

	if (memmem(t.p, t.n, "clang version", 13))
		return KB_CC_CLANG;
	kb_str_split(&rest, ' ', &word);
	if (memmem(word.p, word.n, "gcc", 3) || memmem(t.p, t.n, "(GCC)", 5))
		return KB_CC_GCC;
	return KB_CC_UNKNOWN;
}

int kb_compiler_from_text(const char *text, size_t len, struct kb_compiler *c)
{
	struct kb_str t = kb_str(text, len), line;

	memset(c, 0, sizeof(*c));
	kb_str_split(&t, '\n', &line);
	line = kb_str_trim(line);
	c->text = kb_xstrndup(line.p, line.n);
	c->kind = kb_cc_text_kind(line);
	if (c->kind == KB_CC_UNKNOWN || !kb_cc_text_version(line, c))
		return -KB_EPARSE;
	return 0;
}

int kb_compiler_from_config(const char *buf, size_t len, struct kb_compiler *c)
{
	struct kb_cc_facts f = { 0 };
	struct kb_str text = kb_str(buf, len), line;
	unsigned long v;
	bool have_version;

	memset(c, 0, sizeof(*c));
	while (text.n) {
		kb_str_split(&text, '\n', &line);
		kb_cc_line(line, &f);
	}
	if (f.text) {
		kb_compiler_from_text(f.text, strlen(f.text), c);
		free(f.text);
	}
	if (f.is_clang)
		c->kind = KB_CC_CLANG;
	else if (f.is_gcc || (c->kind == KB_CC_UNKNOWN && f.gcc_ver))
		c->kind = KB_CC_GCC;
	have_version = c->major != 0;
	/* the numbers are kconfig's own reading of the compiler: they win */
	v = c->kind == KB_CC_CLANG ? f.clang_ver : c->kind == KB_CC_GCC ? f.gcc_ver : 0;
	if (v && kb_cc_set_version(c, v / 10000, v / 100 % 100, v % 100))
		have_version = true;
	if (c->kind == KB_CC_UNKNOWN && !c->text && !v)
		return -KB_ENOTFOUND;
	return c->kind != KB_CC_UNKNOWN && have_version ? 0 : -KB_EPARSE;
}

void kb_compiler_free(struct kb_compiler *c)
{
	free(c->text);
	c->text = NULL;
}

const char *kb_cc_kind_name(enum kb_cc_kind kind)
{
	return kind == KB_CC_GCC ? "gcc" : kind == KB_CC_CLANG ? "clang" : "unknown";
}

void kb_compiler_spec(const struct kb_compiler *c, char buf[KB_COMPILER_SPEC_MAX])
{
	snprintf(buf, KB_COMPILER_SPEC_MAX, "%s-%u", kb_cc_kind_name(c->kind), c->major);
}

int kb_compiler_spec_parse(const char *spec, enum kb_cc_kind *kind, unsigned *major)
{
	struct kb_str s = kb_str_c(spec);
	unsigned long m;

	if (kb_str_startswith(s, "gcc-")) {
		*kind = KB_CC_GCC;
		s = kb_str(s.p + 4, s.n - 4);
	} else if (kb_str_startswith(s, "clang-")) {
		*kind = KB_CC_CLANG;
		s = kb_str(s.p + 6, s.n - 6);
	} else {
		return -KB_EPARSE;
	}
	if (!kb_cc_number(&s, &m) || s.n || m == 0 || m > KB_CC_PART_MAX)
		return -KB_EPARSE;
	*major = (unsigned)m;
	return 0;
}
