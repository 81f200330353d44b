// SPDX-License-Identifier: MIT
// placeholder
#include "util.h"
