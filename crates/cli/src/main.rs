//! The `attribution` command (built out in the foundation issue).

fn main() {
    println!("attribution {}", env!("CARGO_PKG_VERSION"));
}
