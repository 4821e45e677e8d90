/* primary_parse.c — benchmark the streaming primary.xml parser.
 *
 * Generates a primary.xml of 60,000 packages shaped like Fedora's (summary,
 * description, provides, requires, files; 120 of them kernel packages) and
 * parses it with kb_primary_parse, beside `xmllint --stream --noout` on the
 * same file in the same run. Each side runs in its own child process (this
 * binary re-executed), so its peak RSS is its own. Prints MB/s, peak memory
 * and the ratio to xmllint. Targets: within 2x xmllint's time, < 32 MB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "crawler/recognise_rpm.h"
#include "crawler/rpmmd_primary.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/stream.h"

#define NPKGS 60000
#define RUNS 3

static void gen_package(FILE *f, unsigned i)
{
	static const char *const kern[] = { "kernel-devel", "kernel-core", "kernel-modules-core",
					    "kernel-headers", "kernel-tools", "kernel" };
	char name[64];
	const char *arch = i % 7 ? "x86_64" : "noarch";

	if (i % 500 == 0)
		snprintf(name, sizeof(name), "%s", kern[(i / 500) % 6]);
	else
		snprintf(name, sizeof(name), "package%u-%s", i, i % 3 ? "libs" : "devel");
	fprintf(f, "<package type=\"rpm\">\n  <name>%s</name>\n  <arch>%s</arch>\n"
		   "  <version epoch=\"0\" ver=\"%u.%u.%u\" rel=\"%u.fc41\"/>\n"
		   "  <checksum type=\"sha256\" pkgid=\"YES\">%064x</checksum>\n"
		   "  <summary>The %s library and tools for doing useful things</summary>\n"
		   "  <description>%s provides a library and a set of command line tools. It is "
		   "used by many other packages in the distribution and has been maintained for "
		   "a long time; this description is about as long as a typical Fedora one, with "
		   "a second sentence &amp; an escaped character or two &lt;like this&gt;.</description>\n"
		   "  <packager>Fedora Project</packager>\n  <url>https://example.org/%s</url>\n"
		   "  <time file=\"1730000000\" build=\"1729990000\"/>\n"
		   "  <size package=\"%u\" installed=\"%u\" archive=\"%u\"/>\n"
		   "  <location href=\"Packages/%c/%s-%u.%u.%u-%u.fc41.%s.rpm\"/>\n  <format>\n"
		   "    <rpm:license>MIT AND GPL-2.0-or-later</rpm:license>\n"
		   "    <rpm:vendor>Fedora Project</rpm:vendor>\n    <rpm:group>Unspecified</rpm:group>\n"
		   "    <rpm:buildhost>buildvm-x86-%02u.iad2.fedoraproject.org</rpm:buildhost>\n"
		   "    <rpm:sourcerpm>%s-%u.%u.%u-%u.fc41.src.rpm</rpm:sourcerpm>\n"
		   "    <rpm:header-range start=\"4504\" end=\"%u\"/>\n    <rpm:provides>\n"
		   "      <rpm:entry name=\"%s\" flags=\"EQ\" epoch=\"0\" ver=\"%u.%u.%u\" rel=\"%u.fc41\"/>\n"
		   "      <rpm:entry name=\"%s(x86-64)\" flags=\"EQ\" epoch=\"0\" ver=\"%u.%u.%u\" rel=\"%u.fc41\"/>\n"
		   "      <rpm:entry name=\"lib%u.so.1()(64bit)\"/>\n"
		   "%s    </rpm:provides>\n    <rpm:requires>\n"
		   "      <rpm:entry name=\"libc.so.6(GLIBC_2.34)(64bit)\"/>\n"
		   "      <rpm:entry name=\"libc.so.6()(64bit)\"/>\n"
		   "      <rpm:entry name=\"libz.so.1()(64bit)\"/>\n"
		   "      <rpm:entry name=\"rtld(GNU_HASH)\"/>\n"
		   "      <rpm:entry name=\"/bin/sh\" pre=\"1\"/>\n"
		   "      <rpm:entry name=\"package%u-libs\" flags=\"EQ\" epoch=\"0\" ver=\"1.2.3\" rel=\"1.fc41\"/>\n"
		   "    </rpm:requires>\n    <file>/usr/bin/tool%u</file>\n"
		   "    <file>/usr/lib64/lib%u.so.1</file>\n    <file type=\"dir\">/etc/tool%u</file>\n"
		   "  </format>\n</package>\n",
		name, arch, i % 9 + 1, i % 31, i % 97, i % 13 + 1, i * 2654435761u, name, name, name,
		10000 + i % 90000, 40000 + i % 400000, 41000 + i % 400000, name[0], name,
		i % 9 + 1, i % 31, i % 97, i % 13 + 1, arch, i % 40, name, i % 9 + 1, i % 31,
		i % 97, i % 13 + 1, 9000 + i % 5000, name, i % 9 + 1, i % 31, i % 97, i % 13 + 1,
		name, i % 9 + 1, i % 31, i % 97, i % 13 + 1, i,
		strncmp(name, "kernel", 6) ? "" :
		"      <rpm:entry name=\"kernel-uname-r\" flags=\"EQ\" epoch=\"0\" ver=\"6.11.5\" rel=\"300.fc41.x86_64\"/>\n",
		i + 1, i, i, i);
}

static int gen(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux."
		   "duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" "
		   "packages=\"%u\">\n", NPKGS);
	for (unsigned i = 0; i < NPKGS; i++)
		gen_package(f, i);
	fputs("</metadata>\n", f);
	return fclose(f) ? -1 : 0;
}

static bool want(const char *name, void *ctx)
{
	enum kb_kind k;

	(void)ctx;
	return kb_rpm_kernel_name(name, NULL, &k);
}

static int count_pkg(const struct kb_rpm_pkginfo *p, void *ctx)
{
	(void)p;
	++*(unsigned *)ctx;
	return 0;
}

static long maxrss_kb(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_maxrss;
}

/* Child: parse the file, print "seconds maxrss_kb". */
static int child_parse(const char *path)
{
	struct kb_stream *s = NULL;
	unsigned kernels = 0;
	uint64_t n = 0;
	double t0 = kb_now();
	int err = kb_stream_open(path, 0, NULL, &s);

	if (!err)
		err = kb_primary_parse(s, path, NULL, want, count_pkg, &kernels, &n);
	kb_stream_close(s);
	if (err || n != NPKGS || !kernels)
		return 1;
	printf("%.4f %ld\n", kb_now() - t0, maxrss_kb(RUSAGE_SELF));
	return 0;
}

