//! The binary's broker commands: example, check, keygen, submit, audit verify.

use std::process::Command;

use smartcustoms_testkit::{spawn_app, sqlite_db};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_smartcustoms"))
}

#[test]
fn the_example_passes_check_and_a_broken_copy_lists_each_rule() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin().args(["example", "declaration"]).output().unwrap();
    assert!(out.status.success());
    let good = dir.path().join("d.json");
    std::fs::write(&good, &out.stdout).unwrap();
    let check = bin().arg("check").arg(&good).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));

    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["items"][0]["commodity_code"] = "123456".into();
    doc["items"][0]["net_mass"] = "-5".into();
    doc["invoice"]["currency"] = "XYZ".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let check = bin().arg("check").arg(&bad).arg("--json").output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&check.stdout).unwrap();
    let paths: Vec<&str> = findings.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for p in ["$.items[0].commodity_code", "$.items[0].net_mass", "$.invoice.currency"] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
    assert!(findings.iter().all(|f| f["code"].as_str().unwrap().starts_with("FLC_")));

    std::fs::write(&bad, "{ not json").unwrap();
    let check = bin().arg("check").arg(&bad).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("REQ_001"));
}

#[tokio::test]
async fn keygen_then_submit_files_a_signed_declaration() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("broker");
    let out = bin().arg("keygen").arg("--out").arg(&prefix).output().unwrap();
    assert!(out.status.success());
    let public = std::fs::read_to_string(prefix.with_extension("pub")).unwrap();
    let r = app
        .client
        .post(format!("{}/api/v1/keys", app.base))
        .bearer_auth(&app.traders[0].token)
        .json(&serde_json::json!({ "public_key": public.trim() }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let file = dir.path().join("d.json");
    let out = bin().args(["example", "declaration", "--declarant", &app.traders[0].id]).output().unwrap();
    std::fs::write(&file, out.stdout).unwrap();
    let base = app.base.clone();
    let token = app.traders[0].token.clone();
    let key = prefix.with_extension("key");
    let run = tokio::task::spawn_blocking(move || {
        bin()
            .arg("submit")
            .arg("--key")
            .arg(key)
            .arg(file)
            .arg("--server")
            .arg(base)
            .arg("--token")
            .arg(token)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(run.status.code(), Some(0), "{answer}");
    assert!(answer["registration_number"].is_string());
}
