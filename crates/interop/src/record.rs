//! Results: each peer's test records its checks to `target/interop/<peer>.json`, and the
//! report is regenerated from all recorded results: into `INTEROP.md` at the workspace root
//! only on request (`INTEROP_WRITE=1`, as `.ci/run` sets), otherwise into
//! `target/interop/INTEROP.md`, so running one peer's test never rewrites a tracked file.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Which side the peer plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Direction {
    /// The peer's client calls our server.
    PeerCallsUs,
    /// Our client calls the peer's server.
    WeCallPeer,
}

impl Direction {
    /// The label in the report.
    ///
    /// ```
    /// assert_eq!(interop::Direction::WeCallPeer.label(), "xmlrpc-kit client → peer server");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Direction::PeerCallsUs => "peer client → xmlrpc-kit server",
            Direction::WeCallPeer => "xmlrpc-kit client → peer server",
        }
    }
}

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The value (or behaviour) came through as it should.
    Ok,
    /// It did not, and that is a known limit of the peer (the reason is in the report).
    Limit,
    /// It did not and no limit explains it, or a listed limit did not show: the test fails.
    Fail,
}

/// One check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    /// Which side the peer played.
    pub direction: Direction,
    /// The row of the table (`int`, `fault`, ...).
    pub kind: String,
    /// The case's or check's name.
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// What was seen (and, for a limit, why).
    pub detail: String,
}

/// Everything one peer's test found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerResults {
    /// The peer's name in the report.
    pub peer: String,
    /// What was tested: the program and its version, as the peer reports it.
    pub version: String,
    /// Where the peer sits in the report (lower first).
    pub order: u32,
    /// Set when the peer was not installed and the test was skipped.
    pub skipped: Option<String>,
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
}

/// Collects one peer's checks, judging each against the peer's known limits.
///
/// ```
/// use interop::{Direction, Outcome, Recorder};
/// let mut rec = Recorder::new("doc-example", "none", 99);
/// rec.limit(Direction::WeCallPeer, "i8", "cannot send 64-bit integers");
/// rec.check(Direction::WeCallPeer, "i8", "i8_max", false, "OverflowError");
/// rec.check(Direction::WeCallPeer, "int", "int_one", true, "");
/// assert_eq!(rec.results().checks[0].outcome, Outcome::Limit);
/// assert!(rec.failures().is_empty());
/// ```
pub struct Recorder {
    results: PeerResults,
    limits: Vec<(Direction, String, String)>,
}

impl Recorder {
    /// A recorder for `peer` (`version` says what exactly was run).
    pub fn new(peer: &str, version: &str, order: u32) -> Self {
        Recorder {
            results: PeerResults {
                peer: peer.to_owned(),
                version: version.trim().to_owned(),
                order,
                skipped: None,
                checks: Vec::new(),
            },
            limits: Vec::new(),
        }
    }

    /// Declares a known limit: in `direction`, the cases whose name or kind is `key` are
    /// expected not to come through, for `reason`. A listed limit that does not show
    /// fails the test, so the list stays true.
    pub fn limit(&mut self, direction: Direction, key: &str, reason: &str) -> &mut Self {
        self.limits
            .push((direction, key.to_owned(), reason.to_owned()));
        self
    }

    fn reason(&self, direction: Direction, kind: &str, name: &str) -> Option<&str> {
        self.limits
            .iter()
            .find(|(d, key, _)| *d == direction && (key == name || key == kind))
            .map(|(_, _, reason)| reason.as_str())
    }

    /// Records one check: `passed` says whether it came through, `detail` what was seen.
    pub fn check(
        &mut self,
        direction: Direction,
        kind: &str,
        name: &str,
        passed: bool,
        detail: impl Into<String>,
    ) {
        let detail = crate::cases::clip(&detail.into().replace(['\n', '\r', '|'], " "), 300);
        let (outcome, detail) = match (passed, self.reason(direction, kind, name)) {
            (true, None) => (Outcome::Ok, detail),
            (false, None) => (Outcome::Fail, detail),
            (false, Some(reason)) => (Outcome::Limit, format!("{reason} (seen: {detail})")),
            (true, Some(reason)) => (
                Outcome::Fail,
                format!("listed as a limit ({reason}) but came through: remove the limit"),
            ),
        };
        self.results.checks.push(Check {
            direction,
            kind: kind.to_owned(),
            name: name.to_owned(),
            outcome,
            detail,
        });
    }

    /// The results so far.
    pub fn results(&self) -> &PeerResults {
        &self.results
    }

