//! A seeded mutation fuzzer, one target per input kind (`.nn`, hardware
//! TOML, ONNX, sweep spec, schedule JSON, sweep CSV): files of the
//! repository mutated (bytes flipped, inserted, deleted, repeated, numbers
//! made extreme, two files spliced) and read by the library as the
//! commands read them. Each case must end in a value or an error, never a
//! panic, and within a few seconds; a schedule file read back must give a
//! report of bounded size. Bounded by cases and by time, so that CI stays
//! fast; `NNC_FUZZ_CASES` runs more (the seed is printed with a failure).

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Cases per kind by default.
const CASES: usize = 3000;
/// The most one kind may take in all (cases stop there).
const BUDGET: Duration = Duration::from_secs(8);
/// The most one case may take: far above any real one, far below a hang.
const CASE_LIMIT: Duration = Duration::from_secs(5);

/// xorshift64*: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens worth inserting: numbers at and past the model's limits,
/// delimiters, control characters, bytes that are not UTF-8.
const DICTIONARY: &[&[u8]] = &[
    b"0",
    b"-1",
    b"1e308",
    b"-0.0",
    b"nan",
    b"inf",
    b"18446744073709551616",
    b"9007199254740993",
    b"65536",
    b"4294967296",
    b"\"",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"=",
    b"\n",
    b"\r\n",
    b"\x1b[2J",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\0",
    b"#",
    b"x",
    b"conv(",
    b"pool(",
    b"fc(",
    b"[16, 16, 3]",
    b"\"x\"",
    b"ok",
    b"\"\"",
];

/// One mutation of `input`, `other` another file of the corpus.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(3) {
        let n = out.len();
        let at = rng.below(n + 1);
        match rng.below(7) {
            0 if n > 0 => {
                let i = rng.below(n);
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                out.splice(at..at, word.iter().copied());
            }
            2 if n > 0 => {
                let end = (at + 1 + rng.below(16)).min(n);
                out.drain(at.min(end)..end);
            }
            3 if n > 0 => {
                let end = (at + 1 + rng.below(64)).min(n);
                let piece: Vec<u8> = out[at.min(end)..end].to_vec();
                out.splice(at..at, piece);
            }
            4 => {
                // A number made extreme.
                if let Some(i) = (at..n).find(|&i| out[i].is_ascii_digit()) {
                    let end = (i..n).find(|&j| !out[j].is_ascii_digit()).unwrap_or(n);
                    let word = DICTIONARY[rng.below(10)];
                    out.splice(i..end, word.iter().copied());
                }
            }
            5 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(256)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// The files under `dirs` (relative to the repository) ending in `ext`,
/// of at most 64 KB.
fn corpus(dirs: &[&str], ext: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(root.join(d)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == ext)
                && std::fs::metadata(&p).is_ok_and(|m| m.len() <= 64 << 10)
            {
                out.push(std::fs::read(&p).unwrap());
            }
        }
    }
    assert!(!out.is_empty(), "no corpus for {ext}");
    out
}

/// Runs `target` on mutations of `corpus`: every case in its own thread,
/// within [`CASE_LIMIT`]; a panic or a case past it fails with the seed.
/// Returns how many cases ran.
fn fuzz(kind: &str, seed: u64, corpus: &[Vec<u8>], target: fn(&[u8])) -> usize {
    each_case(kind, seed, |case_seed| {
        let mut case = Rng(case_seed);
        let input = &corpus[case.below(corpus.len())];
        let other = &corpus[case.below(corpus.len())];
        let bytes = mutate(&mut case, input, other);
        let (tx, rx) = mpsc::channel();
        let worker = std::thread::spawn({
            let bytes = bytes.clone();
            move || {
                target(&bytes);
                let _ = tx.send(());
            }
        });
        match rx.recv_timeout(CASE_LIMIT) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "{kind}: case {case_seed:#x} ran past {CASE_LIMIT:?}: {:?}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = worker.join();
                panic!(
                    "{kind}: case {case_seed:#x} panicked: {:?}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
                );
            }
        }
    })
}

