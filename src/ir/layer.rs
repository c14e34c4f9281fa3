//! Layers of the network IR: their kinds, shapes, derived input sizes and op
//! counts (docs/model/layers.md).
//!
//! A shape is what the scheduler sees of a layer. Input sizes are *derived*
//! from the output side, without padding, exactly as the reference does:
//! `ifmap = kernel + (ofmap - 1) * stride` per dimension.

use super::dim::Dim2;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest count of one layer for one sample — ops, or words of its
/// ifmaps, ofmaps or filters — and of every product its formulas form on
/// the way (2^44, about 1.8e13). Every [`Network`](super::Network) keeps to
/// it, so the formulas below never overflow for one sample; the scheduler
/// applies the same bound to whole batches (`sched::model::limits`).
pub const MAX_QUANTITY: u64 = 1 << 44;

/// What a layer is, as the user wrote it. Fully connected layers share the
/// convolution model and pooling/element-wise layers the local-region model;
/// the kind is kept for reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    /// Convolution (`conv`), grouped or dilated.
    Conv,
    /// Fully connected (`fc`): a convolution whose kernel covers the whole input.
    Fc,
    /// Spatial pooling (`pool`), max or average: same cost.
    Pool,
    /// Element-wise merge of `nreg` equally shaped inputs (`eltwise`).
    Eltwise,
    /// Product of two activations (`matmul`): a 1x1 grouped convolution
    /// whose filter is the second operand, data produced per sample
    /// ([`FilterData::Operand`]); it has no weights.
    Matmul,
    /// Nearest or bilinear upsampling (`upsample`): a depthwise
    /// convolution in sub-pixel form ([`ConvShape::shuffle`]) with fixed
    /// coefficients, no weights.
    Upsample,
    /// Transposed convolution (`deconv`): a convolution in sub-pixel form.
    Deconv,
}

impl LayerKind {
    /// The keyword of the kind in `.nn` files and reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            LayerKind::Conv => "conv",
            LayerKind::Fc => "fc",
            LayerKind::Pool => "pool",
            LayerKind::Eltwise => "eltwise",
            LayerKind::Matmul => "matmul",
            LayerKind::Upsample => "upsample",
            LayerKind::Deconv => "deconv",
        }
    }
}

impl fmt::Display for LayerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which source sizes a windowed layer accepts for its output size: how
/// its windows cover its input (the padding rule,
/// docs/model/layers.md#padding). The model itself only ever sees the
/// derived input [`LayerShape::ifmap`]: what the windows read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowMode {
    /// The reference's padding rule: the windows cover the whole source,
    /// with at most the padding their overlap (`kernel - stride`) allows, or
    /// skip at most the gap of a stride wider than the kernel. Per
    /// dimension the source lies between `min(ofmap * stride, ifmap)` and
    /// `max(ofmap * stride, ifmap)`.
    #[default]
    Exact,
    /// PyTorch's and ONNX's windows: the output size rounded down
    /// (`ceil_mode=False`), so the source may run past the last window by
    /// fewer rows than a stride, and those rows are not read; and up to
    /// half the kernel of padding on each side (PyTorch's `padding <=
    /// kernel_size / 2`), whatever the stride. Per dimension the source
    /// lies between `ifmap - 2 * floor(kernel / 2)` and
    /// `ofmap * stride + kernel - 1`.
    Floor,
}

impl WindowMode {
    /// Both modes, the default first.
    pub const ALL: [WindowMode; 2] = [WindowMode::Exact, WindowMode::Floor];

    /// The mode's keyword in `.nn` files and the IR's JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            WindowMode::Exact => "exact",
            WindowMode::Floor => "floor",
        }
    }

    /// True for the default, [`WindowMode::Exact`].
    pub const fn is_exact(&self) -> bool {
        matches!(self, WindowMode::Exact)
    }

    /// The source sizes `lo..=hi` that a window of `kernel` moved by
    /// `stride` accepts in one dimension when it produces `ofmap` points.
    /// Saturating: shapes from the front end are far from overflow.
    pub const fn input_range(self, ofmap: u64, kernel: u64, stride: u64) -> (u64, u64) {
        let covered = ofmap.saturating_mul(stride);
        let derived = kernel.saturating_add(ofmap.saturating_sub(1).saturating_mul(stride));
        let lo = if covered < derived { covered } else { derived };
        let hi = match self {
            WindowMode::Exact => {
                if covered > derived {
                    covered
                } else {
                    derived
                }
            }
            WindowMode::Floor => covered.saturating_add(kernel.saturating_sub(1)),
        };
        // Why half a window on each side: PyTorch pads up to that
        // (`padding <= kernel_size / 2`), ONNX exports its pads, and the
        // model charges the padded rows as data whatever their number.
        let lo = match self {
            WindowMode::Exact => lo,
            WindowMode::Floor => derived.saturating_sub(kernel / 2 * 2),
        };
        (lo, hi)
    }
}

