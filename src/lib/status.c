// SPDX-License-Identifier: MIT
// Closing standard output with its exit status.
#include "status.h"

#include <err.h>
#include <stdio.h>

enum pd_status pd_stdout_close(void) {
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn("<stdout>");
		fclose(stdout);
		return PD_EIO;
	}
	if (fclose(stdout) != 0) {
		warn("<stdout>");
		return PD_EIO;
	}
	return PD_OK;
}
