/* fuzz.h — what every libFuzzer target shares: the entry points' prototypes
 * (the project's -Wmissing-prototypes wants them) and a quiet logger, since a
 * parser's error messages on every rejected input would drown the fuzzer. */
#ifndef KB_FUZZ_H
#define KB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* Loaders that take a path (package lists, upstream files, manifest.yml)
 * get the input through a memory file: their own reading code runs too, and
 * no disk is touched. Writes "/proc/self/fd/N" into path; close fd after. */
static inline int kb_fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t n)
{
	int fd = memfd_create("kb-fuzz", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror("memfd");
		abort();
	}
	snprintf(path, n, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