    /// The checks that failed, one line each.
    pub fn failures(&self) -> Vec<String> {
        self.results
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .map(|c| {
                format!(
                    "{} / {} / {}: {}",
                    c.direction.label(),
                    c.kind,
                    c.name,
                    c.detail
                )
            })
            .collect()
    }

    /// Marks the peer as skipped (not installed), with the reason.
    pub fn skip(&mut self, reason: &str) {
        self.results.skipped = Some(reason.to_owned());
        self.results.checks.clear();
    }

    /// Whether the peer can be tested (`probe` succeeds when it is installed); when it
    /// cannot, it is marked skipped ("not installed"), and the caller finishes and returns.
    /// The rule for a missing peer is the workspace's ([`test_support::peer::missing`]).
    ///
    /// # Errors
    /// On CI, where a missing peer is a failure: which peer, and what installs it.
    ///
    /// ```
    /// let mut rec = interop::Recorder::new("doc-present", "none", 99);
    /// let mut probe = std::process::Command::new("true");
    /// assert_eq!(rec.require("a peer", "a-package", &mut probe), Ok(true));
    /// assert!(rec.results().skipped.is_none());
    /// ```
    pub fn require(
        &mut self,
        peer: &str,
        package: &str,
        probe: &mut std::process::Command,
    ) -> Result<bool, String> {
        let present = test_support::peer::available(peer, package, probe)?;
        if !present {
            self.skip("not installed");
        }
        Ok(present)
    }

    /// Writes the results and regenerates the report; returns the failures.
    pub fn finish(self) -> Vec<String> {
        let failures = self.failures();
        if let Err(e) = save(&self.results) {
            return vec![format!("cannot write the results: {e}")];
        }
        failures
    }

    /// The test's verdict: [`Recorder::finish`], then every step that could not run (`ran`)
    /// and every failed check, in that order, joined into one message.
    ///
    /// # Errors
    /// The first step that could not run, or else the failed checks, one a line.
    ///
    /// ```no_run
    /// // Not run here: finishing saves the results, and the report would show them.
    /// use interop::{Direction, Recorder};
    /// let mut rec = Recorder::new("doc-conclude", "none", 99);
    /// rec.check(Direction::WeCallPeer, "int", "int_one", false, "came back 2");
    /// let err = rec.conclude([Ok(())]).unwrap_err();
    /// assert!(err.contains("int_one: came back 2"), "{err}");
    /// ```
    pub fn conclude(self, ran: impl IntoIterator<Item = Result<(), String>>) -> Result<(), String> {
        let failures = self.finish();
        for step in ran {
            step?;
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures.join("\n"))
        }
    }
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where results are kept: `target/interop/` (or under `CARGO_TARGET_DIR`).
pub fn results_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
        .join("interop")
}

/// Where the report goes: `INTEROP.md` at the workspace root when `INTEROP_WRITE=1` (as
/// `.ci/run` sets), else `INTEROP.md` beside the results, so a test run never rewrites the
/// tracked report unasked.
///
/// ```
/// let report = interop::report_path();
/// if std::env::var_os("INTEROP_WRITE").is_some_and(|v| v == "1") {
///     assert_eq!(report, interop::workspace_root().join("INTEROP.md"));
/// } else {
///     assert_eq!(report, interop::results_dir().join("INTEROP.md"));
/// }
/// ```
pub fn report_path() -> PathBuf {
    if std::env::var_os("INTEROP_WRITE").is_some_and(|v| v == "1") {
        workspace_root().join("INTEROP.md")
    } else {
        results_dir().join("INTEROP.md")
    }
}

static WRITING: Mutex<()> = Mutex::new(());

fn save(results: &PeerResults) -> std::io::Result<()> {
    let _guard = WRITING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = results_dir();
    std::fs::create_dir_all(&dir)?;
    let json = serde_json::to_vec_pretty(results).map_err(std::io::Error::other)?;
    let file = dir.join(format!("{}.json", results.peer));
    let temp = dir.join(format!(".{}.json.tmp", results.peer));
    std::fs::write(&temp, json)?;
    std::fs::rename(&temp, &file)?;
    let all = load(&dir)?;
    let report = report_path();
    write_atomically(&report, render(&all).as_bytes())?;
    eprintln!("interop report: {}", report.display());
    Ok(())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = path.with_extension("md.tmp");
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path)
}

/// Every peer's recorded results, in report order.
pub fn load(dir: &Path) -> std::io::Result<Vec<PeerResults>> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let bytes = std::fs::read(&path)?;
            if let Ok(results) = serde_json::from_slice::<PeerResults>(&bytes) {
                all.push(results);
            }
        }
    }
    all.sort_by(|a, b| (a.order, &a.peer).cmp(&(b.order, &b.peer)));
    Ok(all)
}

