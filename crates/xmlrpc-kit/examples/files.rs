//! Files of any size as `<base64>`, in bounded memory: a handler that takes a `Blob`
//! receives a temporary file decoded while the body streams in, and a `Blob::from_file`
//! argument is encoded while the request streams out. Runs by itself:
//! `cargo run -p xmlrpc-kit --example files [SIZE_MIB]`.

use std::io::Write;
use xmlrpc_kit::http::Streaming;
use xmlrpc_kit::server::ServerConfig;
use xmlrpc_kit::{Blob, Client, Server};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: u64 = std::env::args().nth(1).map_or(Ok(64), |a| a.parse())?;
    let dir = tempfile::tempdir()?;

    let handle = Server::new()
        .config(ServerConfig::default().max_body_size(mib << 21))
        // The upload arrives as a file; `persist` moves it into place.
        .blocking_method(
            "store",
            |name: String, data: Blob| -> Result<u64, xmlrpc_kit::Fault> {
                let len = data.len();
                data.persist(std::env::temp_dir().join(format!("xmlrpc-kit-example-{name}")))?;
                Ok(len)
            },
        )
        .spawn("127.0.0.1:0")?;

    let source = dir.path().join("source.bin");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&source)?);
    let chunk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    for _ in 0..mib {
        file.write_all(&chunk)?;
    }
    file.flush()?;
    drop(file);

    let client = Client::builder(&handle.url())
        .timeout(None)
        .streaming(Streaming::default().spool_dir(dir.path()))
        .build()?;
    let stored: u64 = client.call("store", ("upload.bin", Blob::from_file(&source)?))?;
    println!("stored {stored} bytes");
    std::fs::remove_file(std::env::temp_dir().join("xmlrpc-kit-example-upload.bin"))?;
    Ok(())
}
