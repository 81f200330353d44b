// SPDX-License-Identifier: MIT
// Manners of pd's helper threads.
#ifndef PD_HELPER_H
#define PD_HELPER_H

// Called first thing by helper threads (mapping ahead, loading DWARF and
// kernel symbols): lowers the calling thread's priority, so that when
// more threads are runnable than there are cores, the one reading
// samples, which all the work waits on, keeps its core.
void pd_thread_helper(void);

#endif
