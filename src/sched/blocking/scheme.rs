//! The cost of one loop blocking (docs/model/blocking.md): buffered tile sizes,
//! fetch counts, the bypass decision, accesses per level, ops and time.

use super::sharing::{Sharing, SharingInput, share_buffers};
use super::{Factors, Orders};
use crate::sched::Compat;
use crate::sched::dataflow::Nld;
use crate::sched::machine::{Cost, NodeResource, whole_cycles};
use crate::sched::model::energy::{LayerCost, access_energy, buffer_energy, noc_hops};
use crate::sched::options::{Goal, RankKey};
use crate::sched::pipeline::LayerConstraint;
use crate::sched::pipeline::bufshr::BufShare;
use crate::sched::types::{DataKind, LoopDim, MemLevel, PerData, PerLevel};
use serde::Serialize;

/// One loop blocking: factors of each loop at each level and the loop
/// orders of the two outer levels (the reference's `bl_ts`, `bl_ords`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Blocking {
    /// `factors[level][loop]`; per loop, the product over levels is the
    /// loop count.
    pub factors: Factors,
    /// `orders[level][loop]` = position of the loop at that level,
    /// 0 innermost.
    pub orders: Orders,
}

/// What the hop tables keep of a priced blocking
/// ([`BlockingContext::finish_brief`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Brief {
    /// DRAM-level fetch counts per data kind (the trips the NoC hops
    /// multiply).
    pub trips: [u64; 3],
    /// Access energy, pJ.
    pub access: f64,
    /// Cycles.
    pub time: u64,
    /// MACs over all nodes.
    pub ops: f64,
    /// The ranking key.
    pub key: RankKey,
}

/// Which store a blocking's factors do not fit
/// ([`BlockingContext::try_prepare`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Misfit {
    /// The register files (or a loop they may not iterate).
    Regf,
    /// The global buffer, with every bypassable kind bypassing.
    Gbuf,
}

/// What a valid blocking costs and does.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BlockingStats {
    /// `fetch[0]`: times each distinct piece of data enters the GBUF level
    /// from DRAM; `fetch[1]`: enters the register files from the GBUF level.
    /// Ofmaps count writes and read-backs (`2f - 1`).
    pub fetch: [PerData<u64>; 2],
    /// Which data are kept in the global buffer (the rest bypass it).
    pub stored: PerData<bool>,
    /// Loop-body units buffered at the GBUF and REGF levels.
    pub unit_cnt: [PerData<u64>; 2],
    /// Words buffered per node (GBUF) and per PE (REGF).
    pub size: [PerData<u64>; 2],
    /// Accesses per level and data kind, over all nodes.
    pub access: PerLevel<PerData<f64>>,
    /// Accesses of other nodes' global buffers instead of DRAM, when the
    /// input or output lives on chip (docs/model/buffer-sharing.md#non-dram-data-regions).
    pub remote_gbuf: PerData<f64>,
    /// Ops over all nodes.
    pub ops: f64,
    /// Cycles the PE arrays compute.
    pub proc_time: u64,
    /// Cycles the array buses need for GBUF traffic.
    pub bus_time: u64,
    /// Cycles DRAM needs for its traffic.
    pub dram_time: u64,
    /// The layer's time: the three overlap perfectly.
    pub time: u64,
    /// The layer's energy with this blocking, given the context's NoC hops
    /// (`sched::model::energy`, the formula the layer's result uses too).
    pub energy: LayerCost,
    /// Were the filters pinned on chip (`fetch[0][fil]` set to 0 from 1,
    /// docs/model/blocking.md#filter-pinning)?
    pub pinned: bool,
    /// What buffer sharing chose, with its NoC hops; `None` without
    /// sharing, or while the reference's ranking (which ignores NoC hops)
    /// has not asked for it yet (docs/model/buffer-sharing.md#buffer-sharing).
    pub sharing: Option<Sharing>,
}

impl BlockingStats {
    /// The layer's total energy with this blocking.
    pub fn cost(&self) -> f64 {
        self.energy.total
    }

