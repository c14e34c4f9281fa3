//! The helper arithmetic of docs/model/partitioning.md#helper-arithmetic:
//! ceiling division, even splits of a range, the "roughly divisible" test and
//! ordered factorisations.

/// Ceiling division `ceil(a / b)`; `b` must be positive.
pub(crate) const fn idivc(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

/// Part `i` of `n` of the range `[beg, end)`:
/// `[beg + i*L div n, beg + (i+1)*L div n)` with `L = end - beg`. The parts
/// tile the range; some are empty when `n > L`. `n` must be positive.
pub(crate) const fn get_ith_range(rng: (u64, u64), i: u64, n: u64) -> (u64, u64) {
    let (beg, end) = rng;
    let len = end.saturating_sub(beg);
    (beg + i * len / n, beg + (i + 1) * len / n)
}

/// Is `total` split `num` ways roughly even? True iff `total >= num` and
/// rounding `total` up to a multiple of `num` adds at most 10% (or at most 1).
///
/// The reference tests `|m - total| <= max(0.1 * m, 1)` in floats with
/// `m = idivc(total, num) * num`; for integers this is exactly
/// `10 * (m - total) <= m` or `m - total <= 1`.
pub(crate) const fn approx_dividable(total: u64, num: u64) -> bool {
    if num == 0 || total < num {
        return false;
    }
    let m = idivc(total, num) * num;
    let diff = m - total;
    diff <= 1 || diff * 10 <= m
}

/// Greatest common divisor (`gcd(0, x) = x`).
pub(crate) const fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idivc_rounds_up() {
        assert_eq!(idivc(0, 3), 0);
        assert_eq!(idivc(6, 3), 2);
        assert_eq!(idivc(7, 3), 3);
    }

    #[test]
    fn ith_range_splits_evenly_with_floor() {
        let parts: Vec<_> = (0..3).map(|i| get_ith_range((0, 10), i, 3)).collect();
        assert_eq!(parts, [(0, 3), (3, 6), (6, 10)]);
        assert_eq!(get_ith_range((4, 9), 1, 2), (6, 9));
        // More parts than elements: some parts are empty.
        let parts: Vec<_> = (0..4).map(|i| get_ith_range((0, 2), i, 4)).collect();
        assert_eq!(parts, [(0, 0), (0, 1), (1, 1), (1, 2)]);
    }

    #[test]
    fn approx_dividable_matches_spec_examples() {
        assert!(approx_dividable(5, 2));
        assert!(!approx_dividable(5, 4));
        assert!(!approx_dividable(1, 2));
        assert!(approx_dividable(16, 4));
        assert!(approx_dividable(1, 1));
        // 10% boundary: m = 30, diff 3 passes; m = 20 diff 3 fails.
        assert!(approx_dividable(27, 10));
        assert!(!approx_dividable(17, 4));
        // nofm 5 over 4 nodes: 8 vs 5 (GP-19).
        assert!(!approx_dividable(5, 4));
        // 12 vs 10: diff 2 > max(1.2, 1).
        assert!(!approx_dividable(10, 3));
    }

    #[test]
    fn approx_dividable_agrees_with_float_formula() {
        for total in 0..400u64 {
            for num in 1..40u64 {
                let m = idivc(total, num) * num;
                #[allow(clippy::cast_precision_loss)]
                let float = total >= num
                    && ((m - total) as f64) <= f64::max(0.1 * (m.max(total) as f64), 1.0);
                assert_eq!(approx_dividable(total, num), float, "({total}, {num})");
            }
        }
    }

    #[test]
    fn gcd_works() {
        assert_eq!(gcd(4, 6), 2);
        assert_eq!(gcd(0, 5), 5);
        assert_eq!(gcd(7, 0), 7);
    }
}
