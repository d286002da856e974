//! The server's background jobs live exactly as long as the server.

use std::time::Duration;

use smartcustoms_storage::{GroupCommit, GroupCommitConfig};
use tokio::net::TcpListener;

use crate::{serve, AppState, HttpConfig};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Waits (at most five seconds) until only the test holds the state, i.e. every clone of the
/// state the server and its jobs held is gone; the count left otherwise.
async fn settled(state: &AppState) -> usize {
    for _ in 0..100 {
        if state.holders() == 1 {
            return 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    state.holders()
}

async fn state(dir: &tempfile::TempDir) -> Result<AppState, Box<dyn std::error::Error>> {
    let store = smartcustoms_storage::open(&format!("sqlite:{}", dir.path().join("t.db").display())).await?;
    let commit = GroupCommit::start(store.clone(), GroupCommitConfig::default());
    Ok(AppState::new(store, commit, HttpConfig::default()).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_stop_when_the_server_is_cancelled() -> TestResult {
    let dir = tempfile::tempdir()?;
    let state = state(&dir).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server = tokio::spawn(serve(listener, state.clone(), std::future::pending()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(state.holders() > 2, "the server and its jobs hold the state while it serves");
    server.abort();
    assert!(server.await.is_err_and(|e| e.is_cancelled()));
    assert_eq!(settled(&state).await, 1, "a job outlived the cancelled server");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_stop_when_the_server_shuts_down() -> TestResult {
    let dir = tempfile::tempdir()?;
    let state = state(&dir).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = stop.send(());
    server.await??;
    assert_eq!(settled(&state).await, 1, "a job outlived the server");
    Ok(())
}
