/* modinfo.c — .modinfo and .comment lookup in an ELF64 little-endian relocatable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/modinfo.h"

#define KB_VM_KO_MAX (256u << 20)

static uint64_t kb_rd(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The section called name in the ELF64 image: its offset and size. */
static int kb_vm_elf_section(const unsigned char *p, size_t len, const char *name, uint64_t *off,
			     uint64_t *size)
{
	const unsigned char *sh, *strsh;
	uint64_t shoff, shentsize, shnum, shstrndx, stroff, strsz;

	if (len < 64 || memcmp(p, "\177ELF\2\1", 6))
		return -KB_EPARSE;
	shoff = kb_rd(p + 40, 8);
	shentsize = kb_rd(p + 58, 2);
	shnum = kb_rd(p + 60, 2);
	shstrndx = kb_rd(p + 62, 2);
	if (shentsize < 64 || shoff > len || shnum > (len - shoff) / shentsize ||
	    shstrndx >= shnum)
		return -KB_EPARSE;
	strsh = p + shoff + shstrndx * shentsize;
	stroff = kb_rd(strsh + 24, 8);
	strsz = kb_rd(strsh + 32, 8);
	if (stroff > len || strsz > len - stroff)
		return -KB_EPARSE;
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t nm;

		sh = p + shoff + i * shentsize;
		nm = kb_rd(sh, 4);
		if (nm >= strsz || !memchr(p + stroff + nm, '\0', strsz - nm))
			return -KB_EPARSE;
		if (strcmp((const char *)p + stroff + nm, name))
			continue;
		*off = kb_rd(sh + 24, 8);
		*size = kb_rd(sh + 32, 8);
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
