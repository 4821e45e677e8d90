/* test_vm.c — unit tests for vm/: the console result parser and how its
 * lines become verdicts (timeout, panic, taint), the JSON and JUnit report
 * writers, the critical-check gate and its config file, the generated
 * /init, the .modinfo and .comment readers, kernel member names, build error lines. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "lib/error.h"
#include "lib/file.h"
#include "vm/arch_vm.h"
#include "vm/initramfs.h"
#include "vm/kernel.h"
#include "vm/modbuild.h"
#include "vm/modinfo.h"
#include "vm/report.h"
#include "vm/report_read.h"
#include "vm/result.h"
#include "vm/vmtest.h"

/* A kernel with units a and b whose builds passed. */
static void kernel_init(struct kb_vm_kernel *k)
{
	memset(k, 0, sizeof(*k));
	k->id = kb_xstrdup("0123456789abcdef");
	k->distro = kb_xstrdup("debian");
	k->release = kb_xstrdup("6.1.0-56-amd64");
	k->accel = kb_xstrdup("tcg");
	k->units = kb_xcalloc(2, sizeof(*k->units));
	k->nunits = 2;
	k->units[0].name = kb_xstrdup("a");
	k->units[1].name = kb_xstrdup("b");
	for (int i = 0; i < 2; i++) {
		k->units[i].chk[KB_CHK_BUILD].st = KB_ST_PASS;
		k->units[i].chk[KB_CHK_VERMAGIC].st = KB_ST_PASS;
		k->units[i].kos = kb_xcalloc(1, sizeof(char *));
		k->units[i].kos[0] = kb_xasprintf("/x/%s.ko", k->units[i].name);
		k->units[i].nkos = 1;
	}
}

#define NONCE "00112233445566778899aabbccddeeff"

/* log with each line that starts with "KB" authenticated as /init does it;
 * a line that starts with '!' goes as it is, without the '!' (a forgery). */
static char *authed(const char *log)
{
	char *out = kb_xstrdup(""), *t;
	const char *l = log;

	while (*l) {
		size_t n = strcspn(l, "\n");

		bool raw = l[0] == '!';

		t = kb_xasprintf("%s%s%.*s%s", out, !strncmp(l, "KB", 2) ? "KBV " NONCE " " : "",
				 (int)(n - raw), l + raw, l[n] ? "\n" : "");
		free(out);
		out = t;
		l += n + (l[n] == '\n');
	}
	return out;
}

/* The results on the console (a kernel without the port) or on the port
 * with console beside it. */
static void apply_ch(struct kb_vm_kernel *k, const char *result, const char *console,
		     bool timed_out)
{
	struct kb_vm_channel ch = { .nonce = NONCE };
	struct kb_vm_parsed p;
	char *r = result ? authed(result) : NULL, *c = console ? authed(console) : NULL;

	ch.result = r;
	ch.result_len = r ? strlen(r) : 0;
	ch.console = c;
	ch.console_len = c ? strlen(c) : 0;
	assert_int_equal(kb_vm_result_parse(&ch, &p), 0);
	kb_vm_kernel_apply(k, &p, timed_out, 30);
	kb_vm_parsed_free(&p);
	free(r);
	free(c);
}

static void apply(struct kb_vm_kernel *k, const char *log, bool timed_out)
{
	apply_ch(k, NULL, log, timed_out);
}

static const char kb_good_log[] =
	"SeaBIOS junk \x1b[2J\r\n"
	"KBUNDLE-RESULT-BEGIN\r\n"
	"KBK 6.1.0-56-amd64 0\r\n"
	"KBS a insmod\r\n"
	"KBR a insmod pass\r\n"
	"KBR a loaded pass\r\n"
	"KBR a selftest skip\r\n"
	"KBR a rmmod pass\r\n"
	"[    2.1] some kernel line in between\r\n"
	"KBR a oops pass\r\n"
	"KBR a warning pass\r\n"
	"KBR a taint pass 12288\r\n"
	"KBS b insmod\r\n"
	"KBR b insmod fail\r\n"
	"KBD b insmod insmod: can't insert '/m/b/b.ko': invalid module format\r\n"
	"KBD b insmod [ 3.9] b: disagrees about version of symbol module_layout\r\n"
	"KBR b loaded skip\r\nKBR b selftest skip\r\nKBR b rmmod skip\r\n"
	"KBR b oops pass\r\nKBR b warning pass\r\n"
	"KBR b taint fail 640\r\n"
	"KBUNDLE-RESULT-END\r\n"
	"[    3.0] reboot: Power down\r\n";

