// SPDX-License-Identifier: MIT
// cxx-dwarf: templates, lambdas, std::sort and inlined helpers built
// without frame pointers. Usage: cxx-dwarf [iterations] (default 300)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace geo {
template <typename T> struct Vec {
	T x, y;
	T dot(const Vec &o) const { return x * o.x + y * o.y; }
};

template <typename T>
__attribute__((noinline)) T sum_dots(const std::vector<Vec<T>> &v) {
	T s = 0;
	for (size_t i = 0; i + 1 < v.size(); i++) {
		s += v[i].dot(v[i + 1]);
	}
	return s;
}
} // namespace geo

static inline unsigned long mix(unsigned long x) {
	return x * 6364136223846793005UL + 1442695040888963407UL;
}

__attribute__((noinline)) static void fill(std::vector<unsigned long> &v,
		unsigned long seed) {
	for (auto &e : v) {
		seed = mix(seed);
		e = seed >> 17;
	}
}

int main(int argc, char *argv[]) {
	unsigned long iters = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 300;
	std::vector<unsigned long> v(4000);
	std::vector<geo::Vec<double>> pts(5000);
	double acc = 0;
	auto by_low_bits = [](unsigned long a, unsigned long b) {
		return (a & 0xffff) < (b & 0xffff);
	};
	for (unsigned long i = 0; i < iters; i++) {
		fill(v, i);
		std::sort(v.begin(), v.end(), by_low_bits);
		for (size_t k = 0; k < pts.size(); k++) {
			pts[k] = {double(v[k % v.size()] & 255), double(k)};
		}
		acc += geo::sum_dots(pts);
	}
	std::printf("%g\n", acc);
	return 0;
}
