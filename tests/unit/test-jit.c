// SPDX-License-Identifier: MIT
// JIT names from /tmp/perf-PID.map (under a temporary --symfs): where
// lines overlap, the last one written that covers an address names it,
// however far back a covering line starts; memfd mappings keep their own
// name per process and are named from the same map.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols.h"
#include "check.h"

static const char *name_at(struct pd_symbols *s, struct pd_dso *d,
		uint64_t addr) {
	struct pd_frames f;
	pd_symbols_resolve(s, d, addr, &f);
	return f.resolved ? f.names[0] : "-";
}

int main(void) {
	char dir[] = "/tmp/pd-test-jit-XXXXXX";
	if (!mkdtemp(dir)) {
		return 99;
	}
	char path[256];
	snprintf(path, sizeof(path), "%s/tmp", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/tmp/perf-4242.map", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		return 99;
	}
	fputs("1000 100 first\n"
		"1080 40 second\n"
		"1000 10 third\n"
		"2000 1000 big\n"
		"2800 10 inner\n"
		"2000 1000 big2\n"
		"10000 100000 huge\n", f);
	for (int i = 0; i < 40; i++) {
		fprintf(f, "%x 10 small%d\n", 0x30000 + 0x100 * i, i);
	}
	fputs("junk line\n5000 0 empty\n", f);
	fclose(f);

	struct pd_symbols_options so = {.symfs = dir};
	struct pd_symbols *s = pd_symbols_create(&so);
	struct pd_dso *d = pd_symbols_dso(s, "//anon", 4242);
	static const struct {
		uint64_t addr;
		const char *want;
	} cases[] = {
		{0x0fff, "-"}, {0x1000, "third"}, {0x100f, "third"},
		{0x1010, "first"}, {0x1080, "second"}, {0x10bf, "second"},
		{0x10c0, "first"}, {0x10ff, "first"}, {0x1100, "-"},
		{0x2000, "big2"}, {0x2800, "big2"}, {0x2fff, "big2"},
		{0x3000, "-"}, {0x10000, "huge"}, {0x30005, "small0"},
		{0x30010, "huge"}, {0x32705, "small39"}, {0x35000, "huge"},
		{0x10ffff, "huge"}, {0x110000, "-"}, {0x5000, "-"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *got = name_at(s, d, cases[i].addr);
		if (strcmp(got, cases[i].want) != 0) {
			fprintf(stderr, "%#llx: got %s, want %s\n",
				(unsigned long long)cases[i].addr, got, cases[i].want);
			CHECK(false);
		}
	}

	// A memfd: its own DSO per process, named from the process's map.
	struct pd_dso *m1 = pd_symbols_dso(s, "/memfd:code (deleted)", 4242);
	struct pd_dso *m2 = pd_symbols_dso(s, "/memfd:code (deleted)", 4243);
	CHECK(m1 != m2 && m1 != d);
	CHECK(m1 == pd_symbols_dso(s, "/memfd:code (deleted)", 4242));
	CHECK(pd_dso_ident(m1)->kind == PD_DSO_JIT);
	CHECK(strcmp(pd_dso_ident(m1)->base, "memfd:code (deleted)") == 0);
	CHECK(strcmp(name_at(s, m1, 0x1090), "second") == 0);
	CHECK(strcmp(name_at(s, m2, 0x1090), "-") == 0); // no perf-4243.map
	CHECK(pd_symbols_dso(s, "//anon", 4243) != d);

	pd_symbols_destroy(s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/tmp", dir);
	rmdir(path);
	rmdir(dir);
	return check_status();
}
