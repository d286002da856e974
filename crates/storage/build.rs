//! Lists the migrations: every `migrations/NNNN_description.sql`, in order, embedded into the
//! binary (see `src/migrations.rs`), and rebuilds the crate when one is added or changed.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("/// Every migration: version, description and text as written.\n");
    out.push_str("pub(crate) const SOURCES: &[(i64, &str, &str)] = &[\n");
    for path in files {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let (version, description) =
            stem.split_once('_').unwrap_or_else(|| panic!("{}: name it NNNN_description.sql", path.display()));
        let version: i64 =
            version.parse().unwrap_or_else(|_| panic!("{}: the name starts with its version", path.display()));
        let description = description.replace('_', " ");
        let _ = writeln!(out, "    ({version}, {description:?}, include_str!({:?})),", path.display().to_string());
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"))).join("migrations.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
}
