//! The stable JSON form of the network IR (`nnc check --json`).
//!
//! ```json
//! {"network": "AlexNet",
//!  "input": {"name": "data", "channels": 3, "size": [224, 224]},
//!  "externs": [],
//!  "layers": [
//!   {"name": "conv1_a", "kind": "conv", "inputs": ["data"], "nifm": 3, "nofm": 48,
//!    "ifmap": [227, 227], "ofmap": [55, 55], "kernel": [11, 11], "stride": [4, 4]}]}
//! ```
//!
//! `inputs` keeps concatenation order, `layers` definition order; a
//! channel slice is written as the language writes it, `x[58:116]`. `ifmap` is
//! the derived input size `(ofmap - 1) * stride + kernel`; `kernel` is the
//! filter of conv/fc and the region of pool; eltwise layers have `nreg`
//! (their number of inputs) instead of `kernel`. `ops` (per sample) is extra.
//! `mode` appears only for a layer whose output size was rounded down
//! (`"floor"`): its sources may be larger than `ifmap`, which is what it
//! reads. `groups` appears only for a grouped convolution (absent means 1;
//! `nifm / groups` input channels feed each output channel, and `ops` and
//! the filters count only those), `dilation` only for a dilated one (its
//! taps' spacing; `kernel` is then the filter's taps, and `ifmap` spans
//! `(kernel - 1) * dilation + 1` per window). A product of two activations
//! is kind `"matmul"`: its last input is its second operand, read as its
//! filter, and it has no weights; a window attention's has `window`, the
//! points of its tokens' fmap each of its products reads. An upsampling (`"upsample"`, `"deconv"`)
//! is in its sub-pixel form, at its input's size, with `shuffle`: its
//! consumers read `nofm / (shuffle[0] * shuffle[1])` channels of `ofmap *
//! shuffle` (docs/model/layers.md#upsampling).

use super::dim::Dim2;
use super::layer::{LayerShape, WindowMode};
use super::network::Network;
use serde::{Deserialize, Serialize};

/// A whole network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkJson {
    /// `network NAME`.
    pub network: String,
    /// The network input.
    pub input: DataJson,
    /// Extern inputs in declaration order.
    pub externs: Vec<DataJson>,
    /// Layers in definition order.
    pub layers: Vec<LayerJson>,
}

/// The network input or an extern input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataJson {
    /// Its name.
    pub name: String,
    /// Channels.
    pub channels: u64,
    /// Fmap size `[h, w]`.
    pub size: [u64; 2],
}

/// One layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerJson {
    /// Qualified name.
    pub name: String,
    /// `conv`, `fc`, `pool`, `eltwise`, `matmul`, `upsample` or `deconv`.
    pub kind: String,
    /// Names of its sources, in concatenation order.
    pub inputs: Vec<String>,
    /// Input channels (`nreg * nofm` for eltwise).
    pub nifm: u64,
    /// Output channels.
    pub nofm: u64,
    /// Derived input size.
    pub ifmap: [u64; 2],
    /// Output size.
    pub ofmap: [u64; 2],
    /// Filter or pooling region; absent for eltwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<[u64; 2]>,
    /// Number of merged inputs; eltwise only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nreg: Option<u64>,
    /// Stride.
    pub stride: [u64; 2],
    /// Which source sizes it accepts; absent for the default, `exact`.
    #[serde(default, skip_serializing_if = "WindowMode::is_exact")]
    pub mode: WindowMode,
    /// Groups of a grouped convolution; absent for 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub groups: u64,
    /// Tap spacing of a dilated convolution; absent for `[1, 1]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dilation: Option<[u64; 2]>,
    /// The pixel shuffle of an upsampling's sub-pixel form
    /// (docs/model/layers.md#upsampling); absent for `[1, 1]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<[u64; 2]>,
    /// A window attention's window (docs/model/layers.md#window-attention);
    /// absent for every other layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<[u64; 2]>,
    /// Ops per sample (MACs for conv/fc).
    pub ops: u64,
}

const fn one() -> u64 {
    1
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if takes a reference
const fn is_one(n: &u64) -> bool {
    *n == 1
}

const fn pair(d: Dim2) -> [u64; 2] {
    [d.h, d.w]
}

impl From<&Network> for NetworkJson {
    fn from(net: &Network) -> Self {
        let data = |d: &super::network::DataInput| DataJson {
            name: d.name.clone(),
            channels: d.channels,
            size: pair(d.size),
        };
        let layers = net
            .layers()
            .iter()
            .map(|l| {
                let s = &l.shape;
                let (kernel, nreg) = match s {
                    LayerShape::Local(loc) if l.kind == super::LayerKind::Eltwise => {
                        (None, Some(loc.nreg))
                    }
                    LayerShape::Conv(c) => (Some(pair(c.filter)), None),
                    LayerShape::Local(_) => (Some(pair(s.window())), None),
                };
                let (groups, dilation, shuffle) = match s {
                    LayerShape::Conv(c) => (
                        c.groups,
                        (c.dilation != Dim2::square(1)).then_some(pair(c.dilation)),
                        c.is_shuffled().then_some(pair(c.shuffle)),
                    ),
                    LayerShape::Local(_) => (1, None, None),
                };
                LayerJson {
                    name: l.name.clone(),
                    kind: l.kind.as_str().to_string(),
                    inputs: l.inputs.iter().map(|&i| net.view_name(i)).collect(),
                    nifm: s.nifm(),
                    nofm: s.nofm(),
                    ifmap: pair(s.ifmap()),
                    ofmap: pair(s.ofmap()),
                    kernel,
                    nreg,
                    stride: pair(s.stride()),
                    mode: l.mode,
                    groups,
                    dilation,
                    shuffle,
                    window: match s {
                        LayerShape::Conv(c) => c.window().map(pair),
                        LayerShape::Local(_) => None,
                    },
                    ops: s.total_ops(1),
                }
            })
            .collect();
        NetworkJson {
            network: net.name().to_string(),
            input: data(net.input()),
            externs: net.externs().iter().map(data).collect(),
            layers,
        }
    }
}

impl NetworkJson {
    /// The JSON text: pretty at the top, one line per input, extern and layer.
    pub fn to_text(&self) -> String {
        fn line<T: Serialize>(v: &T) -> String {
            // Serializing plain structs of strings and integers cannot fail.
            let compact = serde_json::to_string(v).unwrap_or_default();
            // A space after each `,` and `:` outside strings.
            let mut out = String::with_capacity(compact.len() + compact.len() / 4);
            let (mut in_string, mut escaped) = (false, false);
            for c in compact.chars() {
                out.push(c);
                if in_string {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => in_string = false,
                        _ => {}
                    }
                } else if c == '"' {
                    in_string = true;
                } else if c == ',' || c == ':' {
                    out.push(' ');
                }
            }
            out
        }
        fn list<T: Serialize>(items: &[T]) -> String {
            if items.is_empty() {
                return "[]".into();
            }
            let lines: Vec<String> = items.iter().map(|i| format!("    {}", line(i))).collect();
            format!("[\n{}\n  ]", lines.join(",\n"))
        }
        format!(
            "{{\n  \"network\": {},\n  \"input\": {},\n  \"externs\": {},\n  \"layers\": {}\n}}\n",
            line(&self.network),
            line(&self.input),
            list(&self.externs),
            list(&self.layers)
        )
    }
}

impl Network {
    /// The stable JSON form (see [`NetworkJson`]).
    pub fn to_json(&self) -> NetworkJson {
        NetworkJson::from(self)
    }
}
