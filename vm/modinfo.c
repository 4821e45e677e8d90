/* modinfo.c — .modinfo and .comment lookup in an ELF relocatable of any
 * class and byte order, and its ELF identity. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/modinfo.h"

#define KB_VM_KO_MAX (256u << 20)

/* An ELF file's layout: every field read through it (either class, either
 * byte order). */
struct kb_elf {
	const unsigned char *p;
	size_t len;
	bool c64, msb;
};

static uint64_t kb_rd(const struct kb_elf *e, const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[e->msb ? i : n - 1 - i];
	return v;
}

/* A field that is 4 bytes at off32 in ELF32 and 8 at off64 in ELF64. */
static uint64_t kb_rd_w(const struct kb_elf *e, const unsigned char *p, int off32, int off64)
{
	return e->c64 ? kb_rd(e, p + off64, 8) : kb_rd(e, p + off32, 4);
}

static int kb_elf_open(const void *buf, size_t len, struct kb_elf *e)
{
	const unsigned char *p = buf;

	if (len < 52 || memcmp(p, "\177ELF", 4) || (p[4] != 1 && p[4] != 2) ||
	    (p[5] != 1 && p[5] != 2) || (p[4] == 2 && len < 64))
		return -KB_EPARSE;
	e->p = p;
	e->len = len;
	e->c64 = p[4] == 2;
	e->msb = p[5] == 2;
	return 0;
}

int kb_vm_elf_ident_mem(const void *buf, size_t len, struct kb_vm_elf_ident *id)
{
	struct kb_elf e;
	int err = kb_elf_open(buf, len, &e);

	if (err)
		return err;
	id->elf_class = e.p[4];
	id->elf_data = e.p[5];
	id->machine = (uint16_t)kb_rd(&e, e.p + 18, 2);
	return 0;
}

/* The section called name in the ELF image: its offset and size. */
static int kb_vm_elf_section(const unsigned char *p, size_t len, const char *name, uint64_t *off,
			     uint64_t *size)
{
	const unsigned char *sh, *strsh;
	uint64_t shoff, shentsize, shnum, shstrndx, stroff, strsz, minent;
	struct kb_elf e;

	if (kb_elf_open(p, len, &e))
		return -KB_EPARSE;
	shoff = kb_rd_w(&e, p, 32, 40);
	shentsize = kb_rd(&e, p + (e.c64 ? 58 : 46), 2);
	shnum = kb_rd(&e, p + (e.c64 ? 60 : 48), 2);
	shstrndx = kb_rd(&e, p + (e.c64 ? 62 : 50), 2);
	minent = e.c64 ? 64 : 40;
	if (shentsize < minent || shoff > len || shnum > (len - shoff) / shentsize ||
	    shstrndx >= shnum)
		return -KB_EPARSE;
	strsh = p + shoff + shstrndx * shentsize;
	stroff = kb_rd_w(&e, strsh, 16, 24);
	strsz = kb_rd_w(&e, strsh, 20, 32);
	if (stroff > len || strsz > len - stroff)
		return -KB_EPARSE;
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t nm;

		sh = p + shoff + i * shentsize;
		nm = kb_rd(&e, sh, 4);
		if (nm >= strsz || !memchr(p + stroff + nm, '\0', strsz - nm))
			return -KB_EPARSE;
		if (strcmp((const char *)p + stroff + nm, name))
			continue;
		*off = kb_rd_w(&e, sh, 16, 24);
		*size = kb_rd_w(&e, sh, 20, 32);
		return *off > len || *size > len - *off ? -KB_EPARSE : 0;
	}
	return -KB_ENOTFOUND;
}

int kb_vm_modinfo_mem(const void *buf, size_t len, const char *key, char **val)
{
	const unsigned char *p = buf;
	uint64_t off = 0, size = 0;
	size_t klen = strlen(key);
	int err = kb_vm_elf_section(p, len, ".modinfo", &off, &size);

	if (err)
		return err;
	/* NUL-separated key=value strings. */
	for (const char *s = (const char *)p + off; s < (const char *)p + off + size;) {
		size_t left = (size_t)((const char *)p + off + size - s);
		const char *end = memchr(s, '\0', left);
		size_t n = end ? (size_t)(end - s) : left;

		if (n > klen && !memcmp(s, key, klen) && s[klen] == '=') {
			*val = kb_xstrndup(s + klen + 1, n - klen - 1);
			return 0;
		}
		s += n + 1;
	}
	return -KB_ENOTFOUND;
}

int kb_vm_comment_mem(const void *buf, size_t len, char **val)
{
	const unsigned char *p = buf;
	uint64_t off = 0, size = 0;
	char *r = NULL;
	int err = kb_vm_elf_section(p, len, ".comment", &off, &size);

	if (err)
		return err;
	/* NUL-separated strings, joined with newlines. */
	for (const char *s = (const char *)p + off; s < (const char *)p + off + size;) {
		size_t left = (size_t)((const char *)p + off + size - s);
		const char *end = memchr(s, '\0', left);
		size_t n = end ? (size_t)(end - s) : left;

		if (n) {
			char *t = kb_xasprintf("%s%s%.*s", r ? r : "", r ? "\n" : "", (int)n, s);

			free(r);
			r = t;
		}
		s += n + 1;
	}
	if (!r)
		return -KB_ENOTFOUND;
	*val = r;
	return 0;
}

int kb_vm_modinfo_file(const char *ko, const char *key, char **val)
{
	char *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(ko, KB_VM_KO_MAX, &buf, &len);

	if (err) {
		kb_error("%s: %s", ko, kb_strerror(err));
		return err;
	}
	err = kb_vm_modinfo_mem(buf, len, key, val);
	free(buf);
	return err;
}

int kb_vm_comment_file(const char *ko, char **val)
{
	char *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(ko, KB_VM_KO_MAX, &buf, &len);

	if (err) {
		kb_error("%s: %s", ko, kb_strerror(err));
		return err;
	}
	err = kb_vm_comment_mem(buf, len, val);
	free(buf);
	return err;
}

int kb_vm_elf_ident_file(const char *ko, struct kb_vm_elf_ident *id)
{
	char *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(ko, KB_VM_KO_MAX, &buf, &len);

	if (err) {
		kb_error("%s: %s", ko, kb_strerror(err));
		return err;
	}
	err = kb_vm_elf_ident_mem(buf, len, id);
	free(buf);
	return err;
}
