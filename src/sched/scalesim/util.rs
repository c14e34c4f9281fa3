//! Utilisation: how much of the array the mapping and the cycles keep busy
//! (docs/model/scalesim.md#utilisation).

use super::Dataflow;
use super::conventions;
use super::cycles::fold_length;
use super::matrix::{Axis, Mapping};

/// The three utilisation figures of SCALE-Sim's compute report, in percent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Utilisation {
    /// `100 MACs / (total cycles R C)`: stalls included in the cycles,
    /// hanging-over windows in the MACs.
    pub overall: f64,
    /// The mean over folds of the used share `ur uc / (R C)`.
    pub mapping: f64,
    /// The mean over folds of `ur uc T / (R C Lu)`.
    pub compute: f64,
}

/// Utilisation of `m` over `total_cycles` (stalls included).
pub(super) fn utilisation(m: &Mapping, total_cycles: u64) -> Utilisation {
    let (r, c) = (m.rows as f64, m.cols as f64);
    // The mean over folds of `ur uc` is `S_r S_c / (rf cf)`: every row fold
    // meets every column fold once.
    let used = (m.extent(Axis::Row) * m.extent(Axis::Col)) as f64;
    let slots = (m.rf * m.rows) as f64 * (m.cf * m.cols) as f64;
    let mapping = 100.0 * used / slots;
    let extra = conventions::compute_util_extra_cols(m.dataflow == Dataflow::Os, m.cols);
    let lu = (fold_length(m) + extra) as f64;
    let compute = mapping * m.steps() as f64 / lu;
    let overall = 100.0 * m.macs() as f64 / (total_cycles as f64 * r * c);
    Utilisation {
        overall,
        mapping,
        compute,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_grid;
    use super::*;

    #[test]
    fn mapping_efficiency_is_the_mean_share_of_the_array_over_folds() {
        for (layer, array) in test_grid() {
            let m = Mapping::new(&layer, &array).unwrap();
            let share: f64 = (0..m.folds())
                .map(|i| {
                    let f = m.fold(i);
                    (f.ur * f.uc) as f64 / (m.rows * m.cols) as f64
                })
                .sum::<f64>()
                / m.folds() as f64;
            let u = utilisation(&m, 1000);
            assert!(
                (u.mapping - 100.0 * share).abs() < 1e-9,
                "{layer:?} {array:?}"
            );
            assert!(u.compute < u.mapping && u.compute > 0.0);
            assert!(
                (u.overall - 100.0 * m.macs() as f64 / (1000 * m.rows * m.cols) as f64).abs()
                    < 1e-12
            );
        }
    }
}
