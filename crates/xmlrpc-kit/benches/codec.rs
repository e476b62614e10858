//! Codec throughput: decode and encode of (a) 1,000 structs of mixed fields, written exactly
//! as Python's `xmlrpc.client.dumps((records,), methodresponse=True)` writes them, and (b) one
//! 64 MiB `<base64>` value, beside the serde_xmlrpc and dxr codecs and a bare quick-xml scan.
//!
//! Every figure is in MB/s (10^6 bytes) of the *reference document* for its group, so that
//! within a group a ratio of MB/s is a ratio of time: `structs.xml` for the struct groups,
//! `base64_python.xml` for base64. The documents are written to `target/bench-docs/` (or
//! `$XMLRPC_BENCH_DOCS`) so that `bench/python_codec.py` times Python on the very same bytes;
//! `bench/codec_report.sh` runs both and prints the table.
//!
//! Records hold an int, a string (some non-ASCII, some with `&`, `<`, `>`, a newline or a
//! tab), a double, a boolean, a dateTime and an array of 1-2 strings: about 600 bytes each in
//! Python's layout. The base64 value comes twice: `base64_python.xml` as Python writes it
//! (`base64.encodebytes`, 76-column lines) and `base64_flat.xml` on one line, as most other
//! writers (ours included) send it; serde_xmlrpc refuses the wrapped one.
//!
//! Peers take `&str`, so their timings include `str::from_utf8` on the body, as a server or
//! client holding the body as bytes would have to do; ours takes the bytes. Every timing
//! of a decode includes dropping the decoded value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{Criterion, SamplingMode, Throughput};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use xmlrpc_kit::codec::{self, MethodResponse};
use xmlrpc_kit::{Binary, DateTime, Value};

/// Number of records in the struct document.
const RECORDS: usize = 1_000;
/// Size of the base64 payload (decoded bytes).
const PAYLOAD: usize = 64 << 20;

// ----- the data ----------------------------------------------------------------------------

/// One record, as a typed Rust value (field order = wire order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    id: i32,
    name: String,
    score: f64,
    active: bool,
    created: DateTime,
    tags: Vec<String>,
}

const NAMES: &[&str] = &[
    "Zoë Müller & Søn",
    "李雷 <ops>",
    "O'Brien",
    "Ana Lúcia Gonçalves",
    "plain ascii customer",
    "Δημήτρης Παπαδόπουλος",
    "Smith & Wesson",
    "Åsa Ödegård",
    "two lines:\nsecond,\twith a tab",
    "注文は来週に発送されます",
];

const TAGS: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "eps & ilon",
    "ζήτα",
    "x<y",
    "kilo",
];

/// Deterministic pseudo-random numbers (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn records() -> Vec<Record> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..RECORDS)
        .map(|i| {
            let i32_i = i as i32;
            let ntags = 1 + rng.below(2) as usize;
            Record {
                id: i32_i + 1,
                name: format!(
                    "{} #{}",
                    NAMES[rng.below(NAMES.len() as u64) as usize],
                    i + 1
                ),
                // Cents: Python's repr and Rust's `{:?}` agree on these (shortest round trip).
                score: rng.below(10_000_000) as f64 / 100.0,
                active: rng.below(3) != 0,
                created: DateTime::new(
                    2000 + rng.below(26) as u16,
                    1 + rng.below(12) as u8,
                    1 + rng.below(28) as u8,
                    rng.below(24) as u8,
                    rng.below(60) as u8,
                    rng.below(60) as u8,
                )
                .unwrap(),
                tags: (0..ntags)
                    .map(|_| TAGS[rng.below(TAGS.len() as u64) as usize].to_owned())
                    .collect(),
            }
        })
        .collect()
}

fn payload() -> Vec<u8> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut out = Vec::with_capacity(PAYLOAD);
    while out.len() < PAYLOAD {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(PAYLOAD);
    out
}

// ----- documents exactly as Python's xmlrpc.client.dumps writes them -----------------------

const PY_HEAD: &str = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n";
const PY_TAIL: &str = "</param>\n</params>\n</methodResponse>\n";

/// `xmlrpc.client.escape`: `&`, `<`, `>` only.
fn py_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

