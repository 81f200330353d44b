// SPDX-License-Identifier: MIT
// Numbers from the environment: PD_THREADS and the tests' PD_DEBUG_*
// switches (PD_DEBUG_READ_BLOCK, PD_DEBUG_HELD_MAX and, in debug builds,
// PD_DEBUG_LOADER_DELAY_US).
#ifndef PD_ENV_H
#define PD_ENV_H

#include <stdint.h>

// The value of name if it is a decimal number from 1 to max, else 0.
uint64_t pd_env_number(const char *name, uint64_t max);

#endif