static void test_console_parse(void **state)
{
	struct kb_vm_kernel k;
	bool crit[KB_CHK_N];
	char *why;

	(void)state;
	kernel_init(&k);
	apply(&k, kb_good_log, false);
	assert_string_equal(k.guest_release, "6.1.0-56-amd64");
	for (int c = 0; c < KB_CHK_N; c++)
		crit[c] = true;
	assert_int_equal(k.units[0].chk[KB_CHK_BOOT].st, KB_ST_PASS);
	assert_int_equal(k.units[0].chk[KB_CHK_SELFTEST].st, KB_ST_SKIP);
	assert_true(kb_vm_unit_passed(&k.units[0], crit));
	assert_int_equal(k.units[1].chk[KB_CHK_INSMOD].st, KB_ST_FAIL);
	assert_int_equal(k.units[1].chk[KB_CHK_OOPS].st, KB_ST_PASS);
	assert_non_null(strstr(k.units[1].chk[KB_CHK_INSMOD].detail,
			       "disagrees about version of symbol module_layout"));
	/* 640 = D (died, 128) + W (warning, 512); O and E would be fine. */
	assert_int_equal(k.units[1].chk[KB_CHK_TAINT].st, KB_ST_FAIL);
	assert_non_null(strstr(k.units[1].chk[KB_CHK_TAINT].detail, "tainted DW"));
	assert_false(kb_vm_unit_passed(&k.units[1], crit));
	why = kb_vm_unit_why(&k.units[1], crit);
	assert_string_equal(why, "insmod: insmod: can't insert '/m/b/b.ko': invalid module format");
	free(why);
	/* The gate: non-critical failures do not fail the unit. */
	crit[KB_CHK_INSMOD] = crit[KB_CHK_TAINT] = false;
	assert_true(kb_vm_unit_passed(&k.units[1], crit));
	kb_vm_kernel_free(&k);
}

static void test_console_timeout(void **state)
{
	struct kb_vm_kernel k;

	(void)state;
	kernel_init(&k);
	apply(&k, "KBUNDLE-RESULT-BEGIN\nKBK 6.1.0-56-amd64 0\nKBS a insmod\nKBR a insmod pass\n"
		  "KBR a loaded pass\nKBR a selftest pass\nKBR a rmmod pass\nKBR a oops pass\n"
		  "KBR a warning pass\nKBR a taint pass 0\nKBS b insmod\n", true);
	/* a finished before the hang: its boot passed */
	assert_int_equal(k.units[0].chk[KB_CHK_BOOT].st, KB_ST_PASS);
	assert_int_equal(k.units[1].chk[KB_CHK_BOOT].st, KB_ST_FAIL);
	assert_non_null(strstr(k.units[1].chk[KB_CHK_BOOT].detail,
			       "timeout: no result after 30 s; the guest was still running insmod of b"));
	assert_int_equal(k.units[1].chk[KB_CHK_INSMOD].st, KB_ST_FAIL);
	assert_int_equal(k.units[1].chk[KB_CHK_RMMOD].st, KB_ST_SKIP);
	kb_vm_kernel_free(&k);

	/* No marker at all: the kernel never reached /init. */
	kernel_init(&k);
	apply(&k, "Booting from ROM..\n", true);
	assert_non_null(strstr(k.units[0].chk[KB_CHK_BOOT].detail, "did not reach the test script"));
	kb_vm_kernel_free(&k);
}