impl fmt::Display for WindowMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the filter words of a convolution-pattern layer come from
/// (docs/model/layers.md#matmul).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterData {
    /// Weights: fixed data, the same for every sample of a batch (conv, fc).
    #[default]
    Weights,
    /// The second operand of a product of two activations (matmul): data a
    /// layer produces for each sample, so no two samples share it. The
    /// layer is scheduled as `groups / share x batch` runs at batch 1,
    /// each reading one group of its sample's operand as its filter.
    Operand {
        /// Groups of the layer that read each group of the operand:
        /// grouped-query attention's query heads per key/value head
        /// (docs/model/layers.md#grouped-query-attention); 1 otherwise.
        share: u64,
        /// Tokens of the operand that come from a cache in DRAM rather
        /// than from its source: a decode step's past keys or values
        /// (docs/model/layers.md#kv-cache); 0 otherwise.
        cached: u64,
        /// Window attention (Swin): the tokens, the points of the ofmap,
        /// are split into windows of this size, and each window's tokens
        /// multiply only the same window of the operand
        /// (docs/model/layers.md#window-attention); `None` when every
        /// token multiplies the whole operand.
        window: Option<Dim2>,
    },
}

/// A convolution-pattern layer (conv, fc or matmul): each output point is a weighted
/// sum over a `filter` window of the `nifm / groups` input channels of its
/// group (all of them when `groups` is 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ConvShape {
    /// Input channels.
    pub nifm: u64,
    /// Output channels.
    pub nofm: u64,
    /// Output fmap size.
    pub ofmap: Dim2,
    /// Filter (kernel) size.
    pub filter: Dim2,
    /// Stride.
    pub stride: Dim2,
    /// Groups (grouped convolution; depthwise when it equals `nifm`): the
    /// channels split into `groups` independent convolutions of
    /// `nifm / groups` to `nofm / groups` channels that share neither
    /// filters nor ifmaps (docs/model/layers.md#grouped-convolution). It
    /// divides both `nifm` and `nofm`; 1 for an ordinary convolution.
    pub groups: u64,
    /// Spacing of the filter taps (dilated or atrous convolution): the
    /// window spans `(filter - 1) * dilation + 1` input points
    /// (docs/model/layers.md#dilation). 1 for a dense filter.
    pub dilation: Dim2,
    /// Where the filter comes from: weights, or a matmul's second operand.
    pub filter_data: FilterData,
    /// The pixel shuffle of an upsampling layer's sub-pixel form
    /// (docs/model/layers.md#upsampling): the layer computes `nofm`
    /// channels of `ofmap`, and its consumers read them as `nofm /
    /// (shuffle.h * shuffle.w)` channels of `ofmap * shuffle`. `[1, 1]` for
    /// every other layer.
    pub shuffle: Dim2,
}

/// A local-region layer (pooling, element-wise): each output point merges a
/// spatial `region` window of one channel, or `nreg` neighbouring channels,
/// never both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct LocalShape {
    /// Output channels.
    pub nofm: u64,
    /// Output fmap size.
    pub ofmap: Dim2,
    /// Channels merged per output point (the number of inputs of an eltwise).
    pub nreg: u64,
    /// Spatial window merged per output point.
    pub region: Dim2,
    /// Spatial stride.
    pub stride: Dim2,
    /// Channel stride: input channels per output channel (`nreg` for an
    /// eltwise, whose input is the concatenation of its operands; 1 otherwise).
    pub ntrd: u64,
}

