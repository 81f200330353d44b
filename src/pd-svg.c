// SPDX-License-Identifier: MIT
// pd-svg: placeholder.
#include <stdio.h>

#include "status.h"

int main(void) {
	fputs("pd-svg: not implemented yet\n", stderr);
	return PD_ESOFTWARE;
}
