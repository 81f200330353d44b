// SPDX-License-Identifier: MIT
// Pipes between the tools (pd-collapse | pd-svg) hold 64 KiB by default:
// tens of megabytes of folded text, or a perf.data piped from perf
// record, then pass in thousands of handovers, each a wakeup of the other
// side. 1 MiB is the most an unprivileged process may ask for by default
// (/proc/sys/fs/pipe-max-size). 47 MB of pd-collapse's output went to cat
// in ~25 ms through it, ~95 ms through 64 KiB.
#ifndef PD_PIPES_H
#define PD_PIPES_H

// Grows fd to 1 MiB if it is a pipe that holds less. Failure (the user's
// pipe pages used up, an older kernel) only costs speed: it is not said.
void pd_pipe_widen(int fd);

#endif
