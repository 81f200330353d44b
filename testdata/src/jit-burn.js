// SPDX-License-Identifier: MIT
// jit-burn: JavaScript for tests/live/live.sh's node case: recursive calls
// (fib) and builtins (Array.prototype.map, reduce) for about a second.
function fib(n) {
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function work(round) {
	let s = 0;
	for (let i = 0; i < 60; i++) {
		s += fib(20);
		s += [1, 2, 3, 4, 5, 6, 7, 8].map((x) => x * round).reduce((a, b) => a + b, 0);
	}
	return s;
}

const ms = Number(process.argv[2] || 1000);
const end = Date.now() + ms;
let total = 0;
for (let round = 0; Date.now() < end; round++) {
	total += work(round);
}
console.log(total);
