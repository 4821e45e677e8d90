/* fuzz.h — what every libFuzzer target shares: the entry points' prototypes
 * (the project's -Wmissing-prototypes wants them) and a quiet logger, since a
 * parser's error messages on every rejected input would drown the fuzzer. */
#ifndef KB_FUZZ_H
#define KB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	kb_log_set_level(KB_LOG_ERROR - 1);
	return 0;
}

#endif