/// The shape of one layer: everything the cost model needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum LayerShape {
    /// Convolution pattern (conv, fc).
    Conv(ConvShape),
    /// Local-region pattern (pool, eltwise).
    Local(LocalShape),
}

impl ConvShape {
    /// A fully connected layer: a convolution with a 1x1 ofmap and unit stride
    /// whose filter covers the whole `filter`-sized input.
    pub const fn fc(nifm: u64, nofm: u64, filter: Dim2) -> Self {
        ConvShape::dense(nifm, nofm, Dim2::square(1), filter, Dim2::square(1))
    }

    /// An ordinary (one group, dense) convolution.
    pub const fn dense(nifm: u64, nofm: u64, ofmap: Dim2, filter: Dim2, stride: Dim2) -> Self {
        ConvShape {
            nifm,
            nofm,
            ofmap,
            filter,
            stride,
            groups: 1,
            dilation: Dim2::square(1),
            filter_data: FilterData::Weights,
            shuffle: Dim2::square(1),
        }
    }

    /// A product of two activations (docs/model/layers.md#matmul): per
    /// sample and per group, each of the `ofmap` points (tokens) of an
    /// input of `nifm` channels is a row vector of its group's
    /// `nifm / groups` channels, multiplied by a `nifm / groups` x
    /// `nofm / groups` matrix taken from the second operand. It is a 1x1
    /// grouped convolution whose filter is that operand.
    pub const fn matmul(nifm: u64, nofm: u64, ofmap: Dim2, groups: u64) -> Self {
        ConvShape {
            nifm,
            nofm,
            ofmap,
            filter: Dim2::square(1),
            stride: Dim2::square(1),
            groups,
            dilation: Dim2::square(1),
            filter_data: FilterData::Operand {
                share: 1,
                cached: 0,
                window: None,
            },
            shuffle: Dim2::square(1),
        }
    }

    /// A matmul whose operand's groups are each read by `share` of its
    /// groups (grouped-query attention,
    /// docs/model/layers.md#grouped-query-attention) and whose operand has
    /// `cached` more tokens in a cache in DRAM (a decode step's past keys
    /// and values, docs/model/layers.md#kv-cache): `nofm` and `nifm` count
    /// the cached tokens, as the product does.
    pub const fn attention(
        nifm: u64,
        nofm: u64,
        ofmap: Dim2,
        groups: u64,
        share: u64,
        cached: u64,
    ) -> Self {
        ConvShape {
            filter_data: FilterData::Operand {
                share,
                cached,
                window: None,
            },
            ..ConvShape::matmul(nifm, nofm, ofmap, groups)
        }
    }

    /// The same matmul as a window attention: its tokens split into
    /// windows of `window` points, each multiplying only the same window
    /// of the operand (docs/model/layers.md#window-attention). The
    /// window must divide the ofmap; `nofm` and `nifm` count one window's
    /// tokens of the operand, as the product per window does. A layer
    /// that is not a matmul is returned unchanged.
    pub const fn windowed(self, window: Dim2) -> Self {
        match self.filter_data {
            FilterData::Operand { share, cached, .. } => ConvShape {
                filter_data: FilterData::Operand {
                    share,
                    cached,
                    window: Some(window),
                },
                ..self
            },
            FilterData::Weights => self,
        }
    }

    /// A window attention's window, `None` for every other layer.
    pub const fn window(&self) -> Option<Dim2> {
        match self.filter_data {
            FilterData::Operand { window, .. } => window,
            FilterData::Weights => None,
        }
    }

    /// Windows of a window attention per sample, `(ofmap.h / window.h) *
    /// (ofmap.w / window.w)`; 1 for every other layer.
    pub const fn windows(&self) -> u64 {
        match self.window() {
            Some(w) if w.h > 0 && w.w > 0 => (self.ofmap.h / w.h) * (self.ofmap.w / w.w),
            _ => 1,
        }
    }

    /// Groups of the layer reading each group of a matmul's operand (1
    /// unless grouped-query attention; 1 for every other layer).
    pub const fn share(&self) -> u64 {
        match self.filter_data {
            FilterData::Operand { share, .. } if share > 1 => share,
            _ => 1,
        }
    }