/* Child: run xmllint on the file, print "seconds maxrss_kb" of it. */
static int child_xmllint(const char *path)
{
	const char *argv[] = { "xmllint", "--stream", "--noout", path, NULL };
	double t0 = kb_now();

	if (kb_proc_run(argv, NULL, NULL))
		return 1;
	printf("%.4f %ld\n", kb_now() - t0, maxrss_kb(RUSAGE_CHILDREN));
	return 0;
}

static int measure(const char *self, const char *mode, const char *path, double *best, long *rss)
{
	const char *argv[] = { self, mode, path, NULL };
	struct kb_proc_result r = { 0 };

	*best = 1e9;
	*rss = 0;
	for (int i = 0; i < RUNS; i++) {
		double t;
		long m;

		if (kb_proc_run(argv, NULL, &r) || !r.output || sscanf(r.output, "%lf %ld", &t, &m) != 2) {
			fprintf(stderr, "%s %s failed: %s\n", self, mode, r.output ? r.output : "");
			free(r.output);
			return -1;
		}
		free(r.output);
		r.output = NULL;
		*best = t < *best ? t : *best;
		*rss = m > *rss ? m : *rss;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = kb_path_join(tmp, "kb-bench-primary.xml");
	double t_kb, t_xl;
	long m_kb, m_xl;
	uint64_t size = 0;
	char hex[65];
	int rc = 1;

	kb_log_set_level(KB_LOG_ERROR);
	if (argc == 3 && !strcmp(argv[1], "--parse"))
		return child_parse(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--xmllint"))
		return child_xmllint(argv[2]);
	if (gen(path) || kb_sha256_file(path, hex, &size))
		goto out;
	if (measure("/proc/self/exe", "--parse", path, &t_kb, &m_kb) ||
	    measure("/proc/self/exe", "--xmllint", path, &t_xl, &m_xl))
		goto out;
	printf("primary.xml: %u packages, %.1f MB (best of %d)\n", NPKGS, size / 1e6, RUNS);
	printf("  kbundle primary parser: %6.3f s  %7.1f MB/s  peak %6.1f MB\n", t_kb,
	       size / 1e6 / t_kb, m_kb / 1024.0);
	printf("  xmllint --stream:       %6.3f s  %7.1f MB/s  peak %6.1f MB\n", t_xl,
	       size / 1e6 / t_xl, m_xl / 1024.0);
	printf("  ratio time kbundle/xmllint: %.2fx (target <= 2.00x); peak %.1f MB (target < 32)\n",
	       t_kb / t_xl, m_kb / 1024.0);
	rc = t_kb / t_xl <= 2.0 && m_kb < 32 * 1024 ? 0 : 1;
out:
	unlink(path);
	free(path);
	return rc;
}
