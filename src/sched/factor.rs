//! Integer helpers of the model (layer-model §0.2): divisors and ordered
//! factorizations, in the exact generation orders the searches depend on.

/// Divisors of `v` in ascending order.
pub fn divisors(v: u64) -> Vec<u64> {
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut d = 1;
    while d * d <= v {
        if v.is_multiple_of(d) {
            small.push(d);
            if d * d != v {
                large.push(v / d);
            }
        }
        d += 1;
    }
    small.extend(large.into_iter().rev());
    small
}

/// All pairs `(a, v / a)` over the divisors `a` of `v`, ascending in `a`
/// (the ordered factorization `F(v, 2)`).
pub fn ordered_factors2(v: u64) -> Vec<(u64, u64)> {
    divisors(v).into_iter().map(|a| (a, v / a)).collect()
}

/// All triples of positive integers whose product is `v`, in lexicographic
/// order (the ordered factorization `F(v, 3)`).
pub fn ordered_factors3(v: u64) -> Vec<[u64; 3]> {
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
/// lexicographic order (search-model §1.2 `factorize`).
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
pub fn largest_divisor_at_most(v: u64, x: f64) -> Option<u64> {
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
    fn divisor_helpers() {
        assert_eq!(divisors(36), vec![1, 2, 3, 4, 6, 9, 12, 18, 36]);
        assert_eq!(ordered_factors2(4), vec![(1, 4), (2, 2), (4, 1)]);
        assert_eq!(largest_divisor_at_most(77, 31.0 / 14.0), Some(1));
        assert_eq!(largest_divisor_at_most(4, 2.2), Some(2));
        assert_eq!(largest_divisor_at_most(4, 0.9), None);
    }
}
