//! DRAM reads in CALC mode: the read buffers' generations
//! (docs/model/scalesim.md#dram-reads-in-calc-mode,
//! docs/model/scalesim.md#buffer_generations).
//!
//! In CALC mode a read SRAM never stalls the array. What it fetches from
//! DRAM is estimated by walking the operand's requests in demand order: a
//! request misses if its address has not missed in the current generation,
//! and a generation ends after `G` misses, forgetting everything. When the
//! operand's distinct words are fewer than `G` no generation ends, every
//! word misses once, and no walk is needed.

use super::conventions::{self, CALC_PREFETCH_WORDS_PER_CYCLE};
use super::cycles::walk;
use super::matrix::Mapping;
use crate::sched::types::{DataKind, PerData};

/// One operand's DRAM traffic: words, and the first and last cycle of the
/// transfers (negative before the first demand row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Traffic {
    /// Words moved.
    pub words: u64,
    /// First cycle of the transfers.
    pub start: i64,
    /// Last cycle of the transfers.
    pub stop: i64,
}

/// What the memory side of a run yields: stalls, each SRAM's first and
/// last real request (stalls included), each operand's DRAM traffic. CALC
/// mode's comes from `report.rs`, USER mode's from `prefetch.rs`.
#[derive(Clone, Copy, Debug)]
pub(super) struct MemoryRun {
    /// Total stall cycles.
    pub stalls: u64,
    /// First and last real request of each SRAM, in shifted cycles.
    pub sram: PerData<(i64, i64)>,
    /// DRAM traffic of each operand.
    pub dram: PerData<Traffic>,
}

/// DRAM reads of `operand` (the ifmap or the filters) through a read SRAM
/// of `sram_words` words, CALC mode; `first_row` is the stall-free cycle of
/// the operand's first real request.
pub(super) fn calc_reads(
    m: &Mapping,
    operand: DataKind,
    sram_words: u64,
    first_row: u64,
) -> Traffic {
    let (set, generation) = conventions::generation_words(sram_words);
    let distinct = m.distinct_words(operand);
    let rate = CALC_PREFETCH_WORDS_PER_CYCLE;
    if distinct < generation {
        // All fetched before cycle 0, in whole sets, at the nominal rate.
        let fetched = distinct.div_ceil(set) * set;
        return Traffic {
            words: distinct,
            start: -(fetched.div_ceil(rate) as i64),
            stop: -1,
        };
    }
    let (misses, last_end) = generation_misses(m, operand, generation);
    Traffic {
        words: misses,
        start: first_row as i64 - generation.div_ceil(rate) as i64,
        stop: last_end as i64 + 1,
    }
}

/// Walks `operand`'s real requests in demand order through generations of
/// `generation` misses: (misses, stall-free cycle of the last miss that
/// ended a generation).
fn generation_misses(m: &Mapping, operand: DataKind, generation: u64) -> (u64, u64) {
    // One bit per word of the operand: missed in the current generation.
    // A bit set is 32 times smaller than a stamp per word, which keeps the
    // strided request streams in cache; a generation's end clears only the
    // bits it set.
    let mut missed = vec![0u64; m.stored_words(operand).div_ceil(64) as usize];
    // Clearing the whole set costs a step per 64 words: cheaper than a list
    // of the bits set when generations are longer than that.
    let track = generation <= missed.len() as u64;
    let mut set: Vec<u32> = Vec::new();
    let (mut misses, mut in_generation, mut last_end) = (0u64, 0u64, 0u64);
    walk(m, operand, |row, address| {
        let Some(a) = address else { return };
        let (word, bit) = ((a / 64) as usize, 1u64 << (a % 64));
        if missed[word] & bit == 0 {
            missed[word] |= bit;
            misses += 1;
            in_generation += 1;
            if track {
                set.push(a);
            }
            if in_generation == generation {
                // Everything is forgotten. (Every bit set now was set in
                // this generation, so whole words may be cleared.)
                if track {
                    for &a in &set {
                        missed[(a / 64) as usize] = 0;
                    }
                    set.clear();
                } else {
                    missed.fill(0);
                }
                in_generation = 0;
                last_end = row;
            }
        }
    });
    (misses, last_end)
}

#[cfg(test)]
mod tests {
    use super::super::test_grid;
    use super::*;

    #[test]
    fn without_overflow_every_distinct_word_misses_once() {
        for (layer, array) in test_grid() {
            let m = Mapping::new(&layer, &array).unwrap();
            for op in [DataKind::Ifm, DataKind::Fil] {
                let (misses, _) = generation_misses(&m, op, u64::MAX);
                assert_eq!(misses, m.distinct_words(op), "{layer:?} {array:?} {op}");
            }
        }
    }

    #[test]
    fn a_generation_forgets_what_it_fetched() {
        // ws re-reads the whole ifmap for each column fold: with one-word
        // generations every request misses.
        for (layer, array) in test_grid() {
            let m = Mapping::new(&layer, &array).unwrap();
            let (misses, _) = generation_misses(&m, DataKind::Ifm, 1);
            assert_eq!(
                misses,
                m.real_entries(DataKind::Ifm) * requests_per_entry(&m)
            );
        }
    }

    /// How often the demand reads each ifmap matrix entry.
    fn requests_per_entry(m: &Mapping) -> u64 {
        match m.dataflow {
            super::super::Dataflow::Is => 1,
            _ => m.cf,
        }
    }
}
