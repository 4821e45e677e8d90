// SPDX-License-Identifier: GPL-2.0
/* vdep — a test module that needs an in-tree module: it calls videodev's
 * exported video_device_alloc()/video_device_release(), so the kernel
 * refuses it ("Unknown symbol") unless videodev.ko (and what videodev needs)
 * from the kernel's own package is loaded first. */
#include <linux/module.h>
#include <media/v4l2-dev.h>

static int __init vdep_init(void)
{
	struct video_device *v = video_device_alloc();

	if (!v)
		return -ENOMEM;
	video_device_release(v);
	pr_info("vdep: videodev answered\n");
	return 0;
}

static void __exit vdep_exit(void)
{
}

module_init(vdep_init);
module_exit(vdep_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbundle test: a module with an in-tree dependency");
