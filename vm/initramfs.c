/* initramfs.c — the generated /init and the cpio that carries it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/initramfs.h"

#define KB_VM_FILE_MAX (256u << 20)

/* The guest's helpers. Everything on fd 3 is machine-read: see result.h.
 * First the nonce is read and unlinked, ptrace is switched off for good
 * (Yama mode 3: no process, root or not, can read /init's memory or take
 * its fd), and the private port is opened and kept as fd 3; no tested code
 * has run yet. Without the port the results go to the console, authenticated
 * the same way, and `dmesg -n 1` keeps kernel messages off it so they cannot
 * split our lines. With the port the console is the kernel's: warnings and
 * oopses reach it (`dmesg -n 5`), and the host scans it. The tests also read
 * the log with dmesg. */
static const char kb_vm_init_head[] =
	"#!/bin/sh\n"
	"/bin/busybox --install -s /bin\n"
	"export PATH=/bin\n"
	"mount -t proc proc /proc\n"
	"mount -t sysfs sysfs /sys\n"
	"mount -t devtmpfs devtmpfs /dev\n"
	"read -r N </kbnonce; rm -f /kbnonce\n"
	"echo 3 >/proc/sys/kernel/yama/ptrace_scope 2>/dev/null\n";

/* After the kernel's own port modules, if it has them as modules. */
static const char kb_vm_init_channel[] =
	"ch=\n"
	"for d in /sys/class/virtio-ports/*; do\n"
	"\t[ \"$(cat \"$d/name\" 2>/dev/null)\" = kbundle.result ] && [ -c \"/dev/${d##*/}\" ] &&\n"
	"\t\tch=/dev/${d##*/}\n"
	"done\n"
	"if [ -n \"$ch\" ]; then exec 3>\"$ch\"; dmesg -n 5; else exec 3>/dev/console; dmesg -n 1; fi\n"
	"E() { echo \"KBV $N $*\" >&3; }\n"
	"D() { while IFS= read -r l; do E \"KBD $1 $2 $l\"; done; }\n"
	"scan() {\n"
	"\tdmesg > /tmp/log\n"
	"\tif grep -qE 'Oops|BUG:|Call Trace|general protection fault' /tmp/log; then\n"
	"\t\tE \"KBR $1 oops fail\"; { grep -m 1 -E 'Oops|BUG:|Call Trace|general protection fault' /tmp/log;\n"
	"\t\t  head -n 120 /tmp/log; } | D $1 oops\n"
	"\telse E \"KBR $1 oops pass\"; fi\n"
	"\tif grep -q 'WARNING:' /tmp/log; then\n"
	"\t\tE \"KBR $1 warning fail\"; grep -A 30 'WARNING:' /tmp/log | head -n 80 | D $1 warning\n"
	"\telse E \"KBR $1 warning pass\"; fi\n"
	"\tt=$(cat /proc/sys/kernel/tainted)\n"
	"\tif [ $(( (t & ~base) & ~12288 )) = 0 ]; then E \"KBR $1 taint pass $t\";\n"
	"\telse E \"KBR $1 taint fail $t\"; fi\n"
	"\tbase=$t\n"
	"}\n"
	"E KBUNDLE-RESULT-BEGIN\n"
	"base=$(cat /proc/sys/kernel/tainted)\n"
	"E \"KBK $(uname -r) $base\"\n";

static const char kb_vm_init_tail[] =
	"E KBUNDLE-RESULT-END\n"
	"poweroff -f\n"
	"sleep 5\n";

static const char *kb_vm_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The name the kernel gives a module: the file name without .ko, with
 * dashes as underscores. */
static char *kb_vm_modname(const char *ko)
{
	char *m = kb_xstrdup(kb_vm_base(ko)), *dot = strrchr(m, '.');

	if (dot)
		*dot = '\0';
	for (char *p = m; *p; p++)
		if (*p == '-')
			*p = '_';
	return m;
}