    /// NoC word-hops of each data kind given the partition's unit hops:
    /// the data's trips between memory and the nodes, plus buffer sharing's
    /// rotation and wide fetches (docs/model/noc.md#how-hops-enter-a-layers-energy).
    pub fn noc_hops(&self, unit_nhops: PerData<u64>) -> PerData<f64> {
        let trips = noc_hops(unit_nhops, self.fetch[0]);
        match &self.sharing {
            Some(s) => PerData::from_fn(|d| s.node_nhops[d] + trips[d]),
            None => trips,
        }
    }

    /// The stats of `n` runs of this blocking one after another (the
    /// groups of a grouped convolution): ops, accesses, energy and cycles
    /// times `n`; fetch counts, buffered units and sizes are those of one
    /// run. `None` if a cycle count overflows.
    pub fn repeated(&self, n: u64) -> Option<Self> {
        let f = n as f64;
        Some(BlockingStats {
            access: self.access.map(|level| level.map(|a| a * f)),
            remote_gbuf: self.remote_gbuf.map(|a| a * f),
            ops: self.ops * f,
            proc_time: self.proc_time.checked_mul(n)?,
            bus_time: self.bus_time.checked_mul(n)?,
            dram_time: self.dram_time.checked_mul(n)?,
            time: self.time.checked_mul(n)?,
            energy: self.energy.repeated(n),
            sharing: self.sharing.map(|mut s| {
                s.node_nhops = s.node_nhops.map(|h| h * f);
                s
            }),
            ..*self
        })
    }
}

/// The order-independent part of a blocking's price: buffered units and
/// sizes of its factors.
#[derive(Clone, Copy, Debug)]
pub struct Prepared {
    pub(super) factors: Factors,
    lcnt: u64,
    unit_cnt: [PerData<u64>; 2],
    /// GBUF words per node of each data kind, if stored.
    gbuf: PerData<u64>,
    /// REGF words per PE of each data kind.
    regf: PerData<u64>,
}

/// Where a layer's input or output lives
/// (docs/model/buffer-sharing.md#non-dram-data-regions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataHome {
    /// In DRAM.
    #[default]
    Dram,
    /// In the buffers of other nodes of the segment.
    OtherNodes,
    /// In the buffers of the layer's own nodes.
    OwnNodes,
}

/// Everything fixed while blockings of one nested-loop description are
/// compared: the NLD, the node, the costs, and how results are ranked.
#[derive(Clone, Debug)]
pub struct BlockingContext<'a> {
    /// The loop nest being blocked.
    pub nld: &'a Nld,
    /// The node it runs on.
    pub resource: &'a NodeResource,
    /// Energy costs.
    pub cost: &'a Cost,
    /// Per data kind: may it bypass the global buffer?
    pub bypass: PerData<bool>,
    /// Nodes sharing the layer (each runs this NLD).
    pub nodes: u64,
    /// Access-forwarding divisor of DRAM accesses per data kind (1 without).
    pub accfwd: PerData<u64>,
    /// NoC word-hops to move each data kind once between memory and the
    /// nodes (the partition's unit hops).
    pub unit_nhops: PerData<u64>,
    /// What the search optimizes.
    pub goal: Goal,
    /// Which model ranks the candidates.
    pub compat: Compat,
    /// The top-level factors and order the layer's segment requires
    /// (docs/model/pipelining.md#scheduling-constraints).
    pub constraint: LayerConstraint,
    /// Where the input is read from.
    pub src: DataHome,
    /// Where the output is written.
    pub dst: DataHome,
    /// Who shares each data kind's buffer tile, with buffer sharing on.
    pub share: Option<BufShare>,
    pub(super) totals: PerLevel<PerData<f64>>,
}

impl<'a> BlockingContext<'a> {
    /// A context for blocking `nld` on one node of `nodes`, all bypasses as
    /// given, no access forwarding and no NoC traffic.
    pub fn new(
        nld: &'a Nld,
        resource: &'a NodeResource,
        cost: &'a Cost,
        bypass: PerData<bool>,
        goal: Goal,
        compat: Compat,
    ) -> Self {
        let totals = PerLevel::from_fn(|m| PerData::from_fn(|d| nld.total_access(m, d)));
        BlockingContext {
            nld,
            resource,
            cost,
            bypass,
            nodes: 1,
            accfwd: PerData::splat(1),
            unit_nhops: PerData::splat(0),
            goal,
            compat,
            constraint: LayerConstraint::FREE,
            src: DataHome::Dram,
            dst: DataHome::Dram,
            share: None,
            totals,
        }
    }

