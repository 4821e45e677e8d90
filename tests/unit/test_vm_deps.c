/* test_vm_deps.c — unit tests for what vmtest loads and builds: module
 * names and members of the kernel's packages, the kernel-module index
 * format, load order by depends= (modprobe's order, cycles refused), the
 * strict dkms.conf reader (real files' shapes, and what it must refuse),
 * command splitting without a shell, build plans for Kbuild and DKMS
 * trees, the cause-first build error lines, and the guest's load order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/error.h"
#include "lib/file.h"
#include "vm/dkms.h"
#include "vm/initramfs.h"
#include "vm/kmods.h"
#include "vm/modbuild.h"
#include "vm/moddep.h"
#include "vm/modsrc.h"

static void test_kmod_member(void **state)
{
	const enum kb_family apt = KB_FAMILY_APT, rpm = KB_FAMILY_RPMMD;
	char *n;

	(void)state;
	n = kb_vm_kmod_member(apt, "./lib/modules/6.1.0-57-amd64/kernel/drivers/media/v4l2-core/"
			      "videodev.ko", "6.1.0-57-amd64");
	assert_string_equal(n, "videodev");
	free(n);
	n = kb_vm_kmod_member(apt, "./usr/lib/modules/6.12.117+deb12-amd64/kernel/drivers/media/"
			      "common/v4l2-tpg/v4l2-tpg.ko.xz", "6.12.117+deb12-amd64");
	assert_string_equal(n, "v4l2_tpg");
	free(n);
	n = kb_vm_kmod_member(rpm, "lib/modules/5.14.0-427.el9.x86_64/kernel/fs/fat/vfat.ko.zst",
			      "5.14.0-427.el9.x86_64");
	assert_string_equal(n, "vfat");
	free(n);
	/* Debian 7.x's linux-modules-R (usrmerged, .ko.xz) */
	n = kb_vm_kmod_member(apt, "./usr/lib/modules/7.3.4+deb13-amd64/kernel/drivers/media/mc/"
			      "mc.ko.xz", "7.3.4+deb13-amd64");
	assert_string_equal(n, "mc");
	free(n);
	/* another release, not a module, outside the tree, a hostile name */
	assert_null(kb_vm_kmod_member(apt, "./lib/modules/6.1.0-56-amd64/kernel/a.ko",
				      "6.1.0-57-amd64"));
	assert_null(kb_vm_kmod_member(apt, "./lib/modules/6.1.0-57-amd64/modules.order",
				      "6.1.0-57-amd64"));
	assert_null(kb_vm_kmod_member(apt, "./boot/x.ko", "6.1.0-57-amd64"));
	assert_null(kb_vm_kmod_member(apt, "./lib/modules/6.1.0-57-amd64/../../x.ko",
				      "6.1.0-57-amd64"));
	assert_null(kb_vm_kmod_member(rpm, "lib/modules/6.1.0-57-amd64/../x.ko", "6.1.0-57-amd64"));
	assert_null(kb_vm_kmod_member(apt, "./lib/modules/6.1.0-57-amd64/k/$(reboot).ko",
				      "6.1.0-57-amd64"));
	assert_null(kb_vm_kmod_member(apt, "./lib/modules/6.1.0-57-amd64x/k/a.ko",
				      "6.1.0-57-amd64"));
}

static const char index_text[] =
	"#kbundle-kmods 1\n"
	"videodev\tk/videodev.ko\tmc\n"
	"mc\tk/mc.ko\t\n"
	"v4l2_tpg\tk/v4l2-tpg.ko\t\n"
	"videobuf2_v4l2\tk/vb2-v4l2.ko\tvideodev,videobuf2_common,mc\n"
	"videobuf2_common\tk/vb2-common.ko\tmc,videodev\n";

