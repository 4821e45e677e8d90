/* apt_sources.c — read mirror URIs from apt's configuration. */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/apt_sources.h"
#include "lib/file.h"
#include "lib/strview.h"

struct kb_apt_source {
	char *uri;
	char *suites;	/* space-separated */
};

struct kb_apt_sources {
	struct kb_apt_source *v;
	size_t n;
};

static void kb_sources_add(struct kb_apt_sources *s, struct kb_str uri, struct kb_str suites)
{
	while (uri.n && uri.p[uri.n - 1] == '/')
		uri.n--;
	if (!uri.n || !(kb_str_startswith(uri, "http://") || kb_str_startswith(uri, "https://")))
		return;
	s->v = kb_xrealloc(s->v, sizeof(*s->v) * (s->n + 1));
	s->v[s->n].uri = kb_xstrndup(uri.p, uri.n);
	s->v[s->n].suites = kb_xstrndup(suites.p, suites.n);
	s->n++;
}

/* "deb [opts] uri suite comp…" */
static void kb_sources_parse_list(struct kb_apt_sources *s, struct kb_str text)
{
	struct kb_str line;

	while (text.n) {
		struct kb_str w, rest;

		kb_str_split(&text, '\n', &line);
		rest = kb_str_trim(line);
		kb_str_split(&rest, ' ', &w);
		if (!kb_str_eq(w, "deb"))
			continue;
		rest = kb_str_trim(rest);
		if (rest.n && rest.p[0] == '[') {
			const char *e = memchr(rest.p, ']', rest.n);

			if (!e)
				continue;
			rest = kb_str_trim(kb_str(e + 1, rest.n - (size_t)(e + 1 - rest.p)));
		}
		kb_str_split(&rest, ' ', &w);
		rest = kb_str_trim(rest);
		struct kb_str suite;

		kb_str_split(&rest, ' ', &suite);
		kb_sources_add(s, w, suite);
	}
}

/* deb822: stanzas of "Field: value" separated by blank lines. */
static void kb_sources_parse_deb822(struct kb_apt_sources *s, struct kb_str text)
{
	struct kb_str types = KB_STR_NULL, uris = KB_STR_NULL, suites = KB_STR_NULL, line;
	bool more = true;

	while (more) {
		more = text.n > 0;
		kb_str_split(&text, '\n', &line);
		line = kb_str_trim(line);
		if (line.n && line.p[0] == '#')
			continue;
		if (line.n && more) {
			struct kb_str key;

			if (!kb_str_split(&line, ':', &key))
				continue;
			line = kb_str_trim(line);
			if (kb_str_eq(key, "Types"))
				types = line;
			else if (kb_str_eq(key, "URIs"))
				uris = line;
			else if (kb_str_eq(key, "Suites"))
				suites = line;
			continue;
		}
		if (types.p && memmem(types.p, types.n, "deb", 3) && uris.p) {
			struct kb_str uri;

			while (uris.n) {
				kb_str_split(&uris, ' ', &uri);
				kb_sources_add(s, uri, suites);
			}
		}
		types = uris = suites = KB_STR_NULL;
	}
}

static void kb_sources_read(struct kb_apt_sources *s, const char *path, bool deb822)
{
	char *buf = NULL;
	size_t len = 0;

	if (kb_file_read(path, 1 << 20, &buf, &len) != 0)
		return;
	if (deb822)
		kb_sources_parse_deb822(s, kb_str(buf, len));
	else
		kb_sources_parse_list(s, kb_str(buf, len));
	free(buf);
}

static bool kb_has_word(const char *words, const char *w)
{
	size_t n = strlen(w);

	if (!n)	/* strstr finds "" everywhere: the loop would never advance */
		return false;
	for (const char *p = words; (p = strstr(p, w)); p += n)
		if ((p == words || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static bool kb_is_security(const char *suite)
{
	return strstr(suite, "-security") != NULL;
}

static int kb_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Pick the source for suite (see apt_sources.h) and free the list. */
static char *kb_sources_choose(struct kb_apt_sources *s, const char *suite)
{
	char *found = NULL;

	for (size_t i = 0; i < s->n && !found; i++)
		if (kb_has_word(s->v[i].suites, suite))
			found = s->v[i].uri;
	for (size_t i = 0; i < s->n && !found; i++) {
		struct kb_str words = kb_str_c(s->v[i].suites), w;

		while (words.n && !found) {
			kb_str_split(&words, ' ', &w);
			char *one = kb_xstrndup(w.p, w.n);

			if (kb_is_security(one) == kb_is_security(suite))
				found = s->v[i].uri;
			free(one);
		}
	}
	if (!found && s->n)
		found = s->v[0].uri;
	found = found ? kb_xstrdup(found) : NULL;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].uri);
		free(s->v[i].suites);
	}
	free(s->v);
	return found;
}

char *kb_apt_sources_mirror_mem(const char *buf, size_t len, bool deb822, const char *suite)
{
	struct kb_apt_sources s = { 0 };

	if (deb822)
		kb_sources_parse_deb822(&s, kb_str(buf, len));
	else
		kb_sources_parse_list(&s, kb_str(buf, len));
	return kb_sources_choose(&s, suite);
}

char *kb_apt_sources_mirror(const char *root, const char *suite)
{
	struct kb_apt_sources s = { 0 };
	char *dir = kb_path_join(root ? root : "/", "etc/apt/sources.list.d");
	char *list = kb_path_join(root ? root : "/", "etc/apt/sources.list");
	char **names = NULL, *found = NULL;
	size_t nnames = 0;
	DIR *d;

	kb_sources_read(&s, list, false);
	d = opendir(dir);
	while (d) {
		struct dirent *e = readdir(d);

		if (!e)
			break;
		names = kb_xrealloc(names, sizeof(*names) * (nnames + 1));
		names[nnames++] = kb_xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	qsort(names, nnames, sizeof(*names), kb_name_cmp);
	for (size_t i = 0; i < nnames; i++) {
		struct kb_str n = kb_str_c(names[i]);
		char *p = kb_path_join(dir, names[i]);

		if (kb_str_endswith(n, ".list"))
			kb_sources_read(&s, p, false);
		else if (kb_str_endswith(n, ".sources"))
			kb_sources_read(&s, p, true);
		free(p);
		free(names[i]);
	}
	found = kb_sources_choose(&s, suite);
	free(names);
	free(dir);
	free(list);
	return found;
}
