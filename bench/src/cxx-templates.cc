// SPDX-License-Identifier: MIT
// A C++ workload shaped like template-heavy application code, for
// bench/real.sh: a random walk through a grid of class templates (stages
// of a pipeline, each instantiated for several payload types), 8 to 30
// calls deep, with inlined helpers (std::visit-like dispatch, lambdas) on
// every level and leaves that sort, hash, format and look up in maps, so
// that a profile holds tens of thousands of distinct, long stacks.
// Each walk serves one of a few thousand request kinds (skewed: a few are
// common), whose route through the stages is fixed, as a server's is.
// Usage: cxx-templates [walks] [seed] (default 200000, 1)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace app {
namespace detail {

struct Rng {
	uint64_t s;
	uint64_t route; // picks the next stage: fixed per request kind
	uint64_t next() {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		return s;
	}
	unsigned step() {
		route = route * 6364136223846793005ull + 1442695040888963407ull;
		return (unsigned)(route >> 60);
	}
};

// Payloads: the template arguments that make the names long.
struct Ints {
	std::vector<std::pair<int, long>> v;
};
struct Words {
	std::map<std::string, std::vector<unsigned>> m;
};
struct Table {
	std::unordered_map<uint64_t, std::pair<std::string, double>> h;
};

template <typename T, int Level>
struct Policy {
	static constexpr int level = Level;
	using payload = T;
};

// Work at the leaves (and a little on every level).
[[gnu::noinline]] uint64_t leaf_sort(Rng &r, Ints &p) {
	p.v.clear();
	for (int i = 0; i < 48; i++) {
		p.v.emplace_back((int)(r.next() % 1000), (long)i);
	}
	std::sort(p.v.begin(), p.v.end(), [](const auto &a, const auto &b) {
		return a.first < b.first || (a.first == b.first && a.second > b.second);
	});
	return (uint64_t)p.v[7].first;
}

[[gnu::noinline]] uint64_t leaf_words(Rng &r, Words &p) {
	char buf[64];
	uint64_t acc = 0;
	for (int i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "w%llu-%d",
			(unsigned long long)(r.next() % 97), i);
		auto &v = p.m[buf];
		v.push_back((unsigned)strlen(buf));
		if (v.size() > 16) {
			v.clear();
		}
		acc += v.size();
	}
	return acc;
}

[[gnu::noinline]] uint64_t leaf_table(Rng &r, Table &p) {
	uint64_t acc = 0;
	for (int i = 0; i < 12; i++) {
		uint64_t k = r.next() % 4099;
		auto it = p.h.find(k);
		if (it == p.h.end()) {
			p.h.emplace(k, std::make_pair(std::to_string(k), k * 0.5));
		} else {
			acc += it->second.first.size();
			it->second.second += 1.0;
		}
	}
	return acc;
}

inline uint64_t leaf(Rng &r, Ints &p) {
	return leaf_sort(r, p);
}
inline uint64_t leaf(Rng &r, Words &p) {
	return leaf_words(r, p);
}
inline uint64_t leaf(Rng &r, Table &p) {
	return leaf_table(r, p);
}

template <typename P>
[[gnu::always_inline]] inline uint64_t spin(Rng &r, uint64_t x) {
	for (int i = 0; i < 8 + P::level; i++) {
		x = x * 6364136223846793005ull + r.next();
	}
	return x;
}

template <int Depth, int Kind, typename P>
struct Stage;

// The dispatch to the next stage, inlined into every stage's run, as
// std::visit and ranges code is.
template <int Depth, typename P>
struct Next {
	[[gnu::always_inline]] static inline uint64_t apply(Rng &r,
			typename P::payload &p) {
		switch (r.step() % 4) {
		case 0:
			return Stage<Depth, 0, P>::run(r, p);
		case 1:
			return Stage<Depth, 1, P>::run(r, p);
		case 2:
			return Stage<Depth, 2, P>::run(r, p);
		default:
			return Stage<Depth, 3, P>::run(r, p);
		}
	}
};

template <int Depth, int Kind, typename P>
struct Stage {
	[[gnu::noinline]] static uint64_t run(Rng &r, typename P::payload &p) {
		uint64_t x = spin<P>(r, (uint64_t)Depth * 31 + Kind);
		// Walks end at random depths.
		if (Depth < 12 && r.step() % 5 == 0) {
			return x ^ leaf(r, p);
		}
		return (x << 1) ^ Next<Depth - 1, P>::apply(r, p);
	}
};

template <int Kind, typename P>
struct Stage<0, Kind, P> {
	[[gnu::noinline]] static uint64_t run(Rng &r, typename P::payload &p) {
		return leaf(r, p) + Kind;
	}
};

template <typename P>
[[gnu::noinline]] uint64_t walk(Rng &r, typename P::payload &p) {
	return Next<P::level, P>::apply(r, p);
}

} // namespace detail

using IntsPolicy = detail::Policy<detail::Ints, 14>;
using WordsPolicy = detail::Policy<detail::Words, 16>;
using TablePolicy = detail::Policy<detail::Table, 18>;

} // namespace app

int main(int argc, char **argv) {
	long walks = argc > 1 ? atol(argv[1]) : 200000;
	app::detail::Rng r{argc > 2 ? strtoull(argv[2], NULL, 10) * 2654435761u
		+ 88172645463325252ull : 88172645463325252ull};
	app::detail::Ints ints;
	app::detail::Words words;
	app::detail::Table table;
	uint64_t acc = 0;
	for (long i = 0; i < walks; i++) {
		uint64_t kind = (r.next() % 2000) * (r.next() % 2000) / 2000;
		r.route = kind * 0x9e3779b97f4a7c15ull;
		switch (kind % 3) {
		case 0:
			acc += app::detail::walk<app::IntsPolicy>(r, ints);
			break;
		case 1:
			acc += app::detail::walk<app::WordsPolicy>(r, words);
			break;
		default:
			acc += app::detail::walk<app::TablePolicy>(r, table);
			break;
		}
	}
	printf("%llu\n", (unsigned long long)(acc & 0xff));
	return 0;
}