static void test_kmods_parse(void **state)
{
	struct kb_vm_kmods m;
	const struct kb_vm_kmod *k;

	(void)state;
	assert_int_equal(kb_vm_kmods_parse(index_text, strlen(index_text), "t", &m), 0);
	assert_int_equal(m.n, 5);
	assert_string_equal(m.v[0].name, "mc");	/* sorted */
	k = kb_vm_kmods_find(&m, "videodev");
	assert_non_null(k);
	assert_int_equal(k->ndeps, 1);
	assert_string_equal(k->deps[0], "mc");
	assert_null(kb_vm_kmods_find(&m, "nope"));
	kb_vm_kmods_free(&m);
	assert_int_equal(kb_vm_kmods_parse("a b\n", 4, "t", &m), -KB_EPARSE);
	assert_int_equal(kb_vm_kmods_parse("../x\tp\t\n", 8, "t", &m), -KB_EPARSE);
	assert_int_equal(kb_vm_kmods_parse("a\tp\tb\textra\n", 13, "t", &m), -KB_EPARSE);
}

static struct kb_vm_kmod node(const char *name, const char *deps)
{
	struct kb_vm_kmod k = { .name = (char *)name };

	kb_vm_kmod_deps_parse(deps, &k.deps, &k.ndeps);
	return k;
}

static void nodes_free(struct kb_vm_kmod *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < v[i].ndeps; j++)
			free(v[i].deps[j]);
		free(v[i].deps);
	}
}

static void test_moddep_plan(void **state)
{
	struct kb_vm_kmods m;
	struct kb_vm_moddep_plan p;
	/* user needs lib (both the unit's) and videobuf2-v4l2 (the kernel's) */
	struct kb_vm_kmod unit[] = {
		node("user", "lib,videobuf2-v4l2"), node("lib", "videodev"), node("solo", ""),
	};

	(void)state;
	assert_int_equal(kb_vm_kmods_parse(index_text, strlen(index_text), "t", &m), 0);
	assert_int_equal(kb_vm_moddep_plan(unit, 3, &m, &p), 0);
	/* the unit's modules: lib before user */
	assert_int_equal(p.order[0], 1);
	assert_int_equal(p.order[1], 0);
	assert_int_equal(p.order[2], 2);
	/* the kernel's: every module after what it needs, each once */
	assert_int_equal(p.nkdeps, 4);
	assert_string_equal(p.kdeps[0], "mc");
	assert_string_equal(p.kdeps[1], "videodev");
	assert_string_equal(p.kdeps[2], "videobuf2_common");
	assert_string_equal(p.kdeps[3], "videobuf2_v4l2");
	assert_null(p.missing);
	kb_vm_moddep_plan_free(&p);
	nodes_free(unit, 3);

	/* missing names are reported once; cycles are refused */
	struct kb_vm_kmod odd[] = { node("a", "gone,b,gone"), node("b", "gone2") };

	assert_int_equal(kb_vm_moddep_plan(odd, 2, &m, &p), 0);
	assert_string_equal(p.missing, "gone, gone2");
	assert_int_equal(p.order[0], 1);
	kb_vm_moddep_plan_free(&p);
	nodes_free(odd, 2);
	struct kb_vm_kmod cyc[] = { node("a", "b"), node("b", "a") };

	assert_int_equal(kb_vm_moddep_plan(cyc, 2, &m, &p), -KB_EPARSE);
	nodes_free(cyc, 2);
	kb_vm_kmods_free(&m);
}

/* v4l2loopback-dkms 0.12.7 (Debian 12), as shipped. */
static const char v4l2loopback_conf[] =
	"PACKAGE_NAME=\"v4l2loopback\"\n"
	"PACKAGE_VERSION=\"0.12.7\"\n"
	"\n"
	"if [ -f $kernel_source_dir/.config ]; then\n"
	"    . $kernel_source_dir/.config\n"
	"    if ! { echo \"$kernelver\"; echo 5.18; } | sort -V -C; then\n"
	"        # for linux>=5.18, CONFIG_VIDEO_V4L2 has been renamed to CONFIG_VIDEO_DEV\n"
	"        if [ \"${CONFIG_VIDEO_DEV:-n}\" = \"n\" ]; then\n"
	"            BUILD_EXCLUSIVE_KERNEL=\"REQUIRES CONFIG_VIDEO_DEV\"\n"
	"        fi\n"
	"    else\n"
	"        if [ \"${CONFIG_VIDEO_V4L2:-n}\" = \"n\" ]; then\n"
	"            BUILD_EXCLUSIVE_KERNEL=\"REQUIRES CONFIG_VIDEO_V4L2\"\n"
	"        fi\n"
	"    fi\n"
	"fi\n"
	"\n"
	"# Items below here should not have to change with each driver version\n"
	"MAKE[0]=\"make KERNEL_DIR=${kernel_source_dir} all\"\n"
	"CLEAN=\"make clean\"\n"
	"\n"
	"BUILT_MODULE_NAME[0]=\"$PACKAGE_NAME\"\n"
	"DEST_MODULE_LOCATION[0]=\"/extra\"\n"
	"\n"
	"AUTOINSTALL=\"yes\"\n";