    /// The same context for a layer of a pipeline segment: its constraint
    /// and where its data live.
    pub fn with_segment(
        mut self,
        constraint: LayerConstraint,
        src: DataHome,
        dst: DataHome,
    ) -> Self {
        self.constraint = constraint;
        self.src = src;
        self.dst = dst;
        self
    }

    /// Do the level-0 factors agree with the constraint (the order aside)?
    pub fn top_factors_admitted(&self, f: &Factors) -> bool {
        let c = &self.constraint;
        let t = f[0];
        (c.topifm == 0 || t[LoopDim::Ifm] == c.topifm)
            && (c.topofm == 0 || t[LoopDim::Ofm] == c.topofm)
            && (c.topbat == 0 || t[LoopDim::Bat] == c.topbat)
    }

    /// Does a whole blocking satisfy the constraint?
    pub fn admits(&self, b: &Blocking) -> bool {
        self.constraint.admits(b.factors[0].0, b.orders[0].0)
    }

    /// The same context for a layer partitioned over `nodes` nodes whose data
    /// need `unit_nhops` NoC word-hops per fetch, with access-forwarding
    /// divisors `accfwd`.
    pub fn with_partition(
        mut self,
        nodes: u64,
        unit_nhops: PerData<u64>,
        accfwd: PerData<u64>,
    ) -> Self {
        self.nodes = nodes;
        self.unit_nhops = unit_nhops;
        self.accfwd = accfwd;
        self
    }

    /// The same context with buffer sharing over the groups of `share`
    /// (`None`: no sharing).
    pub fn with_sharing(mut self, share: Option<BufShare>) -> Self {
        self.share = share;
        self
    }

    /// The buffer sharing of a valid blocking
    /// (docs/model/buffer-sharing.md#buffer-sharing), from its factors,
    /// orders and stats; `None` without sharing.
    pub fn sharing_of(&self, b: &Blocking, s: &BlockingStats) -> Option<Sharing> {
        let share = self.share.as_ref()?;
        let mut fetch = s.fetch;
        if s.pinned {
            // Sharing sees the filters fetched once, before pinning.
            fetch[0][DataKind::Fil] = 1;
        }
        Some(share_buffers(
            share,
            &SharingInput {
                nld: self.nld,
                factors: &b.factors,
                orders: &b.orders,
                fetch: &fetch,
                gbuf_size: s.size[0],
                capacity: self.resource.size_gbuf,
                nodes: self.nodes,
            },
        ))
    }

    /// `stats` with their buffer sharing filled in if it was left for
    /// later (the reference's ranking, see [`BlockingContext::finish`]).
    pub fn with_sharing_priced(&self, b: &Blocking, mut stats: BlockingStats) -> BlockingStats {
        if self.share.is_some() && stats.sharing.is_none() {
            stats.sharing = self.sharing_of(b, &stats);
            let e = stats.energy;
            stats.energy = LayerCost::new(
                self.cost,
                stats.ops,
                e.access,
                stats.noc_hops(self.unit_nhops),
                stats.time,
            );
        }
        stats
    }

    /// The ranking key of a blocking, smaller is better. The reference ranks
    /// blockings by their access energy alone
    /// (docs/model/blocking.md#ranking-and-ties,
    /// docs/compat.md#rank_by_access_energy); nnc by the layer's whole energy.
    pub fn key(&self, s: &BlockingStats) -> RankKey {
        let cost = if self.compat.rank_by_access_energy() {
            s.energy.access
        } else {
            s.cost()
        };
        self.goal.key(cost, s.time as f64)
    }

