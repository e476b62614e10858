//! Reply documents that bend XML-RPC the ways real peers do (Perl's string fault codes,
//! Apache's `ex:biginteger`, old rTorrent's bare faults, `<params/>`, ...), one per
//! deviation, for the tests of lenient reading, strict mode and `xrpc call -v`.

use std::path::Path;

/// Apache XML-RPC's extensions namespace, declared where `ex:` is used.
const EX: &str = "http://ws.apache.org/xmlrpc/namespaces/extensions";

/// One deviant reply: the method name it answers (for [`crate::peer::PeerServer::documents`]),
/// the deviation kind's name as `DeviationKind::name` spells it, and the document.
#[derive(Debug, Clone)]
pub struct Deviant {
    /// The method whose reply this is.
    pub method: &'static str,
    /// The deviation it shows, as `xrpc call -v` names it.
    pub kind: &'static str,
    /// The whole `<methodResponse>`.
    pub xml: String,
}

fn response(value: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<methodResponse><params><param><value>{value}</value></param></params></methodResponse>\n"
    )
}

fn fault(code: &str, bare: bool) -> String {
    let members = format!(
        "<struct><member><name>faultCode</name><value>{code}</value></member>\
         <member><name>faultString</name><value><string>as the peer says</string></value></member></struct>"
    );
    let inner = if bare {
        members
    } else {
        format!("<value>{members}</value>")
    };
    format!("<?xml version=\"1.0\"?>\n<methodResponse><fault>{inner}</fault></methodResponse>\n")
}

/// Every deviant reply, one per deviation.
///
/// ```
/// let all = test_support::deviant::all();
/// assert!(all.iter().any(|d| d.kind == "string-fault-code"));
/// ```
pub fn all() -> Vec<Deviant> {
    let d = |method, kind, xml: String| Deviant { method, kind, xml };
    vec![
        // XMLRPC::Lite, Odoo, LiveJournal.
        d("string_fault", "string-fault-code", fault("<string>Client</string>", false)),
        // Old rTorrent builds: the fault's struct without <value> around it.
        d("bare_fault", "bare-fault", fault("<i4>-501</i4>", true)),
        // Apache XML-RPC with extensions on.
        d(
            "biginteger",
            "biginteger",
            response(&format!(
                "<ex:biginteger xmlns:ex=\"{EX}\">123456789012345678901234567890</ex:biginteger>"
            )),
        ),
        d(
            "bigdecimal",
            "bigdecimal",
            response(&format!(
                "<ex:bigdecimal xmlns:ex=\"{EX}\">3.14159265358979323846264338327950288</ex:bigdecimal>"
            )),
        ),
        d("float", "float", response(&format!("<ex:float xmlns:ex=\"{EX}\">1.5</ex:float>"))),
        d("short_int", "short-int", response("<i2>-12</i2>")),
        // "No result": a response with no <param>.
        d(
            "no_result",
            "no-result",
            "<?xml version=\"1.0\"?>\n<methodResponse><params/></methodResponse>\n".into(),
        ),
        d("word_boolean", "word-boolean", response("<boolean>true</boolean>")),
        d(
            "value_first",
            "value-before-name",
            response("<struct><member><value><int>1</int></value><name>a</name></member></struct>"),
        ),
    ]
}

/// Writes each deviant reply to `dir/METHOD.xml`, for [`crate::peer::PeerServer::documents`].
///
/// ```no_run
/// let dir = test_support::temp_dir("deviant-doc");
/// test_support::deviant::write_all(dir.path());
/// assert!(dir.path().join("bare_fault.xml").exists());
/// ```
pub fn write_all(dir: &Path) {
    for deviant in all() {
        std::fs::write(dir.join(format!("{}.xml", deviant.method)), deviant.xml)
            .expect("a deviant document");
    }
}
