// SPDX-License-Identifier: MIT
#include "pipes.h"

#include <fcntl.h>
#include <sys/stat.h>

#define PIPE_SIZE (1 << 20)

void pd_pipe_widen(int fd) {
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
		return;
	}
	int size = fcntl(fd, F_GETPIPE_SZ);
	if (size >= 0 && size < PIPE_SIZE) {
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
	}
}
