// SPDX-License-Identifier: MIT
// cxx-burn: C++ names for the demangling tests (namespaces, templates,
// lambdas, an anonymous namespace, const methods, overloads).
// Usage: cxx-burn [iterations] (default 500)
#include <cstdio>
#include <cstdlib>

namespace {
// Called once by each hot loop function so that it is not a leaf: gcc 12
// sets up no frame in leaf functions even with -fno-omit-frame-pointer,
// which would hide their caller from frame-pointer unwinding.
__attribute__((noinline)) void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) unsigned long spin(unsigned long n) {
	anchor();
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++) {
		s += i * i;
		__asm__ volatile("" : "+r"(s));
	}
	return s;
}
}  // namespace

namespace calc {
template <typename F> struct Runner {
	F f;
	__attribute__((noinline)) unsigned long run(unsigned long n) const {
		return f(n) + 1;
	}
};

__attribute__((noinline)) unsigned long work(int n) {
	return spin(n * 1000UL) + 1;
}
__attribute__((noinline)) unsigned long work(double n) {
	return spin((unsigned long)(n * 2000)) + 1;
}
}  // namespace calc

int main(int argc, char *argv[]) {
	unsigned long iters = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 500;
	auto lam = [](unsigned long n) __attribute__((noinline)) {
		return calc::work(int(n)) + calc::work(double(n)) + 1;
	};
	calc::Runner<decltype(lam)> r{lam};
	unsigned long s = 0;
	for (unsigned long i = 0; i < iters; i++) {
		s += r.run(2000);
	}
	std::printf("%lu\n", s);
	return 0;
}