fn py_string(out: &mut String, s: &str) {
    out.push_str("<value><string>");
    py_escape(out, s);
    out.push_str("</string></value>\n");
}

fn py_member(out: &mut String, name: &str, value: impl FnOnce(&mut String)) {
    out.push_str("<member>\n<name>");
    py_escape(out, name);
    out.push_str("</name>\n");
    value(out);
    out.push_str("</member>\n");
}

fn py_record(out: &mut String, r: &Record) {
    out.push_str("<value><struct>\n");
    py_member(out, "id", |o| {
        writeln!(o, "<value><int>{}</int></value>", r.id).unwrap()
    });
    py_member(out, "name", |o| py_string(o, &r.name));
    // Python writes repr(float); for these values that is Rust's `{:?}`.
    py_member(out, "score", |o| {
        writeln!(o, "<value><double>{:?}</double></value>", r.score).unwrap()
    });
    py_member(out, "active", |o| {
        writeln!(
            o,
            "<value><boolean>{}</boolean></value>",
            u8::from(r.active)
        )
        .unwrap()
    });
    py_member(out, "created", |o| {
        let t = &r.created;
        writeln!(
            o,
            "<value><dateTime.iso8601>{:04}{:02}{:02}T{:02}:{:02}:{:02}</dateTime.iso8601></value>",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
        .unwrap()
    });
    py_member(out, "tags", |o| {
        o.push_str("<value><array><data>\n");
        for tag in &r.tags {
            py_string(o, tag);
        }
        o.push_str("</data></array></value>\n");
    });
    out.push_str("</struct></value>\n");
}

/// `dumps((records,), methodresponse=True)`.
fn structs_doc(records: &[Record]) -> Vec<u8> {
    let mut out = String::with_capacity(records.len() * 640);
    out.push_str(PY_HEAD);
    out.push_str("<value><array><data>\n");
    for r in records {
        py_record(&mut out, r);
    }
    out.push_str("</data></array></value>\n");
    out.push_str(PY_TAIL);
    out.into_bytes()
}

/// `dumps((Binary(payload),), methodresponse=True)`: `base64.encodebytes`, 76 columns.
fn base64_python_doc(payload: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(payload);
    let mut out = Vec::with_capacity(text.len() + text.len() / 76 + 256);
    out.extend_from_slice(PY_HEAD.as_bytes());
    out.extend_from_slice(b"<value><base64>\n");
    for line in text.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"</base64></value>\n");
    out.extend_from_slice(PY_TAIL.as_bytes());
    out
}

/// The same value with its base64 on one line, as most other writers (and ours) send it.
fn base64_flat_doc(payload: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(payload);
    let mut out = Vec::with_capacity(text.len() + 256);
    out.extend_from_slice(PY_HEAD.as_bytes());
    out.extend_from_slice(b"<value><base64>");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"</base64></value>\n");
    out.extend_from_slice(PY_TAIL.as_bytes());
    out
}

fn docs_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XMLRPC_BENCH_DOCS") {
        return dir.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("bench-docs")
}

fn write_doc(name: &str, bytes: &[u8]) {
    let dir = docs_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    if std::fs::read(&path).ok().as_deref() != Some(bytes) {
        std::fs::write(&path, bytes).unwrap();
    }
}

// ----- the codecs under test -----------------------------------------------------------------

fn ours_value(doc: &[u8]) -> Value {
    match codec::read_response(doc).unwrap() {
        MethodResponse::Params(mut params) => params.pop().unwrap(),
        MethodResponse::Fault(f) => panic!("fault {f:?}"),
    }
}

/// The same, through the streaming reader (what a body over the stream threshold, or a file,
/// goes through), with a `BufReader` of the default 8 KiB.
fn ours_value_stream(doc: &[u8]) -> Value {
    let reader = codec::Reader::from_reader(std::io::BufReader::new(doc)).unwrap();
    match reader.read_response().unwrap() {
        MethodResponse::Params(mut params) => params.pop().unwrap(),
        MethodResponse::Fault(f) => panic!("fault {f:?}"),
    }
}

