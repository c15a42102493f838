//! Build script: migrations are embedded with `sqlx::migrate!`, so rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