static void kb_vm_cat(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void kb_vm_cat(char **s, const char *fmt, ...)
{
	va_list ap;
	char *add, *n;

	va_start(ap, fmt);
	if (vasprintf(&add, fmt, ap) < 0)
		abort();
	va_end(ap);
	n = kb_xasprintf("%s%s", *s, add);
	free(add);
	free(*s);
	*s = n;
}

static void kb_vm_unit_script(char **s, const struct kb_vm_unit *u)
{
	const char *n = u->name;
	bool check = false;
	char *p;

	if (u->build_dir) {
		p = kb_path_join(u->build_dir, "check.sh");
		check = access(p, R_OK) == 0;
		free(p);
	}
	kb_vm_cat(s, "ok=1\ndmesg -c >/dev/null\necho '<4>kbundle: unit %s' >/dev/kmsg\n"
		     "E \"KBS %s insmod\"\n", n, n);
	/* The kernel's own modules it depends on, first (as modprobe would). */
	for (size_t i = 0; i < u->ndeps; i++)
		kb_vm_cat(s, "if [ $ok = 1 ]; then out=$(insmod /k/%s 2>&1 3>&-); rc=$?; "
			     "if [ $rc != 0 ]; then ok=0; { [ -n \"$out\" ] && echo \"$out\"; "
			     "echo \"insmod %s (a dependency, from the kernel's own package): "
			     "exit status $rc\"; } | D %s insmod; "
			     "dmesg | tail -n 60 | D %s insmod; fi; fi\n",
			  kb_vm_base(u->deps[i]), kb_vm_base(u->deps[i]), n, n);
	for (size_t i = 0; i < u->nkos; i++)
		kb_vm_cat(s, "if [ $ok = 1 ]; then out=$(insmod /m/%s/%s 2>&1 3>&-); rc=$?; "
			     "if [ $rc != 0 ]; then ok=0; { [ -n \"$out\" ] && echo \"$out\"; "
			     "echo \"insmod %s: exit status $rc\"; } | D %s insmod; "
			     "dmesg | tail -n 60 | D %s insmod; fi; fi\n",
			  n, kb_vm_base(u->kos[i]), kb_vm_base(u->kos[i]), n, n);
	kb_vm_cat(s, "if [ $ok = 1 ]; then\nE \"KBR %s insmod pass\"\n"
		     "E \"KBS %s loaded\"; lok=1\n", n, n);
	for (size_t i = 0; i < u->nkos; i++) {
		char *m = kb_vm_modname(u->kos[i]);

		kb_vm_cat(s, "grep -q '^%s ' /proc/modules || { lok=0; "
			     "echo '%s is not in /proc/modules' | D %s loaded; }\n", m, m, n);
		free(m);
	}
	kb_vm_cat(s, "[ $lok = 1 ] && E \"KBR %s loaded pass\" || E \"KBR %s loaded fail\"\n",
		  n, n);
	if (check)
		kb_vm_cat(s, "E \"KBS %s selftest\"\n"
			     "if (cd /m/%s && sh ./check.sh) >/tmp/out 2>&1 3>&-; then "
			     "E \"KBR %s selftest pass\"; else "
			     "E \"KBR %s selftest fail\"; D %s selftest </tmp/out; fi\n",
			  n, n, n, n, n);
	else
		kb_vm_cat(s, "E \"KBR %s selftest skip\"\n", n);
	kb_vm_cat(s, "E \"KBS %s rmmod\"; rok=1\n", n);
	for (size_t i = u->nkos; i-- > 0;) {
		char *m = kb_vm_modname(u->kos[i]);

		kb_vm_cat(s, "if ! out=$(rmmod %s 2>&1 3>&-); then rok=0; echo \"$out\" | D %s rmmod; fi\n",
			  m, n);
		free(m);
	}
	for (size_t i = u->ndeps; i-- > 0;) {
		char *m = kb_vm_modname(u->deps[i]);

		kb_vm_cat(s, "if ! out=$(rmmod %s 2>&1 3>&-); then rok=0; echo \"$out\" | D %s rmmod; fi\n",
			  m, n);
		free(m);
	}
	kb_vm_cat(s, "[ $rok = 1 ] && E \"KBR %s rmmod pass\" || E \"KBR %s rmmod fail\"\n"
		     "else\nE \"KBR %s insmod fail\"\n"
		     "E \"KBR %s loaded skip\"; E \"KBR %s selftest skip\"\n"
		     "E \"KBR %s rmmod skip\"\n", n, n, n, n, n, n);
	/* What did load goes again, so the next unit starts clean. */
	for (size_t i = u->nkos + u->ndeps; i-- > 0;) {
		char *m = kb_vm_modname(i < u->nkos ? u->kos[i] : u->deps[i - u->nkos]);

		kb_vm_cat(s, "rmmod %s >/dev/null 2>&1 3>&-\n", m);
		free(m);
	}
	kb_vm_cat(s, "fi\nE \"KBS %s scan\"\nscan %s\n", n, n);
}

/* A BPF unit: the loader prints its own KBS/KBR/KBD lines (guest/bpfload.c),
 * which /init authenticates; whatever else it says is a detail, and a
 * loader that died before its verdict fails bpf-load. */
static void kb_vm_bpf_script(char **s, const struct kb_vm_unit *u)
{
	const char *n = u->name;

	kb_vm_cat(s, "dmesg -c >/dev/null\necho '<4>kbundle: unit %s' >/dev/kmsg\n"
		     "E \"KBS %s bpf-load\"\n"
		     "/bin/kbundle-bpfload %s /b/%s.o >/tmp/out 2>&1 3>&-; rc=$?\n"
		     "while IFS= read -r l; do case \"$l\" in\n"
		     "\t'KBS %s '*|'KBR %s '*|'KBD %s '*) echo \"KBV $N $l\" >&3;;\n"
		     "\t*) E \"KBD %s bpf-load $l\";; esac; done </tmp/out\n"
		     "if ! grep -q '^KBR %s bpf-load ' /tmp/out; then\n"
		     "\tE \"KBR %s bpf-load fail\"; E \"KBD %s bpf-load kbundle-bpfload died (exit "
		     "status $rc) before its verdict\"\nfi\n"
		     "E \"KBS %s scan\"\nscan %s\n", n, n, n, n, n, n, n, n, n, n, n, n, n);
}

char *kb_vm_init_script(const struct kb_vm_kernel *k)
{
	char *s = kb_xstrdup(kb_vm_init_head), *n;

	/* The kernel's own modules only: nothing under test has run. */
	for (size_t i = 0; k && i < k->nportmods; i++)
		kb_vm_cat(&s, "insmod /c/%s 2>/dev/null\n", kb_vm_base(k->portmods[i]));
	if (k && k->nportmods)
		kb_vm_cat(&s, "%s", "i=0; while [ $i -lt 30 ] && ! ls /sys/class/virtio-ports/*/name "
			  ">/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done\n");
	kb_vm_cat(&s, "%s", kb_vm_init_channel);

	if (k && k->bpfload) {
		kb_vm_cat(&s, "%s", "mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null\n"
			  "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n");
		if (k->no_btf)	/* as a kernel built without BTF looks to libbpf */
			kb_vm_cat(&s, "%s", "mount -t tmpfs -o ro none /sys/kernel/btf\n");
	}
	for (size_t i = 0; k && i < k->nunits; i++)
		if (k->units[i].bpf && k->bpfload && kb_vm_unit_ready(&k->units[i]))
			kb_vm_bpf_script(&s, &k->units[i]);
		else if (!k->units[i].bpf && k->units[i].nkos &&
			 k->units[i].chk[KB_CHK_BUILD].st == KB_ST_PASS)
			kb_vm_unit_script(&s, &k->units[i]);
	n = kb_xasprintf("%s%s", s, kb_vm_init_tail);
	free(s);
	return n;
}

struct kb_vm_cpio {
	struct archive *a;
	struct archive_entry *e;
	unsigned ino;
	const char *path;
	int err;
};

static void kb_vm_cpio_add(struct kb_vm_cpio *c, const char *name, mode_t mode,
			   const void *data, size_t len, const char *link)
{
	if (c->err)
		return;
	archive_entry_clear(c->e);
	archive_entry_set_pathname(c->e, name);
	archive_entry_set_mode(c->e, mode);
	archive_entry_set_ino(c->e, ++c->ino);
	archive_entry_set_nlink(c->e, S_ISDIR(mode) ? 2 : 1);
	if (S_ISCHR(mode))
		archive_entry_set_rdev(c->e, makedev(5, 1));
	if (link)
		archive_entry_set_symlink(c->e, link);
	archive_entry_set_size(c->e, S_ISREG(mode) ? (la_int64_t)len : 0);
	if (archive_write_header(c->a, c->e) != ARCHIVE_OK ||
	    (S_ISREG(mode) && len && archive_write_data(c->a, data, len) != (la_ssize_t)len)) {
		kb_error("%s: %s: %s", c->path, name, archive_error_string(c->a));
		c->err = -EIO;
	}
}

static void kb_vm_cpio_file(struct kb_vm_cpio *c, const char *name, mode_t mode,
			    const char *host)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (c->err)
		return;
	err = kb_file_read(host, KB_VM_FILE_MAX, &buf, &len);
	if (err) {
		kb_error("%s: %s", host, kb_strerror(err));
		c->err = err;
		return;
	}
	kb_vm_cpio_add(c, name, S_IFREG | mode, buf, len, NULL);
	free(buf);
}

