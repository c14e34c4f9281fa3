//! Shape arithmetic: the output size of a window slid over a padded input,
//! and the bounds that keep every quantity of a layer far from overflow.

use super::MAX_QUANTITY;
use crate::ir::{Dim2, LayerShape, WindowMode};
use crate::lang::error::{Choice, Fixes};

/// Why a window's output size cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WindowError {
    /// The padded input does not fit in a `u64`.
    Overflow,
    /// The kernel is larger than the padded input: no output at all.
    KernelTooLarge {
        /// The input plus twice the padding.
        padded: Dim2,
    },
}

/// The output size of a `kernel` window slid with `stride` over `input`
/// padded by `pad` on each side: per dimension
/// `floor((input + 2 * pad - kernel) / stride) + 1`.
pub(super) fn output_size(
    input: Dim2,
    kernel: Dim2,
    stride: Dim2,
    pad: Dim2,
) -> Result<Dim2, WindowError> {
    let padded = (|| {
        Some(Dim2::new(
            input.h.checked_add(pad.h.checked_mul(2)?)?,
            input.w.checked_add(pad.w.checked_mul(2)?)?,
        ))
    })()
    .ok_or(WindowError::Overflow)?;
    if padded.h < kernel.h || padded.w < kernel.w {
        return Err(WindowError::KernelTooLarge { padded });
    }
    Ok(Dim2::new(
        (padded.h - kernel.h) / stride.h + 1,
        (padded.w - kernel.w) / stride.w + 1,
    ))
}

/// Checked arithmetic on the quantities of a shape: every number the IR's
/// formulas compute for one sample, or `None` if one exceeds [`MAX_QUANTITY`].
pub fn shape_fits(s: &LayerShape) -> bool {
    fn q(x: Option<u64>) -> Option<u64> {
        x.filter(|&v| v <= MAX_QUANTITY)
    }
    let check = || -> Option<()> {
        let (o, k, st) = (s.ofmap(), s.window(), s.stride());
        for (o, k, st) in [(o.h, k.h, st.h), (o.w, k.w, st.w)] {
            q(o.checked_sub(1)?.checked_mul(st)?.checked_add(k))?;
            q(o.checked_mul(st))?;
        }
        let ofsize = q(o.h.checked_mul(o.w))?;
        let ih = k.h.checked_add(o.h.checked_sub(1)?.checked_mul(st.h)?)?;
        let iw = k.w.checked_add(o.w.checked_sub(1)?.checked_mul(st.w)?)?;
        let ifsize = q(ih.checked_mul(iw))?;
        q(k.h.checked_mul(k.w))?;
        q(st.h.checked_mul(st.w))?;
        let (nifm, nofm, opn) = match s {
            LayerShape::Conv(c) => (
                c.nifm,
                c.nofm,
                q(c.filter.h.checked_mul(c.filter.w)?.checked_mul(c.nifm))?,
            ),
            LayerShape::Local(l) => (
                q(l.nofm.checked_mul(l.ntrd))?,
                l.nofm,
                q(l.nreg.checked_mul(l.region.h)?.checked_mul(l.region.w))?,
            ),
        };
        let total_of = q(nofm.checked_mul(ofsize))?;
        q(total_of.checked_mul(opn))?;
        q(nifm.checked_mul(ifsize))?;
        if let LayerShape::Conv(c) = s {
            q(c.nifm
                .checked_mul(c.nofm)?
                .checked_mul(c.filter.h)?
                .checked_mul(c.filter.w))?;
        }
        Some(())
    };
    check().is_some()
}

/// What a windowed call (`conv`, `pool`) wrote about its window: enough to
/// say which changes would make a source fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Window {
    pub(super) kernel: Dim2,
    pub(super) stride: Dim2,
    /// `pad:` as given.
    pub(super) pad: Option<Dim2>,
    /// `size:` as given.
    pub(super) size: Option<Dim2>,
    pub(super) mode: WindowMode,
}

/// Fitting values of an argument, per dimension: heights and widths, each
/// `lo..=hi`.
type Ranges = ((u64, u64), (u64, u64));

