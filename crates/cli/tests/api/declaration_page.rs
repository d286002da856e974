//! One declaration's page: officers see the risk explanation and the operator's record and
//! decide a case once (two at the same moment: one wins, the other is told); the declarant sees
//! the outcome and its reasons but not the risk, withdraws what awaits payment, and cannot open
//! another trader's declaration. The same withdrawal through the API.

use serde_json::json;
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

use crate::sessions::{no_redirect, session};

/// A page read with a session cookie: status and text.
pub(crate) async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let r = no_redirect().get(format!("{}{path}", app.base)).header("cookie", cookie).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts a form with a session cookie: status and text.
pub(crate) async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r =
        no_redirect().post(format!("{}{path}", app.base)).header("cookie", cookie).form(fields).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The CSRF token in a page's forms.
pub(crate) fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("the page has a form with a CSRF field") + 20;
    html[at..].split('"').next().unwrap().to_string()
}

/// Adds a profile that sends every import to the red lane.
async fn control_everything(app: &TestApp) {
    app.add_profile(
        "profile RP-ALL \"Control everything\"\nwhen declaration.type = \"IM\"\nlane red\n\
         instruction \"Open the container and count the cartons\"\nvalid from 2020-01-01\n",
    )
    .await;
}

#[tokio::test]
async fn an_officer_decides_a_case_on_its_page_once_and_the_declarant_reads_the_reasons() {
    for (backend, db) in all_dbs("declaration page decisions").await {
        let app = spawn_app(&db.url).await;
        control_everything(&app).await;
        let (_, filed) = app.file(0, &app.declaration(0, 900)).await;
        assert_eq!(filed["state"], "under_control", "{backend}: {filed}");
        let id = filed["id"].as_str().unwrap().to_string();
        let here = format!("/declarations/{id}");
        let decision = format!("{here}/decision");
        let (officer, officer_2, trader) = (
            session(&app, "test-officer").await,
            session(&app, "test-officer-2").await,
            session(&app, &app.traders[0].token).await,
        );

        let (s, html) = page(&app, &here, &officer).await;
        assert_eq!(s, 200, "{backend}");
        for shown in
            ["RP-ALL", "Open the container and count the cartons", "Record the decision", "Operator", "Timeline"]
        {
            assert!(html.contains(shown), "{backend}: the officer's page shows {shown:?}");
        }
        // The reasons for the lane, in the page's language.
        assert!(html.contains("Profile RP-ALL v1 asks for the red lane."), "{backend}: {html}");
        let (_, russian) = page(&app, &here, &format!("{officer}; sc_lang=ru")).await;
        assert!(russian.contains("Профиль RP-ALL v1 требует коридора «красный»."), "{backend}: {russian}");
        let csrf = csrf_in(&html);

        // Without the session's CSRF token nothing is decided.
        let (s, _) = post_form(&app, &decision, &officer, &[("decision", "release"), ("reason", "ok")]).await;
        assert_eq!(s, 403, "{backend}");
        // Wrong values: each error next to its field, the input kept.
        let (s, html) = post_form(
            &app,
            &decision,
            &officer,
            &[("_csrf", &csrf), ("decision", "refuse"), ("reason", "Cartons short"), ("additional_duty", "12.345")],
        )
        .await;
        assert_eq!(s, 422, "{backend}: {html}");
        assert!(html.contains("id=\"error-additional_duty\""), "{backend}: {html}");
        assert!(html.contains("Cartons short") && html.contains("value=\"12.345\""), "{backend}: input kept");
        let (s, html) =
            post_form(&app, &decision, &officer, &[("_csrf", &csrf), ("decision", "refuse"), ("reason", "Short")])
                .await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("id=\"error-irregularity\""), "{backend}: a refusal needs what was found");
        let (_, detail) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.officer_token)).await;
        assert_eq!(detail["state"], "under_control", "{backend}: nothing decided yet");

        // Two officers decide at the same moment: one wins, the other is told who did.
        let csrf_2 = csrf_in(&page(&app, &here, &officer_2).await.1);
        let refuse = [
            ("_csrf", csrf.as_str()),
            ("decision", "refuse"),
            ("irregularity", "quantity"),
            ("irregularity", "undervaluation"),
            ("additional_duty", "240.10"),
            ("reason", "Twelve cartons fewer than invoiced"),
        ];
        let release = [("_csrf", csrf_2.as_str()), ("decision", "release"), ("reason", "Documents in order")];
        let (first, second) = tokio::join!(
            post_form(&app, &decision, &officer, &refuse),
            post_form(&app, &decision, &officer_2, &release)
        );
        let mut statuses = [first.0, second.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 409], "{backend}: one decision wins");
        let told = if first.0 == 409 { &first.1 } else { &second.1 };
        assert!(told.contains("Nothing was changed") && told.contains("by test-officer"), "{backend}: {told}");
        let (_, outcomes) = app.get("/api/v1/inspection-outcomes", Some(&app.analyst_token)).await;
        assert_eq!(outcomes.as_array().unwrap().len(), 1, "{backend}: recorded once");
        let refused = first.0 == 303;

        // The declarant reads the outcome and the officer's reasons, not the risk explanation.
        let (s, html) = page(&app, &here, &trader).await;
        assert_eq!(s, 200, "{backend}");
        let (state, reason) = if refused {
            ("Refused", "Twelve cartons fewer than invoiced")
        } else {
            ("Released", "Documents in order")
        };
        assert!(html.contains(state) && html.contains(reason), "{backend}: {html}");
        for hidden in ["RP-ALL", "count the cartons", "Record the decision", "Operator "] {
            assert!(!html.contains(hidden), "{backend}: the declarant does not see {hidden:?}");
        }
        // Another trader, or anyone guessing an id, finds nothing.
        let other = session(&app, &app.traders[1].token).await;
        assert_eq!(page(&app, &here, &other).await.0, 404, "{backend}");
        assert_eq!(page(&app, "/declarations/0190a5d2-0000-7000-8000-000000000000", &other).await.0, 404, "{backend}");
        assert_eq!(page(&app, "/declarations/not-an-id", &other).await.0, 400, "{backend}");
        let entries = app.store.audit_page(0, 100_000).await.unwrap();
        assert!(smartcustoms_core::audit::verify(&entries).is_ok(), "{backend}");
    }
}