/// The small call of the load benchmark, `add(8, 8)`, as `xrpc bench` sends it.
const ADD_CALL: &[u8] = b"<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params><param><value><int>8</int></value></param><param><value><int>8</int></value></param></params></methodCall>";

fn serde_xmlrpc_value(doc: &[u8]) -> serde_xmlrpc::Value {
    serde_xmlrpc::response_from_str(std::str::from_utf8(doc).unwrap()).unwrap()
}

fn dxr_value(doc: &[u8]) -> dxr::Value {
    dxr::MethodResponse::from_xml(std::str::from_utf8(doc).unwrap())
        .unwrap()
        .value
}

/// Iterates quick-xml events to the end, building nothing: the floor for any codec on it.
fn bare_scan(doc: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(doc);
    let mut events = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => return events,
            event => {
                black_box(&event);
                events += 1;
            }
        }
    }
}

// ----- cases: one routine, run by criterion or counted under callgrind ---------------------

/// Runs a routine `iters` times and returns the time spent inside it (setup excluded).
type Case<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// The measured part of every case, and nothing else: callgrind counts only inside it
/// (`--collect-atstart=no --toggle-collect='*measured*'`). Dropping the result is measured.
#[inline(never)]
fn measured<R>(routine: impl FnOnce() -> R) {
    drop(black_box(routine()));
}

fn plain<'a, R>(mut routine: impl FnMut() -> R + 'a) -> Case<'a> {
    Box::new(move |iters| {
        let start = Instant::now();
        for _ in 0..iters {
            measured(&mut routine);
        }
        start.elapsed()
    })
}

/// For routines that consume their input: `setup` makes a fresh one outside the timing.
fn batched<'a, I, R>(
    mut setup: impl FnMut() -> I + 'a,
    mut routine: impl FnMut(I) -> R + 'a,
) -> Case<'a> {
    Box::new(move |iters| {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let input = setup();
            let start = Instant::now();
            measured(|| routine(input));
            total += start.elapsed();
        }
        total
    })
}

/// A benchmark group: its cases and the bytes one run handles (the reference document).
struct Group<'a> {
    name: &'static str,
    bytes: u64,
    large: bool,
    cases: Vec<(&'static str, Case<'a>)>,
}

struct Structs {
    doc: Vec<u8>,
    value: Value,
    typed: Vec<Record>,
    sx: serde_xmlrpc::Value,
    dx: dxr::MethodResponse,
}

impl Structs {
    fn new(check: bool) -> Self {
        let records = records();
        let doc = structs_doc(&records);
        write_doc("structs.xml", &doc);
        let value = ours_value(&doc);
        let sx = serde_xmlrpc_value(&doc);
        let dx = dxr::MethodResponse {
            value: dxr_value(&doc),
        };
        if check {
            // Every codec reads the document, and reads the same thing.
            let typed: Vec<Record> = codec::decode_response(&doc).unwrap().unwrap();
            assert_eq!(typed, records);
            assert_eq!(value.as_array().map(<[Value]>::len), Some(RECORDS));
            assert_eq!(ours_value_stream(&doc), value);
            assert!(matches!(&sx, serde_xmlrpc::Value::Array(items) if items.len() == RECORDS));
            assert!(matches!(&dx.value, dxr::Value::Array(items) if items.len() == RECORDS));
            // And our writer's output reads back as the same values.
            assert_eq!(ours_value(&codec::response_to_vec(&value).unwrap()), value);
            assert_eq!(ours_value(&codec::response_to_vec(&typed).unwrap()), value);
        }
        Structs {
            doc,
            value,
            typed: records,
            sx,
            dx,
        }
    }

