// SPDX-License-Identifier: MIT
// A Rust workload shaped like application code, for bench/real.sh: each
// round serves one of a few thousand request kinds (a few are common),
// whose route runs through generic stages (const generics, trait objects,
// closures and iterator chains, many of them inlined) to leaves that
// sort, hash, format and search, so that a profile holds thousands of
// distinct stacks. Usage: rust-walk [rounds] [seed] (default 200000, 1)
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

struct Rng {
    s: u64,
    route: u64, // picks the next stage: fixed per request kind
}

impl Rng {
    fn next(&mut self) -> u64 {
        self.s ^= self.s << 13;
        self.s ^= self.s >> 7;
        self.s ^= self.s << 17;
        self.s
    }
    fn step(&mut self) -> u32 {
        self.route = self
            .route
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.route >> 60) as u32
    }
}

trait Payload {
    fn leaf(&mut self, r: &mut Rng) -> u64;
}

#[derive(Default)]
struct Records {
    v: Vec<(u32, String)>,
}

#[derive(Default)]
struct Index {
    m: BTreeMap<String, Vec<u64>>,
}

#[derive(Default)]
struct Cache {
    h: HashMap<u64, (String, f64)>,
}

impl Payload for Records {
    #[inline(never)]
    fn leaf(&mut self, r: &mut Rng) -> u64 {
        self.v.clear();
        for i in 0..32 {
            self.v.push(((r.next() % 1000) as u32, format!("r{}", i)));
        }
        self.v
            .sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
        self.v.iter().take(5).map(|x| x.0 as u64).sum()
    }
}

impl Payload for Index {
    #[inline(never)]
    fn leaf(&mut self, r: &mut Rng) -> u64 {
        let mut key = String::new();
        let mut acc = 0u64;
        for i in 0..6 {
            key.clear();
            write!(key, "k{}-{}", r.next() % 97, i).unwrap();
            let v = self.m.entry(key.clone()).or_default();
            v.push(key.len() as u64);
            if v.len() > 16 {
                v.clear();
            }
            acc += v.len() as u64;
        }
        acc
    }
}

impl Payload for Cache {
    #[inline(never)]
    fn leaf(&mut self, r: &mut Rng) -> u64 {
        let mut acc = 0u64;
        for _ in 0..12 {
            let k = r.next() % 4099;
            match self.h.get_mut(&k) {
                Some(e) => {
                    acc += e.0.len() as u64;
                    e.1 += 1.0;
                }
                None => {
                    self.h.insert(k, (k.to_string(), k as f64 * 0.5));
                }
            }
        }
        acc
    }
}

#[inline(always)]
fn spin<const D: usize>(r: &mut Rng, mut x: u64) -> u64 {
    for _ in 0..(8 + D) {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(r.next());
    }
    x
}

// One stage of the pipeline: D levels from the leaves, K its variant.
struct Stage<const D: usize, const K: usize>;

trait Run<P: Payload> {
    fn run(r: &mut Rng, p: &mut P) -> u64;
}

macro_rules! stages {
    ($($d:literal => $n:literal),*) => {$(
        impl<P: Payload, const K: usize> Run<P> for Stage<$d, K> {
            #[inline(never)]
            fn run(r: &mut Rng, p: &mut P) -> u64 {
                let x = spin::<$d>(r, ($d * 31 + K) as u64);
                if $d < 12 && r.step() % 5 == 0 {
                    return x ^ p.leaf(r);
                }
                next::<$n, P, _>(r, p, |y| (x << 1) ^ y)
            }
        }
    )*};
}

// The dispatch to the next stage, inlined into every stage with the
// closure it is given.
#[inline(always)]
fn next<const D: usize, P: Payload, F: Fn(u64) -> u64>(
    r: &mut Rng,
    p: &mut P,
    f: F,
) -> u64
where
    Stage<D, 0>: Run<P>,
    Stage<D, 1>: Run<P>,
    Stage<D, 2>: Run<P>,
    Stage<D, 3>: Run<P>,
{
    f(match r.step() % 4 {
        0 => <Stage<D, 0> as Run<P>>::run(r, p),
        1 => <Stage<D, 1> as Run<P>>::run(r, p),
        2 => <Stage<D, 2> as Run<P>>::run(r, p),
        _ => <Stage<D, 3> as Run<P>>::run(r, p),
    })
}

impl<P: Payload, const K: usize> Run<P> for Stage<0, K> {
    #[inline(never)]
    fn run(r: &mut Rng, p: &mut P) -> u64 {
        p.leaf(r) + K as u64
    }
}

stages!(1 => 0, 2 => 1, 3 => 2, 4 => 3, 5 => 4, 6 => 5, 7 => 6, 8 => 7,
    9 => 8, 10 => 9, 11 => 10, 12 => 11, 13 => 12, 14 => 13, 15 => 14,
    16 => 15, 17 => 16, 18 => 17);

#[inline(never)]
fn walk<P: Payload, const D: usize>(r: &mut Rng, p: &mut P) -> u64
where
    Stage<D, 0>: Run<P>,
    Stage<D, 1>: Run<P>,
    Stage<D, 2>: Run<P>,
    Stage<D, 3>: Run<P>,
{
    next::<D, P, _>(r, p, |y| y)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200000);
    let seed: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut r = Rng {
        s: seed.wrapping_mul(2654435761).wrapping_add(88172645463325252),
        route: 0,
    };
    let (mut recs, mut idx, mut cache) =
        (Records::default(), Index::default(), Cache::default());
    let mut acc = 0u64;
    for _ in 0..rounds {
        let kind = (r.next() % 2000) * (r.next() % 2000) / 2000;
        r.route = kind.wrapping_mul(0x9e3779b97f4a7c15);
        acc = acc.wrapping_add(match kind % 3 {
            0 => walk::<Records, 14>(&mut r, &mut recs),
            1 => walk::<Index, 16>(&mut r, &mut idx),
            _ => walk::<Cache, 18>(&mut r, &mut cache),
        });
    }
    println!("{}", acc & 0xff);
}
