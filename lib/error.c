/* error.c — text for kbundle's error codes. */
#include <string.h>

#include "lib/error.h"

static const char *const kb_error_text[] = {
	[KB_EBADSIG - KB_ERR_BASE] = "bad or missing signature",
	[KB_ECHECKSUM - KB_ERR_BASE] = "checksum mismatch",
	[KB_EPARSE - KB_ERR_BASE] = "malformed input",
	[KB_ELIMIT - KB_ERR_BASE] = "resource limit exceeded",
	[KB_EUNSAFE - KB_ERR_BASE] = "unsafe archive entry",
	[KB_EHTTP - KB_ERR_BASE] = "download failed",
	[KB_ENOTFOUND - KB_ERR_BASE] = "not found",
	[KB_ELOCKED - KB_ERR_BASE] = "work directory is locked by another run",
	[KB_EUSAGE - KB_ERR_BASE] = "usage or configuration error",
	[KB_ESUBPROC - KB_ERR_BASE] = "subprocess failed",
	[KB_ESTALE - KB_ERR_BASE] = "older than what was already seen",
};

const char *kb_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err > KB_ERR_BASE && err < KB_ERR_MAX && kb_error_text[err - KB_ERR_BASE])
		return kb_error_text[err - KB_ERR_BASE];
	if (err < KB_ERR_BASE)
		return strerror(err);
	return "unknown error";
}
