//! A blocking's floor (docs/model/blocking.md#pruning-by-floors): what no
//! blocking of a context, or of some factors and top-level order, can beat,
//! which lets the search skip blockings without pricing them.

use super::Orders;
use super::scheme::{BlockingContext, DataHome, Prepared};
use crate::sched::model::energy::{LayerCost, access_energy, buffer_energy, noc_hops};
use crate::sched::options::{Goal, RankKey};
use crate::sched::types::{DataKind, LoopDim, MemLevel, PerData, PerLevel};

impl BlockingContext<'_> {
    /// What no blocking of this context can beat: an energy and a time at
    /// or below those of every blocking it prices
    /// (docs/model/network.md#pruning-partitions). The ops, the register
    /// files' accesses and the compute cycles are the nest's whatever the
    /// blocking; every other level moves each word at least once (the
    /// array too), DRAM and the NoC once per node group, or never for
    /// filters that may stay pinned; the global buffer and buffer sharing
    /// may add nothing. Each term is the formula [`BlockingContext::finish`]
    /// prices with its counts at their least, and rounding is monotone, so
    /// the bound holds exactly, not only up to rounding.
    pub fn floor(&self) -> (f64, u64) {
        self.floor_with([PerData::splat(1); 2], self.resource.no_time_mux)
    }

    /// What no blocking of prepared factors `p` with the top-level loop
    /// order of `orders` can beat: [`BlockingContext::floor`] with what
    /// these fix. Data enter the node from DRAM as often as that order
    /// makes them (the fetch count of the top level,
    /// docs/model/blocking.md#fetch-counts); a data kind whose loops are not
    /// all trivial in the register-file level enters the PE arrays at least
    /// once per iteration of the top-level loops unrelated to it, whatever
    /// the inner order; filters stay pinned only if their top-level loops
    /// are trivial. The search skips blockings whose floor already ranks
    /// below the best kept (docs/model/blocking.md#pruning-by-floors).
    pub fn prepared_floor(&self, p: &Prepared, orders: &Orders) -> (f64, u64) {
        let f = &p.factors;
        let loops = &self.nld.data_loops;
        let fetch0 = PerData::from_fn(|d| self.fetch(f, orders, d, 0, 1));
        let fetch1 = PerData::from_fn(|d| {
            let has = |l: LoopDim| loops.has(d, l);
            let refetched = LoopDim::ALL.into_iter().any(|l| has(l) && f[1][l] > 1)
                || (!self.nld.regf_keeps[d] && LoopDim::ALL.into_iter().any(has));
            if !refetched {
                return fetch0[d];
            }
            let count: u64 = LoopDim::ALL
                .into_iter()
                .filter(|&u| !has(u))
                .map(|u| f[0][u])
                .product();
            let count = if d == DataKind::Ofm {
                2 * count - 1
            } else {
                count
            };
            count.max(fetch0[d])
        });
        let pinnable = self.resource.no_time_mux && self.fil_top_trivial(f);
        self.floor_with([fetch0, fetch1], pinnable)
    }

    /// Do floors rank candidates (nnc's ranking by whole energy, with a goal
    /// whose key a lower energy and time can bound)? The reference ranks by
    /// access energy and its delay goal by time first; neither is pruned.
    pub fn floor_prunes(&self) -> bool {
        !self.compat.rank_by_access_energy() && self.goal != Goal::D
    }

    /// The ranking key of [`BlockingContext::prepared_floor`]: below or
    /// equal to the key of every blocking of these factors.
    pub fn floor_key(&self, p: &Prepared, orders: &Orders) -> RankKey {
        let (energy, time) = self.prepared_floor(p, orders);
        self.goal.key(energy, time as f64)
    }

    /// The floor given the least number of times each data kind enters the
    /// node (`fetch[0]`) and its PE arrays (`fetch[1]`), and whether
    /// filters may be pinned.
    fn floor_with(&self, fetch: [PerData<u64>; 2], pinnable: bool) -> (f64, u64) {
        let lcnt: u64 = self.nld.loopcnt.0.iter().product();
        let n = self.nodes as f64;
        let t = &self.totals;
        let mut access = PerLevel::splat(PerData::splat(0.0));
        let mut remote_gbuf = PerData::splat(0.0);
        let mut trips = fetch[0];
        for d in DataKind::ALL {
            let k = if d == DataKind::Ofm { 2.0 } else { 1.0 };
            let f1 = fetch[1][d] as f64;
            access[MemLevel::Regf][d] =
                self.nld.unit_access[MemLevel::Regf][d] * lcnt as f64 * k * n;
            access[MemLevel::Array][d] = t[MemLevel::Array][d] * f1 * n;
            // Only data that may not bypass it surely pass the buffer.
            if !self.bypass[d] {
                access[MemLevel::Gbuf][d] = t[MemLevel::Gbuf][d] * f1 * n;
            }
            let once = if pinnable && d == DataKind::Fil {
                trips[d] = 0;
                0.0
            } else {
                t[MemLevel::Dram][d].min(t[MemLevel::Gbuf][d]) * fetch[0][d] as f64
            };
            let home = match d {
                DataKind::Fil => DataHome::Dram,
                DataKind::Ifm => self.src,
                DataKind::Ofm => self.dst,
            };
            let words = once * n / self.accfwd[d] as f64;
            if home == DataHome::Dram {
                access[MemLevel::Dram][d] = words;
            } else {
                remote_gbuf[d] = words;
            }
        }
        let access_cost = access_energy(self.cost, &access) + buffer_energy(self.cost, remote_gbuf);
        let ops = self.nld.unit_ops * lcnt as f64 * n;
        let time = self.nld.unit_time.saturating_mul(lcnt);
        let nhops = noc_hops(self.unit_nhops, trips);
        (
            LayerCost::new(self.cost, ops, access_cost, nhops, time).total,
            time,
        )
    }
}
