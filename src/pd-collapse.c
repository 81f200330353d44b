// SPDX-License-Identifier: MIT
// pd-collapse: placeholder.
#include <stdio.h>

#include "status.h"

int main(void) {
	fputs("pd-collapse: not implemented yet\n", stderr);
	return PD_ESOFTWARE;
}