    pub(super) fn fil_top_trivial(&self, f: &Factors) -> bool {
        LoopDim::ALL
            .into_iter()
            .filter(|&l| self.nld.data_loops.has(DataKind::Fil, l))
            .all(|l| f[0][l] == 1)
    }

    /// The units of data `d` given each loop's count `per_loop` (the product
    /// of its factors at the levels inside).
    #[inline]
    fn units(&self, d: DataKind, per_loop: [u64; 3]) -> u64 {
        // Parts of the loop counts, whose product is in range
        // (`sched::model::limits`). Plain loops: this runs for every
        // factor triple of the search.
        let has = self.nld.data_loops.0[d];
        let mut units = 1;
        for l in 0..3 {
            if has[l] {
                units *= per_loop[l];
            }
        }
        units
    }

    /// The order-independent part of pricing a blocking's factors; `None`
    /// when they cannot fit even with every bypassable data kind bypassing
    /// (capacity check 1 of docs/model/blocking.md#bypass-and-capacity-checks).
    #[inline(always)]
    pub fn prepare(&self, f: &Factors) -> Option<Prepared> {
        self.try_prepare(f).ok()
    }

    /// [`BlockingContext::prepare`], saying which store the factors do not
    /// fit. Within a chunk of the enumeration (its channel factors fixed),
    /// a misfit holds for every batch triple with at least as large a
    /// register-file factor ([`Misfit::Regf`]) or as large a product of the
    /// inner two ([`Misfit::Gbuf`]): the sizes only grow with them.
    #[inline(always)]
    pub(crate) fn try_prepare(&self, f: &Factors) -> Result<Prepared, Misfit> {
        // The register files first: they depend on the innermost factors
        // alone, and most factor triples that fail, fail there.
        let inner = PerData::from_fn(|d| self.units(d, f[2].0));
        let regf = PerData::from_fn(|d| inner[d] * self.nld.usize_regf[d]);
        if regf.0.iter().sum::<u64>() > self.resource.size_regf {
            return Err(Misfit::Regf);
        }
        let below_top = [0, 1, 2].map(|l| f[1].0[l] * f[2].0[l]);
        let unit_cnt = [PerData::from_fn(|d| self.units(d, below_top)), inner];
        // A loop whose iterations reuse data the dataflow's register files
        // do not keep stays outside them
        // (docs/model/blocking.md#bypass-and-capacity-checks).
        if !self.nld.regf_keeps_all()
            && LoopDim::ALL
                .into_iter()
                .any(|l| f[2][l] > 1 && !self.nld.regf_may_iterate(l))
        {
            return Err(Misfit::Regf);
        }
        // Tiles of overlapping input windows can exceed any bound: saturated
        // sizes exceed every buffer, so the capacity tests stay exact.
        let gbuf = PerData::from_fn(|d| {
            let tile = unit_cnt[0][d].saturating_mul(self.nld.usize_gbuf[d]);
            // With buffer sharing a node first holds only its share of the
            // tile, spread over the whole group (docs/model/blocking.md#buffered-units-and-sizes).
            match &self.share {
                Some(sh) => tile.div_ceil(sh.dims[d].size().max(1)),
                None => tile,
            }
        });
        let forced = PerData::from_fn(|d| !self.bypass[d]);
        if !self.resource.buffer_fits(gbuf, forced) {
            return Err(Misfit::Gbuf);
        }
        let lcnt: u64 = f.iter().flat_map(|t| t.0).product();
        Ok(Prepared {
            factors: *f,
            lcnt,
            unit_cnt,
            gbuf,
            regf,
        })
    }

    /// Capacity check 1, which depends only on the factors: with only the
    /// data that may not bypass kept in the GBUF, does the blocking fit?
    pub fn fits_before_bypass(&self, f: &Factors) -> bool {
        self.prepare(f).is_some()
    }

    /// Prices a blocking; `None` if it does not fit the buffers.
    pub fn evaluate(&self, b: &Blocking) -> Option<BlockingStats> {
        self.prepare(&b.factors)
            .and_then(|p| self.finish(&p, &b.orders))
    }

