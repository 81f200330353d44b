// SPDX-License-Identifier: MIT
// Manners of pd's helper threads.
#include "helper.h"

#include <sys/resource.h>
#include <unistd.h>

void pd_thread_helper(void) {
	// Linux keeps the nice value per thread. Failure only costs speed.
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}
