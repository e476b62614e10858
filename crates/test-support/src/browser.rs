//! Headless Chromium driven through chromedriver by Python's selenium: a test's script runs
//! with `driver` ready (Debian's `chromium` and `chromium-driver`, `pip install selenium`),
//! and the browser is always quit, the whole run bounded by a deadline.

use std::process::Command;
use std::time::Duration;

/// How long one browser script may run.
const DEADLINE: Duration = Duration::from_secs(180);

/// The Python that starts the browser, runs the test's script (`SCRIPT`, with `driver`,
/// `By`, `WebDriverWait`, `args` and `phone(driver)` in scope) and quits the browser.
const PRELUDE: &str = r#"
import sys, tempfile, shutil
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

profile = tempfile.mkdtemp(prefix='xmlrpc-kit-chromium-')
options = Options()
options.binary_location = '/usr/bin/chromium'
for a in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
          '--no-first-run', '--disable-background-networking', '--disable-component-update',
          '--disable-sync', '--hide-scrollbars', '--window-size=1280,900',
          '--user-data-dir=' + profile]:
    options.add_argument(a)
driver = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)
driver.set_page_load_timeout(30)
driver.set_script_timeout(30)

def phone(driver, width=390, height=844):
    """Lays the page out as a phone of this size would (Chromium's window is wider)."""
    driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                           {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': True})

try:
    exec(compile(SCRIPT, 'browser-script', 'exec'),
         {'driver': driver, 'By': By, 'WebDriverWait': WebDriverWait, 'args': sys.argv[1:],
          'phone': phone})
finally:
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
"#;

/// Whether the browser can be driven here: Chromium, chromedriver and selenium present.
/// When not, the rule of [`peer::missing`](crate::peer::missing) applies: a failure on CI,
/// a noted skip elsewhere.
///
/// ```no_run
/// if !test_support::browser::available() {
///     return;
/// }
/// ```
pub fn available() -> bool {
    let mut probe = Command::new("sh");
    probe.args([
        "-c",
        "command -v chromium && command -v chromedriver && python3 -c 'import selenium.webdriver'",
    ]);
    crate::peer::available(
        "chromium, chromedriver and Python's selenium",
        "chromium chromium-driver, pip selenium",
        &mut probe,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a selenium script in headless Chromium and returns what it printed. The script
/// sees `driver` (a `webdriver.Chrome`), `By`, `WebDriverWait`, `args` (the strings given
/// here) and `phone(driver)` (phone-sized layout). Panics with its output when it fails or
/// overruns the deadline.
///
/// ```no_run
/// let out = test_support::browser::run(
///     "driver.get(args[0]); print(driver.title)",
///     &["http://127.0.0.1:8000/RPC2"],
/// );
/// assert!(!out.is_empty());
/// ```
pub fn run(script: &str, args: &[&str]) -> String {
    let program = format!("SCRIPT = {}\n{PRELUDE}", python_string(script));
    let mut command = Command::new("python3");
    command.arg("-c").arg(program).args(args);
    let out = crate::process::run(command, DEADLINE).unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the browser script failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A Python string literal holding `text`.
fn python_string(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn scripts_are_passed_as_python_literals() {
        assert_eq!(super::python_string("a'b\\\nc"), "'a\\'b\\\\\\nc'");
    }
}
