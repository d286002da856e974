//! The schema's migrations, written once for both databases.
//!
//! Each file in `migrations/` is written in PostgreSQL's dialect. SQLite's text is derived
//! from it by replacing the type names SQLite spells differently ([`SQLITE_WORDS`]), word by
//! word. What differs wholly between the two (triggers, PostgreSQL-only storage settings) is
//! written once per database in marked blocks, kept verbatim for that database and left out
//! for the other:
//!
//! ```sql
//! --@ postgres
//! CREATE TRIGGER … EXECUTE FUNCTION …;
//! --@ sqlite
//! CREATE TRIGGER … BEGIN SELECT RAISE(ABORT, …); END;
//! --@ end
//! ```
//!
//! A migration with nothing left for a database is not a migration there. sqlx records the
//! SHA-384 of each text it applies and refuses to start on a database whose recorded text
//! differs, so the derived texts of applied migrations must never change: a test pins them.

use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The database a migration text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// PostgreSQL: the text as written, without the SQLite blocks.
    Postgres,
    /// SQLite: the text with SQLite's type names, without the PostgreSQL blocks.
    Sqlite,
}

/// Words of PostgreSQL's dialect and how SQLite spells them.
const SQLITE_WORDS: &[(&str, &str)] = &[
    ("BIGINT", "INTEGER"),
    ("BIGSERIAL", "INTEGER"),
    ("BOOLEAN", "INTEGER"),
    ("BYTEA", "BLOB"),
    ("DATE", "TEXT"),
    ("FALSE", "0"),
    ("TRUE", "1"),
];

/// The text of a migration for one database; an error names a misplaced block marker.
pub(crate) fn text(source: &str, dialect: Dialect) -> Result<String, String> {
    let mut out = String::with_capacity(source.len());
    let mut block: Option<Dialect> = None;
    for (n, line) in source.split_inclusive('\n').enumerate() {
        match (line.trim_end().strip_prefix("--@ "), block) {
            (Some("postgres"), None | Some(Dialect::Sqlite)) => block = Some(Dialect::Postgres),
            (Some("sqlite"), None | Some(Dialect::Postgres)) => block = Some(Dialect::Sqlite),
            (Some("end"), Some(_)) => block = None,
            (Some(marker), _) => return Err(format!("line {}: unexpected marker `--@ {marker}`", n + 1)),
            (None, Some(only)) if only == dialect => out.push_str(line),
            (None, Some(_)) => {}
            (None, None) if dialect == Dialect::Sqlite => out.push_str(&sqlite_words(line)),
            (None, None) => out.push_str(line),
        }
    }
    match block {
        Some(_) => Err("a `--@` block is not closed by `--@ end`".to_string()),
        None => Ok(out),
    }
}

/// A line with PostgreSQL's type names replaced by SQLite's, whole words only.
fn sqlite_words(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find(is_word_char) {
        out.push_str(&rest[..start]);
        let word_len = rest[start..].find(|c: char| !is_word_char(c)).unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        out.push_str(SQLITE_WORDS.iter().find(|(pg, _)| *pg == word).map_or(word, |(_, lite)| lite));
        rest = &rest[start + word_len..];
    }
    out.push_str(rest);
    out
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The migrations of one database, in order.
pub(crate) fn migrations(dialect: Dialect) -> Result<Vec<Migration>, String> {
    let mut out = Vec::with_capacity(SOURCES.len());
    for &(version, description, source) in SOURCES {
        let sql = text(source, dialect).map_err(|e| format!("migration {version} ({description}): {e}"))?;
        if sql.trim().is_empty() {
            continue;
        }
        let no_tx = sql.starts_with("-- no-transaction");
        out.push(Migration::new(version, description.into(), MigrationType::Simple, sql.into(), no_tx));
    }
    Ok(out)
}

/// The migrator of one database.
pub(crate) async fn migrator(dialect: Dialect) -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(dialect)).await
}

