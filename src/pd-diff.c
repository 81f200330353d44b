// SPDX-License-Identifier: MIT
// pd-diff: placeholder.
#include <stdio.h>

#include "status.h"

int main(void) {
	fputs("pd-diff: not implemented yet\n", stderr);
	return PD_ESOFTWARE;
}
