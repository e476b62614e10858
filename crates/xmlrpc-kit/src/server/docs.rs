//! The documentation page served on GET, as Python's `DocXMLRPCServer` does: every method
//! with its signatures and help, all text escaped so a help string can never inject markup.

use crate::dispatch::MethodDoc;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The whole page.
pub(crate) fn render(title: &str, methods: &[MethodDoc]) -> String {
    let mut page = String::with_capacity(4096);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
    escape_html(title, &mut page);
    page.push_str(
        "</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}\
         h2{font-family:monospace;font-size:1.1em;margin-bottom:.2em}\
         .sig{font-family:monospace;color:#555}pre{white-space:pre-wrap;margin-top:.3em}</style>\n\
         </head><body>\n<h1>",
    );
    escape_html(title, &mut page);
    page.push_str("</h1>\n<p>This server speaks XML-RPC: POST a <code>methodCall</code> here. ");
    let _ = write!(
        page,
        "It offers {} methods.</p>\n<ul id=\"index\">\n",
        methods.len()
    );
    for m in methods {
        page.push_str("<li><a href=\"#");
        escape_html(&m.name, &mut page);
        page.push_str("\">");
        escape_html(&m.name, &mut page);
        page.push_str("</a></li>\n");
    }
    page.push_str("</ul>\n");
    for m in methods {
        page.push_str("<section class=\"method\" id=\"");
        escape_html(&m.name, &mut page);
        page.push_str("\">\n<h2>");
        escape_html(&m.name, &mut page);
        page.push_str("</h2>\n");
        for signature in &m.signatures {
            if let Some((result, params)) = signature.split_first() {
                page.push_str("<div class=\"sig\">");
                escape_html(&m.name, &mut page);
                page.push('(');
                escape_html(&params.join(", "), &mut page);
                page.push_str(") → ");
                escape_html(result, &mut page);
                page.push_str("</div>\n");
            }
        }
        page.push_str("<pre class=\"help\">");
        escape_html(&m.help, &mut page);
        page.push_str("</pre>\n</section>\n");
    }
    page.push_str("</body></html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_text_cannot_inject_markup() {
        let methods = [MethodDoc {
            name: "x<y".into(),
            help: "<script>alert('x')</script> & more".into(),
            signatures: vec![vec!["int".into(), "string".into()]],
        }];
        let page = render("T", &methods);
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(page.contains("x&lt;y(string) → int"));
    }
}