/// The embedded migrations as sqlx's source of migrations.
#[derive(Debug)]
struct Embedded(Dialect);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async move { migrations(self.0).map_err(BoxDynError::from) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-384 of every migration text as applied to existing databases. A derived text that
    /// changes would stop those databases from starting: add a new migration instead.
    const APPLIED: &[(Dialect, i64, &str)] = &[
        (
            Dialect::Postgres,
            1,
            "605607f45b1291ce270cc02afb223449be2cd64a8d3d5a97ca6333e5751f382190b538abf350de770fc8445ea61a2f00",
        ),
        (
            Dialect::Postgres,
            2,
            "a92eeb988058a28322379e98164a333bfe9548bd8a57ce9f017cdf4a93c7f23b4498dd123b52f49ce37a5aac07d83e9f",
        ),
        (
            Dialect::Postgres,
            3,
            "7ee4c7e5d3785479fa77d15f06e97b414a99436d7caa73342f5f80b255ad634ddce43edf2c1db13927d248e43ec5f1b6",
        ),
        (
            Dialect::Postgres,
            4,
            "7ce72b4cd918077cadfc950090a841fa9ffa4a127e552ef1c8563997a3509ba915c9a5b71024c78dcc0a547005c92bbe",
        ),
        (
            Dialect::Postgres,
            5,
            "04ccdb2a040d07523aed8fab6ad0839ab35c79b3e4ccd055a646f3209c1c8b2715d29d0e62d5802875f58fc338090953",
        ),
        (
            Dialect::Postgres,
            6,
            "fc3cf1b2094ad9ea1ee72636e66872ea5ff4536778c57cd9172ee45c125425d22f36e11ded863e56d68fc07c2ee69a09",
        ),
        (
            Dialect::Postgres,
            7,
            "1866ef23fd7e40569b8f5f3c5dc340ec2a8398eb8b011bdbc047eb863b8f43254df6f932a2bc321a0bd0df81c1da3b02",
        ),
        (
            Dialect::Postgres,
            8,
            "00157c602a4483b89d1b3538ff8159f4b5bf7ee865dba7024a00824c6d3d5a4930113153000eaacc068953937cb88380",
        ),
        (
            Dialect::Postgres,
            9,
            "7cc0831c6650a01e15a56517169a0abacea2a03bf9da81de9e5883fc0042c8a6c948f6aec323b0cd95eedd6d35035a6e",
        ),
        (
            Dialect::Postgres,
            10,
            "b338e63ba968fdca7353e3a8a17e09d74ecf17b70701e4221a73713fbab0bed30e31be98fb36d19923dd5db25399d99d",
        ),
        (
            Dialect::Sqlite,
            1,
            "04c0d1f786d75a30383a2bbe9fc73b5aaf37b6a08c491bbd7b610a2fb01a77f093aea99a2a80653960494db8ae32bbad",
        ),
        (
            Dialect::Sqlite,
            2,
            "9053e81e3afdd674aa193871869f7a4517a3451525819e5e81ea8e91f5c7c4481bf656511a1077f10158d3986a2739b4",
        ),
        (
            Dialect::Sqlite,
            3,
            "c8f2712d951ec4e7df2c0112eb8a17416911216da5a0c1970315286b0167a25684aa7a250b96b99638792d12f20b90e3",
        ),
        (
            Dialect::Sqlite,
            4,
            "b7c6e27d966fb5b1cf4adad2c11971e34b4079c91fc6216c26e0b33895e0aed5f64b0b741b81d66e983eda6d92676deb",
        ),
        (
            Dialect::Sqlite,
            5,
            "9f256741ad8373e6e3f07a5d5893d7b139d30db72e1fe0df3cda7b35018767aef2635eebccd0e74460ffb4bfec4ababc",
        ),
        (
            Dialect::Sqlite,
            6,
            "c131bd0cfa4329b9cac5aed8dfedacf913a6560fcced601063f7c2503970519ce9ff6765d899fa90dfc80da8bb10f879",
        ),
        (
            Dialect::Sqlite,
            7,
            "45934dbf38d5b236cfa7518859ea461957eff02aa96538709dbc2cc02ea2d0fceed9ff38396e7f15f9369d662aacd9ba",
        ),
        (
            Dialect::Sqlite,
            8,
            "00157c602a4483b89d1b3538ff8159f4b5bf7ee865dba7024a00824c6d3d5a4930113153000eaacc068953937cb88380",
        ),
        (
            Dialect::Sqlite,
            9,
            "7cc0831c6650a01e15a56517169a0abacea2a03bf9da81de9e5883fc0042c8a6c948f6aec323b0cd95eedd6d35035a6e",
        ),
    ];

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn applied_migrations_keep_their_text_on_both_databases() {
        for dialect in [Dialect::Postgres, Dialect::Sqlite] {
            let migrations = migrations(dialect).unwrap_or_else(|e| panic!("{dialect:?}: {e}"));
            for (d, version, checksum) in APPLIED.iter().filter(|(d, ..)| *d == dialect) {
                let m = migrations
                    .iter()
                    .find(|m| m.version == *version)
                    .unwrap_or_else(|| panic!("{d:?} migration {version} is missing"));
                assert_eq!(hex(&m.checksum), *checksum, "{d:?} migration {version} ({}) changed", m.description);
            }
        }
    }

    #[test]
    fn a_postgres_only_migration_is_no_migration_on_sqlite() {
        let sqlite = migrations(Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}"));
        assert!(sqlite.iter().all(|m| m.version != 10), "lz4 compression is PostgreSQL's");
        let postgres = migrations(Dialect::Postgres).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            postgres.iter().map(|m| m.version).collect::<Vec<_>>(),
            (1..=SOURCES.len() as i64).collect::<Vec<_>>()
        );
    }

    #[test]
    fn types_are_replaced_as_whole_words_outside_the_blocks() {
        let source = "id BIGSERIAL PRIMARY KEY, n BIGINT, BIGINTS INT, ok BOOLEAN DEFAULT FALSE, day DATE\n\
                      --@ postgres\nBIGINT only here\n--@ sqlite\nBLOB only here\n--@ end\nlast BYTEA\n";
        assert_eq!(
            text(source, Dialect::Sqlite),
            Ok("id INTEGER PRIMARY KEY, n INTEGER, BIGINTS INT, ok INTEGER DEFAULT 0, day TEXT\n\
                BLOB only here\nlast BLOB\n"
                .to_string())
        );
        assert_eq!(
            text(source, Dialect::Postgres),
            Ok("id BIGSERIAL PRIMARY KEY, n BIGINT, BIGINTS INT, ok BOOLEAN DEFAULT FALSE, day DATE\n\
                BIGINT only here\nlast BYTEA\n"
                .to_string())
        );
    }

    #[test]
    fn misplaced_markers_are_refused() {
        let refused = |source: &str, dialect| text(source, dialect).err().unwrap_or_default();
        assert!(refused("--@ end\n", Dialect::Sqlite).contains("line 1"));
        assert!(refused("--@ postgres\nX\n", Dialect::Postgres).contains("not closed"));
        assert!(refused("--@ postgres\n--@ postgres\n--@ end\n", Dialect::Postgres).contains("line 2"));
        assert!(refused("--@ mysql\n", Dialect::Postgres).contains("mysql"));
    }
}