    /// Tokens of a matmul's operand read from a cache in DRAM (0 for every
    /// other layer).
    pub const fn cached(&self) -> u64 {
        match self.filter_data {
            FilterData::Operand { cached, .. } => cached,
            FilterData::Weights => 0,
        }
    }

    /// Runs of one group per sample (for a matmul) or per batch: the
    /// groups, or for grouped-query attention the operand's groups, each
    /// run serving the `share` groups that read it
    /// (docs/model/layers.md#grouped-query-attention).
    /// A window attention runs each group once per window
    /// (docs/model/layers.md#window-attention).
    pub const fn runs(&self) -> u64 {
        let per_window = match self.groups.checked_div(self.share()) {
            Some(n) => n,
            None => self.groups,
        };
        per_window.saturating_mul(self.windows())
    }

    /// Is it the sub-pixel form of an upsampling layer (a shuffle other
    /// than `[1, 1]`)?
    pub const fn is_shuffled(&self) -> bool {
        self.shuffle.h != 1 || self.shuffle.w != 1
    }

    /// Is its filter a matmul's second operand rather than weights?
    pub const fn is_matmul(&self) -> bool {
        matches!(self.filter_data, FilterData::Operand { .. })
    }

    /// The input points one window spans per dimension:
    /// `(filter - 1) * dilation + 1` (the filter itself when dense).
    /// Saturating; the front end bounds it.
    pub const fn reach(&self) -> Dim2 {
        const fn span(k: u64, d: u64) -> u64 {
            k.saturating_sub(1).saturating_mul(d).saturating_add(1)
        }
        Dim2 {
            h: span(self.filter.h, self.dilation.h),
            w: span(self.filter.w, self.dilation.w),
        }
    }

    /// Is it a plain convolution: one group and a dense filter?
    pub const fn is_plain(&self) -> bool {
        self.groups == 1 && self.dilation.h == 1 && self.dilation.w == 1 && !self.is_matmul()
    }

    /// What the scheduler schedules for it: one group's dense
    /// convolution, `nifm / groups` to `nofm / groups` channels with the
    /// undilated filter. The layer is `groups` of these run one after
    /// another (docs/model/layers.md#grouped-convolution); a dilated filter
    /// is costed as the dense filter of the same taps
    /// (docs/model/layers.md#dilation).
    ///
    /// For grouped-query attention the run is one group of the operand
    /// and the `share` groups of the first operand that read it, their
    /// tokens stacked as rows: `share` times the ofmap's height
    /// (docs/model/layers.md#grouped-query-attention). For a window
    /// attention the run is one window's tokens
    /// (docs/model/layers.md#window-attention).
    pub const fn one_group(&self) -> ConvShape {
        let nofm = match self.nofm.checked_div(self.groups) {
            Some(n) => n,
            None => self.nofm,
        };
        let tokens = match self.window() {
            Some(w) => w,
            None => self.ofmap,
        };
        let ofmap = Dim2::new(tokens.h.saturating_mul(self.share()), tokens.w);
        ConvShape::dense(self.group_nifm(), nofm, ofmap, self.filter, self.stride)
    }

    /// Input channels each output channel reads: `nifm / groups`.
    pub const fn group_nifm(&self) -> u64 {
        match self.nifm.checked_div(self.groups) {
            Some(n) => n,
            None => self.nifm,
        }
    }
}

impl LocalShape {
    /// A pooling layer over `region` windows with the given stride.
    pub const fn pool(nofm: u64, ofmap: Dim2, region: Dim2, stride: Dim2) -> Self {
        LocalShape {
            nofm,
            ofmap,
            nreg: 1,
            region,
            stride,
            ntrd: 1,
        }
    }

    /// An element-wise merge of `nreg` inputs of `nofm` channels each.
    pub const fn eltwise(nofm: u64, ofmap: Dim2, nreg: u64) -> Self {
        LocalShape {
            nofm,
            ofmap,
            nreg,
            region: Dim2::square(1),
            stride: Dim2::square(1),
            ntrd: nreg,
        }
    }
}

impl LayerShape {
    /// Output channels.
    pub const fn nofm(&self) -> u64 {
        match self {
            LayerShape::Conv(c) => c.nofm,
            LayerShape::Local(l) => l.nofm,
        }
    }

