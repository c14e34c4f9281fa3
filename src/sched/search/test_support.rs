//! What the shared-search tests (`capacity.rs`, `shared.rs`) start from: a
//! small network, eyeriss at a given buffer size, options under which the
//! buffer's size matters.

use crate::ir::Network;
use crate::sched::machine::Machine;
use crate::sched::options::Options;
use crate::sched::types::PerData;

/// Convolutions, a pooling and a fully connected layer on an 8x14 input.
pub(super) fn small_net() -> Network {
    let (net, _) = crate::compile(
        "network n\ninput data [8, 14]\n\
         c1 = conv(data, 16, kernel: 3, pad: 1)\n\
         p1 = pool(c1, kernel: 2, stride: 2)\n\
         c2 = conv(p1, 24, kernel: 3, pad: 1)\n\
         f = fc(c2, 10)\n",
    )
    .unwrap();
    net
}

/// The eyeriss preset with a global buffer of `gbuf_bytes`.
pub(super) fn eyeriss_with_gbuf(gbuf_bytes: u64) -> Machine {
    let value = toml::Value::Integer(gbuf_bytes as i64);
    let set = crate::hw::Set::from_value("node.gbuf_bytes", &value).unwrap();
    crate::hw::load_with("eyeriss", &[set]).unwrap().machine()
}

/// Batch 2, two candidates kept, nothing bypassing the buffer (so that its
/// capacity matters).
pub(super) fn buffered_options() -> Options {
    Options::builder()
        .batch(2)
        .bypass(PerData::splat(false))
        .top(2)
        .build()
        .unwrap()
}