#[tokio::test]
async fn a_declarant_withdraws_a_declaration_awaiting_payment_and_nothing_registered() {
    for (backend, db) in all_dbs("withdrawal").await {
        let app = spawn_app(&db.url).await;
        let trader = &app.traders[1];
        let (_, registered) = app.file(1, &app.declaration(1, 31)).await;
        let registered_id = registered["id"].as_str().unwrap().to_string();
        let (_, account) = app.get("/api/v1/account", Some(&trader.token)).await;
        let available = account["available"].as_str().unwrap().to_string();
        let (s, r) = app.post("/api/v1/account/refunds", &trader.token, &json!({ "amount": available })).await;
        assert_eq!(s, 201, "{backend}: {r}");
        let mut waiting = Vec::new();
        for seed in [32, 33] {
            let (_, w) = app.file(1, &app.declaration(1, seed)).await;
            assert_eq!(w["state"], "awaiting_payment", "{backend}: {w}");
            waiting.push(w["id"].as_str().unwrap().to_string());
        }

        // Through the API: only the declarant, only while it awaits payment.
        let withdraw = |id: &str, token: &str| {
            let req = app.client.post(format!("{}/api/v1/declarations/{id}/withdrawal", app.base)).bearer_auth(token);
            async move {
                let r = req.send().await.unwrap();
                (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
            }
        };
        let (s, e) = withdraw(&waiting[0], &app.traders[0].token).await;
        assert_eq!((s, e["error"]["code"].as_str()), (404, Some("AUTH_004")), "{backend}");
        let (s, e) = withdraw(&waiting[0], &app.officer_token).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("AUTH_003")), "{backend}");
        let (s, w) = withdraw(&waiting[0], &trader.token).await;
        assert_eq!((s, w["state"].as_str()), (200, Some("refused")), "{backend}: {w}");
        let (s, e) = withdraw(&waiting[0], &trader.token).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("DEC_001")), "{backend}: {e}");
        assert_eq!(e["error"]["details"]["state"], "refused", "{backend}");
        let (s, e) = withdraw(&registered_id, &trader.token).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("DEC_001")), "{backend}: registered already");
        let (_, events) = app.get(&format!("/api/v1/declarations/{}/events", waiting[0]), Some(&trader.token)).await;
        let last = events.as_array().unwrap().last().unwrap();
        assert_eq!(last["actor"], trader.party.name.as_str(), "{backend}: the audit names who withdrew");
        assert!(last["details"].as_str().unwrap().contains("WDR_001"), "{backend}: {last}");

        // Through the page, with the session's CSRF token.
        let cookie = session(&app, &trader.token).await;
        let here = format!("/declarations/{}", waiting[1]);
        let (s, html) = page(&app, &here, &cookie).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("Withdraw this declaration") && html.contains("Awaiting payment"), "{backend}");
        let (s, _) = post_form(&app, &format!("{here}/withdrawal"), &cookie, &[("_csrf", "wrong")]).await;
        assert_eq!(s, 403, "{backend}");
        let csrf = csrf_in(&html);
        let (s, _) = post_form(&app, &format!("{here}/withdrawal"), &cookie, &[("_csrf", &csrf)]).await;
        assert_eq!(s, 303, "{backend}");
        let (_, html) = page(&app, &here, &cookie).await;
        assert!(
            html.contains("withdrawn by the declarant") && !html.contains("Withdraw this declaration"),
            "{backend}"
        );

        // A deposit now registers neither: they are withdrawn.
        let pay = json!({ "trader": trader.id, "amount": "100000.00", "reference": "BANK-W1" });
        let (s, paid) = app.post("/api/v1/payments", "test-bank", &pay).await;
        assert_eq!(s, 201, "{backend}: {paid}");
        assert_eq!(paid["registered"], json!([]), "{backend}: {paid}");
        let entries = app.store.audit_page(0, 100_000).await.unwrap();
        assert!(smartcustoms_core::audit::verify(&entries).is_ok(), "{backend}");
    }
}

