//! Shape arithmetic: the output size of a window slid over a padded input,
//! and the bounds that keep every quantity of a layer far from overflow.

use super::MAX_QUANTITY;
use crate::ir::{Dim2, LayerShape};

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