    /// Input channels of the derived input (`nofm * ntrd` for local regions).
    pub const fn nifm(&self) -> u64 {
        match self {
            LayerShape::Conv(c) => c.nifm,
            LayerShape::Local(l) => l.nofm * l.ntrd,
        }
    }

    /// Output fmap size.
    pub const fn ofmap(&self) -> Dim2 {
        match self {
            LayerShape::Conv(c) => c.ofmap,
            LayerShape::Local(l) => l.ofmap,
        }
    }

    /// Stride.
    pub const fn stride(&self) -> Dim2 {
        match self {
            LayerShape::Conv(c) => c.stride,
            LayerShape::Local(l) => l.stride,
        }
    }

    /// The spatial window: the input points one filter spans (its
    /// [`ConvShape::reach`], the filter itself unless dilated) for a
    /// convolution, the region of a local-region layer.
    pub const fn window(&self) -> Dim2 {
        match self {
            LayerShape::Conv(c) => c.reach(),
            LayerShape::Local(l) => l.region,
        }
    }

    /// Derived input fmap size: `window + (ofmap - 1) * stride` per dimension
    /// (no padding; docs/model/layers.md#layer-kinds).
    pub const fn ifmap(&self) -> Dim2 {
        let (o, k, s) = (self.ofmap(), self.window(), self.stride());
        Dim2 {
            h: k.h + (o.h - 1) * s.h,
            w: k.w + (o.w - 1) * s.w,
        }
    }

    /// Ops per output point: `hfil * wfil * nifm / groups` for
    /// convolutions (one MAC is one op), the region size
    /// `nreg * hreg * wreg` for local regions.
    pub const fn ops_per_neuron(&self) -> u64 {
        match self {
            LayerShape::Conv(c) => c.filter.h * c.filter.w * c.group_nifm(),
            LayerShape::Local(l) => l.nreg * l.region.h * l.region.w,
        }
    }

    /// Words of one output channel for a batch of `b`.
    pub const fn ofmap_size(&self, b: u64) -> u64 {
        self.ofmap().size() * b
    }

    /// Words of all output channels for a batch of `b`.
    pub const fn total_ofmap_size(&self, b: u64) -> u64 {
        self.nofm() * self.ofmap_size(b)
    }

    /// Words of one (derived) input channel for a batch of `b`.
    pub const fn ifmap_size(&self, b: u64) -> u64 {
        self.ifmap().size() * b
    }

    /// Words of all (derived) input channels for a batch of `b`.
    pub const fn total_ifmap_size(&self, b: u64) -> u64 {
        self.nifm() * self.ifmap_size(b)
    }

    /// Filter words, `nifm / groups * nofm * hfil * wfil` (0 for
    /// local-region layers).
    /// For grouped-query attention, each group of the operand is counted
    /// once, not once per group reading it; for a window attention, each
    /// window's.
    pub const fn total_filter_size(&self) -> u64 {
        match self {
            LayerShape::Conv(c) => {
                c.group_nifm() * c.nofm * c.filter.h * c.filter.w / c.share() * c.windows()
            }
            LayerShape::Local(_) => 0,
        }
    }

    /// Weights: the filter words of a conv or fc, 0 for a matmul (its
    /// filter is its second operand, an activation) and local-region layers.
    pub const fn weights(&self) -> u64 {
        match self {
            LayerShape::Conv(c) if c.is_matmul() => 0,
            _ => self.total_filter_size(),
        }
    }

    /// What its consumers read: channels and fmap size. The output itself
    /// (`nofm`, `ofmap`) except for the sub-pixel form of an upsampling
    /// layer, whose `shuffle` moves channels into space
    /// (docs/model/layers.md#upsampling).
    pub const fn output(&self) -> (u64, Dim2) {
        match self {
            LayerShape::Conv(c) if c.is_shuffled() => {
                let n = c.shuffle.h * c.shuffle.w;
                (
                    c.nofm / n,
                    Dim2::new(c.ofmap.h * c.shuffle.h, c.ofmap.w * c.shuffle.w),
                )
            }
            _ => (self.nofm(), self.ofmap()),
        }
    }

    /// Is it a matmul: a convolution whose filter is its last source?
    pub const fn is_matmul(&self) -> bool {
        matches!(self, LayerShape::Conv(c) if c.is_matmul())
    }

