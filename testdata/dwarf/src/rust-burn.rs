// SPDX-License-Identifier: MIT
// rust-burn: generics, closures, traits and inlined helpers for the DWARF
// unwinding tests. Usage: rust-burn [iterations] (default 300)
fn black_box(x: u64) -> u64 {
    unsafe { std::ptr::read_volatile(&x) }
}

trait Shape {
    fn area(&self, n: u64) -> u64;
}

struct Square(u64);

impl Shape for Square {
    #[inline(never)]
    fn area(&self, n: u64) -> u64 {
        spin(n * self.0)
    }
}

#[inline(always)]
fn mix(x: u64, i: u64) -> u64 {
    x.wrapping_mul(6364136223846793005).wrapping_add(i) ^ (x >> 7)
}

#[inline(never)]
fn spin(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        s = mix(black_box(s), i);
    }
    s
}

#[inline(never)]
fn apply<F: Fn(u64) -> u64>(f: F, n: u64) -> u64 {
    f(n) + 1
}

mod outer {
    pub mod inner {
        #[inline(never)]
        pub fn generic<T: Copy + Into<u64>>(v: T) -> u64 {
            super::super::spin(v.into() * 2000)
        }
    }
}

fn main() {
    let iters: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let sq = Square(3);
    let mut total = 0u64;
    for _ in 0..iters {
        total = total.wrapping_add(apply(|n| sq.area(n), 1000));
        total = total.wrapping_add(outer::inner::generic(4u32));
        let v: Vec<u64> = (0..200u64).map(|i| mix(i, total)).collect();
        total = total.wrapping_add(v.iter().fold(0, |a, b| a ^ b));
    }
    println!("{}", total);
}
