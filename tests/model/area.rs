//! With `[tech]`, a bigger global buffer costs more per access, so energy
//! against buffer size has an interior minimum (the README's study,
//! sweeps/gbuf-tech.toml); with a constant energy per access it does not.

use nnc::hw::{self, Set};
use nnc::{Options, Solver};

/// AlexNet's total energy at batch 1 on sweeps/tech-45nm.toml with each
/// global-buffer size, and `more` changes.
fn energies(sizes: &[&str], more: &[Set]) -> Vec<f64> {
    let text = std::fs::read_to_string("nns/alex_net.nn").unwrap();
    let (net, _) = nnc::compile(&text).unwrap();
    let options = Options::builder()
        .solver(Solver::Analytic)
        .batch(1)
        .build()
        .unwrap();
    sizes
        .iter()
        .map(|size| {
            let mut sets = vec![Set::new("node.gbuf_bytes", size).unwrap()];
            sets.extend(more.iter().cloned());
            let hw = hw::load_with("sweeps/tech-45nm.toml", &sets).unwrap();
            nnc::schedule(&net, &hw, &options).unwrap().totals.energy
        })
        .collect()
}

#[test]
fn buffer_size_has_an_interior_energy_minimum_with_tech() {
    let e = energies(&["8 KiB", "128 KiB", "2 MiB"], &[]);
    assert!(e[1] < e[0] && e[1] < e[2], "{e:?}");
}

#[test]
fn a_constant_buffer_energy_has_no_interior_minimum() {
    // The 128 KiB buffer's energy per word at every size: the bigger
    // buffer is never worse.
    let at128 = hw::load_with(
        "sweeps/tech-45nm.toml",
        &[Set::new("node.gbuf_bytes", "128 KiB").unwrap()],
    )
    .unwrap()
    .energy
    .gbuf;
    let fixed = Set::new("energy.gbuf", &at128.to_string()).unwrap();
    let e = energies(&["128 KiB", "2 MiB"], &[fixed]);
    assert!(e[1] <= e[0], "{e:?}");
}
