//! Integer helpers of the model
//! (docs/model/blocking.md#ordered-factorizations): divisors and ordered
//! factorizations, in the exact generation orders the searches depend on.

/// Divisors of `v` in ascending order (none for 0).
///
/// From the prime factorization by trial division, which stops at the square
/// root of the part not yet factored: fast for the smooth loop counts of
/// real layers, and for `u64::MAX` itself.
pub(crate) fn divisors(v: u64) -> Vec<u64> {
    if v == 0 {
        return Vec::new();
    }
    let mut divs = vec![1u64];
    let mut rest = v;
    let mut p = 2u64;
    // `p <= rest / p`, not `p * p <= rest`: the square wraps near
    // `u64::MAX`, and the loop would never end.
    while p <= rest / p {
        if rest.is_multiple_of(p) {
            let known = divs.len();
            let mut power = 1;
            while rest.is_multiple_of(p) {
                rest /= p;
                power *= p;
                // Each product is a divisor of `v`, so it fits.
                for i in 0..known {
                    divs.push(divs[i] * power);
                }
            }
        }
        p += if p == 2 { 1 } else { 2 };
    }
    if rest > 1 {
        let known = divs.len();
        for i in 0..known {
            divs.push(divs[i] * rest);
        }
    }
    divs.sort_unstable();
    divs
}

/// All pairs `(a, v / a)` over the divisors `a` of `v`, ascending in `a`
/// (the ordered factorization `F(v, 2)`).
pub(crate) fn ordered_factors2(v: u64) -> Vec<(u64, u64)> {
    divisors(v).into_iter().map(|a| (a, v / a)).collect()
}

/// All triples of positive integers whose product is `v`, in lexicographic
/// order (the ordered factorization `F(v, 3)`).
pub(crate) fn ordered_factors3(v: u64) -> Vec<[u64; 3]> {
    // Kept per thread: a search asks for the same few loop counts for
    // every per-node problem, and finding the divisors was a twentieth of
    // a search. Bounded, since counts come from user sizes.
    thread_local! {
        static KNOWN: std::cell::RefCell<crate::fasthash::FastMap<u64, Vec<[u64; 3]>>> =
            std::cell::RefCell::default();
    }
    if let Some(hit) = KNOWN.with(|k| k.borrow().get(&v).cloned()) {
        return hit;
    }
    let out = ordered_factors3_of(v);
    KNOWN.with(|k| {
        let mut k = k.borrow_mut();
        if k.len() >= 4096 {
            k.clear();
        }
        k.insert(v, out.clone());
    });
    out
}

/// [`ordered_factors3`], computed.
fn ordered_factors3_of(v: u64) -> Vec<[u64; 3]> {
    let divs = divisors(v);
    let mut out = Vec::new();
    for &a in &divs {
        for &b in &divs {
            if (v / a).is_multiple_of(b) {
                out.push([a, b, v / a / b]);
            }
        }
    }
    out
}

/// All ordered `n`-tuples of positive integers whose product is `v`, in
/// lexicographic order (docs/model/partitioning.md#helper-arithmetic `factorize`).
pub fn ordered_factors(v: u64, n: usize) -> Vec<Vec<u64>> {
    if v == 0 {
        return Vec::new();
    }
    if n == 0 {
        return if v == 1 { vec![Vec::new()] } else { Vec::new() };
    }
    if n == 1 {
        return vec![vec![v]];
    }
    let mut out = Vec::new();
    for a in divisors(v) {
        for mut rest in ordered_factors(v / a, n - 1) {
            rest.insert(0, a);
            out.push(rest);
        }
    }
    out
}

/// The largest divisor of `v` not above `x`, if `x >= 1`.
pub(crate) fn largest_divisor_at_most(v: u64, x: f64) -> Option<u64> {
    if x < 1.0 {
        return None;
    }
    divisors(v).into_iter().rev().find(|&d| d as f64 <= x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factorization_of_12_in_order() {
        let f: Vec<[u64; 3]> = ordered_factors3(12);
        let expect = [
            [1, 1, 12],
            [1, 2, 6],
            [1, 3, 4],
            [1, 4, 3],
            [1, 6, 2],
            [1, 12, 1],
            [2, 1, 6],
            [2, 2, 3],
            [2, 3, 2],
            [2, 6, 1],
            [3, 1, 4],
            [3, 2, 2],
            [3, 4, 1],
            [4, 1, 3],
            [4, 3, 1],
            [6, 1, 2],
            [6, 2, 1],
            [12, 1, 1],
        ];
        assert_eq!(f, expect);
    }

    #[test]
    fn factorization_counts() {
        // |F(v,3)| = product over prime powers p^k of C(k+2, 2).
        assert_eq!(ordered_factors3(256).len(), 45);
        assert_eq!(ordered_factors3(77).len(), 9);
        assert_eq!(ordered_factors3(16).len(), 15);
        assert_eq!(ordered_factors3(1).len(), 1);
        assert_eq!(ordered_factors(2, 4).len(), 4);
        assert_eq!(ordered_factors(2, 4)[0], vec![1, 1, 1, 2]);
    }

    #[test]
    fn divisors_of_extreme_values() {
        assert!(divisors(0).is_empty());
        assert_eq!(divisors(1), [1]);
        assert_eq!(divisors(97), [1, 97]);
        // The largest prime below 2^16, to the 4th, is just below 2^64: the
        // loop reaches its root without overflow.
        let p = 65_521u64;
        assert_eq!(divisors(p.pow(4)), [1, p, p.pow(2), p.pow(3), p.pow(4)]);
        assert_eq!(divisors(1 << 63).len(), 64);
        // 2^64 - 1 = 3 * 5 * 17 * 257 * 641 * 65537 * 6700417.
        let all = divisors(u64::MAX);
        assert_eq!((all.len(), all[1], all[127]), (128, 3, u64::MAX));
        // Against the definition, on small numbers.
        for v in 1..2000u64 {
            let naive: Vec<u64> = (1..=v).filter(|d| v.is_multiple_of(*d)).collect();
            assert_eq!(divisors(v), naive, "{v}");
        }
    }

    #[test]
    fn divisor_helpers() {
        assert_eq!(divisors(36), vec![1, 2, 3, 4, 6, 9, 12, 18, 36]);
        assert_eq!(ordered_factors2(4), vec![(1, 4), (2, 2), (4, 1)]);
        assert_eq!(largest_divisor_at_most(77, 31.0 / 14.0), Some(1));
        assert_eq!(largest_divisor_at_most(4, 2.2), Some(2));
        assert_eq!(largest_divisor_at_most(4, 0.9), None);
    }
}
