// SPDX-License-Identifier: MIT
// Pipes grown to 1 MiB (see pipes.h).
#include "pipes.h"

#include <fcntl.h>

#define PIPE_SIZE (1 << 20)

void pd_pipe_widen(int fd) {
	// F_GETPIPE_SZ fails (EBADF) on anything but a pipe or FIFO.
	int size = fcntl(fd, F_GETPIPE_SZ);
	if (size >= 0 && size < PIPE_SIZE) {
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
	}
}
