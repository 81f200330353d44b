// SPDX-License-Identifier: MIT
// A C++ workload with deep, template-heavy stacks: std::regex matching
// (recursive executor), word counts in std::map and std::unordered_map,
// sorting, and string formatting; for DWARF-unwinding benchmarks and
// tests. Usage: cxx-regex [rounds] (default 2000)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace text {

std::string make_line(unsigned seed) {
	static const char *words[] = {"alpha", "beta", "gamma", "delta",
		"epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda"};
	std::ostringstream out;
	for (int i = 0; i < 12; i++) {
		seed = seed * 1103515245u + 12345u;
		out << words[(seed >> 16) % 11] << (seed >> 20) % 100 << ' ';
	}
	return out.str();
}

template <typename Map>
void count_words(const std::string &line, const std::regex &re, Map &counts) {
	for (auto it = std::sregex_iterator(line.begin(), line.end(), re);
			it != std::sregex_iterator(); ++it) {
		counts[it->str(1)]++;
	}
}

} // namespace text

int main(int argc, char **argv) {
	int rounds = argc > 1 ? std::atoi(argv[1]) : 2000;
	const std::regex re("([a-z]+)([0-9]+)");
	std::map<std::string, long> ordered;
	std::unordered_map<std::string, long> hashed;
	long total = 0;
	for (int r = 0; r < rounds; r++) {
		std::string line = text::make_line((unsigned)r);
		if (r % 2) {
			text::count_words(line, re, ordered);
		} else {
			text::count_words(line, re, hashed);
		}
		if (r % 100 == 0) {
			std::vector<std::pair<long, std::string>> top;
			for (const auto &kv : hashed) {
				top.emplace_back(kv.second, kv.first);
			}
			std::sort(top.begin(), top.end(), [](const auto &a, const auto &b) {
				return a.first > b.first || (a.first == b.first && a.second < b.second);
			});
			total += top.empty() ? 0 : top.front().first;
		}
	}
	std::printf("%ld %zu %zu\n", total, ordered.size(), hashed.size());
	return 0;
}
