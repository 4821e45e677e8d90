/* json.c — the JSON writer (see json.h). Strings are escaped per RFC 8259:
 * quote, backslash and control characters; other bytes pass through. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/json.h"

void kb_json_init(struct kb_json *j)
{
	memset(j, 0, sizeof(*j));
}

static void kb_json_put(struct kb_json *j, const char *s, size_t n)
{
	if (j->len + n + 1 > j->cap) {
		j->cap = (j->len + n + 1) * 2 + 256;
		j->buf = kb_xrealloc(j->buf, j->cap);
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void kb_json_puts(struct kb_json *j, const char *s)
{
	kb_json_put(j, s, strlen(s));
}

static void kb_json_quote(struct kb_json *j, const char *s)
{
	const char *run = s;

	kb_json_put(j, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		kb_json_put(j, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			kb_json_put(j, esc, 2);
		} else if (c == '\n') {
			kb_json_puts(j, "\\n");
		} else if (c == '\t') {
			kb_json_puts(j, "\\t");
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			kb_json_puts(j, esc);
		}
	}
	kb_json_put(j, run, (size_t)(s - run));
	kb_json_put(j, "\"", 1);
}

/* Separator, indentation and key before a value. */
static void kb_json_key(struct kb_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->has_items[j->depth - 1])
			kb_json_put(j, ",", 1);
		j->has_items[j->depth - 1] = true;
		kb_json_put(j, "\n", 1);
		for (int i = 0; i < j->depth; i++)
			kb_json_put(j, "  ", 2);
	} else if (j->len) {
		j->err = -KB_EUSAGE;	/* two top-level values */
	}
	if (key) {
		kb_json_quote(j, key);
		kb_json_put(j, ": ", 2);
	}
}

static void kb_json_open(struct kb_json *j, const char *key, const char *br)
{
	kb_json_key(j, key);
	kb_json_puts(j, br);
	if (j->depth >= KB_JSON_MAX_DEPTH) {
		j->err = -KB_EUSAGE;
		return;
	}
	j->has_items[j->depth++] = false;
}

static void kb_json_close(struct kb_json *j, const char *br)
{
	if (j->depth <= 0) {
		j->err = -KB_EUSAGE;
		return;
	}
	if (j->has_items[--j->depth]) {
		kb_json_put(j, "\n", 1);
		for (int i = 0; i < j->depth; i++)
			kb_json_put(j, "  ", 2);
	}
	kb_json_puts(j, br);
}

void kb_json_obj_begin(struct kb_json *j, const char *key)
{
	kb_json_open(j, key, "{");
}

void kb_json_obj_end(struct kb_json *j)
{
	kb_json_close(j, "}");
}

void kb_json_arr_begin(struct kb_json *j, const char *key)
{
	kb_json_open(j, key, "[");
}

void kb_json_arr_end(struct kb_json *j)
{
	kb_json_close(j, "]");
}

void kb_json_str(struct kb_json *j, const char *key, const char *val)
{
	kb_json_key(j, key);
	if (val)
		kb_json_quote(j, val);
	else
		kb_json_puts(j, "null");
}

void kb_json_int(struct kb_json *j, const char *key, int64_t val)
{
	char num[32];

	kb_json_key(j, key);
	snprintf(num, sizeof(num), "%" PRId64, val);
	kb_json_puts(j, num);
}

void kb_json_uint(struct kb_json *j, const char *key, uint64_t val)
{
	char num[32];

	kb_json_key(j, key);
	snprintf(num, sizeof(num), "%" PRIu64, val);
	kb_json_puts(j, num);
}

void kb_json_bool(struct kb_json *j, const char *key, bool val)
{
	kb_json_key(j, key);
	kb_json_puts(j, val ? "true" : "false");
}

char *kb_json_finish(struct kb_json *j, size_t *len, int *err)
{
	char *out = NULL;

	if (j->depth != 0 || !j->len)
		j->err = -KB_EUSAGE;
	*err = j->err;
	if (!j->err) {
		kb_json_put(j, "\n", 1);
		out = j->buf;
		if (len)
			*len = j->len;
		j->buf = NULL;
	}
	kb_json_free(j);
	return out;
}

void kb_json_free(struct kb_json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}