    /// Prices prepared factors with the given loop orders; `None` if the
    /// data the orders make worth buffering do not fit.
    pub fn finish(&self, p: &Prepared, orders: &Orders) -> Option<BlockingStats> {
        self.finish_with(p, orders, !self.compat.rank_by_access_energy())
    }

    /// [`BlockingContext::finish`] leaving buffer sharing for later
    /// ([`BlockingContext::with_sharing_priced`]): a lower bound of the
    /// blocking's energy, since sharing only adds NoC hops.
    pub fn finish_unshared(&self, p: &Prepared, orders: &Orders) -> Option<BlockingStats> {
        self.finish_with(p, orders, false)
    }

    /// Does ranking need buffer sharing priced (nnc's model with sharing on)?
    pub fn ranks_sharing(&self) -> bool {
        self.share.is_some() && !self.compat.rank_by_access_energy()
    }

    /// What the hop tables keep of a blocking
    /// (docs/model/blocking.md#one-search-for-every-hop-count):
    /// [`BlockingContext::finish`] without buffer sharing, reduced to its
    /// trips, access energy, time, ops and ranking key. The same sums; only
    /// what is not needed is never copied out.
    pub fn finish_brief(&self, p: &Prepared, orders: &Orders) -> Option<Brief> {
        let s = self.finish_with(p, orders, false)?;
        Some(Brief {
            trips: s.fetch[0].0,
            access: s.energy.access,
            time: s.time,
            ops: s.ops,
            key: self.key(&s),
        })
    }

    // Inlined into its callers: a blocking's stats are a few hundred
    // bytes, and the hop tables' build, which keeps few of them, spent 7% of
    // its time copying them out.
    #[inline(always)]
    fn finish_with(&self, p: &Prepared, orders: &Orders, share_now: bool) -> Option<BlockingStats> {
        let f = &p.factors;
        let (mut fetch, mut stored) = self.fetches_and_storage(f, orders)?;
        // A kind the register files do not keep streams rather than fail
        // the buffer: never for row stationary, whose register files keep
        // every kind (docs/model/blocking.md#bypass-and-capacity-checks).
        let streams = !self.nld.regf_keeps_all();
        for d in DataKind::ALL.into_iter().filter(|_| streams) {
            let home = match d {
                DataKind::Fil => DataHome::Dram,
                DataKind::Ifm => self.src,
                DataKind::Ofm => self.dst,
            };
            // With per-operand SRAMs only a kind that overflows its own
            // SRAM has a reason to stream.
            let only = PerData::from_fn(|k| k == d);
            let overflows = match self.resource.sram {
                Some(_) => !self.resource.buffer_fits(p.gbuf, only),
                None => !self.resource.buffer_fits(p.gbuf, stored),
            };
            if overflows
                && stored[d]
                && self.bypass[d]
                && !self.nld.regf_keeps[d]
                && home == DataHome::Dram
            {
                stored[d] = false;
                fetch[0][d] = fetch[1][d];
            }
        }
        let size = [
            PerData::from_fn(|d| if stored[d] { p.gbuf[d] } else { 0 }),
            p.regf,
        ];
        if !self.resource.buffer_fits(p.gbuf, stored) {
            return None;
        }
        // Filters pinned on chip for the whole run
        // (docs/model/blocking.md#filter-pinning,
        // docs/model/buffer-sharing.md#filter-pinning).
        let pinned = self.resource.no_time_mux && self.fil_top_trivial(f);
        if pinned {
            fetch[0][DataKind::Fil] = 0;
        }
        let (access, remote_gbuf) = self.accesses(p.lcnt, &fetch, stored);
        let access_cost = access_energy(self.cost, &access) + buffer_energy(self.cost, remote_gbuf);
        let ops = self.nld.unit_ops * p.lcnt as f64 * self.nodes as f64;
        let (proc_time, bus_time, dram_time) = self.times(p.lcnt, &access)?;
        let time = proc_time.max(bus_time).max(dram_time);
        let stats = BlockingStats {
            fetch,
            stored,
            unit_cnt: p.unit_cnt,
            size,
            access,
            remote_gbuf,
            ops,
            proc_time,
            bus_time,
            dram_time,
            time,
            energy: LayerCost::new(
                self.cost,
                ops,
                access_cost,
                noc_hops(self.unit_nhops, fetch[0]),
                time,
            ),
            pinned,
            sharing: None,
        };
        // The reference ranks by access energy alone, so buffer sharing,
        // which only adds NoC hops, is left until a candidate is priced
        // (`sched::search::layer`); nnc ranks by the whole energy and needs it now.
        if share_now && self.share.is_some() {
            let b = Blocking {
                factors: *f,
                orders: *orders,
            };
            return Some(self.with_sharing_priced(&b, stats));
        }
        Some(stats)
    }