static void test_console_panic(void **state)
{
	struct kb_vm_kernel k;

	(void)state;
	kernel_init(&k);
	apply(&k, "KBUNDLE-RESULT-BEGIN\nKBS a insmod\n[ 1.0] BUG: unable to handle page fault\n"
		  "[ 1.1] RIP: 0010:a_init+0x5/0x10 [a]\n"
		  "[ 1.2] Kernel panic - not syncing: Fatal exception\n", false);
	assert_int_equal(k.units[0].chk[KB_CHK_BOOT].st, KB_ST_FAIL);
	assert_non_null(strstr(k.units[0].chk[KB_CHK_BOOT].detail, "kernel panic:"));
	assert_non_null(strstr(k.units[0].chk[KB_CHK_BOOT].detail, "RIP: 0010:a_init"));
	assert_non_null(strstr(k.units[0].chk[KB_CHK_BOOT].detail, "not syncing: Fatal exception"));
	kb_vm_kernel_free(&k);
}

/* Unit a's whole run, as /init writes it; b did not build. */
static const char kb_a_log[] =
	"KBUNDLE-RESULT-BEGIN\nKBK 6.1.0-56-amd64 0\nKBS a insmod\nKBR a insmod pass\n"
	"KBR a loaded pass\nKBR a selftest fail\nKBD a selftest it broke\nKBR a rmmod pass\n"
	"KBS a scan\nKBR a oops pass\nKBR a warning pass\nKBR a taint pass 12288\n";

static void forged_case(const char *result, const char *console, const char *want)
{
	struct kb_vm_kernel k;
	const char *d;

	kernel_init(&k);
	k.units[1].chk[KB_CHK_BUILD].st = KB_ST_FAIL;
	apply_ch(&k, result, console, false);
	d = k.units[0].chk[KB_CHK_BOOT].detail;
	if (k.units[0].chk[KB_CHK_BOOT].st != KB_ST_FAIL || !d ||
	    !strstr(d, "forged or unexpected result line") || !strstr(d, want))
		fail_msg("want a forgery naming '%s'; boot %s: %s", want,
			 kb_vm_status_name(k.units[0].chk[KB_CHK_BOOT].st), d ? d : "-");
	kb_vm_kernel_free(&k);
}

/* Issue 12: nothing but /init, with the boot's nonce, can write a verdict. */
static void test_console_forged(void **state)
{
	char *log;
	struct kb_vm_kernel k;

	(void)state;
	log = kb_xasprintf("%sKBUNDLE-RESULT-END\n", kb_a_log);
	/* The honest run: selftest fails, the boot passed. */
	kernel_init(&k);
	k.units[1].chk[KB_CHK_BUILD].st = KB_ST_FAIL;
	apply(&k, log, false);
	assert_int_equal(k.units[0].chk[KB_CHK_BOOT].st, KB_ST_PASS);
	assert_int_equal(k.units[0].chk[KB_CHK_SELFTEST].st, KB_ST_FAIL);
	kb_vm_kernel_free(&k);
	kernel_init(&k);	/* the same on the port, the console the kernel's */
	k.units[1].chk[KB_CHK_BUILD].st = KB_ST_FAIL;
	apply_ch(&k, log, "[ 1.0] kbundle: unit a\n[ 1.1] a: hello\n", false);
	assert_int_equal(k.units[0].chk[KB_CHK_BOOT].st, KB_ST_PASS);
	assert_int_equal(k.units[0].chk[KB_CHK_WARNING].st, KB_ST_PASS);
	kb_vm_kernel_free(&k);
	free(log);

	/* check.sh writes the console: pass then END, unauthenticated. */
	log = kb_xasprintf("%s%s", kb_a_log, "KBUNDLE-RESULT-END\n");
	forged_case(NULL, "!KBUNDLE-RESULT-BEGIN\n!KBR a selftest pass\n!KBUNDLE-RESULT-END\n",
		    "KBUNDLE-RESULT-BEGIN");
	/* A raw line among the authenticated ones on the console. */
	forged_case(NULL, "KBUNDLE-RESULT-BEGIN\n\x01" "fake KBR a selftest pass\nKBUNDLE-RESULT-END\n",
		    "\\x01fake KBR a selftest pass");
	/* The same lines from a module on the console, results on the port. */
	forged_case(log, "[ 1.0] kbundle: unit a\n!KBR a selftest pass\n", "KBR a selftest pass");
	/* Wrong nonce on the port. */
	forged_case("!KBV 0000 KBUNDLE-RESULT-BEGIN\n", NULL, "KBV 0000");
	free(log);
	/* Duplicate, out of order, unknown unit or check, a second END, a
	 * guest verdict on a host-side check, a unit that was not built. */
	log = kb_xasprintf("%sKBR a taint pass 12288\nKBUNDLE-RESULT-END\n", kb_a_log);
	forged_case(NULL, log, "KBR a taint pass");
	free(log);
	forged_case(NULL, "KBUNDLE-RESULT-BEGIN\nKBR a oops pass\nKBR a insmod pass\n"
		    "KBUNDLE-RESULT-END\n", "KBR a insmod pass");
	forged_case(NULL, "KBUNDLE-RESULT-BEGIN\nKBR victim insmod pass\nKBUNDLE-RESULT-END\n",
		    "victim");
	forged_case(NULL, "KBUNDLE-RESULT-BEGIN\nKBR a nosuch pass\nKBUNDLE-RESULT-END\n",
		    "nosuch");
	forged_case(NULL, "KBUNDLE-RESULT-BEGIN\nKBR a build pass\nKBUNDLE-RESULT-END\n",
		    "build");
	forged_case(NULL, "KBUNDLE-RESULT-BEGIN\nKBR b insmod pass\nKBUNDLE-RESULT-END\n",
		    "KBR b insmod");
	log = kb_xasprintf("%sKBUNDLE-RESULT-END\nKBUNDLE-RESULT-END\n", kb_a_log);
	forged_case(NULL, log, "KBUNDLE-RESULT-END");
	free(log);
	forged_case(NULL, "KBUNDLE-RESULT-BEGIN\nKBK x 0\nKBK y 0\nKBUNDLE-RESULT-END\n", "KBK y");
}