static void test_dkms_real(void **state)
{
	const char *env[] = { "kernel_source_dir=/k", "kernelver=6.1.0-57-amd64", NULL };
	struct kb_dkms_conf c;
	char *v, **argv;
	size_t argc;

	(void)state;
	assert_int_equal(kb_dkms_conf_parse(v4l2loopback_conf, strlen(v4l2loopback_conf), "t", &c), 0);
	assert_string_equal(kb_dkms_get(&c, "PACKAGE_NAME", 0), "v4l2loopback");
	assert_null(kb_dkms_get(&c, "BUILD_EXCLUSIVE_KERNEL", 0));	/* skipped, not run */
	assert_int_equal(kb_dkms_count(&c, "BUILT_MODULE_NAME"), 1);
	assert_int_equal(kb_dkms_expand(&c, kb_dkms_get(&c, "BUILT_MODULE_NAME", 0), env, "t", &v), 0);
	assert_string_equal(v, "v4l2loopback");
	free(v);
	assert_int_equal(kb_dkms_expand(&c, kb_dkms_get(&c, "MAKE", 0), env, "t", &v), 0);
	assert_string_equal(v, "make KERNEL_DIR=/k all");
	assert_int_equal(kb_dkms_split(v, "t", &argv, &argc), 0);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[1], "KERNEL_DIR=/k");
	assert_null(argv[3]);
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	free(v);
	kb_dkms_conf_free(&c);
}

static void test_dkms_syntax(void **state)
{
	static const char ok[] =
		"  # comment\n"
		"MAKE=\"'make' -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build\"\n"
		"PACKAGE_NAME=kb'pair'\"\" # trailing comment\n"
		"PACKAGE_VERSION=1.0\n"
		"LIT='$HOME costs $5'\n"
		"CONT=\"a \\\n b \\\"q\\\" \\$x\"\n"
		"BUILT_MODULE_NAME[3]=x\n";
	static const char *const bad[] = {
		"echo hi\n", "A=$(id)\n", "A=`id`\n", "A=\"`id`\"\n", "A=b c\n", "A=b; rm -rf /\n",
		"A=b|c\n", "A=${B:-c}\n", "A=\"open\n", "A='open\n", "A[x]=1\n", "A[999]=1\n",
		"A =1\n", "export A=1\n", "if true; then\nrm x\nfi\n", "if true; then\nA=1\n",
		"f() { :; }\n", "A=x>y\n",
	};
	const char *env[] = { "kernel_source_dir=/k", "dkms_tree=/d", NULL };
	struct kb_dkms_conf c;
	char *v, **argv;
	size_t argc;

	(void)state;
	assert_int_equal(kb_dkms_conf_parse(ok, strlen(ok), "t", &c), 0);
	assert_string_equal(kb_dkms_get(&c, "PACKAGE_NAME", 0), "kbpair");
	assert_string_equal(kb_dkms_get(&c, "MAKE", 0),
			    "'make' -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/"
			    "${PACKAGE_VERSION}/build");
	assert_int_equal(kb_dkms_count(&c, "BUILT_MODULE_NAME"), 4);
	assert_int_equal(kb_dkms_expand(&c, kb_dkms_get(&c, "LIT", 0), env, "t", &v), 0);
	assert_string_equal(v, "$HOME costs $5");
	free(v);
	assert_int_equal(kb_dkms_expand(&c, kb_dkms_get(&c, "CONT", 0), env, "t", &v), 0);
	assert_string_equal(v, "a  b \"q\" $x");
	free(v);
	assert_int_equal(kb_dkms_expand(&c, kb_dkms_get(&c, "MAKE", 0), env, "t", &v), 0);
	assert_string_equal(v, "'make' -C /k M=/d/kbpair/1.0/build");
	assert_int_equal(kb_dkms_split(v, "t", &argv, &argc), 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "make");
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	free(v);
	/* a variable dkms would set that kbundle does not know */
	assert_int_equal(kb_dkms_expand(&c, "${install_tree}/x", env, "t", &v), -KB_EPARSE);
	kb_dkms_conf_free(&c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = kb_dkms_conf_parse(bad[i], strlen(bad[i]), "t", &c);

		if (err != -KB_EPARSE && err != -KB_ELIMIT)
			fail_msg("accepted: %s", bad[i]);
	}
	/* no shell for what a command line would need one for */
	assert_int_equal(kb_dkms_split("make && make install", "t", &argv, &argc), -KB_EPARSE);
	assert_int_equal(kb_dkms_split("make 'open", "t", &argv, &argc), -KB_EPARSE);
	assert_int_equal(kb_dkms_split("  ", "t", &argv, &argc), -KB_EPARSE);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = kb_path_join(dir, name);

	assert_int_equal(kb_file_write_atomic(p, text, strlen(text)), 0);
	free(p);
}