impl Window {
    /// The changes to this call that make a source of `input` fit an
    /// output of `ofmap`: each one is checked to work. `pad` is offered
    /// only when `size` is not given and the other way round, since the two
    /// cannot be given together; and `mode: floor` with either only when
    /// neither works alone.
    pub(super) fn fixes(&self, input: Dim2, ofmap: Dim2) -> Fixes {
        let (k, s) = (self.kernel, self.stride);
        let (h0, h1) = WindowMode::Floor.input_range(ofmap.h, k.h, s.h);
        let (w0, w1) = WindowMode::Floor.input_range(ofmap.w, k.w, s.w);
        let floor =
            self.mode.is_exact() && (h0..=h1).contains(&input.h) && (w0..=w1).contains(&input.w);
        let choose = |given: bool, values: fn(&Window, Dim2, WindowMode) -> Option<Ranges>| {
            if given {
                return None;
            }
            let choice = |(h, w): Ranges, floor| Choice { h, w, floor };
            match values(self, input, self.mode) {
                Some(v) => Some(choice(v, false)),
                None if self.mode.is_exact() && !floor => {
                    values(self, input, WindowMode::Floor).map(|v| choice(v, true))
                }
                None => None,
            }
        };
        Fixes {
            floor,
            pad: choose(self.size.is_some(), Window::pads),
            size: choose(self.pad.is_some(), Window::sizes),
        }
    }

    /// The output sizes that accept `input` under `mode`.
    fn sizes(&self, input: Dim2, mode: WindowMode) -> Option<Ranges> {
        let (k, s) = (self.kernel, self.stride);
        Some((
            fitting_sizes(input.h, k.h, s.h, mode)?,
            fitting_sizes(input.w, k.w, s.w, mode)?,
        ))
    }

    /// The pads whose output size accepts `input` under `mode`.
    fn pads(&self, input: Dim2, mode: WindowMode) -> Option<Ranges> {
        let (k, s) = (self.kernel, self.stride);
        let (oh, ow) = self.sizes(input, mode)?;
        Some((
            fitting_pads(input.h, k.h, s.h, oh)?,
            fitting_pads(input.w, k.w, s.w, ow)?,
        ))
    }
}

/// The output sizes `o..=o'` for which a window of `kernel` moved by
/// `stride` accepts a source of `input` under `mode`, if any. The accepted
/// sources of `o` run from `(o - 1) * stride + min(stride, kernel)` to
/// `(o - 1) * stride + max(stride, kernel)`, or for `Floor` from `(o - 1) *
/// stride + kernel % 2` (half the kernel padded on each side) to `o *
/// stride + kernel - 1` (see [`WindowMode::input_range`]), so the fitting
/// `o - 1` form an interval of multiples of the stride.
fn fitting_sizes(input: u64, kernel: u64, stride: u64, mode: WindowMode) -> Option<(u64, u64)> {
    let (i, k, s) = (i128::from(input), i128::from(kernel), i128::from(stride));
    let low = match mode {
        WindowMode::Exact => s.min(k),
        WindowMode::Floor => k % 2,
    };
    let high = match mode {
        WindowMode::Exact => s.max(k),
        WindowMode::Floor => s + k - 1,
    };
    if i < low {
        return None;
    }
    let most = (i - low).div_euclid(s);
    let least = ceil_div((i - high).max(0), s);
    (least <= most).then_some(())?;
    Some((
        u64::try_from(least + 1).ok()?,
        u64::try_from(most + 1).ok()?,
    ))
}

/// The pads `p..=p'` whose output size, `floor((input + 2p - kernel) /
/// stride) + 1`, lies in `sizes`: it grows with `p`, so they are the pads
/// from the first reaching the smallest size to the last below the
/// largest size plus one.
fn fitting_pads(input: u64, kernel: u64, stride: u64, sizes: (u64, u64)) -> Option<(u64, u64)> {
    let (i, k, s) = (i128::from(input), i128::from(kernel), i128::from(stride));
    let (o1, o2) = (i128::from(sizes.0), i128::from(sizes.1));
    let least = ceil_div((o1 - 1) * s + k - i, 2).max(0);
    let most = (o2 * s + k - i - 1).div_euclid(2);
    (least <= most).then_some(())?;
    Some((u64::try_from(least).ok()?, u64::try_from(most).ok()?))
}