/* With the port, the host's own reading of the console overrules the guest. */
static void test_console_host_scan(void **state)
{
	struct kb_vm_kernel k;
	char *log = kb_xasprintf("%sKBUNDLE-RESULT-END\n", kb_a_log);

	(void)state;
	kernel_init(&k);
	k.units[1].chk[KB_CHK_BUILD].st = KB_ST_FAIL;
	apply_ch(&k, log, "[ 0.5] WARNING: at boot, before any unit\n[ 1.0] kbundle: unit a\n"
		 "[ 1.1] WARNING: CPU: 0 PID: 70 at a_init+0x5/0x10 [a]\n"
		 "[ 1.2] BUG: kernel NULL pointer dereference\n", false);
	assert_int_equal(k.units[0].chk[KB_CHK_BOOT].st, KB_ST_PASS);
	assert_int_equal(k.units[0].chk[KB_CHK_WARNING].st, KB_ST_FAIL);
	assert_non_null(strstr(k.units[0].chk[KB_CHK_WARNING].detail, "a_init+0x5"));
	assert_int_equal(k.units[0].chk[KB_CHK_OOPS].st, KB_ST_FAIL);
	assert_non_null(strstr(k.units[0].chk[KB_CHK_OOPS].detail, "seen by the host"));
	kb_vm_kernel_free(&k);
	free(log);
}