    fn groups(&self) -> [Group<'_>; 3] {
        let doc = &self.doc[..];
        let bytes = doc.len() as u64;
        [
            Group {
                name: "decode_structs",
                bytes,
                large: false,
                cases: vec![
                    ("ours/value", plain(|| ours_value(black_box(doc)))),
                    (
                        "ours/value_stream",
                        plain(|| ours_value_stream(black_box(doc))),
                    ),
                    (
                        "ours/typed_stream",
                        plain(move || {
                            let mut reader =
                                codec::Reader::from_reader(std::io::BufReader::new(black_box(doc)))
                                    .unwrap();
                            reader.read_envelope().unwrap();
                            reader.read_result::<Vec<Record>>().unwrap()
                        }),
                    ),
                    (
                        "ours/typed",
                        plain(|| {
                            codec::decode_response::<Vec<Record>>(black_box(doc))
                                .unwrap()
                                .unwrap()
                        }),
                    ),
                    (
                        "serde_xmlrpc/value",
                        plain(|| serde_xmlrpc_value(black_box(doc))),
                    ),
                    ("dxr/value", plain(|| dxr_value(black_box(doc)))),
                    ("quick_xml/bare_scan", plain(|| bare_scan(black_box(doc)))),
                ],
            },
            Group {
                name: "encode_structs",
                bytes,
                large: false,
                cases: vec![
                    (
                        "ours/value",
                        plain(|| codec::response_to_vec(black_box(&self.value)).unwrap()),
                    ),
                    (
                        "ours/typed",
                        plain(|| codec::response_to_vec(black_box(&self.typed)).unwrap()),
                    ),
                    // serde_xmlrpc takes its values by value: the clone is made outside the timing.
                    (
                        "serde_xmlrpc/value",
                        batched(
                            || self.sx.clone(),
                            |v| serde_xmlrpc::response_to_string(std::iter::once(v)).unwrap(),
                        ),
                    ),
                    ("dxr/value", plain(|| black_box(&self.dx).to_xml().unwrap())),
                ],
            },
            // The 187-byte `add(8, 8)` call: per-call costs (set-up, envelope, two params).
            Group {
                name: "decode_add_call",
                bytes: ADD_CALL.len() as u64,
                large: false,
                cases: vec![
                    (
                        "ours/value",
                        plain(|| codec::read_call(black_box(ADD_CALL)).unwrap()),
                    ),
                    (
                        "ours/typed",
                        plain(|| codec::decode_call::<(i32, i32)>(black_box(ADD_CALL)).unwrap()),
                    ),
                    (
                        "serde_xmlrpc/value",
                        plain(|| {
                            serde_xmlrpc::request_from_str(
                                std::str::from_utf8(black_box(ADD_CALL)).unwrap(),
                            )
                            .unwrap()
                        }),
                    ),
                ],
            },
        ]
    }
}

struct Base64 {
    python_doc: Vec<u8>,
    flat_doc: Vec<u8>,
    value: Value,
    binary: Binary,
    sx: serde_xmlrpc::Value,
    dx: dxr::MethodResponse,
}

impl Base64 {
    fn new(check: bool) -> Self {
        let payload = payload();
        let python_doc = base64_python_doc(&payload);
        let flat_doc = base64_flat_doc(&payload);
        write_doc("base64_python.xml", &python_doc);
        write_doc("base64_flat.xml", &flat_doc);
        let value = Value::Base64(Binary::from(payload.clone()));
        // serde_xmlrpc refuses wrapped base64 (the newlines reach its decoder): it gets the flat one.
        let sx = serde_xmlrpc_value(&flat_doc);
        let dx = dxr::MethodResponse {
            value: dxr_value(&python_doc),
        };
        if check {
            assert_eq!(ours_value(&python_doc), value);
            assert_eq!(ours_value(&flat_doc), value);
            let wrapped = std::str::from_utf8(&python_doc).unwrap();
            assert!(serde_xmlrpc::response_from_str::<serde_xmlrpc::Value>(wrapped).is_err());
            assert!(matches!(&sx, serde_xmlrpc::Value::Base64(b) if *b == payload));
            assert!(matches!(&dx.value, dxr::Value::Base64(b) if *b == payload));
        }
        Base64 {
            python_doc,
            flat_doc,
            value,
            binary: Binary::from(payload),
            sx,
            dx,
        }
    }