static void test_modsrc(void **state)
{
	char dir[] = "/tmp/kb-modsrc.XXXXXX";
	struct kb_vm_modsrc_plan p;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(kb_vm_modsrc_check("/does/not/exist"), -KB_EUSAGE);
	assert_int_equal(kb_vm_modsrc_check(dir), -KB_EUSAGE);	/* nothing to build */
	write_file(dir, "Kbuild", "obj-m := x.o\n");
	assert_int_equal(kb_vm_modsrc_check(dir), 0);
	assert_int_equal(kb_vm_modsrc_plan(dir, "/w", "u", "/k", "6.1", NULL, &p), 0);
	assert_string_equal(p.tree, "/w/u");
	assert_string_equal(p.argv[4], "M=/w/u");
	assert_null(p.kos);
	kb_vm_modsrc_plan_free(&p);
	write_file(dir, "dkms.conf", "PACKAGE_NAME=p\nPACKAGE_VERSION=2\n"
		   "BUILT_MODULE_NAME[0]=b\nBUILT_MODULE_LOCATION[0]=sub/\n"
		   "BUILT_MODULE_NAME[1]=a\n");
	assert_int_equal(kb_vm_modsrc_plan(dir, "/w", "u", "/k", "6.1", NULL, &p), 0);
	assert_string_equal(p.tree, "/w/u/dkms/p/2/build");
	assert_string_equal(p.cwd, p.tree);
	assert_string_equal(p.link, "/w/u/src/p-2");
	assert_string_equal(p.argv[0], "make");	/* dkms's default command */
	assert_string_equal(p.argv[3], "M=/w/u/dkms/p/2/build");
	assert_int_equal(p.nkos, 2);
	assert_string_equal(p.kos[0], "/w/u/dkms/p/2/build/sub/b.ko");
	assert_string_equal(p.kos[1], "/w/u/dkms/p/2/build/a.ko");
	kb_vm_modsrc_plan_free(&p);
	/* $arch is the kernel's uname -m, whatever spelling names it */
	write_file(dir, "dkms.conf", "PACKAGE_NAME=p\nPACKAGE_VERSION=2\nBUILT_MODULE_NAME[0]=a\n"
		   "BUILT_MODULE_LOCATION[0]=$arch/\nMAKE[0]=\"make ARCHNAME=$arch\"\n");
	assert_int_equal(kb_vm_modsrc_plan(dir, "/w", "u", "/k", "6.1", "arm64", &p), 0);
	assert_string_equal(p.argv[1], "ARCHNAME=aarch64");
	assert_string_equal(p.kos[0], "/w/u/dkms/p/2/build/aarch64/a.ko");
	kb_vm_modsrc_plan_free(&p);
	/* refused before anything boots */
	write_file(dir, "dkms.conf", "PACKAGE_NAME=p\nPACKAGE_VERSION=2\nBUILT_MODULE_NAME=a\n"
		   "BUILT_MODULE_LOCATION=../../etc\n");
	assert_int_equal(kb_vm_modsrc_check(dir), -KB_EUSAGE);
	write_file(dir, "dkms.conf", "PACKAGE_NAME=../p\nPACKAGE_VERSION=2\nBUILT_MODULE_NAME=a\n");
	assert_int_equal(kb_vm_modsrc_check(dir), -KB_EUSAGE);
	write_file(dir, "dkms.conf", "PACKAGE_NAME=p\nPACKAGE_VERSION=2\n");
	assert_int_equal(kb_vm_modsrc_check(dir), -KB_EUSAGE);
	write_file(dir, "dkms.conf", "PACKAGE_NAME=p\nPACKAGE_VERSION=2\nBUILT_MODULE_NAME=a\n"
		   "MAKE[0]=\"make -C $kernel_source_dir M=$install_tree\"\n");
	assert_int_equal(kb_vm_modsrc_check(dir), -KB_EUSAGE);
	write_file(dir, "dkms.conf", "rm -rf /\n");
	assert_int_equal(kb_vm_modsrc_check(dir), -KB_EUSAGE);
	kb_rm_rf(dir);
}

