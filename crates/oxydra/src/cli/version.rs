//! `oxydra version`: the build version, the same string the server reports on `GET /version`.

/// The version of this build (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Prints `oxydra <version>`, like `oxydra --version`.
pub fn run() -> anyhow::Result<()> {
    println!("oxydra {VERSION}");
    Ok(())
}
