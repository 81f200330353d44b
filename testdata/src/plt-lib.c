// SPDX-License-Identifier: MIT
// plt-lib: the shared library plt-main.c calls through its PLT.
int tiny(int x) {
	return x + 1;
}
