//! What unit tests in more than one module search with: a small network,
//! a preset machine at another buffer capacity, options under which the
//! capacity matters, and the totals two searches are compared by. Test code only; here, outside `sched/`, because it builds the
//! machine from a hardware preset, and `hw` depends on `sched`.

use crate::ir::Network;
use crate::sched::machine::Machine;
use crate::sched::options::Options;
use crate::sched::search::SearchError;
use crate::sched::search::network::{NetworkSchedule, Totals};
use crate::sched::types::PerData;

/// A small network of two convolutions, a pooling and a fully connected
/// layer.
pub(crate) fn small_network() -> Network {
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

/// The `eyeriss` preset's machine with a global buffer of `gbuf_bytes`
/// bytes.
pub(crate) fn eyeriss_with_gbuf(gbuf_bytes: u64) -> Machine {
    let value = toml::Value::Integer(i64::try_from(gbuf_bytes).unwrap());
    let set = crate::hw::Set::from_value("node.gbuf_bytes", &value).unwrap();
    crate::hw::load_with("eyeriss", &[set]).unwrap().machine()
}

/// Batch 2, the best 2 schedules, and nothing may bypass the buffer, so
/// that its capacity matters.
pub(crate) fn buffer_bound_options() -> Options {
    Options::builder()
        .batch(2)
        .bypass(PerData::splat(false))
        .top(2)
        .build()
        .unwrap()
}

/// The totals of each schedule a network search found, or its error: what
/// two searches that must agree are compared by.
pub(crate) fn totals(
    found: Result<Vec<NetworkSchedule>, SearchError>,
) -> Result<Vec<Totals>, SearchError> {
    found.map(|s| s.iter().map(NetworkSchedule::totals).collect())
}
