//! No local reuse (Eyeriss ISCA'16 §IV-C; docs/model/dataflows.md#no-local-reuse):
//! the PEs keep nothing; every weight is read from the buffer for each MAC
//! (unicast), inputs are multicast to the PEs of every output channel, and
//! partial sums accumulate spatially through an adder tree across the
//! PEs — the reduction layout of weight stationary without its stationary
//! weight.

use crate::sched::dataflow::weight_stationary::reduction_mapping;
use crate::sched::dataflow::{Dataflow, DataflowMapping, MappingError, NodeShare};

/// The no-local-reuse mapping of a node's share: one NLD per reduction
/// layout with the fewest passes.
pub(crate) fn map(share: &NodeShare<'_>) -> Result<DataflowMapping, MappingError> {
    reduction_mapping(share, Dataflow::NoLocalReuse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Dim2;
    use crate::sched::Compat;
    use crate::sched::types::{DataKind, MemLevel, PerData};

    #[test]
    fn every_weight_comes_from_the_buffer_for_every_mac() {
        let layer = crate::sched::dataflow::square_conv(16, 32, 8, 3);
        let share = NodeShare {
            layer: &layer,
            batch: 1,
            occupancy: 1.0,
            dim_array: Dim2::square(16),
            compat: Compat::Nnc,
        };
        let m = map(&share).unwrap();
        for nld in &m.nlds {
            assert_eq!(nld.usize_regf, PerData([0, 0, 0]));
            assert_eq!(nld.regf_keeps, PerData([false; 3]));
            // Per sample the buffer reads a weight per op.
            let fil = nld.total_access(MemLevel::Gbuf, DataKind::Fil);
            assert!((fil - nld.total_ops()).abs() < 1e-6 * fil);
            assert_eq!(nld.total_access(MemLevel::Regf, DataKind::Ofm), 0.0);
        }
    }
}