    /// Parameters of the layer as deployed for inference
    /// (docs/model/layers.md#parameters): its filter words and one bias per
    /// output channel of a conv or fc layer (0 for a matmul, whose filter
    /// is an activation, and for local-region layers). A batch
    /// normalization after the layer folds into these two.
    pub const fn total_params(&self) -> u64 {
        match self {
            LayerShape::Conv(c) if c.is_matmul() => 0,
            LayerShape::Conv(c) => self.total_filter_size() + c.nofm,
            LayerShape::Local(_) => 0,
        }
    }

    /// Ops of the layer for a batch of `b`.
    pub const fn total_ops(&self, b: u64) -> u64 {
        self.total_ofmap_size(1) * self.ops_per_neuron() * b
    }

    /// Is a size, stride, channel count, group count or dilation zero, or
    /// do the groups not divide the channels (checked component-wise, so
    /// safe for any field values)?
    pub const fn has_zero_extent(&self) -> bool {
        let (o, k, s) = (self.ofmap(), self.window(), self.stride());
        let channels = match self {
            LayerShape::Conv(c) => {
                c.nifm == 0
                    || c.groups == 0
                    || c.nifm % c.groups != 0
                    || c.nofm % c.groups != 0
                    || c.dilation.h == 0
                    || c.dilation.w == 0
                    || c.shuffle.h == 0
                    || c.shuffle.w == 0
                    || c.nofm % c.shuffle.h.saturating_mul(c.shuffle.w) != 0
                    || match c.window() {
                        Some(w) => {
                            w.h == 0 || w.w == 0 || c.ofmap.h % w.h != 0 || c.ofmap.w % w.w != 0
                        }
                        None => false,
                    }
            }
            LayerShape::Local(l) => l.ntrd == 0,
        };
        channels
            || self.nofm() == 0
            || o.h == 0
            || o.w == 0
            || k.h == 0
            || k.w == 0
            || s.h == 0
            || s.w == 0
    }

    /// Are all the per-sample counts of the formulas of this type (sizes,
    /// ops, words, and the products on the way to them) at most
    /// [`MAX_QUANTITY`]? Checked arithmetic: safe for any field values; a
    /// shape with a zero extent does not fit.
    pub fn within_limits(&self) -> bool {
        // Every product a formula forms, as its list of factors: each prefix
        // product is checked, so intermediate results are bounded too.
        let fits = |factors: &[u64]| {
            factors
                .iter()
                .try_fold(1u64, |acc, &f| {
                    acc.checked_mul(f).filter(|&p| p <= MAX_QUANTITY)
                })
                .is_some()
        };
        let (o, k, s) = (self.ofmap(), self.window(), self.stride());
        let input_side = |o: u64, k: u64, s: u64| {
            o.checked_sub(1)?
                .checked_mul(s)?
                .checked_add(k)
                .filter(|&i| i <= MAX_QUANTITY)
        };
        let (Some(ih), Some(iw)) = (input_side(o.h, k.h, s.h), input_side(o.w, k.w, s.w)) else {
            return false;
        };
        let (nifm, per_neuron): (u64, &[u64]) = match self {
            LayerShape::Conv(c) => (c.nifm, &[c.filter.h, c.filter.w, c.group_nifm()]),
            LayerShape::Local(l) => (
                match l.nofm.checked_mul(l.ntrd) {
                    Some(n) if n <= MAX_QUANTITY => n,
                    _ => return false,
                },
                &[l.nreg, l.region.h, l.region.w],
            ),
        };
        let ops: Vec<u64> = [self.nofm(), o.h, o.w]
            .into_iter()
            .chain(per_neuron.iter().copied())
            .collect();
        let filters: &[u64] = match self {
            LayerShape::Conv(c) => &[c.group_nifm(), c.nofm, c.filter.h, c.filter.w, c.windows()],
            LayerShape::Local(_) => &[],
        };
        nifm > 0
            && fits(&[o.h, s.h])
            && fits(&[o.w, s.w])
            && fits(&[k.h, k.w])
            && fits(&[s.h, s.w])
            && fits(&[nifm, ih, iw])
            && fits(&ops)
            && fits(filters)
            && match self {
                // What the consumers of a sub-pixel form read.
                LayerShape::Conv(c) => {
                    fits(&[o.h, c.shuffle.h])
                        && fits(&[o.w, c.shuffle.w])
                        && fits(&[c.shuffle.h, c.shuffle.w])
                }
                LayerShape::Local(_) => true,
            }
    }