static void test_taint_letters(void **state)
{
	char buf[32];

	(void)state;
	kb_vm_taint_letters(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	kb_vm_taint_letters((1u << 12) | (1u << 13) | (1u << 7), buf, sizeof(buf));
	assert_string_equal(buf, "DOE");
}

static void test_text_clean(void **state)
{
	const char in[] = "ok \xc3\xa9 \x1b[2J bad \xff\xfe tab\there\r\nend";
	char *out;

	(void)state;
	out = kb_vm_text_clean(in, sizeof(in) - 1);
	assert_string_equal(out, "ok \xc3\xa9 [2J bad \xef\xbf\xbd\xef\xbf\xbd tab\there\nend");
	free(out);
}

static struct kb_vm_run *run_new(void)
{
	struct kb_vm_run *r = kb_xcalloc(1, sizeof(*r));

	r->kernels = kb_xcalloc(1, sizeof(*r->kernels));
	r->nkernels = 1;
	kernel_init(&r->kernels[0]);
	apply(&r->kernels[0], kb_good_log, false);
	r->kernels[0].console = kb_xstrdup("console \x01\xff <&> ]]> text\n");
	for (int c = 0; c < KB_CHK_N; c++)
		r->critical[c] = true;
	strcpy(r->started, "2026-11-24T00:00:00Z");
	r->seconds = 4.5;
	return r;
}

static void run_free(struct kb_vm_run *r)
{
	kb_vm_kernel_free(&r->kernels[0]);
	free(r->kernels);
	free(r);
}

static void test_report_json(void **state)
{
	struct kb_vm_run *r = run_new();
	size_t len = 0;
	int err = -1;
	char *j;

	(void)state;
	j = kb_vm_report_json(r, &len, &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(j, "\"format\": \"kbundle-vmtest 1\""));
	assert_non_null(strstr(j, "\"passed\": false"));
	assert_non_null(strstr(j, "\"name\": \"b\""));
	assert_non_null(strstr(j, "disagrees about version of symbol module_layout"));
	assert_non_null(strstr(j, "\"why\": \"insmod: insmod: can't insert"));
	assert_true(kb_vm_run_passed(r) == false);
	free(j);
	r->critical[KB_CHK_INSMOD] = r->critical[KB_CHK_TAINT] = false;
	assert_true(kb_vm_run_passed(r));
	run_free(r);
}

/* A report read back renders the same JSON; merged reports keep every
 * kernel once; overlaps, other critical checks and bad input are refused. */
static void test_report_read_merge(void **state)
{
	struct kb_vm_run *r = run_new(), back, all = { 0 }, two;
	static const char *const bad[] = {
		"", "[]", "{\"format\": \"kbundle-vmtest 2\"}",
		"{\"format\": \"kbundle-vmtest 1\", \"critical\": [\"nope\"], \"kernels\": []}",
		"{\"format\": \"kbundle-vmtest 1\", \"critical\": [], \"kernels\": [{\"release\": \"r\"}]}",
		"{\"format\": \"kbundle-vmtest 1\", \"critical\": [], \"kernels\": [{\"id\": \"i\", "
		"\"release\": \"r\", \"modules\": [{\"name\": \"m\", \"checks\": {\"insmod\": "
		"{\"status\": \"maybe\"}}}]}]}",
	};
	size_t len = 0, len2 = 0;
	int err = -1;
	char *j, *j2;

	(void)state;
	j = kb_vm_report_json(r, &len, &err);
	assert_int_equal(err, 0);
	assert_int_equal(kb_vm_report_parse(j, len, "a.json", &back), 0);
	j2 = kb_vm_report_json(&back, &len2, &err);
	assert_string_equal(j, j2);
	free(j2);
	assert_int_equal(kb_vm_run_merge(&all, &back, "a.json"), 0);
	assert_int_equal(kb_vm_report_parse(j, len, "b.json", &two), 0);
	assert_int_equal(kb_vm_run_merge(&all, &two, "b.json"), -KB_EUSAGE);	/* the same kernel */
	free(two.kernels[0].id);
	two.kernels[0].id = kb_xstrdup("another");
	two.critical[KB_CHK_WARNING] = false;
	assert_int_equal(kb_vm_run_merge(&all, &two, "b.json"), -KB_EUSAGE);	/* other --critical */
	two.critical[KB_CHK_WARNING] = true;
	assert_int_equal(kb_vm_run_merge(&all, &two, "b.json"), 0);
	assert_int_equal(all.nkernels, 2);
	assert_false(kb_vm_run_passed(&all));
	kb_vm_run_free(&two);
	kb_vm_run_free(&all);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kb_vm_report_parse(bad[i], strlen(bad[i]), "bad.json", &back),
				 -KB_EPARSE);
	free(j);
	run_free(r);
}

