//! The harness itself: a browser leaves no process behind, whether its test ends normally or
//! panics (a leak once left 14 headless browsers running after two test runs).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::webdriver::{Browser, ProcessMarks};

/// Waits until none of the browser's processes is alive (a killed process takes a moment to
/// go); returns the ones still alive after a few seconds.
async fn survivors_after_a_moment(marks: &ProcessMarks) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let alive = marks.survivors();
        if alive.is_empty() || Instant::now() > deadline {
            return alive;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_browser_leaves_no_process_behind() -> anyhow::Result<()> {
    // Arrange
    let browser = Browser::start("harness-drop").await?;
    browser.goto("data:text/html,<p id=x>hello</p>").await?;
    let marks = browser.marks();
    assert!(
        marks.survivors().len() > 1,
        "the marks find the running browser: {:?}",
        marks.survivors()
    );

    // Act
    drop(browser);

    // Assert
    let left = survivors_after_a_moment(&marks).await;
    assert!(left.is_empty(), "still running: {left:#?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_whose_test_panics_leaves_no_process_behind() -> anyhow::Result<()> {
    // Arrange: a "test" that panics with its browser open, in a task of its own.
    let seen: Arc<Mutex<Option<ProcessMarks>>> = Arc::default();
    let marks_of_task = Arc::clone(&seen);
    let task = tokio::spawn(async move {
        let browser = Browser::start("harness-panic").await.expect("starts");
        browser
            .goto("data:text/html,<p>about to fail</p>")
            .await
            .expect("loads");
        *marks_of_task.lock().expect("lock") = Some(browser.marks());
        panic!("a failing assertion, on purpose");
    });

    // Act
    let outcome = task.await;

    // Assert
    assert!(outcome.is_err_and(|e| e.is_panic()), "the task panicked");
    let marks = seen
        .lock()
        .expect("lock")
        .clone()
        .expect("the browser had started");
    let left = survivors_after_a_moment(&marks).await;
    assert!(left.is_empty(), "still running: {left:#?}");
    Ok(())
}
