// `sqlx::migrate!` embeds the migrations at compile time but does not see a new file in
// their directories; this makes Cargo rebuild the crate when one is added.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