/// Calls `run` with each case's seed, drawn from `seed`, within
/// [`BUDGET`] and at most [`CASES`] (or `NNC_FUZZ_CASES`); returns how
/// many cases ran.
fn each_case(kind: &str, seed: u64, mut run: impl FnMut(u64)) -> usize {
    let cases = std::env::var("NNC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES);
    let mut rng = Rng(seed);
    let start = Instant::now();
    let mut ran = 0;
    while ran < cases && start.elapsed() < BUDGET {
        run(rng.next() | 1);
        ran += 1;
    }
    eprintln!("fuzz {kind}: {ran} cases in {:?}", start.elapsed());
    ran
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn fuzz_networks() {
    let corpus = corpus(
        &["nns", "tests/fixtures/errors", "tests/fixtures/schedule"],
        "nn",
    );
    let ran = fuzz("nn", 0x6e6e, &corpus, |b| {
        let _ = nnc::compile(&text(b));
    });
    assert!(ran > 0);
}

#[test]
fn fuzz_hardware() {
    let corpus = corpus(&["hw", "tests/fixtures/hardware"], "toml");
    let ran = fuzz("hardware", 0x6877, &corpus, |b| {
        if let Ok(hw) = nnc::hw::parse(&text(b), "fuzz.toml") {
            // What a valid hardware gives a schedule's header must hold.
            let _ = hw.machine();
        }
    });
    assert!(ran > 0);
}

#[test]
fn fuzz_onnx() {
    let corpus = corpus(&["tests/onnx/models", "tests/fixtures/onnx"], "onnx");
    let ran = fuzz("onnx", 0x6f6e, &corpus, |b| {
        let options = nnc::onnx::ImportOptions {
            fallback_name: "fuzz".into(),
            input_shape: None,
        };
        if let Ok(imported) = nnc::onnx::import(b, &options) {
            let _ = nnc::compile(&imported.text);
        }
    });
    assert!(ran > 0);
}

#[test]
fn fuzz_sweep_specs() {
    let corpus = corpus(&["sweeps", "tests/fixtures/sweep"], "toml");
    let ran = fuzz("spec", 0x7370, &corpus, |b| {
        // Paths in the spec are relative to the shipped specs' folder.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sweeps");
        let _ = nnc::sweep::parse_spec(&text(b), &dir);
    });
    assert!(ran > 0);
}

#[test]
fn fuzz_schedule_files() {
    let mut corpus = corpus(&["tests/fixtures/readback"], "json");
    // Real schedules, as `nnc schedule -o` writes them.
    for (net, hw) in [
        ("nns/mlp_s.nn", "eyeriss"),
        ("tests/fixtures/schedule/conv_pool.nn", "tetris"),
    ] {
        let source =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(net)).unwrap();
        let (net, _) = nnc::compile(&source).unwrap();
        let hw = nnc::hw::load(hw).unwrap();
        let options = nnc::Options::builder()
            .solver(nnc::Solver::Analytic)
            .build()
            .unwrap();
        let file = nnc::schedule(&net, &hw, &options).unwrap();
        corpus.push(nnc::schedule::to_text(&file).unwrap().into_bytes());
    }
    let ran = fuzz("schedule", 0x6a73, &corpus, |b| {
        if let Ok(s) = nnc::schedule::read::from_text(&text(b), "fuzz.json") {
            // Any file read back gives a bounded page.
            let page = nnc::report::html::html(&s);
            assert!(page.len() < 4 << 20, "a page of {} bytes", page.len());
        }
    });
    assert!(ran > 0);
}

#[test]
fn fuzz_results_files() {
    let corpus = corpus(&["tests/fixtures/readback"], "csv");
    let ran = fuzz("csv", 0x6373, &corpus, |b| {
        if let Ok(r) = nnc::sweep::read_results(&text(b)) {
            let _ = nnc::report::sweep::html(&r);
        }
    });
    assert!(ran > 0);
}

/// The sweep the resume and merge properties run: one small network, 2
/// batches x 3 buffer sizes, and the file an uninterrupted run writes.
struct Resumable {
    spec: nnc::sweep::Spec,
    networks: Vec<nnc::ir::Network>,
    whole: String,
    parts: [String; 2],
}

const TINY: &str = "network Tiny\ninput data [3, 8]\nc1 = conv(data, 4, kernel: 3, pad: 1)\n";

fn resumable() -> &'static Resumable {
    static SWEEP: std::sync::OnceLock<Resumable> = std::sync::OnceLock::new();
    SWEEP.get_or_init(|| {
        let text = "networks = [\"tiny.nn\"]\nbatch = [1, 2]\n[options]\nsolver = \"analytic\"\n\
                    [vary]\n\"node.gbuf_bytes\" = [\"32 KiB\", 65536, 131072]\n";
        let spec = nnc::sweep::parse_spec(text, Path::new(".")).unwrap();
        let networks = vec![nnc::compile(TINY).unwrap().0];
        let plan = nnc::sweep::Plan::new(&spec, &networks, &[TINY]).unwrap();
        let run = |shard: Option<nnc::sweep::Shard>| {
            let mut text = nnc::sweep::header_line(&plan.digests, shard) + &plan.columns();
            let rows = nnc::sweep::shard_rows(&plan, shard);
            let Ok(()) = nnc::sweep::run_ordered(&plan, rows, &mut |l: String| {
                text.push_str(&l);
                Ok::<(), std::convert::Infallible>(())
            });
            text
        };
        let shard = |index| Some(nnc::sweep::Shard { index, count: 2 });
        let (whole, parts) = (run(None), [run(shard(0)), run(shard(1))]);
        Resumable {
            spec,
            networks,
            whole,
            parts,
        }
    })
}