/// A multipart form body by hand: text fields, then files (name, media type, content).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    multipart_with("file", fields, files)
}

/// A multipart form body whose files are sent in the field `file_field`.
pub(crate) fn multipart_with(
    file_field: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "smartcustoms-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    for (name, content_type, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_officer_asks_for_documents_and_the_declarant_answers_with_files() {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    for (backend, db) in all_dbs("document requests").await {
        let app = spawn_app(&db.url).await;
        control_everything(&app).await;
        let (_, filed) = app.file(0, &app.declaration(0, 950)).await;
        let id = filed["id"].as_str().unwrap().to_string();
        let (trader, other) = (&app.traders[0].token, &app.traders[1].token);
        let requests = format!("/api/v1/declarations/{id}/requests");

        // Only an officer asks, with a question and a deadline of 1 to 720 hours.
        let ask = json!({ "question": "Send the commercial invoice and the packing list", "due_hours": 24 });
        let (s, e) = app.post(&requests, trader, &ask).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("AUTH_003")), "{backend}");
        for (bad, field) in [
            (json!({ "question": " ", "due_hours": 24 }), "question"),
            (json!({ "question": "q", "due_hours": 0 }), "due_hours"),
        ] {
            let (s, e) = app.post(&requests, &app.officer_token, &bad).await;
            assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DOC_001")), "{backend}: {e}");
            assert_eq!(e["error"]["details"]["field"], field, "{backend}");
        }
        let (s, asked) = app.post(&requests, &app.officer_token, &ask).await;
        assert_eq!(s, 201, "{backend}: {asked}");
        let request = asked["id"].as_i64().unwrap();
        assert!(asked["answered_at_us"].is_null() && asked["asked_by"] == "test-officer", "{backend}: {asked}");
        let (s, listed) = app.get(&requests, Some(trader)).await;
        assert_eq!((s, listed.as_array().unwrap().len()), (200, 1), "{backend}");
        assert_eq!(app.get(&requests, Some(other)).await.0, 404, "{backend}: another trader sees nothing");

        // The declarant answers once, with files of accepted types and sizes.
        let answer = format!("{requests}/{request}/answer");
        let invoice = b"%PDF-1.4 invoice 2026-117".to_vec();
        let file = |name: &str, media: &str, data: String| json!({ "name": name, "content_type": media, "data": data });
        for bad in [
            json!({ "text": "", "files": [] }),
            json!({ "text": "x", "files": [file("a.pdf", "application/pdf", "%%%".into())] }),
            json!({ "text": "x", "files": [file("run.exe", "application/x-msdownload", b64(b"MZ"))] }),
            json!({ "text": "x", "files": vec![file("a.pdf", "application/pdf", b64(&invoice)); 4] }),
        ] {
            let (s, e) = app.post(&answer, trader, &bad).await;
            assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DOC_001")), "{backend}: {bad}");
        }
        let good =
            json!({ "text": "Invoice attached", "files": [file("invoice.pdf", "application/pdf", b64(&invoice))] });
        assert_eq!(app.post(&answer, other, &good).await.0, 404, "{backend}: not another trader's to answer");
        assert_eq!(app.post(&format!("{requests}/999999/answer"), trader, &good).await.0, 404, "{backend}");
        let (s, answered) = app.post(&answer, trader, &good).await;
        assert_eq!(s, 200, "{backend}: {answered}");
        assert_eq!(answered["answer"], "Invoice attached", "{backend}");
        let sha = answered["files"][0]["sha256"].as_str().unwrap().to_string();
        assert_eq!(sha.len(), 64, "{backend}");
        let (s, e) = app.post(&answer, trader, &good).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("DOC_002")), "{backend}: answered once");

        // The file is there for the officer and the declarant, byte for byte, and no one else.
        let path = format!("{}{requests}/{request}/files/1", app.base);
        for token in [&app.officer_token, trader] {
            let r = app.client.get(&path).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200, "{backend}");
            assert_eq!(r.headers()["content-type"], "application/octet-stream");
            assert_eq!(r.bytes().await.unwrap().to_vec(), invoice, "{backend}");
        }
        assert_eq!(app.client.get(&path).bearer_auth(other).send().await.unwrap().status(), 404, "{backend}");
        assert_eq!(
            app.client
                .get(format!("{}{requests}/{request}/files/2", app.base))
                .bearer_auth(trader)
                .send()
                .await
                .unwrap()
                .status(),
            404
        );

        // Through the pages: the officer asks again, the declarant answers with a file.
        let officer = session(&app, "test-officer").await;
        let here = format!("/declarations/{id}");
        let csrf = csrf_in(&page(&app, &here, &officer).await.1);
        let (s, html) = post_form(
            &app,
            &format!("{here}/requests"),
            &officer,
            &[("_csrf", &csrf), ("question", ""), ("due_hours", "24")],
        )
        .await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("id=\"error-question\""), "{backend}");
        let (s, _) = post_form(
            &app,
            &format!("{here}/requests"),
            &officer,
            &[("_csrf", &csrf), ("question", "Photos of the seals, please"), ("due_hours", "4")],
        )
        .await;
        assert_eq!(s, 303, "{backend}");
        let (_, listed) = app.get(&requests, Some(trader)).await;
        let second = listed[1]["id"].as_i64().unwrap();
        let cookie = session(&app, trader).await;
        let (s, html) = page(&app, &here, &cookie).await;
        assert_eq!(s, 200);
        assert!(html.contains("Photos of the seals, please") && html.contains("Send the answer"), "{backend}");
        let csrf = csrf_in(&html);
        let photo: &[u8] = b"\x89PNG\r\n\x1a\nseal";
        let (media, body) = multipart(&[("_csrf", &csrf), ("text", "Two photos")], &[("seal.png", "image/png", photo)]);
        let post = |body: Vec<u8>| {
            no_redirect()
                .post(format!("{}{here}/requests/{second}/answer", app.base))
                .header("cookie", &cookie)
                .header("content-type", &media)
                .body(body)
                .send()
        };
        let (_, wrong) = multipart(&[("_csrf", "wrong"), ("text", "x")], &[]);
        assert_eq!(post(wrong).await.unwrap().status(), 403, "{backend}: CSRF checked");
        let (_, exe) =
            multipart(&[("_csrf", &csrf), ("text", "Kept text")], &[("run.exe", "application/x-msdownload", b"MZ")]);
        let r = post(exe).await.unwrap();
        assert_eq!(r.status(), 422, "{backend}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"error-answer-{second}\"")) && html.contains("Kept text"),
            "{backend}: error next to the field, text kept"
        );
        assert_eq!(post(body).await.unwrap().status(), 303, "{backend}");
        let (_, html) = page(&app, &here, &cookie).await;
        assert!(html.contains("seal.png") && html.contains("Two photos"), "{backend}");

        // The timeline shows both, the chain holds, and a decided case takes no more requests.
        let (_, events) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(trader)).await;
        let actions: Vec<_> =
            events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
        assert_eq!(actions.iter().filter(|a| *a == "documents_requested").count(), 2, "{backend}: {actions:?}");
        assert_eq!(actions.iter().filter(|a| *a == "documents_answered").count(), 2, "{backend}: {actions:?}");
        let decision = json!({ "release": true, "reason": "Documents in order", "outcome": { "irregularities": [] } });
        assert_eq!(
            app.post(&format!("/api/v1/declarations/{id}/decision"), &app.officer_token, &decision).await.0,
            200
        );
        let (s, e) = app.post(&requests, &app.officer_token, &ask).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("DEC_001")), "{backend}: {e}");
        let entries = app.store.audit_page(0, 100_000).await.unwrap();
        assert!(smartcustoms_core::audit::verify(&entries).is_ok(), "{backend}");
    }
}

