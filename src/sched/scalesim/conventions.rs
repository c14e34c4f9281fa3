//! The catalogue of SCALE-Sim 3.0.0's conventions: every place where its
//! numbers follow its own arithmetic rather than a fact of the hardware,
//! one named item each (docs/model/scalesim.md#conventions; each item's
//! anchor is its name, e.g. `docs/model/scalesim.md#rounded_up_output`).
//!
//! The SCALE-Sim model (this module's parent) asks these items by name and
//! nowhere else restates them. A systolic model of nnc's own can take the
//! ones that are sound and decline the others without the SCALE-Sim model
//! being bent; the buffer simulations that are conventions through and
//! through (`generations.rs`, `write_buffer.rs`, `prefetch.rs`) are named
//! here by their parameters.

/// `docs/model/scalesim.md#rounded_up_output`: the output size
/// `ceil((H - R + s) / s)`, i.e. `ceil((H - R) / s) + 1`, which rounds up
/// where the usual `floor((H - R) / s) + 1` rounds down: the last window may
/// hang over the ifmap's edge (AlexNet conv1 224/11/4 gives 55, not 54).
pub(crate) const fn output_size(ifmap: u64, filter: u64, stride: u64) -> u64 {
    (ifmap - filter).div_ceil(stride) + 1
}

/// `docs/model/scalesim.md#fold_order`: fold `index` is (row fold, column
/// fold) = `(index mod rf, index div rf)`: column folds form the outer loop.
pub(crate) const fn fold_order(index: u64, row_folds: u64) -> (u64, u64) {
    (index % row_folds, index / row_folds)
}

/// `docs/model/scalesim.md#cycles_from_zero`: cycles are numbered from 0
/// and the report's cycle count is the index of the last demand row, one
/// less than the number of rows.
pub(crate) const fn last_row_index(rows: u64) -> u64 {
    rows - 1
}

/// `docs/model/scalesim.md#os_phantom_writes`: in output stationary, each
/// fold adds `R + C` ofmap SRAM writes that carry nothing; they reach
/// neither the write buffer nor DRAM.
pub(crate) const fn os_phantom_writes_per_fold(rows: u64, cols: u64) -> u64 {
    rows + cols
}

/// `docs/model/scalesim.md#read_hit_latency`: the first and last cycles of
/// the ifmap and filter SRAM reads are one later than their requests; the
/// ofmap writes' are not shifted.
pub(crate) const READ_HIT_LATENCY: u64 = 1;

/// `docs/model/scalesim.md#compute_util_length`: compute utilisation
/// divides by a fold length of `2R + 2C + T - 3` in ws and is (one `C - 1`
/// more than the fold length the cycles use) and `R + C + T - 2` in os.
pub(crate) const fn compute_util_extra_cols(output_stationary: bool, cols: u64) -> u64 {
    if output_stationary { 0 } else { cols - 1 }
}

/// `docs/model/scalesim.md#one_byte_words`: a word is one byte, so an SRAM
/// of `kb` kB holds `1024 kb` words whatever the data's precision.
pub(crate) const fn sram_words(kb: u64) -> u64 {
    kb * 1024
}

/// `docs/model/scalesim.md#dp_depthwise_split`: a topology row whose name
/// contains `DP` is a depthwise layer, run as one layer per channel (each
/// with one channel and the row's filter count).
pub(crate) fn is_depthwise(name: &str) -> bool {
    name.contains("DP")
}

/// `docs/model/scalesim.md#dp_depthwise_split`: the name of channel
/// `channel`'s layer of depthwise row `name`.
pub(crate) fn depthwise_layer_name(name: &str, channel: u64) -> String {
    format!("{name}Channel_{channel}")
}

/// `docs/model/scalesim.md#buffer_generations`: a read SRAM of `words`
/// words in CALC mode is 100 sets of `floor(words / 100)` words; half of
/// them, `G = 50 g`, make one generation. Returns `(g, G)`.
pub(crate) const fn generation_words(words: u64) -> (u64, u64) {
    let set = words / 100;
    (set, 50 * set)
}

/// `docs/model/scalesim.md#calc_prefetch_rate`: in CALC mode an operand
/// prefetched before cycle 0 arrives at a nominal 10 words per cycle.
pub(crate) const CALC_PREFETCH_WORDS_PER_CYCLE: u64 = 10;

/// `docs/model/scalesim.md#calc_drain_bandwidth`: in CALC mode the ofmap
/// write buffer drains `ArrayWidth` words per cycle (so it never stalls).
pub(crate) const fn calc_drain_words_per_cycle(cols: u64) -> u64 {
    cols
}

/// `docs/model/scalesim.md#write_buffer_drain`: the write buffer of
/// `words` words is an active half of `ceil(words / 2)` and a draining half
/// of the rest; returns (active, draining). A drain empties up to
/// `ceil(draining / w)` lines, counts every line full except its last, and
/// frees what it counts when it starts.
pub(crate) const fn write_buffer_halves(words: u64) -> (u64, u64) {
    let active = words.div_ceil(2);
    (active, words - active)
}

/// `docs/model/scalesim.md#prefetch_sets`: in USER mode a read buffer of
/// `words` words tracks its fetch order in sets of `ceil(words / 100)`
/// entries.
pub(crate) const fn prefetch_set_entries(words: u64) -> u64 {
    words.div_ceil(100)
}

/// `docs/model/scalesim.md#doubled_wait`: in USER mode a read miss that
/// waits `d > 0` cycles delays its row by `2d`; a negative wait pulls the
/// row's later requests earlier.
pub(crate) const fn wait_offset(d: i64) -> i64 {
    if d > 0 { 2 * d } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_rounds_up_where_the_usual_formula_rounds_down() {
        // AlexNet conv1, ResNet's stem and its 1x1 stride-2 projection.
        assert_eq!(output_size(224, 11, 4), 55);
        assert_eq!(output_size(224, 7, 2), 110);
        assert_eq!(output_size(56, 1, 2), 29);
        // Where the stride divides, both agree.
        assert_eq!(output_size(227, 11, 4), 55);
        assert_eq!(output_size(15, 3, 1), 13);
    }

    #[test]
    fn column_folds_are_the_outer_loop() {
        assert_eq!(fold_order(0, 3), (0, 0));
        assert_eq!(fold_order(2, 3), (2, 0));
        assert_eq!(fold_order(3, 3), (0, 1));
    }

    #[test]
    fn buffer_halves_and_sets() {
        assert_eq!(generation_words(sram_words(64)), (655, 32750));
        assert_eq!(generation_words(sram_words(8)), (81, 4050));
        assert_eq!(write_buffer_halves(7), (4, 3));
        assert_eq!(prefetch_set_entries(sram_words(8)), 82);
        assert_eq!(wait_offset(3), 6);
        assert_eq!(wait_offset(-3), -3);
    }

    #[test]
    fn depthwise_rows_are_named_by_substring() {
        assert!(is_depthwise("conv_dw_DP1"));
        assert!(!is_depthwise("conv_dp1"));
        assert_eq!(depthwise_layer_name("dwDP", 3), "dwDPChannel_3");
    }
}
