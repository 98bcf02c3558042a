//! An independent judge of the usage log: `tests/peers/tlog_verify.py`, written from RFC 9162,
//! C2SP signed-note / tlog-checkpoint and docs/data-node.md alone (hashlib and the
//! `cryptography` package, no code shared with signet-data), verifies what a real node serves
//! over HTTP after official queries over mutual TLS; any flipped byte makes it fail.

use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use signet_data::note::Checkpoint;

use crate::mtls;
use crate::support::*;

fn script() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/peers/tlog_verify.py"
    )
    .to_owned()
}

/// Runs the Python verifier on `input`; its exit status and JSON answer.
fn judge(dir: &std::path::Path, name: &str, input: &Value) -> (i32, Value) {
    let python = signet_testkit::peers::venv_program("python").unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(input).unwrap()).unwrap();
    let out = Command::new(python)
        .arg(script())
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answer: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: not one JSON document ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), answer)
}

/// Flips the lowest bit of byte `at` of a base64 value.
fn flip_b64(text: &str, at: usize) -> String {
    let mut raw = STANDARD.decode(text).unwrap();
    raw[at] ^= 0x01;
    STANDARD.encode(raw)
}

async fn checkpoint_note(node: &signet_node::RunningNode) -> (String, u64) {
    let note = client()
        .get(format!("{}/v1/checkpoint", base(node)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let size = Checkpoint::parse_text(note.split("\n\n").next().unwrap())
        .unwrap()
        .size;
    (note, size)
}

/// Replaces line `line` of the note's text or signature block through `f`.
fn edit_line(note: &str, line: usize, f: impl Fn(&str) -> String) -> String {
    let mut lines: Vec<String> = note.split('\n').map(str::to_owned).collect();
    lines[line] = f(&lines[line]);
    lines.join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_verifier_accepts_the_log_and_catches_every_flipped_byte() {
    let f = mtls::federation();
    let dir = tempfile::tempdir().unwrap();
    let node = mtls::start(&f, dir.path()).await;
    let addr = node.official_addr().unwrap();

    for _ in 0..2 {
        assert_eq!(
            mtls::query(addr, &f, Some(&f.police), POLICE).await,
            Ok(200)
        );
    }
    wait_for_size(&node, 2).await;
    let (earlier, earlier_size) = checkpoint_note(&node).await;
    assert_eq!(earlier_size, 2);
    for _ in 0..3 {
        assert_eq!(
            mtls::query(addr, &f, Some(&f.police), POLICE).await,
            Ok(200)
        );
    }
    wait_for_size(&node, 5).await;

    let session = login(&node, &mari()).await;
    let (status, usage) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(status, 200, "{usage}");
    let latest = usage["checkpoint"].as_str().unwrap().to_owned();
    let size = Checkpoint::parse_text(latest.split("\n\n").next().unwrap())
        .unwrap()
        .size;
    assert_eq!(size, 5);
    let (status, consistency) = get(
        &node,
        &format!("/v1/consistency?from={earlier_size}&to={size}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{consistency}");
    let entries: Vec<Value> = usage["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            json!({
                "index": item["index"],
                "entry": item["entry"],
                "salt": item["salt"],
                "proof": item["proof"],
                "checkpoint": item["checkpoint"],
            })
        })
        .collect();
    assert_eq!(entries.len(), 5);
    // Signet's own verifier agrees on every entry.
    for item in usage["entries"].as_array().unwrap() {
        verify_item(&pinned(&node), item).unwrap();
    }
    let input = json!({
        "logKey": node.verifier().to_text(),
        "origin": node.log_origin(),
        "checkpoint": latest,
        "entries": entries,
        "earlier": {"checkpoint": earlier, "consistency": consistency["proof"]},
    });
    node.stop().await;

    let (code, answer) = judge(dir.path(), "good", &input);
    assert_eq!(code, 0, "{answer}");
    assert_eq!(answer["verified"], true);
    assert_eq!(answer["size"], 5);
    assert_eq!(answer["earlierSize"], 2);
    assert_eq!(answer["entries"], json!([0, 1, 2, 3, 4]));

    // Each tampering, and the words the verifier's error must contain.
    type Tamper = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Tamper, &str)> = vec![
        (
            "entry",
            Box::new(|doc| {
                let purpose = doc["entries"][1]["entry"]["purpose"].as_str().unwrap();
                // "Kontroll" → "Kontrolm": one byte, one bit.
                let mut bytes = purpose.as_bytes().to_vec();
                let last = bytes.len() - 1;
                bytes[last] ^= 0x01;
                doc["entries"][1]["entry"]["purpose"] = json!(String::from_utf8(bytes).unwrap());
            }),
            "entry 1 is not in the log",
        ),
        (
            "salt",
            Box::new(|doc| {
                let salt = flip_b64(doc["entries"][2]["salt"].as_str().unwrap(), 31);
                doc["entries"][2]["salt"] = json!(salt);
            }),
            "entry 2 is not in the log",
        ),
        (
            "proof",
            Box::new(|doc| {
                let node = flip_b64(doc["entries"][3]["proof"][0].as_str().unwrap(), 0);
                doc["entries"][3]["proof"][0] = json!(node);
            }),
            "entry 3 is not in the log",
        ),
        (
            "consistency",
            Box::new(|doc| {
                let node = flip_b64(doc["earlier"]["consistency"][0].as_str().unwrap(), 7);
                doc["earlier"]["consistency"][0] = json!(node);
            }),
            "not an extension of the log at size 2",
        ),
        (
            "root",
            Box::new(|doc| {
                let note = edit_line(doc["checkpoint"].as_str().unwrap(), 2, |root| {
                    flip_b64(root, 5)
                });
                doc["checkpoint"] = json!(note);
            }),
            "does not verify",
        ),
        (
            "signature",
            Box::new(|doc| {
                let note = edit_line(doc["checkpoint"].as_str().unwrap(), 4, |line| {
                    let (head, sig) = line.rsplit_once(' ').unwrap();
                    // Byte 4 on is the Ed25519 signature (bytes 0-3 are the key ID).
                    format!("{head} {}", flip_b64(sig, 20))
                });
                doc["checkpoint"] = json!(note);
            }),
            "does not verify",
        ),
        (
            "earlier root",
            Box::new(|doc| {
                let note = edit_line(doc["earlier"]["checkpoint"].as_str().unwrap(), 2, |root| {
                    flip_b64(root, 0)
                });
                doc["earlier"]["checkpoint"] = json!(note);
            }),
            "does not verify",
        ),
    ];
    for (name, tamper, expected) in cases {
        let mut doc = input.clone();
        tamper(&mut doc);
        assert_ne!(doc, input, "{name}: the tampering changed nothing");
        let (code, answer) = judge(dir.path(), name, &doc);
        assert_eq!(code, 1, "{name}: {answer}");
        assert_eq!(answer["verified"], false, "{name}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.contains(expected), "{name}: {error}");
    }
}

/// signet-data's tree, judged over every size up to 33: the Python verifier recomputes each root
/// from the leaf data by RFC 9162's recursive definition and verifies every inclusion proof and
/// every consistency proof with the RFC's algorithms.
#[test]
fn the_independent_verifier_accepts_every_proof_of_small_trees() {
    use signet_data::merkle::Tree;
    const N: u64 = 33;
    let mut tree = Tree::new();
    let mut leaves = Vec::new();
    for i in 0..N {
        let data = format!("leaf {i}").into_bytes();
        tree.push(&data);
        leaves.push(STANDARD.encode(&data));
    }
    let mut roots = serde_json::Map::new();
    let (mut inclusion, mut consistency) = (Vec::new(), Vec::new());
    for size in 1..=N {
        roots.insert(size.to_string(), json!(tree.root(size).unwrap()));
        for index in 0..size {
            inclusion.push(json!({
                "index": index, "size": size,
                "proof": tree.inclusion_proof(index, size).unwrap(),
            }));
        }
        for first in 1..=size {
            consistency.push(json!({
                "first": first, "second": size,
                "proof": tree.consistency_proof(first, size).unwrap(),
            }));
        }
    }
    let input = json!({
        "leaves": leaves, "roots": roots, "inclusion": inclusion, "consistency": consistency,
    });
    let dir = tempfile::tempdir().unwrap();
    let (code, answer) = judge(dir.path(), "vectors", &input);
    assert_eq!(code, 0, "{answer}");
    assert_eq!(answer["roots"], N);
    assert_eq!(answer["inclusion"], N * (N + 1) / 2);
    assert_eq!(answer["consistency"], N * (N + 1) / 2);

    // A proof for the wrong index, or from another size, is refused.
    let mut wrong = input.clone();
    // inclusion[8] is leaf 2 of the tree of 4; its proof (as long as leaf 3's) does not prove
    // leaf 3.
    assert_eq!(wrong["inclusion"][8]["index"], 2);
    assert_eq!(wrong["inclusion"][8]["size"], 4);
    wrong["inclusion"][8]["index"] = json!(3);
    let (code, answer) = judge(dir.path(), "wrong-index", &wrong);
    assert_eq!(code, 1, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("different root hash"),
        "{answer}"
    );
    let mut wrong = input;
    let proof = wrong["consistency"][40]["proof"].clone();
    wrong["consistency"][41]["proof"] = proof;
    let (code, answer) = judge(dir.path(), "wrong-size", &wrong);
    assert_eq!(code, 1, "{answer}");
}