#[tokio::test]
async fn a_trader_searches_its_declarations_by_number_office_lane_and_date() {
    for (backend, db) in all_dbs("declaration search").await {
        let app = spawn_app(&db.url).await;
        let token = &app.traders[0].token;
        let mut filed = Vec::new();
        for seed in 60..66 {
            let (_, d) = app.file(0, &app.declaration(0, seed)).await;
            filed.push(d);
        }
        app.file(1, &app.declaration(1, 67)).await;
        let app = &app;
        let list = |query: String| async move { app.get(&format!("/api/v1/declarations?{query}"), Some(token)).await };
        let ids = |body: &serde_json::Value| -> Vec<String> {
            body.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
        };
        let (_, all) = list(String::new()).await;
        assert_eq!(ids(&all).len(), 6, "{backend}: its own only");

        let numbered = filed.iter().find(|d| d["registration_number"].is_string()).expect("one registered");
        let number = numbered["registration_number"].as_str().unwrap();
        let (_, found) = list(format!("number={number}")).await;
        assert_eq!(ids(&found), vec![numbered["id"].as_str().unwrap().to_string()], "{backend}");

        let lane = numbered["lane"].as_str().unwrap();
        let (_, by_lane) = list(format!("lane={lane}")).await;
        let want = filed.iter().filter(|d| d["lane"] == lane).count();
        assert_eq!(ids(&by_lane).len(), want, "{backend}: lane {lane}");
        let office = filed[0]["office"].as_str().map(str::to_string);
        if let Some(office) = office {
            let (_, at_office) = list(format!("office={office}")).await;
            assert_eq!(ids(&at_office).len(), filed.iter().filter(|d| d["office"] == office.as_str()).count());
        }
        let today = chrono::Utc::now().date_naive();
        let (_, same_day) = list(format!("from={today}&to={today}")).await;
        assert_eq!(ids(&same_day).len(), 6, "{backend}: the day's declarations, its last moment included");
        let (_, later) = list(format!("from={}", today + chrono::Days::new(1))).await;
        assert!(ids(&later).is_empty(), "{backend}");
        let (_, earlier) = list(format!("to={}", today - chrono::Days::new(1))).await;
        assert!(ids(&earlier).is_empty(), "{backend}");
        let (_, in_states) = list("state=released,refused,under_control,awaiting_payment,registered".into()).await;
        assert_eq!(ids(&in_states).len(), 6, "{backend}");
        let long = format!("number={}", "9".repeat(65));
        for bad in ["from=2026-13-01", "lane=purple", "state=released,lost", long.as_str()] {
            let (s, e) = list(bad.to_string()).await;
            assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}: {bad}");
        }

        // The page keeps the filters in its form and links, and says what is wrong with one.
        let cookie = session(app, token).await;
        let tab = match numbered["state"].as_str() {
            Some("released") => "released",
            Some("refused") => "refused",
            Some("awaiting_payment") => "action",
            _ => "progress",
        };
        let (s, html) = page(app, &format!("/trader/declarations?tab={tab}&number={number}"), &cookie).await;
        assert_eq!(s, 200, "{backend}");
        assert_eq!(html.matches("href=\"/declarations/").count(), 1, "{backend}: one row");
        assert!(html.contains(&format!("value=\"{number}\"")), "{backend}: the filter stays in the form");
        let (s, html) = page(app, "/trader/declarations?from=yesterday", &cookie).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("id=\"filter-error\""), "{backend}");
    }
}

