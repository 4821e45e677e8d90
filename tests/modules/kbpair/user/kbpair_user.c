// SPDX-License-Identifier: GPL-2.0
/* kbpair_user — needs kbpair_lib (modpost writes depends=kbpair_lib). */
#include <linux/module.h>

int kbpair_answer(void);

static int __init kbpair_user_init(void)
{
	return kbpair_answer() == 42 ? 0 : -EINVAL;
}

static void __exit kbpair_user_exit(void)
{
}

module_init(kbpair_user_init);
module_exit(kbpair_user_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbundle test: the DKMS pair's user");
