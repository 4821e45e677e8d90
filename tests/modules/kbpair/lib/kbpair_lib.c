// SPDX-License-Identifier: GPL-2.0
/* kbpair_lib — exports one function for kbpair_user. */
#include <linux/module.h>

int kbpair_answer(void)
{
	return 42;
}
EXPORT_SYMBOL_GPL(kbpair_answer);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbundle test: the DKMS pair's library");