static void test_build_cause(void **state)
{
	char *e;

	(void)state;
	/* Debian 11's headers call gcc-10, which a Debian 12 host lacks. */
	e = kb_vm_build_errors("make[2]: *** [/b/scripts/Makefile.build:286: /m/x.o] Error 127\n"
			       "make[1]: *** [/b/Makefile:1832: /m] Error 2\n", 20);
	assert_string_equal(e, "make[2]: *** [/b/scripts/Makefile.build:286: /m/x.o] Error 127\n"
			       "make[1]: *** [/b/Makefile:1832: /m] Error 2");
	free(e);
	e = kb_vm_build_errors("/bin/sh: 1: gcc-10: not found\n"
			       "make[2]: *** [/b/scripts/Makefile.build:286: /m/x.o] Error 127\n"
			       "make[1]: *** [/b/Makefile:1832: /m] Error 2\n"
			       "make: *** [/b/Makefile:185: __sub-make] Error 2\n", 20);
	assert_string_equal(strtok(e, "\n"), "/bin/sh: 1: gcc-10: not found");
	free(e);
	e = kb_vm_build_errors("make[2]: gcc-10: No such file or directory\n"
			       "make[2]: *** [x.o] Error 127\n", 1);
	assert_string_equal(e, "make[2]: gcc-10: No such file or directory");
	free(e);
	e = kb_vm_build_errors("make[1]: *** [x] Error 1\n/m/x.c:9:1: error: expected ';'\n"
			       "/m/y.c:1:1: error: second\n", 1);
	assert_string_equal(e, "/m/x.c:9:1: error: expected ';'");
	free(e);
}

/* The kernel's modules load before the unit's and unload after them. */
static void test_init_order(void **state)
{
	char *kos[] = { "/b/lib.ko", "/b/user.ko" }, *deps[] = { "/c/mc.ko", "/c/videodev.ko" };
	struct kb_vm_unit u = { .name = "u", .kos = kos, .nkos = 2, .deps = deps, .ndeps = 2 };
	struct kb_vm_kernel k = { .units = &u, .nunits = 1 };
	char *s, *mc, *vd, *lib, *user;

	(void)state;
	u.chk[KB_CHK_BUILD].st = KB_ST_PASS;
	s = kb_vm_init_script(&k);
	mc = strstr(s, "insmod /k/mc.ko");
	vd = strstr(s, "insmod /k/videodev.ko");
	lib = strstr(s, "insmod /m/u/lib.ko");
	user = strstr(s, "insmod /m/u/user.ko");
	assert_true(mc && vd && lib && user && mc < vd && vd < lib && lib < user);
	user = strstr(s, "rmmod user");
	lib = strstr(s, "rmmod lib");
	vd = strstr(s, "rmmod videodev");
	mc = strstr(s, "rmmod mc");
	assert_true(mc && vd && lib && user && user < lib && lib < vd && vd < mc);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmod_member),	cmocka_unit_test(test_kmods_parse),
		cmocka_unit_test(test_moddep_plan),	cmocka_unit_test(test_dkms_real),
		cmocka_unit_test(test_dkms_syntax),	cmocka_unit_test(test_modsrc),
		cmocka_unit_test(test_build_cause),	cmocka_unit_test(test_init_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
