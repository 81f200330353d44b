// SPDX-License-Identifier: MIT
// Test helper: resolves file offsets in an ELF file as pd-collapse would
// (symbols, PLT entries, inline frames), one line per offset:
// "0xOFFSET name;inlined;..." or "0xOFFSET -" when unresolved. "-" reads
// the offsets from stdin, one per line. --cache uses and updates the
// persistent cache ($XDG_CACHE_HOME/pd) as pd-collapse does.
// usage: symbolize-tool [--no-demangle] [--no-inline] [--cache] FILE
//          OFFSET...|-
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"

static void resolve(struct pd_symbols *s, struct pd_dso *d,
		unsigned long long off) {
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

int main(int argc, char *argv[]) {
	struct pd_symbols_options o = {.demangle = true, .inline_frames = true};
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--no-demangle") == 0) {
			o.demangle = false;
		} else if (strcmp(argv[i], "--no-inline") == 0) {
			o.inline_frames = false;
		} else if (strcmp(argv[i], "--cache") == 0) {
			o.cache = true;
		} else {
			break;
		}
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: symbolize-tool [--no-demangle] "
			"[--no-inline] [--cache] FILE OFFSET...|-\n");
		return 2;
	}
	struct pd_symbols *s = pd_symbols_create(&o);
	struct pd_dso *d = pd_symbols_dso(s, argv[i], 0);
	for (int k = i + 1; k < argc; k++) {
		if (strcmp(argv[k], "-") != 0) {
			resolve(s, d, strtoull(argv[k], NULL, 0));
			continue;
		}
		char line[64];
		while (fgets(line, sizeof(line), stdin)) {
			resolve(s, d, strtoull(line, NULL, 0));
		}
	}
	pd_symbols_cache_save(s);
	pd_symbols_destroy(s);
	return 0;
}
