//! The stream of declaration events (server-sent events).

use std::time::Duration;

use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

/// One server-sent event: its id, its name and its data as JSON.
#[derive(Debug)]
struct Sent {
    id: i64,
    event: String,
    data: serde_json::Value,
}

/// Opens the stream with a token and, when given, a `Last-Event-ID`.
async fn open(app: &TestApp, token: &str, last_event_id: Option<i64>, query: &str) -> reqwest::Response {
    let mut request = app.client.get(format!("{}/api/v1/events{query}", app.base)).bearer_auth(token);
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    request.send().await.unwrap()
}

/// Reads events until `enough` holds of what was read; fails after 20 s (a hung stream).
async fn read_until(response: &mut reqwest::Response, enough: impl Fn(&[Sent]) -> bool) -> Vec<Sent> {
    let mut text = String::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !enough(&events) {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no more events within 20 s; read so far: {events:?}"))
            .unwrap()
            .unwrap_or_else(|| panic!("the stream ended early; read so far: {events:?}"));
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).map(str::to_string);
            // Keep-alive comments carry no event.
            if let (Some(id), Some(event), Some(data)) = (field("id: "), field("event: "), field("data: ")) {
                events.push(Sent { id: id.parse().unwrap(), event, data: serde_json::from_str(&data).unwrap() });
            }
        }
    }
    events
}

fn lane_assigned_of(id: &str) -> impl Fn(&[Sent]) -> bool + '_ {
    move |events| events.iter().any(|e| e.event == "lane_assigned" && e.data["declaration_id"] == id)
}

#[tokio::test]
async fn a_trader_follows_its_own_declarations_as_they_happen_and_resumes_where_it_left() {
    for (backend, db) in all_dbs("event stream").await {
        let app = spawn_app(&db.url).await;
        // Opened before anything is filed: it carries what happens from now on.
        let mut own = open(&app, &app.traders[0].token, None, "").await;
        assert_eq!(own.status(), 200, "{backend}");
        assert_eq!(own.headers()["content-type"], "text/event-stream", "{backend}");
        let (_, other) = app.file(1, &app.declaration(1, 2)).await;
        let (status, mine) = app.file(0, &app.declaration(0, 7)).await;
        assert_eq!(status, 201, "{backend}: {mine}");
        let id = mine["id"].as_str().unwrap();

        let seen = read_until(&mut own, lane_assigned_of(id)).await;
        assert!(seen.iter().all(|e| e.data["declaration_id"] == id), "{backend}: only its own: {seen:?}");
        let actions: Vec<&str> = seen.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(&actions[..3], ["submitted", "registered", "lane_assigned"], "{backend}");
        assert!(seen.windows(2).all(|w| w[0].id < w[1].id), "{backend}: in order");
        let lane = &seen[2].data;
        assert_eq!(lane["action"], "lane_assigned");
        let details: serde_json::Value = serde_json::from_str(lane["details"].as_str().unwrap()).unwrap();
        assert_eq!(details, serde_json::json!({ "lane": mine["lane"] }), "{backend}: no risk assessment for a trader");

        // Reconnecting with the last id seen gives what came after it, and nothing before.
        let mut again = open(&app, &app.traders[0].token, Some(seen[0].id), "").await;
        let resumed = read_until(&mut again, lane_assigned_of(id)).await;
        assert_eq!(resumed[0].id, seen[1].id, "{backend}: resumes after the last id seen");
        // `after` in the query does the same.
        let mut by_query = open(&app, &app.traders[0].token, None, &format!("?after={}", seen[1].id)).await;
        assert_eq!(read_until(&mut by_query, |e| !e.is_empty()).await[0].id, seen[2].id, "{backend}");

        // Customs staff follow every declaration, with the risk assessment.
        let mut staff = open(&app, &app.officer_token, None, "?after=0").await;
        let other_id = other["id"].as_str().unwrap().to_string();
        let all = read_until(&mut staff, |events| {
            lane_assigned_of(id)(events) && events.iter().any(|e| e.data["declaration_id"] == other_id.as_str())
        })
        .await;
        let staff_lane = all.iter().find(|e| e.event == "lane_assigned" && e.data["declaration_id"] == id).unwrap();
        let details: serde_json::Value = serde_json::from_str(staff_lane.data["details"].as_str().unwrap()).unwrap();
        assert!(details.get("reasons").is_some(), "{backend}: staff see why: {details}");
    }
}

#[tokio::test]
async fn the_event_stream_refuses_a_bad_last_event_id_and_an_unknown_caller() {
    for (backend, db) in all_dbs("event stream refusals").await {
        let app = spawn_app(&db.url).await;
        let r = app
            .client
            .get(format!("{}/api/v1/events", app.base))
            .bearer_auth(&app.traders[0].token)
            .header("last-event-id", "yesterday")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{backend}");
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "REQ_004", "{backend}");
        let r = open(&app, &app.traders[0].token, None, "?after=-1").await;
        assert_eq!(r.status(), 400, "{backend}");
        let r = app.client.get(format!("{}/api/v1/events", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{backend}");
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "AUTH_001", "{backend}");
    }
}

#[tokio::test]
async fn a_representative_follows_what_it_filed_for_others() {
    for (backend, db) in all_dbs("event stream of a representative").await {
        let app = spawn_app(&db.url).await;
        let today = chrono::Utc::now().date_naive();
        let grant = serde_json::json!({ "representative": app.traders[1].id, "valid_from": today,
            "valid_until": today + chrono::Days::new(10) });
        assert_eq!(app.post("/api/v1/authorisations", &app.traders[0].token, &grant).await.0, 201, "{backend}");
        let mut broker = open(&app, &app.traders[1].token, None, "").await;
        let (_, own) = app.file(0, &app.declaration(0, 3)).await;
        let body = serde_json::to_vec(&app.declaration(0, 4)).unwrap();
        let r = app.file_raw(1, body, Some(&app.traders[1].key.clone()), None).await;
        assert_eq!(r.status(), 201, "{backend}");
        let filed: serde_json::Value = r.json().await.unwrap();
        let id = filed["id"].as_str().unwrap();
        let seen = read_until(&mut broker, lane_assigned_of(id)).await;
        assert!(
            seen.iter().all(|e| e.data["declaration_id"] == id),
            "{backend}: not the declarant's own: {own} {seen:?}"
        );
    }
}