/* The kernel's own modules the units need, each once, as k/<name>.ko. */
static void kb_vm_cpio_deps(struct kb_vm_cpio *c, const struct kb_vm_kernel *k)
{
	for (size_t i = 0; k && i < k->nunits; i++) {
		const struct kb_vm_unit *u = &k->units[i];

		if (!u->nkos || u->chk[KB_CHK_BUILD].st != KB_ST_PASS)
			continue;
		for (size_t j = 0; j < u->ndeps; j++) {
			const char *b = kb_vm_base(u->deps[j]);
			bool seen = false;
			char *f;

			for (size_t pi = 0; pi <= i && !seen; pi++) {
				const struct kb_vm_unit *p = &k->units[pi];

				if (!p->nkos || p->chk[KB_CHK_BUILD].st != KB_ST_PASS)
					continue;
				for (size_t pj = 0; pj < (pi == i ? j : p->ndeps) && !seen; pj++)
					seen = !strcmp(kb_vm_base(p->deps[pj]), b);
			}
			if (seen)
				continue;
			f = kb_xasprintf("k/%s", b);
			kb_vm_cpio_file(c, f, 0644, u->deps[j]);
			free(f);
		}
	}
}

int kb_vm_nonce_make(char out[KB_VM_NONCE_LEN + 1])
{
	unsigned char b[KB_VM_NONCE_LEN / 2];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return 0;
}

