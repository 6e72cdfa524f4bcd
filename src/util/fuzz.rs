//! A small mutational fuzzer for what outsiders and tenants hand ike (test builds only): each
//! target's corpus (`fuzz/corpus/<target>/`, valid inputs) is run as is, then mutated — bits
//! flipped, bytes set, ranges inserted, deleted, duplicated and spliced from other entries,
//! tokens of the target's dictionary inserted — and every input is handed to the target, whose
//! panic is a finding.
//!
//! It runs on the stable toolchain inside `cargo test`: a few thousand executions per target by
//! default (so CI exercises every harness), a million with
//! `IKE_FUZZ_EXECS=1000000 cargo test --release --lib fuzz_ -- --nocapture --test-threads 1`.
//! `IKE_FUZZ_SEED` changes the sequence (the default is fixed, so a failure reproduces). Inputs
//! that panicked are written to `target/fuzz-findings/<target>/` and the test fails naming them;
//! `IKE_FUZZ_REPLAY=<that file>` runs one alone, with its panic message.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Splitmix64: fast, and the same sequence for the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// The corpus of `target` (every file of `fuzz/corpus/<target>/`, sorted), plus `extra`.
pub fn corpus(target: &str, extra: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus {} cannot be read: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mut inputs: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    inputs.extend(extra);
    assert!(!inputs.is_empty(), "the corpus of {target} is empty");
    inputs
}

/// Runs `check` on every corpus entry, then on mutated ones, `IKE_FUZZ_EXECS` times in all
/// (`default_executions` without it), and returns how many it ran. Panics at the end if any
/// input made `check` panic.
pub fn campaign(
    target: &str,
    corpus: &[Vec<u8>],
    dictionary: &[&[u8]],
    default_executions: u64,
    mut check: impl FnMut(&[u8]),
) -> u64 {
    // Replaying one finding: run it alone, and let its panic say what happened.
    if let Some(path) = std::env::var_os("IKE_FUZZ_REPLAY").map(PathBuf::from)
        && path.parent().and_then(Path::file_name) == Some(target.as_ref())
    {
        check(&std::fs::read(&path).unwrap());
        return 1;
    }
    let executions = std::env::var("IKE_FUZZ_EXECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_executions);
    let seed = std::env::var("IKE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x1CE);
    let mut rng = Rng(seed
        ^ target
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    let findings_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/fuzz-findings")
        .join(target);
    let mut findings = Vec::new();
    let started = Instant::now();
    quiet_panics_on_this_thread();
    let mut done = 0;
    while done < executions.max(corpus.len() as u64) {
        let input = match corpus.get(done as usize) {
            Some(entry) => entry.clone(),
            None => mutate(&mut rng, corpus, dictionary),
        };
        done += 1;
        if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() && findings.len() < 20 {
            std::fs::create_dir_all(&findings_dir).unwrap();
            let path = findings_dir.join(format!("{done}.bin"));
            std::fs::write(&path, &input).unwrap();
            findings.push(path);
        }
    }
    QUIET.set(false);
    let elapsed = started.elapsed();
    eprintln!(
        "fuzz {target}: {done} executions in {:.1} s ({:.0}/s), {} findings",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64().max(1e-9),
        findings.len()
    );
    assert!(
        findings.is_empty(),
        "fuzz {target}: inputs that panicked: {findings:?}"
    );
    done
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Panics on this thread are findings, not noise (the default hook would print a million of
/// them); other threads' panics, other tests' among them, are printed as before.
fn quiet_panics_on_this_thread() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.get() {
                previous(info);
            }
        }));
    });
    QUIET.set(true);
}

/// One to four mutations of a corpus entry.
fn mutate(rng: &mut Rng, corpus: &[Vec<u8>], dictionary: &[&[u8]]) -> Vec<u8> {
    let mut data = corpus[rng.below(corpus.len())].clone();
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(9) {
            0 if len > 0 => {
                let at = rng.below(len);
                data[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                data[at] = [0, 0xff, b'"', b'\\', b'\n', b':', b'{', b'['][rng.below(8)];
            }
            2 if len > 0 => {
                let at = rng.below(len);
                data[at] = rng.next() as u8;
            }
            3 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                data.splice(at..at, bytes);
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(64));
                data.drain(at..at + n);
            }
            5 if len > 0 => {
                // Duplicate a range: repetition reaches depth and size limits.
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(256));
                let copy = data[at..at + n].to_vec();
                let times = 1 + rng.below(8);
                let to = rng.below(len + 1);
                for _ in 0..times {
                    data.splice(to..to, copy.iter().copied());
                }
            }
            6 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                let to = from + rng.below(other.len() - from + 1);
                let at = rng.below(len + 1);
                data.splice(at..at, other[from..to].iter().copied());
            }
            7 if !dictionary.is_empty() => {
                let token = dictionary[rng.below(dictionary.len())];
                let at = rng.below(len + 1);
                data.splice(at..at, token.iter().copied());
            }
            8 if len > 0 => data.truncate(rng.below(len)),
            _ => {}
        }
    }
    data
}

#[test]
fn mutations_are_the_same_for_the_same_seed_and_reach_beyond_the_corpus() {
    let corpus = vec![b"{\"a\": 1}".to_vec(), b"[1, 2]".to_vec()];
    let run = |seed| {
        let mut rng = Rng(seed);
        (0..100)
            .map(|_| mutate(&mut rng, &corpus, &[b"null"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    assert!(run(7).iter().any(|m| !corpus.contains(m)));
}

#[test]
fn a_panicking_input_is_a_finding_written_down() {
    let corpus = vec![b"ok".to_vec(), b"boom".to_vec()];
    let outcome = catch_unwind(|| {
        campaign("self-test", &corpus, &[], 10, |input| {
            assert_ne!(input, b"boom");
        })
    });
    let message = *outcome.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("inputs that panicked"), "{message}");
    assert!(
        message.contains("fuzz-findings/self-test/2.bin"),
        "{message}"
    );
}
