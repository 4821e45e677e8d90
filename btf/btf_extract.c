/* btf_extract.c — the raw BTF of a packaged kernel image: decompressed by
 * lib/kimage.c, then the .BTF section of the ELF vmlinux (libelf), or for
 * an Image without section headers the BTF blob the linker placed there.
 * libbpf parses what is found before it is handed out. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>

#include "btf/btf.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/kimage.h"
#include "lib/log.h"

#define KB_BTF_HDR_LEN 24u

/* libbpf's own messages, at debug level: kbundle says what failed. */
__attribute__((format(printf, 2, 0)))
static int kb_btf_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg;

	if (level == LIBBPF_DEBUG || vasprintf(&msg, fmt, ap) < 0)
		return 0;
	msg[strcspn(msg, "\n")] = '\0';
	kb_debug("libbpf: %s", msg);
	free(msg);
	return 0;
}

/* Does libbpf read p (n bytes) as BTF? */
static bool kb_btf_valid(const void *p, size_t n)
{
	struct btf *b;

	libbpf_set_print(kb_btf_libbpf_log);
	b = btf__new(p, (uint32_t)n);
	if (!b || libbpf_get_error(b))
		return false;
	btf__free(b);
	return true;
}

static uint32_t kb_btf_u32(const unsigned char *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The BTF blob of a raw Image: a header (magic 0xeB9F, version 1, flags 0,
 * hdr_len 24 in the kernel's byte order) whose sections fit and which
 * libbpf parses. -KB_ENOTFOUND when there is none. */
static int kb_btf_scan(const unsigned char *p, size_t n, const unsigned char **btf, size_t *len)
{
	static const unsigned char magic[2][8] = {
		{ 0x9f, 0xeb, 1, 0, 24, 0, 0, 0 }, { 0xeb, 0x9f, 1, 0, 0, 0, 0, 24 },
	};

	for (int be = 0; be < 2; be++) {
		const unsigned char *q = p, *end = p + n;

		while ((q = memmem(q, (size_t)(end - q), magic[be], 8))) {
			size_t left = (size_t)(end - q);
			uint64_t type_end, str_end, total;

			if (left < KB_BTF_HDR_LEN)
				break;
			type_end = (uint64_t)kb_btf_u32(q + 8, be) + kb_btf_u32(q + 12, be);
			str_end = (uint64_t)kb_btf_u32(q + 16, be) + kb_btf_u32(q + 20, be);
			total = KB_BTF_HDR_LEN + (type_end > str_end ? type_end : str_end);
			if (total <= left && total <= KB_BTF_MAX && kb_btf_valid(q, total)) {
				*btf = q;
				*len = (size_t)total;
				return 0;
			}
			q++;
		}
	}
	return -KB_ENOTFOUND;
}

/* The .BTF section of the ELF p. -KB_ENOTFOUND when it has none. */
static int kb_btf_elf(unsigned char *p, size_t n, const char *name, const unsigned char **btf,
		      size_t *len)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int err = -KB_EPARSE;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)p, n);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx)) {
		kb_error("%s: not a readable ELF file: %s", name, elf_errmsg(-1));
		goto out;
	}
	err = -KB_ENOTFOUND;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *sn;

		if (!gelf_getshdr(scn, &sh) || !(sn = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (strcmp(sn, ".BTF"))
			continue;
		if (sh.sh_type == SHT_NOBITS || sh.sh_offset > n || sh.sh_size > n - sh.sh_offset ||
		    sh.sh_size > KB_BTF_MAX) {
			kb_error("%s: its .BTF section lies outside the file", name);
			err = -KB_EPARSE;
			goto out;
		}
		*btf = p + sh.sh_offset;
		*len = (size_t)sh.sh_size;
		err = 0;
		break;
	}
	if (err)
		kb_error("%s: the kernel has no .BTF section (built without "
			 "CONFIG_DEBUG_INFO_BTF)", name);
out:
	if (elf)
		elf_end(elf);
	return err;
}

int kb_btf_from_kernel(const void *img, size_t len, const char *name, void **btf,
		       size_t *btflen)
{
	unsigned char *raw = NULL;
	const unsigned char *p = img, *b = NULL;
	size_t n = len, blen = 0;
	int err;

	if (n < 4 || memcmp(p, "\177ELF", 4)) {
		err = kb_kimage_decompress(img, len, KB_BTF_VMLINUX_MAX, (void **)&raw, &n);
		if (err == -KB_ENOTFOUND) {	/* not compressed: an Image as it is */
			n = len;
		} else if (err) {
			kb_error("%s: the kernel in it cannot be decompressed: %s", name,
				 err == -KB_ELIMIT ? "larger than 512 MiB" : "truncated or malformed");
			goto out;
		} else {
			p = raw;
		}
	}
	if (n >= 4 && !memcmp(p, "\177ELF", 4)) {
		/* libelf reads the buffer in place; it is ours or the caller's copy */
		if (!raw) {
			raw = kb_xmalloc(n);
			memcpy(raw, img, n);
		}
		err = kb_btf_elf(raw, n, name, &b, &blen);
	} else {
		err = kb_btf_scan(p, n, &b, &blen);
		if (err)
			kb_error("%s: no BTF in this kernel image (built without "
				 "CONFIG_DEBUG_INFO_BTF, or compressed by a method libarchive "
				 "does not read)", name);
	}
	if (err)
		goto out;
	if (!kb_btf_valid(b, blen)) {
		kb_error("%s: its .BTF section is not BTF that libbpf reads", name);
		err = -KB_EPARSE;
		goto out;
	}
	*btf = kb_xmalloc(blen);
	memcpy(*btf, b, blen);
	*btflen = blen;
out:
	free(raw);
	return err;
}

int kb_btf_extract_file(const char *vmlinuz, const char *out)
{
	char *img = NULL;
	void *btf = NULL;
	size_t len = 0, blen = 0;
	int err = kb_file_read(vmlinuz, KB_BTF_VMLINUX_MAX, &img, &len);

	if (err) {
		kb_error("%s: %s", vmlinuz, kb_strerror(err));
		goto out;
	}
	err = kb_btf_from_kernel(img, len, vmlinuz, &btf, &blen);
	if (err)
		goto out;
	err = kb_file_write_atomic(out, btf, blen);
	if (err)
		kb_error("%s: %s", out, kb_strerror(err));
out:
	free(img);
	free(btf);
	return err;
}
