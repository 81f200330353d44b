// SPDX-License-Identifier: MIT
// Test helper: writes pd_elf_inflate's copy of IN to OUT.
// usage: elf-inflate-tool [--all] IN OUT; exit 0 copied, 1 declined, 2 usage
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "elf-inflate.h"

int main(int argc, char *argv[]) {
	bool all = argc > 1 && strcmp(argv[1], "--all") == 0;
	if (argc != 3 + all) {
		fprintf(stderr, "usage: elf-inflate-tool [--all] IN OUT\n");
		return 2;
	}
	int in = open(argv[1 + all], O_RDONLY);
	if (in < 0) {
		perror(argv[1 + all]);
		return 2;
	}
	int copy = pd_elf_inflate(in, all);
	if (copy < 0) {
		return 1;
	}
	FILE *out = fopen(argv[2 + all], "wb");
	char buf[1 << 16];
	ssize_t n;
	lseek(copy, 0, SEEK_SET);
	while (out && (n = read(copy, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, out);
	}
	return out && fclose(out) == 0 ? 0 : 2;
}
