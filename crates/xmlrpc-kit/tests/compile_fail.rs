//! Handler mistakes refused at compile time, each with a message that says what a handler
//! may take and return: the cases are `tests/compile_fail/*.rs`, the messages expected of
//! the compiler beside them (`TRYBUILD=overwrite` writes them anew; read the diff).

#[cfg(feature = "server")]
#[test]
fn handler_mistakes_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}