    fn groups(&self) -> [Group<'_>; 2] {
        let (python_doc, flat_doc) = (&self.python_doc[..], &self.flat_doc[..]);
        let bytes = python_doc.len() as u64;
        // The same, into a buffer already large enough: what the growth of a fresh Vec costs.
        let mut reserved = Vec::with_capacity(flat_doc.len() + 1024);
        [
            Group {
                name: "base64_decode",
                bytes,
                large: true,
                cases: vec![
                    (
                        "ours/python_doc",
                        plain(|| ours_value(black_box(python_doc))),
                    ),
                    ("ours/flat_doc", plain(|| ours_value(black_box(flat_doc)))),
                    (
                        "ours/typed_flat_doc",
                        plain(|| {
                            codec::decode_response::<Binary>(black_box(flat_doc))
                                .unwrap()
                                .unwrap()
                        }),
                    ),
                    (
                        "serde_xmlrpc/flat_doc",
                        plain(|| serde_xmlrpc_value(black_box(flat_doc))),
                    ),
                    ("dxr/python_doc", plain(|| dxr_value(black_box(python_doc)))),
                    (
                        "quick_xml/bare_scan_python_doc",
                        plain(|| bare_scan(black_box(python_doc))),
                    ),
                ],
            },
            Group {
                name: "base64_encode",
                bytes,
                large: true,
                cases: vec![
                    (
                        "ours/value",
                        plain(|| codec::response_to_vec(black_box(&self.value)).unwrap()),
                    ),
                    (
                        "ours/typed",
                        plain(|| codec::response_to_vec(black_box(&self.binary)).unwrap()),
                    ),
                    (
                        "ours/into_reserved_buf",
                        plain(move || {
                            reserved.clear();
                            codec::write_response(&mut reserved, black_box(&self.binary)).unwrap();
                            reserved.len()
                        }),
                    ),
                    (
                        "serde_xmlrpc/value",
                        batched(
                            || self.sx.clone(),
                            |v| serde_xmlrpc::response_to_string(std::iter::once(v)).unwrap(),
                        ),
                    ),
                    ("dxr/value", plain(|| black_box(&self.dx).to_xml().unwrap())),
                ],
            },
        ]
    }
}

// ----- running -------------------------------------------------------------------------------

fn run_criterion<'a>(c: &mut Criterion, groups: impl IntoIterator<Item = Group<'a>>) {
    for group in groups {
        let mut g = c.benchmark_group(group.name);
        g.throughput(Throughput::BytesDecimal(group.bytes));
        if group.large {
            // One iteration takes 0.1 to 1.5 s: ten of them per case.
            g.sample_size(10);
            g.sampling_mode(SamplingMode::Flat);
            g.measurement_time(Duration::from_secs(3));
            g.warm_up_time(Duration::from_millis(500));
        } else {
            g.measurement_time(Duration::from_secs(4));
            g.warm_up_time(Duration::from_secs(1));
        }
        for (name, mut case) in group.cases {
            g.bench_function(name, |b| b.iter_custom(&mut case));
        }
        g.finish();
    }
}

/// `XMLRPC_BENCH_COUNT=<group>[/<case>]`: runs the matching cases `XMLRPC_BENCH_ITERS` times
/// (default 10) without criterion, for counting instructions under callgrind.
fn run_counted(filter: &str) {
    let iters = std::env::var("XMLRPC_BENCH_ITERS").map_or(10, |n| n.parse().unwrap());
    let selected = |group: &str, case: &str| {
        let id = format!("{group}/{case}");
        id == filter || group == filter
    };
    let run = |groups: &mut [Group<'_>]| {
        for group in groups.iter_mut() {
            for (name, case) in &mut group.cases {
                if selected(group.name, name) {
                    let elapsed = case(iters);
                    eprintln!(
                        "{}/{name}: {iters} runs, {} bytes each, {elapsed:?}",
                        group.name, group.bytes
                    );
                }
            }
        }
    };
    if filter.starts_with("decode_structs")
        || filter.starts_with("encode_structs")
        || filter.starts_with("decode_add_call")
    {
        run(&mut Structs::new(false).groups());
    } else {
        run(&mut Base64::new(false).groups());
    }
}

fn main() {
    if let Ok(filter) = std::env::var("XMLRPC_BENCH_COUNT") {
        run_counted(&filter);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    run_criterion(&mut c, Structs::new(true).groups());
    run_criterion(&mut c, Base64::new(true).groups());
    c.final_summary();
}