/// A results file damaged the ways a kill, a disk or a person damages
/// one: cut anywhere, one digit turned into another, or any mutation.
fn damage(rng: &mut Rng, file: &str) -> Vec<u8> {
    let bytes = file.as_bytes();
    match rng.below(3) {
        0 => bytes[..rng.below(bytes.len() + 1)].to_vec(),
        1 => {
            let mut out = bytes.to_vec();
            let digits: Vec<usize> = (0..out.len())
                .filter(|&i| out[i].is_ascii_digit())
                .collect();
            let i = digits[rng.below(digits.len())];
            out[i] = b'0' + ((out[i] - b'0' + 1 + rng.below(9) as u8) % 10);
            out
        }
        _ => mutate(rng, bytes, bytes),
    }
}

/// A temporary file per case, removed after it.
fn scratch(kind: &str, bytes: &[u8]) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("nnc-fuzz-{kind}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.csv", NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Resuming a damaged results file either refuses it with a usage error
/// (exit code 2) and a message, or ends with exactly the bytes of an
/// uninterrupted run (issue 26, items 3 and 9).
#[test]
fn fuzz_resume() {
    let ran = fuzz_seeded("resume", 0x7265, |case| {
        let s = resumable();
        let bytes = damage(case, &s.whole);
        let plan = nnc::sweep::Plan::new(&s.spec, &s.networks, &[TINY]).unwrap();
        let path = scratch("resume", &bytes);
        match nnc::sweep::open_results(&plan, None, &path, false) {
            Err(e) => {
                assert!(e.is_usage(), "exit 1 for {e}: {:?}", text(&bytes));
                assert!(!e.to_string().is_empty());
                assert_eq!(
                    std::fs::read(&path).unwrap(),
                    bytes,
                    "a refused file changed"
                );
            }
            Ok(mut file) => {
                let rows = nnc::sweep::shard_rows(&plan, None).skip(file.done);
                nnc::sweep::run_ordered(&plan, rows, &mut |l: String| file.append(&l)).unwrap();
                drop(file);
                let after = std::fs::read_to_string(&path).unwrap();
                assert!(
                    after == s.whole,
                    "resumed {:?} into {after:?}",
                    text(&bytes)
                );
            }
        }
        let _ = std::fs::remove_file(&path);
    });
    assert!(ran > 0);
}

/// Merging part files, one of them damaged, either fails with a message
/// (exit code 2, or 1 for a row in no part or in two) or gives exactly
/// the file of an uninterrupted run.
#[test]
fn fuzz_merge() {
    let ran = fuzz_seeded("merge", 0x6d65, |case| {
        let s = resumable();
        let which = case.below(2);
        let bytes = damage(case, &s.parts[which]);
        let plan = nnc::sweep::Plan::new(&s.spec, &s.networks, &[TINY]).unwrap();
        let damaged = scratch("merge", &bytes);
        let intact = scratch("merge", s.parts[1 - which].as_bytes());
        match nnc::sweep::merge(&plan, &[damaged.clone(), intact.clone()]) {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok(merged) => assert!(merged == s.whole, "merged {:?}", text(&bytes)),
        }
        let _ = std::fs::remove_file(&damaged);
        let _ = std::fs::remove_file(&intact);
    });
    assert!(ran > 0);
}

/// Runs `case` on seeded random sources ([`each_case`]); a panic fails
/// with the case's seed.
fn fuzz_seeded(kind: &str, seed: u64, case: fn(&mut Rng)) -> usize {
    each_case(kind, seed, |case_seed| {
        let outcome = std::panic::catch_unwind(|| case(&mut Rng(case_seed)));
        assert!(outcome.is_ok(), "{kind}: case {case_seed:#x} failed");
    })
}
