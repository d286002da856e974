//! Relevance of the consultation channel: 20 questions a trader, an officer or an
//! administration would ask, each with the passage that answers it written down. Every expected
//! passage must be among the first three results. Run with `--nocapture` to see the rankings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use smartcustoms_http::knowledge::RELEVANCE_QUESTIONS as QUESTIONS;

#[test]
fn every_written_down_question_finds_its_passage_in_the_top_3() {
    let k = smartcustoms_http::knowledge::load().expect("the knowledge base loads");
    let mut found = 0;
    let mut reciprocal = 0.0;
    let mut misses = Vec::new();
    for (q, expected) in QUESTIONS {
        let hits = k.index.search(q, 10).expect("the search runs");
        let ids: Vec<String> = hits.iter().map(|h| format!("{}:{}", h.kind, h.id)).collect();
        println!("{q}\n    {:?}", &ids[..ids.len().min(3)]);
        let rank = ids.iter().position(|id| expected.contains(&id.as_str()));
        if let Some(r) = rank {
            reciprocal += 1.0 / (r as f64 + 1.0);
        }
        match rank {
            Some(r) if r < 3 => found += 1,
            _ => misses.push(format!("{q:?}: expected {expected:?}, got {:?}", &ids[..ids.len().min(5)])),
        }
    }
    println!(
        "top-3 hits: {found} of {}; mean reciprocal rank {:.3}",
        QUESTIONS.len(),
        reciprocal / QUESTIONS.len() as f64
    );
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}
