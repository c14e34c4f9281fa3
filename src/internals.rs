//! The scheduler's internals that the project's own tests, benches and
//! examples exercise directly (partitioning against the reference's vectors,
//! one node's blocking search, the pipeline's constraints, ...). Not part of
//! the API: hidden from the docs, free to change in any release. A library
//! user has the crate root's entry points ([`crate::schedule()`],
//! [`crate::SharedSearch`], [`crate::Options`]) and the public modules.
//!
//! The paths follow `src/sched/`'s folders: `nnc::internals::sched::partition`
//! holds the items of `src/sched/partition/` the tests use. Why one module and not `pub` everywhere: the
//! `unreachable_pub` lint then tells every item the tests do not reach, and
//! the scheduler's layout can change without breaking a library user.

/// `src/sched/`, as far as the tests reach into it.
pub mod sched {
    pub use crate::sched::compat::Compat;
    /// `src/sched/blocking/`, as far as the tests reach into it.
    pub mod blocking {
        pub use crate::sched::blocking::scheme::Blocking;
        pub use crate::sched::blocking::scheme::BlockingContext;
        pub use crate::sched::blocking::search::sweep_counts;
    }
    /// `src/sched/dataflow/`, as far as the tests reach into it.
    pub mod dataflow {
        pub use crate::sched::dataflow::nld::Nld;
        pub use crate::sched::dataflow::row_stationary::MappingError;
        pub use crate::sched::dataflow::row_stationary::map_layer;
        pub use crate::sched::dataflow::{MappingCost, scalesim_mapping_cost};
    }
    /// `src/sched/machine/`, as far as the tests reach into it.
    pub mod machine {
        pub use crate::sched::machine::Bandwidth;
        pub use crate::sched::machine::Cost;
        pub use crate::sched::machine::Machine;
        pub use crate::sched::machine::MemType;
        pub use crate::sched::machine::NodeResource;
    }
    /// `src/sched/model/`, as far as the tests reach into it.
    pub mod model {
        /// `src/sched/model/factor/`, as far as the tests reach into it.
        pub mod factor {
            pub use crate::sched::model::factor::ordered_factors;
        }
        /// `src/sched/model/limits/`, as far as the tests reach into it.
        pub mod limits {
            pub use crate::sched::model::limits::MAX_BATCH;
            pub use crate::sched::model::limits::RangeError;
            pub use crate::sched::model::limits::largest_batch;
        }
    }
    /// `src/sched/options/`, as far as the tests reach into it.
    pub mod options {
        pub use crate::sched::options::BlockingOptions;
        pub use crate::sched::options::Goal;
        pub use crate::sched::options::Options;
        pub use crate::sched::options::Solver;
    }
    /// `src/sched/partition/`, as far as the tests reach into it.
    pub mod partition {
        pub use crate::sched::partition::ParallelDim;
        pub use crate::sched::partition::enumerate::PartTarget;
        pub use crate::sched::partition::enumerate::Partitioning;
        pub use crate::sched::partition::enumerate::gen_partition;
        pub use crate::sched::partition::fmap::FmapPosition;
        pub use crate::sched::partition::fmap::FmapRange;
        pub use crate::sched::partition::hops::FilterSources;
        pub use crate::sched::partition::hops::HopQuery;
        pub use crate::sched::partition::hops::proc_data_range;
        pub use crate::sched::partition::hops::unit_nhops;
        pub use crate::sched::partition::layout::DataLayout;
        pub use crate::sched::partition::layout::LayoutPiece;
        pub use crate::sched::partition::memo::HopCache;
        pub use crate::sched::partition::region::Coord;
        pub use crate::sched::partition::region::NodeRegion;
        pub use crate::sched::partition::region::RegionKind;
        pub use crate::sched::partition::scheme::PartitionScheme;
    }
    /// `src/sched/pipeline/`, as far as the tests reach into it.
    pub mod pipeline {
        pub use crate::sched::pipeline::alloc::DataRegion;
        pub use crate::sched::pipeline::constraint::LayerConstraint;
        pub use crate::sched::pipeline::segment::PipelineOptions;
        pub use crate::sched::pipeline::segment::TimeOverhead;
        /// `src/sched/pipeline/bufshr/`, as far as the tests reach into it.
        pub mod bufshr {
            pub use crate::sched::pipeline::bufshr::BufShare;
            pub use crate::sched::pipeline::bufshr::part_neighbor_dist;
        }
        /// `src/sched/pipeline/dag/`, as far as the tests reach into it.
        pub mod dag {
            pub use crate::sched::pipeline::dag::Dag;
        }
        /// `src/sched/pipeline/generate/`, as far as the tests reach into it.
        pub mod generate {
            pub use crate::sched::pipeline::generate::PipelineSegment;
            pub use crate::sched::pipeline::generate::gen_segments;
        }
        /// `src/sched/pipeline/segment/`, as far as the tests reach into it.
        pub mod segment {
            pub use crate::sched::pipeline::segment::PipelineOptions;
            pub use crate::sched::pipeline::segment::SegmentContext;
        }
    }
    /// `src/sched/search/`, as far as the tests reach into it.
    pub mod search {
        /// `src/sched/search/cache/`, as far as the tests reach into it.
        pub mod cache {
            pub use crate::sched::search::cache::NodeCache;
        }
        /// `src/sched/search/layer/`, as far as the tests reach into it.
        pub mod layer {
            pub use crate::sched::search::layer::LayerError;
            pub use crate::sched::search::layer::LayerResult;
            pub use crate::sched::search::layer::LayerSearch;
        }
        /// `src/sched/search/network/`, as far as the tests reach into it.
        pub mod network {
            pub use crate::sched::search::network::search;
        }
        /// `src/sched/search/node/`, as far as the tests reach into it.
        pub mod node {
            pub use crate::sched::search::node::NodeCandidate;
            pub use crate::sched::search::node::NodeProblem;
        }
        /// `src/sched/search/order/`, as far as the tests reach into it.
        pub mod order {
            pub use crate::sched::search::order::vertex_order;
        }
    }
    /// `src/sched/types/`, as far as the tests reach into it.
    pub mod types {
        pub use crate::sched::types::DataKind;
        pub use crate::sched::types::DataLoops;
        pub use crate::sched::types::LoopDim;
        pub use crate::sched::types::MemLevel;
        pub use crate::sched::types::PerData;
        pub use crate::sched::types::PerLevel;
        pub use crate::sched::types::PerLoop;
    }
}
