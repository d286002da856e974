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

#[tokio::test]
async fn operators_import_the_tariff_and_prices_and_ledger_verify_finds_a_forged_balance() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let dir = tempfile::tempdir().unwrap();
    // A measures CSV: one new national line; a broken one is refused with its line number.
    let csv = dir.path().join("m.csv");
    std::fs::write(
        &csv,
        "id,code,kind,origin,rate,proof,valid_from,valid_to,legal_base\n\
         DUTY-85171300,85171300,import_duty,erga_omnes,1.5%,,2024-01-01,,national line\n",
    )
    .unwrap();
    let out = bin().args(["tariff", "import"]).arg(&csv).args(["--database-url", &db.url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["changed"], 1);
    std::fs::write(&csv, "id,code,kind,origin,rate,proof,valid_from,valid_to,legal_base\nX,12,import_duty,erga_omnes,abc,,2024-01-01,,x\n").unwrap();
    let out = bin().args(["tariff", "import"]).arg(&csv).args(["--database-url", &db.url]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":2:"), "{}", String::from_utf8_lossy(&out.stderr));

    // Prices from a KCS-format file; labelled frauds are left out.
    let kcs = dir.path().join("kcs.csv");
    let mut text = String::from("Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud\n");
    for i in 0..6 {
        text.push_str(&format!(
            "{i},2020-01-01,30,B,11,21,11,10,A,B,C,,851713,CN,0.0,A,G,10.0,{},0,0\n",
            145000 + i * 100
        ));
    }
    text.push_str("9,2020-01-01,30,B,11,21,11,10,A,B,C,,851713,CN,0.0,A,G,10.0,100,1,0\n");
    std::fs::write(&kcs, text).unwrap();
    let out = bin().args(["prices", "import"]).arg(&kcs).args(["--database-url", &db.url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["imported"].as_u64(), report["skipped_fraud"].as_u64()), (Some(6), Some(1)), "{report}");

    // The ledger verifies; a balance changed behind the system's back is named.
    app.file(0, &app.declaration(0, 3)).await;
    let verify = || bin().args(["ledger", "verify", "--database-url", &db.url]).output().unwrap();
    assert!(verify().status.success(), "{}", String::from_utf8_lossy(&verify().stdout));
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let account = format!("trader/{}/available", app.traders[1].id);
    sqlx::query("UPDATE ledger_balances SET balance_cents = balance_cents + 100 WHERE account = ?")
        .bind(&account)
        .execute(&mut c)
        .await
        .unwrap();
    let out = verify();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["discrepancies"][0]["account"], account.as_str(), "{report}");
}

#[test]
fn logs_are_json_lines_when_asked_and_never_carry_colour_codes_in_a_pipe() {
    use std::io::{BufRead, BufReader};
    for format in ["json", "text"] {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("log.db").display());
        let mut child = bin()
            .args(["--log-format", format, "serve", "--listen", "127.0.0.1:0", "--database-url", &url])
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let mut found = None;
        while stderr.read_line(&mut line).unwrap() > 0 {
            if line.contains("smartcustoms serving") {
                found = Some(line.clone());
                break;
            }
            line.clear();
        }
        let _ = child.kill();
        let _ = child.wait();
        let line = found.expect("the server logs that it serves");
        assert!(!line.contains('\u{1b}'), "{format}: {line}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["level"], "INFO", "{line}");
            assert_eq!(v["fields"]["message"], "smartcustoms serving", "{line}");
        }
    }
}