    /// True for the convolution pattern (conv, fc).
    pub const fn is_conv(&self) -> bool {
        matches!(self, LayerShape::Conv(_))
    }

    /// Is `input` a valid (possibly padded) source size for this layer
    /// under `mode`? Per dimension it lies in [`WindowMode::input_range`];
    /// for [`WindowMode::Exact`], the reference's padding rule.
    pub const fn accepts_input_size(&self, input: Dim2, mode: WindowMode) -> bool {
        let (o, k, s) = (self.ofmap(), self.window(), self.stride());
        let (h0, h1) = mode.input_range(o.h, k.h, s.h);
        let (w0, w1) = mode.input_range(o.w, k.w, s.w);
        h0 <= input.h && input.h <= h1 && w0 <= input.w && input.w <= w1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Swin-T's first window attention: 3 heads of 32 channels over
    /// 56x56 tokens in 7x7 windows (docs/model/layers.md#window-attention).
    #[test]
    fn a_window_attention_runs_each_head_once_per_window() {
        let scores = ConvShape::matmul(96, 3 * 49, Dim2::square(56), 3).windowed(Dim2::square(7));
        assert_eq!(scores.windows(), 64);
        assert_eq!(scores.runs(), 3 * 64);
        let one = scores.one_group();
        assert_eq!((one.nifm, one.nofm, one.ofmap), (32, 49, Dim2::square(7)));
        let s = LayerShape::Conv(scores);
        // Per window and head, 49 x 49 products of 32 channels.
        assert_eq!(s.total_ops(1), 64 * 3 * 49 * 49 * 32);
        // The operand is read once: all of the keys, 96 x 56 x 56 words.
        assert_eq!(s.total_filter_size(), 96 * 56 * 56);
        assert_eq!(s.weights(), 0);
        assert!(!s.has_zero_extent());
        let ctx = ConvShape::matmul(3 * 49, 96, Dim2::square(56), 3).windowed(Dim2::square(7));
        assert_eq!(LayerShape::Conv(ctx).total_filter_size(), 96 * 56 * 56);
        assert_eq!(LayerShape::Conv(ctx).total_ops(1), 64 * 3 * 49 * 49 * 32);
        // A window that does not divide the tokens is no shape.
        let bad = ConvShape::matmul(96, 3 * 25, Dim2::square(56), 3).windowed(Dim2::square(5));
        assert!(LayerShape::Conv(bad).has_zero_extent());
    }

    #[test]
    fn window_modes_accept_the_rule_and_floor_more() {
        // 3x3/2 making 15: reads 31; exact takes 30..=31, floor 29..=32.
        assert_eq!(WindowMode::Exact.input_range(15, 3, 2), (30, 31));
        assert_eq!(WindowMode::Floor.input_range(15, 3, 2), (29, 32));
        // A stride wider than the kernel skips rows even when exact.
        assert_eq!(WindowMode::Exact.input_range(4, 2, 3), (11, 12));
        assert_eq!(WindowMode::Floor.input_range(4, 2, 3), (9, 13));
        // PyTorch's 3x3/2, pad 1 over 65 makes 33 and reads 67: two rows
        // of padding, one each side (DeepLabV3 at 520x520).
        assert_eq!(WindowMode::Exact.input_range(33, 3, 2), (66, 67));
        assert_eq!(WindowMode::Floor.input_range(33, 3, 2), (65, 68));
        // A dilated 3x3 of dilation 36 (a window of 73), pad 36, over 33.
        assert_eq!(WindowMode::Floor.input_range(33, 73, 1), (33, 105));
        let pool = LayerShape::Local(LocalShape::pool(
            8,
            Dim2::square(15),
            Dim2::square(3),
            Dim2::square(2),
        ));
        assert!(!pool.accepts_input_size(Dim2::square(32), WindowMode::Exact));
        assert!(pool.accepts_input_size(Dim2::square(32), WindowMode::Floor));
        assert!(!pool.accepts_input_size(Dim2::new(32, 33), WindowMode::Floor));
    }
}