    /// The fetch counts of factors `f` with `orders` and which data the
    /// global buffer keeps; `None` when data on chip would be fetched more
    /// than once.
    #[inline]
    pub(super) fn fetches_and_storage(
        &self,
        f: &Factors,
        orders: &Orders,
    ) -> Option<([PerData<u64>; 2], PerData<bool>)> {
        let mut fetch = [PerData::splat(1u64); 2];
        for d in DataKind::ALL {
            fetch[0][d] = self.fetch(f, orders, d, 0, 1);
            fetch[1][d] = self.fetch(f, orders, d, 1, fetch[0][d]);
        }
        // Weight stationary's weights enter their PEs once
        // (docs/model/blocking.md#bypass-and-capacity-checks).
        if DataKind::ALL
            .into_iter()
            .any(|d| self.nld.regf_once[d] && fetch[1][d] > 1)
        {
            return None;
        }
        // Keep bypassable data in the GBUF only where it gives reuse
        // (docs/model/blocking.md#bypass-and-capacity-checks).
        let mut stored = PerData::from_fn(|d| {
            !self.bypass[d] || fetch[0][d] < fetch[1][d] || self.cheaper_stored(d, &fetch)
        });
        // Data on chip cannot be re-read from (or spilled to) DRAM; on the
        // layer's own nodes they are in the buffer anyway
        // (docs/model/buffer-sharing.md#non-dram-data-regions).
        for (home, d) in [(self.src, DataKind::Ifm), (self.dst, DataKind::Ofm)] {
            if home != DataHome::Dram {
                if fetch[0][d] > 1 {
                    return None;
                }
                if home == DataHome::OwnNodes {
                    stored[d] = true;
                }
            }
        }
        Some((fetch, stored))
    }

    /// For an NLD that asks for it ([`Nld::buffer_by_energy`]): does
    /// keeping `d` in the buffer cost less than streaming it from DRAM,
    /// which then reads what the buffer would have served
    /// (docs/model/blocking.md#bypass-and-capacity-checks)?
    fn cheaper_stored(&self, d: DataKind, fetch: &[PerData<u64>; 2]) -> bool {
        if !self.nld.buffer_by_energy {
            return false;
        }
        let (t, c) = (&self.totals, self.cost);
        let (f0, f1) = (fetch[0][d] as f64, fetch[1][d] as f64);
        let stored = t[MemLevel::Dram][d] * f0 * c.level(MemLevel::Dram)
            + t[MemLevel::Gbuf][d] * f1 * c.buffer(d);
        let streamed = t[MemLevel::Gbuf][d] * f1 * c.level(MemLevel::Dram);
        stored < streamed
    }

