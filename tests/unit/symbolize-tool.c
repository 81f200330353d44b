// SPDX-License-Identifier: MIT
// Test helper: resolves file offsets in an ELF file as pd-collapse would
// (symbols, PLT entries, inline frames), one line per offset:
// "0xOFFSET name;inlined;..." or "0xOFFSET -" when unresolved.
// usage: symbolize-tool [--no-demangle] FILE OFFSET...
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"

int main(int argc, char *argv[]) {
	bool demangle = !(argc > 1 && strcmp(argv[1], "--no-demangle") == 0);
	if (!demangle) {
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: symbolize-tool [--no-demangle] FILE "
			"OFFSET...\n");
		return 2;
	}
	struct pd_symbols_options o = {.demangle = demangle,
		.inline_frames = true};
	struct pd_symbols *s = pd_symbols_create(&o);
	struct pd_dso *d = pd_symbols_dso(s, argv[1], 0);
	for (int i = 2; i < argc; i++) {
		unsigned long long off = strtoull(argv[i], NULL, 0);
		struct pd_frames f;
		pd_symbols_resolve(s, d, off, &f);
		printf("%#llx ", off);
		if (!f.resolved) {
			printf("-");
		}
		for (size_t k = 0; f.resolved && k < f.n; k++) {
			printf("%s%s", k ? ";" : "", f.names[k]);
		}
		printf("\n");
	}
	pd_symbols_destroy(s);
	return 0;
}
