//! Decompression bombs on import, through the real binary: a LiveCodeBench row whose private
//! tests inflate past the cap is skipped by name while the other rows of the file import.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use flate2::{Compress, Compression, FlushCompress};

use crate::common::run_sstar;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// A valid zlib stream of `mib` MiB of zeros, built without compressing them all: one MiB is
/// compressed after a first one, and that block (which only refers back to zeros) repeated.
fn zlib_zeros(mib: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let mut compress = Compress::new(Compression::best(), true);
    let mut block = |out: &mut Vec<u8>| {
        out.reserve(1 << 20);
        let before = compress.total_in();
        compress
            .compress_vec(&zeros, out, FlushCompress::Sync)
            .expect("compress");
        assert_eq!(compress.total_in() - before, 1 << 20, "whole MiB taken");
    };
    let mut stream = Vec::new();
    block(&mut stream);
    let mut repeat = Vec::new();
    block(&mut repeat);
    for _ in 1..mib {
        stream.extend_from_slice(&repeat);
    }
    // A final empty fixed-Huffman block, then the Adler-32 of `mib` MiB of zeros
    // (a = 1, b = length mod 65521).
    stream.extend_from_slice(&[0x03, 0x00]);
    let b = ((mib as u64) << 20) % 65521;
    stream.extend_from_slice(&((b << 16 | 1) as u32).to_be_bytes());
    stream
}

#[test]
fn the_bomb_builder_makes_a_valid_stream() {
    use std::io::Read;
    let mut inflated = Vec::new();
    flate2::read::ZlibDecoder::new(zlib_zeros(3).as_slice())
        .read_to_end(&mut inflated)
        .expect("a valid zlib stream");
    assert_eq!(inflated.len(), 3 << 20);
    assert!(inflated.iter().all(|&b| b == 0));
}

fn row(id: &str, private: &str) -> String {
    let public = r#"[{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]"#;
    let row = serde_json::json!({
        "question_id": id,
        "question_title": id,
        "question_content": "Add two numbers.",
        "platform": "atcoder",
        "contest_id": "abc001",
        "difficulty": "easy",
        "contest_date": "2024-01-01T00:00:00",
        "public_test_cases": public,
        "private_test_cases": private,
        "metadata": "{}",
    });
    format!("{row}\n")
}

#[test]
fn a_livecodebench_row_that_inflates_past_the_cap_is_skipped_and_the_rest_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("bomb.jsonl");
    // 600 MiB inflated (the cap is 512 MiB) from well under a MiB on disk.
    let bomb = base64::engine::general_purpose::STANDARD.encode(zlib_zeros(600));
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    let mut file = std::fs::File::create(&input).expect("create");
    file.write_all(row("abc001_bomb", &bomb).as_bytes())
        .expect("write");
    file.write_all(row("abc001_a", "").as_bytes())
        .expect("write");
    drop(file);

    let set = dir.path().join("set");
    let output = run_sstar(&["import", "livecodebench", path(&input), path(&set)]);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("imported 1, skipped 1"), "{stdout}");
    assert!(stdout.contains("skipped 1: too large"), "{stdout}");
    assert!(
        stderr.contains("row 1 (abc001_bomb): skipped: too large: private_test_cases inflate past the 512 MiB cap"),
        "{stderr}"
    );
    assert!(set.join("abc001_a/problem.toml").is_file());
    assert!(!set.join("abc001_bomb").exists());
}