    /// Accesses per level and data kind over all nodes of `lcnt` loop
    /// bodies fetched `fetch` times (docs/model/blocking.md#accesses), and
    /// the accesses of other nodes' buffers that replace DRAM's for data on
    /// chip (docs/model/buffer-sharing.md#non-dram-data-regions).
    #[inline]
    fn accesses(
        &self,
        lcnt: u64,
        fetch: &[PerData<u64>; 2],
        stored: PerData<bool>,
    ) -> (PerLevel<PerData<f64>>, PerData<f64>) {
        let n = self.nodes as f64;
        let t = &self.totals;
        let mut access = PerLevel::splat(PerData::splat(0.0));
        for d in DataKind::ALL {
            let k = if d == DataKind::Ofm { 2.0 } else { 1.0 };
            let stored_f = if stored[d] { 1.0 } else { 0.0 };
            access[MemLevel::Regf][d] =
                self.nld.unit_access[MemLevel::Regf][d] * lcnt as f64 * k * n;
            access[MemLevel::Array][d] = t[MemLevel::Array][d] * fetch[1][d] as f64 * n;
            access[MemLevel::Gbuf][d] = t[MemLevel::Gbuf][d] * fetch[1][d] as f64 * stored_f * n;
            let from = if stored[d] {
                MemLevel::Dram
            } else {
                MemLevel::Gbuf
            };
            access[MemLevel::Dram][d] = t[from][d] * fetch[0][d] as f64 * n / self.accfwd[d] as f64;
        }
        let mut remote_gbuf = PerData::splat(0.0);
        for (home, d) in [(self.src, DataKind::Ifm), (self.dst, DataKind::Ofm)] {
            if home != DataHome::Dram {
                remote_gbuf[d] = access[MemLevel::Dram][d];
                access[MemLevel::Dram][d] = 0.0;
            }
        }
        (access, remote_gbuf)
    }

    /// The cycles of `lcnt` loop bodies making `access`: computing, on the
    /// array bus and on DRAM (docs/model/blocking.md#time); `None` when
    /// one does not fit a `u64`: such a blocking is beyond the model's range
    /// (`sched::model::limits`), dropped, not saturated, so that it can
    /// never win a ranking with a wrong time.
    #[inline]
    fn times(&self, lcnt: u64, access: &PerLevel<PerData<f64>>) -> Option<(u64, u64, u64)> {
        let proc_time = self.nld.unit_time * lcnt;
        let dram_words = access[MemLevel::Dram].sum_in_order();
        let dram_time = self.resource.dram_bandwidth.cycles(dram_words)?;
        // Only data stored in the global buffer count on the array bus, as
        // in the reference (docs/compat.md#known_limitations).
        let bus_time = match self.resource.array_bus_width {
            None => 0,
            Some(w) => {
                let max = DataKind::ALL
                    .into_iter()
                    .map(|d| access[MemLevel::Gbuf][d])
                    .fold(f64::NEG_INFINITY, f64::max);
                whole_cycles((max / self.nodes as f64).ceil())?.div_ceil(w)
            }
        };
        Some((proc_time, bus_time, dram_time))
    }

    /// Fetch count of data `d` at blocking level `bl`
    /// (docs/model/blocking.md#fetch-counts); `above` is the count of the level
    /// above (1 for DRAM).
    // One index runs over the loop dimensions of several arrays at once.
    #[allow(clippy::needless_range_loop)]
    #[inline]
    pub(super) fn fetch(&self, f: &Factors, o: &Orders, d: DataKind, bl: usize, above: u64) -> u64 {
        // Plain loops over the three loop dimensions: this runs six times
        // for every blocking the search prices.
        let has = self.nld.data_loops.0[d];
        let close = |count: u64| {
            if d == DataKind::Ofm {
                2 * count - 1
            } else {
                count
            }
        };
        if bl == 1 && !self.nld.regf_keeps[d] && has.contains(&true) {
            // Data the register files do not keep come from the buffer
            // again for every iteration of the loops unrelated to them,
            // in any order (docs/model/blocking.md#fetch-counts).
            let mut count = 1;
            for u in 0..3 {
                if !has[u] {
                    count *= f[0].0[u] * f[1].0[u];
                }
            }
            return close(count);
        }
        let (t, ord) = (f[bl].0, o[bl].0);
        // The innermost non-trivial loop indexing the data (the first of
        // equal orders, as `min_by_key` took it).
        let mut inner: Option<usize> = None;
        for l in 0..3 {
            if has[l] && t[l] > 1 && inner.is_none_or(|i| ord[l] < ord[i]) {
                inner = Some(l);
            }
        }
        let Some(inner) = inner else {
            return above;
        };
        let mut count = 1;
        for u in 0..3 {
            if !has[u] {
                let outer: u64 = f[..bl].iter().map(|k| k.0[u]).product();
                count *= outer * if ord[u] > ord[inner] { t[u] } else { 1 };
            }
        }
        close(count)
    }
}
