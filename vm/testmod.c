/* testmod.c — the built-in test module. It uses what most out-of-tree
 * modules use (allocation, a module parameter, a timer, printk), so symbol
 * versions (modversions) of each are checked by the kernel at load time, and
 * its check.sh proves it really ran inside the kernel. */
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "vm/testmod.h"

static const char kb_vm_testmod_c[] =
	"// SPDX-License-Identifier: GPL-2.0\n"
	"/* kbundle_test: written by kbundle vmtest. */\n"
	"#include <linux/module.h>\n"
	"#include <linux/slab.h>\n"
	"#include <linux/timer.h>\n"
	"#include <linux/jiffies.h>\n"
	"#include <linux/version.h>\n"
	"\n"
	"#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)\n"
	"#define timer_delete_sync del_timer_sync\n"
	"#endif\n"
	"\n"
	"static int magic;\n"
	"module_param(magic, int, 0444);\n"
	"MODULE_PARM_DESC(magic, \"42 once the module initialised\");\n"
	"\n"
	"static struct timer_list kbt_timer;\n"
	"static void kbt_tick(struct timer_list *t) { }\n"
	"\n"
	"static int __init kbt_init(void)\n"
	"{\n"
	"\tint *p = kzalloc(sizeof(*p) * 16, GFP_KERNEL);\n"
	"\n"
	"\tif (!p)\n"
	"\t\treturn -ENOMEM;\n"
	"\tp[3] = 42;\n"
	"\tmagic = p[3];\n"
	"\tkfree(p);\n"
	"\ttimer_setup(&kbt_timer, kbt_tick, 0);\n"
	"\tmod_timer(&kbt_timer, jiffies + HZ);\n"
	"\tpr_info(\"kbundle_test: loaded\\n\");\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"static void __exit kbt_exit(void)\n"
	"{\n"
	"\ttimer_delete_sync(&kbt_timer);\n"
	"\tpr_info(\"kbundle_test: unloaded\\n\");\n"
	"}\n"
	"\n"
	"module_init(kbt_init);\n"
	"module_exit(kbt_exit);\n"
	"MODULE_LICENSE(\"GPL\");\n"
	"MODULE_DESCRIPTION(\"kbundle vmtest: load, check and unload\");\n";

static const char kb_vm_testmod_kbuild[] = "obj-m := kbundle_test.o\n";

static const char kb_vm_testmod_check[] =
	"#!/bin/sh\n"
	"# Runs in the guest after the module is loaded: did its init run?\n"
	"m=$(cat /sys/module/kbundle_test/parameters/magic) || exit 1\n"
	"[ \"$m\" = 42 ] || { echo \"magic is '$m', want 42\"; exit 1; }\n"
	"dmesg | grep -q 'kbundle_test: loaded' || { echo 'no load message in dmesg'; exit 1; }\n";

static const struct { const char *name; const char *text; } kb_vm_testmod_files[] = {
	{ "kbundle_test.c", kb_vm_testmod_c },
	{ "Kbuild", kb_vm_testmod_kbuild },
	{ "check.sh", kb_vm_testmod_check },
};
#define KB_VM_NFILES (sizeof(kb_vm_testmod_files) / sizeof(kb_vm_testmod_files[0]))

void kb_vm_testmod_digest(struct kb_sha256 *h)
{
	for (size_t i = 0; i < KB_VM_NFILES; i++) {
		kb_sha256_update(h, kb_vm_testmod_files[i].name, strlen(kb_vm_testmod_files[i].name) + 1);
		kb_sha256_update(h, kb_vm_testmod_files[i].text, strlen(kb_vm_testmod_files[i].text) + 1);
	}
}

int kb_vm_testmod_write(const char *dir)
{
	int err = 0;

	for (size_t i = 0; i < KB_VM_NFILES && !err; i++) {
		char *p = kb_path_join(dir, kb_vm_testmod_files[i].name);

		err = kb_file_write_atomic(p, kb_vm_testmod_files[i].text, strlen(kb_vm_testmod_files[i].text));
		if (err)
			kb_error("%s: %s", p, kb_strerror(err));
		free(p);
	}
	return err;
}