int kb_vm_initramfs_write(const char *path, const char *busybox, const char *init_script,
			  const char *nonce, const struct kb_vm_kernel *k, bool gzip)
{
	static const char *const dirs[] = { "bin", "dev", "proc", "sys", "tmp", "m" };
	struct kb_atomic_file af = { 0 };
	struct kb_vm_cpio c = { .path = path };
	int err;

	err = kb_atomic_open(&af, path);
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		return err;
	}
	c.a = archive_write_new();
	c.e = archive_entry_new();
	archive_write_set_format_cpio_newc(c.a);
	if (gzip)
		archive_write_add_filter_gzip(c.a);
	archive_write_set_bytes_in_last_block(c.a, 1);
	if (archive_write_open_FILE(c.a, af.f) != ARCHIVE_OK) {
		kb_error("%s: %s", path, archive_error_string(c.a));
		c.err = -EIO;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		kb_vm_cpio_add(&c, dirs[i], S_IFDIR | 0755, NULL, 0, NULL);
	kb_vm_cpio_add(&c, "dev/console", S_IFCHR | 0600, NULL, 0, NULL);
	kb_vm_cpio_file(&c, "bin/busybox", 0755, busybox);
	kb_vm_cpio_add(&c, "bin/sh", S_IFLNK | 0777, NULL, 0, "busybox");
	kb_vm_cpio_add(&c, "init", S_IFREG | 0755, init_script, strlen(init_script), NULL);
	if (nonce)
		kb_vm_cpio_add(&c, "kbnonce", S_IFREG | 0400, nonce, strlen(nonce), NULL);
	if (k && k->bpfload) {
		kb_vm_cpio_file(&c, "bin/kbundle-bpfload", 0755, k->bpfload);
		kb_vm_cpio_add(&c, "b", S_IFDIR | 0755, NULL, 0, NULL);
		for (size_t i = 0; i < k->nunits; i++) {
			char *f;

			if (!k->units[i].bpf || !kb_vm_unit_ready(&k->units[i]))
				continue;
			f = kb_xasprintf("b/%s.o", k->units[i].name);
			kb_vm_cpio_file(&c, f, 0644, k->units[i].bpf_obj);
			free(f);
			if (!k->units[i].bpf_btf)
				continue;
			f = kb_xasprintf("b/%s.btf", k->units[i].name);
			kb_vm_cpio_file(&c, f, 0644, k->units[i].bpf_btf);
			free(f);
		}
	}
	kb_vm_cpio_add(&c, "k", S_IFDIR | 0755, NULL, 0, NULL);
	kb_vm_cpio_deps(&c, k);
	kb_vm_cpio_add(&c, "c", S_IFDIR | 0755, NULL, 0, NULL);
	for (size_t i = 0; k && i < k->nportmods; i++) {
		char *f = kb_xasprintf("c/%s", kb_vm_base(k->portmods[i]));

		kb_vm_cpio_file(&c, f, 0644, k->portmods[i]);
		free(f);
	}
	for (size_t i = 0; k && i < k->nunits; i++) {
		const struct kb_vm_unit *u = &k->units[i];
		char *d, *f, *check;

		if (!u->nkos || u->chk[KB_CHK_BUILD].st != KB_ST_PASS)
			continue;
		d = kb_xasprintf("m/%s", u->name);
		kb_vm_cpio_add(&c, d, S_IFDIR | 0755, NULL, 0, NULL);
		for (size_t j = 0; j < u->nkos; j++) {
			f = kb_xasprintf("%s/%s", d, kb_vm_base(u->kos[j]));
			kb_vm_cpio_file(&c, f, 0644, u->kos[j]);
			free(f);
		}
		check = kb_path_join(u->build_dir, "check.sh");
		if (access(check, R_OK) == 0) {
			f = kb_xasprintf("%s/check.sh", d);
			kb_vm_cpio_file(&c, f, 0755, check);
			free(f);
		}
		free(check);
		free(d);
	}
	if (archive_write_close(c.a) != ARCHIVE_OK && !c.err) {
		kb_error("%s: %s", path, archive_error_string(c.a));
		c.err = -EIO;
	}
	archive_entry_free(c.e);
	archive_write_free(c.a);
	if (c.err) {
		kb_atomic_abort(&af);
		return c.err;
	}
	err = kb_atomic_commit(&af);
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	return err;
}
