// SPDX-License-Identifier: MIT
// Kernel names from a kallsyms file, read (cold cache) and from its index
// in the cache (warm): every address asked for gives the symbol worked out
// here from the lines written: of the text symbols at the greatest address
// at or below it, the last in the file; none below the first, nor more
// than 1 MiB past the last. Two files: 100,000 text symbols with ties
// (some across every 64th symbol, where a warm lookup's search starts)
// and data symbols between them, whose index spans three checksum
// windows; and 65,536 symbols whose index body is exactly 2 MiB (the last
// window empty). Then the index cut short once loaded: lookups read it as
// they go, and a name they cannot read is no name, never another one.
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols.h"
#include "symbols-internal.h"
#include "check.h"

struct sym {
	uint64_t addr;
	char name[40];
};

static struct sym *syms;
static size_t nsyms;

// The symbol at or below a (the last of a tie), or NULL.
static const struct sym *expect(uint64_t a) {
	if (a < syms[0].addr) {
		return NULL;
	}
	size_t lo = 0, hi = nsyms;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (syms[mid].addr <= a) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	if (lo == nsyms - 1 && a - syms[lo].addr > 0x100000) {
		return NULL;
	}
	return &syms[lo];
}

static int wrong;
static bool cut; // the index was cut short: no name is not wrong
static int unnamed; // lookups that gave no name where one was expected

static void ask(struct pd_symbols *s, uint64_t a) {
	uint64_t start = 0;
	const char *name = pd_symbols_kernel_symbol(s, a, &start);
	const struct sym *want = expect(a);
	if (want && !name && cut) {
		unnamed++;
		return;
	}
	if (want ? !name || strcmp(name, want->name) != 0
			|| start != want->addr : name != NULL) {
		if (wrong++ < 5) {
			fprintf(stderr, "%#llx: got %s, want %s\n",
				(unsigned long long)a, name ? name : "(none)",
				want ? want->name : "(none)");
		}
	}
}

// Warm, then the entry cut short once loaded (by the first lookup, which
// read the first block): in the middle of its names, or of its symbols.
static void cut_short(const char *file, const char *cache, const char *tag,
		bool in_symbols) {
	struct pd_symbols_options o = {.kallsyms = file, .cache = true};
	struct pd_symbols *s = pd_symbols_create(&o);
	ask(s, syms[0].addr); // a damaged entry (the last call's) rewritten
	pd_symbols_destroy(s);
	s = pd_symbols_create(&o);
	wrong = 0;
	unnamed = 0;
	ask(s, syms[0].addr);
	CHECK(s->kread);
	glob_t g;
	char pat[600];
	snprintf(pat, sizeof(pat), "%s/pd/kallsyms-*.ksym", cache);
	CHECK(glob(pat, 0, NULL, &g) == 0 && g.gl_pathc == 1);
	struct stat st;
	CHECK(stat(g.gl_pathv[0], &st) == 0);
	off_t size = in_symbols ? (off_t)(s->ksyms_at + nsyms / 2 * 16)
		: st.st_size - (off_t)s->ktext_len / 2;
	CHECK(truncate(g.gl_pathv[0], size) == 0);
	globfree(&g);
	cut = true;
	for (size_t i = 0; i < nsyms; i++) {
		ask(s, syms[i].addr);
	}
	cut = false;
	fprintf(stderr, "%s, index cut short in its %s: %d of %zu lookups "
		"wrong, %d without a name\n", tag, in_symbols ? "symbols"
		: "names", wrong, nsyms + 1, unnamed);
	CHECK(wrong == 0);
	// The first block's names were read before the cut.
	CHECK(unnamed > 0 && (size_t)unnamed < nsyms);
	pd_symbols_destroy(s);
}

// Writes the file, then asks every address around every symbol, first
// with a cold cache (read and parsed), then warm (the index).
static void check_file(const char *dir, const char *tag, size_t body) {
	char file[512], cache[512];
	snprintf(file, sizeof(file), "%s/%s.kallsyms", dir, tag);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	FILE *f = fopen(file, "w");
	if (!f) {
		exit(99);
	}
	for (size_t i = 0; i < nsyms; i++) {
		fprintf(f, "%016llx T %s\n", (unsigned long long)syms[i].addr,
			syms[i].name);
		if (i % 10 == 3) { // not text: not in the index
			fprintf(f, "%016llx d data_%zu\n",
				(unsigned long long)syms[i].addr + 4, i);
		}
	}
	fclose(f);
	for (int warm = 0; warm < 2; warm++) {
		struct pd_symbols_options o = {.kallsyms = file, .cache = true};
		struct pd_symbols *s = pd_symbols_create(&o);
		wrong = 0;
		ask(s, 0);
		ask(s, syms[0].addr - 1);
		for (size_t i = 0; i < nsyms; i++) {
			ask(s, syms[i].addr - 1);
			ask(s, syms[i].addr);
			ask(s, syms[i].addr + 1);
		}
		ask(s, syms[nsyms - 1].addr + 0x100000);
		ask(s, syms[nsyms - 1].addr + 0x100001);
		ask(s, UINT64_MAX);
		fprintf(stderr, "%s, %s: %d of %zu lookups wrong\n", tag,
			warm ? "warm (index)" : "cold (parsed)", wrong,
			3 * nsyms + 5);
		CHECK(wrong == 0);
		CHECK(warm ? s->kread : !s->kread);
		pd_symbols_destroy(s);
	}
	if (body) {
		char cmd[1100];
		snprintf(cmd, sizeof(cmd), "test \"$(cat %s/pd/kallsyms-*.ksym"
			" | wc -c)\" = %zu", cache, body + 96);
		CHECK(system(cmd) == 0); // (one entry per file, emptied below)
	}
	cut_short(file, cache, tag, false);
	cut_short(file, cache, tag, true);
	snprintf(cache, sizeof(cache), "rm -f %s/cache/pd/kallsyms-*", dir);
	CHECK(system(cache) == 0);
}

int main(void) {
	char dir[] = "/tmp/pd-test-kallsyms-XXXXXX";
	if (!mkdtemp(dir)) {
		return 99;
	}
	char cache[256];
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("XDG_CACHE_HOME", cache, 1);
	syms = calloc(100000, sizeof(*syms));
	if (!syms) {
		return 99;
	}

	// Ties: every 64th symbol with the one before, and others.
	nsyms = 100000;
	uint64_t a = 0xffffffff81000000ull;
	for (size_t i = 0; i < nsyms; i++) {
		if (i && (i % 64 == 0 || i % 97 == 5)) {
			syms[i].addr = a; // a tie with the symbol before
		} else {
			a += 16 + i % 7 * 8;
			syms[i].addr = a;
		}
		snprintf(syms[i].name, sizeof(syms[i].name), "f%zu_%.*s", i,
			(int)(i % 13), "abcdefghijklm");
	}
	check_file(dir, "ties", 0);

	// 16 bytes a symbol and 16 of name (15 and a NUL): 2 MiB.
	nsyms = 65536;
	a = 0xffffffffc0000000ull;
	for (size_t i = 0; i < nsyms; i++) {
		a += 32;
		syms[i].addr = a;
		snprintf(syms[i].name, sizeof(syms[i].name), "k%014zu", i);
	}
	check_file(dir, "exact", (size_t)2 << 20);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0) {
		return 99;
	}
	free(syms);
	return check_status();
}