/// Text with `<` and `&` escaped, so element names show in Markdown instead of being
/// taken for HTML.
fn markdown_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

fn cell(checks: &[&Check]) -> String {
    if checks.is_empty() {
        return "—".to_owned();
    }
    let ok = checks.iter().filter(|c| c.outcome == Outcome::Ok).count();
    let failed = checks.iter().any(|c| c.outcome == Outcome::Fail);
    let total = checks.len();
    match (failed, ok == total) {
        (true, _) => format!("✗ {ok}/{total}"),
        (false, true) => format!("✓ {total}"),
        (false, false) => format!("◐ {ok}/{total}"),
    }
}

/// The report, as Markdown.
///
/// ```
/// let text = interop::render(&[]);
/// assert!(text.starts_with("# Interoperability matrix"));
/// ```
pub fn render(all: &[PeerResults]) -> String {
    use std::fmt::Write as _;
    let kinds = crate::cases::KINDS;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Interoperability matrix\n\n\
         Generated by the interop tests (`INTEROP_WRITE=1 cargo test -p interop`, as `.ci/run`\n\
         runs them with every peer installed; without `INTEROP_WRITE=1` the report goes to\n\
         `target/interop/INTEROP.md`) from what each check showed: do not edit by hand. The\n\
         tests are in `crates/interop/tests/`, the peers' programs in `crates/interop/peers/`,\n\
         the values in `crates/interop/src/cases.rs`.\n\n\
         Each cell counts the checks of one type in one direction: `✓ n` all n came through,\n\
         `◐ k/n` k came through and the rest are known limits of the peer (listed below, with\n\
         what was seen), `✗` a check failed, `—` not checked that way (validator1 runs from\n\
         Python's client only).\n"
    );
    let _ = writeln!(out, "## Checks per peer\n");
    let _ = writeln!(
        out,
        "| peer | what ran | checks | came through | known limits | failed |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    let mut total = [0usize; 4];
    for p in all {
        if let Some(reason) = &p.skipped {
            let _ = writeln!(out, "| {} | not run: {reason} | 0 | 0 | 0 | 0 |", p.peer);
            continue;
        }
        let count = |o: Outcome| p.checks.iter().filter(|c| c.outcome == o).count();
        let row = [
            p.checks.len(),
            count(Outcome::Ok),
            count(Outcome::Limit),
            count(Outcome::Fail),
        ];
        for (t, r) in total.iter_mut().zip(row) {
            *t += r;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            p.peer, p.version, row[0], row[1], row[2], row[3]
        );
    }
    let _ = writeln!(
        out,
        "| **all** | | **{}** | **{}** | **{}** | **{}** |\n",
        total[0], total[1], total[2], total[3]
    );
    let _ = writeln!(out, "## By type and direction\n");
    let _ = write!(out, "| peer | direction |");
    for k in kinds {
        let _ = write!(out, " {k} |");
    }
    let _ = write!(out, "\n|---|---|");
    for _ in kinds {
        let _ = write!(out, "---|");
    }
    let _ = writeln!(out);
    for p in all.iter().filter(|p| p.skipped.is_none()) {
        let mut by: BTreeMap<Direction, Vec<&Check>> = BTreeMap::new();
        for c in &p.checks {
            by.entry(c.direction).or_default().push(c);
        }
        for (direction, checks) in by {
            let _ = write!(out, "| {} | {} |", p.peer, direction.label());
            for k in kinds {
                let of_kind: Vec<&Check> =
                    checks.iter().copied().filter(|c| c.kind == *k).collect();
                let _ = write!(out, " {} |", cell(&of_kind));
            }
            let _ = writeln!(out);
        }
    }
    let _ = writeln!(out, "\n## Known limits and failures, check by check\n");
    for p in all.iter().filter(|p| p.skipped.is_none()) {
        let notable: Vec<&Check> = p
            .checks
            .iter()
            .filter(|c| c.outcome != Outcome::Ok)
            .collect();
        if notable.is_empty() {
            let _ = writeln!(out, "- **{}**: every check came through.", p.peer);
            continue;
        }
        let _ = writeln!(out, "- **{}**:", p.peer);
        for c in notable {
            let mark = if c.outcome == Outcome::Fail {
                "✗ FAILED"
            } else {
                "limit"
            };
            let _ = writeln!(
                out,
                "  - {mark} · {} · `{}`: {}",
                c.direction.label(),
                c.name,
                markdown_text(&c.detail)
            );
        }
    }
    out
}