static void test_report_junit(void **state)
{
	struct kb_vm_run *r = run_new();
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr o;
	xmlDocPtr doc;
	size_t len = 0;
	int err = -1;
	char *x;

	(void)state;
	x = kb_vm_report_junit(r, &len, &err);
	assert_int_equal(err, 0);
	doc = xmlReadMemory(x, (int)len, "junit.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
	assert_non_null(doc);	/* well-formed despite the console's bytes */
	ctx = xmlXPathNewContext(doc);
	o = xmlXPathEvalExpression(BAD_CAST "//testsuite[@name='debian 6.1.0-56-amd64']/testcase", ctx);
	assert_int_equal(o->nodesetval ? o->nodesetval->nodeNr : 0, 2);
	xmlXPathFreeObject(o);
	o = xmlXPathEvalExpression(BAD_CAST "//testcase[@name='b']/failure[starts-with(@message,'insmod:')]", ctx);
	assert_int_equal(o->nodesetval ? o->nodesetval->nodeNr : 0, 1);
	xmlXPathFreeObject(o);
	o = xmlXPathEvalExpression(BAD_CAST "//testcase[@name='b']/system-out", ctx);
	assert_int_equal(o->nodesetval ? o->nodesetval->nodeNr : 0, 1);
	xmlXPathFreeObject(o);
	o = xmlXPathEvalExpression(BAD_CAST "//testcase[@name='a']/*", ctx);
	assert_int_equal(o->nodesetval ? o->nodesetval->nodeNr : 0, 0);
	xmlXPathFreeObject(o);
	o = xmlXPathEvalExpression(BAD_CAST "/testsuites[@tests='2'][@failures='1']", ctx);
	assert_int_equal(o->nodesetval ? o->nodesetval->nodeNr : 0, 1);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(x);
	run_free(r);
}

static void test_init_script(void **state)
{
	struct kb_vm_kernel k;
	char *s;

	(void)state;
	kernel_init(&k);
	k.units[1].chk[KB_CHK_BUILD].st = KB_ST_FAIL;	/* not loaded */
	free(k.units[0].kos[0]);
	k.units[0].kos[0] = kb_xstrdup("/x/my-mod.ko");
	s = kb_vm_init_script(&k);
	assert_non_null(strstr(s, "insmod /m/a/my-mod.ko"));
	assert_non_null(strstr(s, "grep -q '^my_mod ' /proc/modules"));
	assert_non_null(strstr(s, "rmmod my_mod"));
	assert_null(strstr(s, "/m/b/"));
	assert_non_null(strstr(s, "KBUNDLE-RESULT-END\npoweroff -f"));
	free(s);
	kb_vm_kernel_free(&k);
}

/* A minimal ELF64 with one section called name. */
static size_t make_elf(unsigned char *b, size_t cap, const char *name, const char *data,
		       size_t milen)
{
	char shstr[64];
	size_t nlen = strlen(name), slen = nlen + 12;
	size_t mi_off = 64, str_off = mi_off + milen, sh_off = (str_off + slen + 7) & ~7u;
	unsigned char *sh;

	assert_true(nlen + 12 <= sizeof(shstr));
	shstr[0] = '\0';
	memcpy(shstr + 1, name, nlen + 1);
	memcpy(shstr + nlen + 2, ".shstrtab", 10);
	assert_true(sh_off + 3 * 64 <= cap);
	memset(b, 0, cap);
	memcpy(b, "\177ELF\2\1\1", 7);
	b[16] = 1;	/* ET_REL */
	b[18] = 62;
	memcpy(b + 40, &sh_off, 8);
	b[58] = 64;	/* shentsize */
	b[60] = 3;	/* shnum */
	b[62] = 2;	/* shstrndx */
	memcpy(b + mi_off, data, milen);
	memcpy(b + str_off, shstr, slen);
	sh = b + sh_off + 64;	/* section 1: name */
	sh[0] = 1;
	memcpy(sh + 24, &mi_off, 8);
	memcpy(sh + 32, &milen, 8);
	sh += 64;		/* section 2: .shstrtab */
	sh[0] = (unsigned char)(nlen + 2);
	memcpy(sh + 24, &str_off, 8);
	memcpy(sh + 32, &slen, 8);
	return sh_off + 3 * 64;
}

static size_t make_ko(unsigned char *b, size_t cap, const char *modinfo, size_t milen)
{
	return make_elf(b, cap, ".modinfo", modinfo, milen);
}

/* .comment: the compilers' strings, one a line; none is -KB_ENOTFOUND. */
static void test_comment(void **state)
{
	static const char cm[] = "\0GCC: (Debian 14.2.0-19) 14.2.0\0GCC: (Debian 14.2.0-19) 14.2.0 x\0";
	unsigned char b[1024];
	size_t n = make_elf(b, sizeof(b), ".comment", cm, sizeof(cm));
	char *v = NULL;

	(void)state;
	assert_int_equal(kb_vm_comment_mem(b, n, &v), 0);
	assert_string_equal(v, "GCC: (Debian 14.2.0-19) 14.2.0\nGCC: (Debian 14.2.0-19) 14.2.0 x");
	free(v);
	n = make_ko(b, sizeof(b), "license=GPL", 12);
	assert_int_equal(kb_vm_comment_mem(b, n, &v), -KB_ENOTFOUND);
	for (size_t cut = 0; cut < n; cut += 5)
		assert_true(kb_vm_comment_mem(b, cut, &v) != 0 || (free(v), 1));
}

static void test_modinfo(void **state)
{
	static const char mi[] = "license=GPL\0vermagic=6.1.0-56-amd64 SMP preempt mod_unload \0name=x";
	unsigned char b[1024];
	size_t n = make_ko(b, sizeof(b), mi, sizeof(mi));
	char *v = NULL;

	(void)state;
	assert_int_equal(kb_vm_modinfo_mem(b, n, "vermagic", &v), 0);
	assert_string_equal(v, "6.1.0-56-amd64 SMP preempt mod_unload ");
	free(v);
	assert_int_equal(kb_vm_modinfo_mem(b, n, "name", &v), 0);
	assert_string_equal(v, "x");
	free(v);
	assert_int_equal(kb_vm_modinfo_mem(b, n, "depends", &v), -KB_ENOTFOUND);
	/* Truncated or not ELF: a parse error, never a read past the end. */
	for (size_t cut = 0; cut < n; cut += 7)
		assert_true(kb_vm_modinfo_mem(b, cut, "vermagic", &v) != 0 || (free(v), 1));
	assert_int_equal(kb_vm_modinfo_mem("hello", 5, "vermagic", &v), -KB_EPARSE);
}

static void test_kernel_member(void **state)
{
	void *out = NULL;
	size_t len = 0;
	char junk[4096] = { 0 };

	(void)state;
	assert_true(kb_vm_kernel_member("./boot/vmlinuz-6.1.0-56-amd64", "6.1.0-56-amd64"));
	assert_false(kb_vm_kernel_member("./boot/vmlinuz-6.1.0-56-amd64", "6.1.0-55-amd64"));
	assert_false(kb_vm_kernel_member("./boot/System.map-6.1.0-56-amd64", "6.1.0-56-amd64"));
	assert_true(kb_vm_kernel_member("lib/modules/5.14.0-427.el9.x86_64/vmlinuz",
					"5.14.0-427.el9.x86_64"));
	assert_true(kb_vm_kernel_member("./boot/vmlinuz-6.12.117+deb12-amd64", NULL));
	assert_false(kb_vm_kernel_member("./boot/config-6.12.117+deb12-amd64", NULL));
	/* riscv64's (and ppc64el's) kernel is boot/vmlinux-<release> */
	assert_true(kb_vm_kernel_member("./boot/vmlinux-6.12.118+deb13-riscv64",
					"6.12.118+deb13-riscv64"));
	assert_false(kb_vm_kernel_member("./usr/lib/debug/boot/vmlinux-6.12.118+deb13-riscv64",
					 NULL));
	assert_int_equal(kb_vm_kernel_unpack_pvh(junk, sizeof(junk), &out, &len), -KB_EPARSE);
}

/* The VM table: any spelling finds a row, each row's QEMU is its own. */
static void test_arch_vm(void **state)
{
	const struct kb_vm_arch *a;

	(void)state;
	a = kb_vm_arch_find("aarch64");
	assert_non_null(a);
	assert_ptr_equal(a, kb_vm_arch_find("arm64"));
	assert_string_equal(a->qemu, "qemu-system-aarch64");
	assert_non_null(strstr(a->append, "console=ttyAMA0"));
	assert_false(a->pvh);
	a = kb_vm_arch_find("riscv64");
	assert_non_null(a);
	assert_string_equal(a->bios, "default");
	assert_ptr_equal(kb_vm_arch_find("x86_64"), kb_vm_arch_find("amd64"));
	assert_true(kb_vm_arch_find("amd64")->pvh);
	assert_null(kb_vm_arch_find("mips64el"));	/* no row: not bootable */
	assert_null(kb_vm_arch_find("vax"));
	assert_null(kb_vm_arch_find(NULL));
	a = kb_vm_arch_find("ppc64le");	/* the kernel's spelling */
	assert_non_null(a);
	assert_string_equal(a->qemu, "qemu-system-ppc64");
	assert_string_equal(a->cpu, "power9");
	a = kb_vm_arch_find("s390x");
	assert_non_null(a);
	assert_string_equal(a->machine, "s390-ccw-virtio");
	assert_string_equal(a->serial, "virtio-serial-ccw");	/* no PCI console bus */
	assert_string_equal(kb_vm_arch_names(), "amd64, arm64, riscv64, ppc64el, s390x");
}

static void test_build_errors(void **state)
{
	char *e;

	(void)state;
	e = kb_vm_build_errors("  CC [M]  /m/x.o\n/m/x.c:2:41: error: 'y' undeclared\n"
			       "make[2]: *** [x.o] Error 1\nmake: leaving\n", 20);
	assert_string_equal(e, "/m/x.c:2:41: error: 'y' undeclared\nmake[2]: *** [x.o] Error 1");
	free(e);
	e = kb_vm_build_errors("a\nb\nc\n", 2);
	assert_string_equal(e, "b\nc\n");
	free(e);
}

static void test_config(void **state)
{
	char path[] = "/tmp/kb-vm-config.XXXXXX";
	struct kb_vmtest_opts o;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	kb_vmtest_opts_init(&o);
	assert_int_equal(kb_file_write_atomic(path, "non_critical: [warning, taint]\ntimeout: 40\n", 43), 0);
	assert_int_equal(kb_vmtest_config_load(path, &o), 0);
	assert_false(o.critical[KB_CHK_WARNING]);
	assert_false(o.critical[KB_CHK_TAINT]);
	assert_true(o.critical[KB_CHK_OOPS]);
	assert_int_equal(o.timeout_s, 40);
	kb_vmtest_opts_init(&o);
	assert_int_equal(kb_file_write_atomic(path, "critical: [build]\n", 18), 0);
	assert_int_equal(kb_vmtest_config_load(path, &o), 0);
	assert_true(o.critical[KB_CHK_BUILD]);
	assert_false(o.critical[KB_CHK_INSMOD]);
	assert_int_equal(kb_file_write_atomic(path, "critical: [nosuch]\n", 19), 0);
	assert_int_equal(kb_vmtest_config_load(path, &o), -KB_EUSAGE);
	assert_int_equal(kb_file_write_atomic(path, "timeouts: 4\n", 12), 0);
	assert_int_equal(kb_vmtest_config_load(path, &o), -KB_EUSAGE);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_console_parse),	cmocka_unit_test(test_console_timeout),
		cmocka_unit_test(test_console_panic),	cmocka_unit_test(test_console_forged),
		cmocka_unit_test(test_console_host_scan),	cmocka_unit_test(test_taint_letters),
		cmocka_unit_test(test_text_clean),	cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_report_junit),
		cmocka_unit_test(test_report_read_merge),	cmocka_unit_test(test_init_script),
		cmocka_unit_test(test_modinfo),		cmocka_unit_test(test_kernel_member),
		cmocka_unit_test(test_comment),		cmocka_unit_test(test_arch_vm),
		cmocka_unit_test(test_build_errors),	cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