#[tokio::test]
async fn a_trader_reads_its_account_downloads_its_statement_and_asks_for_a_refund_once() {
    for (backend, db) in all_dbs("account page").await {
        let app = spawn_app(&db.url).await;
        let trader = &app.traders[0];
        let (_, filed) = app.file(0, &app.declaration(0, 80)).await;
        let cookie = session(&app, &trader.token).await;
        let (s, html) = page(&app, "/trader/account", &cookie).await;
        assert_eq!(s, 200, "{backend}");
        let opening = format!("TEST-OPENING-{}", trader.id);
        assert!(html.contains(&opening), "{backend}: the opening deposit with its reference");
        assert!(html.contains(filed["id"].as_str().unwrap()), "{backend}: the declaration's posting");

        // The statement as CSV: a header and one row per posting, for this trader only.
        let today = chrono::Utc::now().date_naive();
        let r = no_redirect()
            .get(format!("{}/trader/account/statement.csv?from={today}&to={today}", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{backend}");
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains(&format!("statement-{}", trader.id)));
        let text = r.text().await.unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("posting_id,time_utc,kind,declaration_id,reference"), "{backend}");
        let rows: Vec<_> = lines.collect();
        assert!(rows.iter().any(|r| r.contains(&opening)), "{backend}: {text}");
        assert!(!text.contains(&app.traders[1].id), "{backend}: another trader's postings stay out");
        let (s, html) = page(&app, "/trader/account?from=2026-02-30", &cookie).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("id=\"period-error\""), "{backend}");

        // A refund: errors next to the field, and a second click of the same form pays nothing.
        let csrf = csrf_in(&html);
        let key = {
            let at = html.find("name=\"key\" value=\"").unwrap() + 18;
            html[at..].split('"').next().unwrap().to_string()
        };
        let refund = |amount: &'static str, key: String| {
            let csrf = csrf.clone();
            let cookie = cookie.clone();
            let app = &app;
            async move {
                post_form(
                    app,
                    "/trader/account/refunds",
                    &cookie,
                    &[("_csrf", &csrf), ("key", &key), ("amount", amount)],
                )
                .await
            }
        };
        let (s, html) = refund("12.345", key.clone()).await;
        assert_eq!(s, 422, "{backend}");
        assert!(
            html.contains("id=\"error-amount\"") && html.contains("12.345"),
            "{backend}: error by the field, input kept"
        );
        let (s, html) = refund("999999999.00", key.clone()).await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("does not cover"), "{backend}");
        let before = app.get("/api/v1/account", Some(&trader.token)).await.1;
        assert_eq!(refund("100.00", key.clone()).await.0, 303, "{backend}");
        let (s, html) = refund("100.00", key.clone()).await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("asked for already"), "{backend}");
        let after = app.get("/api/v1/account", Some(&trader.token)).await.1;
        let cents = |v: &serde_json::Value| -> i64 {
            let text = v.as_str().unwrap();
            let (units, fraction) = text.split_once('.').unwrap_or((text, "0"));
            units.parse::<i64>().unwrap() * 100 + format!("{fraction:0<2}").parse::<i64>().unwrap()
        };
        assert_eq!(cents(&before["available"]) - cents(&after["available"]), 10_000, "{backend}: paid once");
        assert_eq!(
            post_form(&app, "/trader/account/refunds", &cookie, &[("_csrf", "x"), ("amount", "1.00")]).await.0,
            403
        );
        let officer = session(&app, "test-officer").await;
        assert_eq!(page(&app, "/trader/account", &officer).await.0, 403, "{backend}: a trader's page");
    }
}