/// `ceil(a / b)` for `b > 0`.
fn ceil_div(a: i128, b: i128) -> i128 {
    -(-a).div_euclid(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed forms against the rule itself, over every small case.
    #[test]
    fn fitting_sizes_and_pads_are_exactly_those_the_rule_accepts() {
        for mode in WindowMode::ALL {
            for input in 1..=24u64 {
                for kernel in 1..=7u64 {
                    for stride in 1..=6u64 {
                        let accepts = |o: u64| {
                            let (lo, hi) = mode.input_range(o, kernel, stride);
                            (lo..=hi).contains(&input)
                        };
                        let sizes: Vec<u64> = (1..=40).filter(|&o| accepts(o)).collect();
                        let found = fitting_sizes(input, kernel, stride, mode);
                        let expected = sizes.first().zip(sizes.last()).map(|(a, b)| (*a, *b));
                        assert_eq!(found, expected, "{mode} in {input} k {kernel} s {stride}");
                        assert_eq!(sizes.len() as u64, found.map_or(0, |(a, b)| b - a + 1));
                        let Some(range) = found else { continue };
                        let pads: Vec<u64> = (0..=20)
                            .filter(|&p| {
                                input + 2 * p >= kernel
                                    && accepts((input + 2 * p - kernel) / stride + 1)
                            })
                            .collect();
                        let expected = pads.first().zip(pads.last()).map(|(a, b)| (*a, *b));
                        let found = fitting_pads(input, kernel, stride, range);
                        assert_eq!(found, expected, "{mode} in {input} k {kernel} s {stride}");
                        assert_eq!(pads.len() as u64, found.map_or(0, |(a, b)| b - a + 1));
                    }
                }
            }
        }
    }

    #[test]
    fn fixes_offer_only_what_works() {
        let window = |k, s, pad: Option<u64>, size: Option<u64>, mode| Window {
            kernel: Dim2::square(k),
            stride: Dim2::square(s),
            pad: pad.map(Dim2::square),
            size: size.map(Dim2::square),
            mode,
        };
        let sq = |n| (n, n);
        // pool 3 over 32: nothing but rounding down.
        let f =
            window(3, 3, None, None, WindowMode::Exact).fixes(Dim2::square(32), Dim2::square(10));
        assert_eq!((f.floor, f.pad, f.size), (true, None, None));
        // pool 3/2 over 32: floor, or pad 1, or the ceil-mode size 16.
        let f =
            window(3, 2, None, None, WindowMode::Exact).fixes(Dim2::square(32), Dim2::square(15));
        assert!(f.floor);
        let exact = |h, w| Some(Choice { h, w, floor: false });
        assert_eq!(
            (f.pad, f.size),
            (exact(sq(1), sq(1)), exact(sq(16), sq(16)))
        );
        // size 11 over 32 with kernel 3 (PyTorch's ceil_mode): `mode:
        // floor`, which pads up to half the kernel on each side; no pad
        // since size is given.
        let f = window(3, 3, None, Some(11), WindowMode::Exact)
            .fixes(Dim2::square(32), Dim2::square(11));
        assert_eq!((f.floor, f.pad, f.size), (true, None, None));
        // size 12: only a smaller size with floor.
        let f = window(3, 3, None, Some(12), WindowMode::Exact)
            .fixes(Dim2::square(32), Dim2::square(12));
        let floor = Some(Choice {
            h: (10, 11),
            w: (10, 11),
            floor: true,
        });
        assert_eq!((f.floor, f.pad, f.size), (false, None, floor));
        // conv 3 with pad 4 over 5: pads 0 and 1; no size since pad is given.
        let f =
            window(3, 1, Some(4), None, WindowMode::Exact).fixes(Dim2::square(5), Dim2::square(11));
        assert_eq!(
            (f.floor, f.pad, f.size),
            (false, exact((0, 1), (0, 1)), None)
        );
    }
}
