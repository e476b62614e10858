//! Test data: pseudo-random bytes (xorshift, so a seed gives the same bytes every run) and
//! SHA-256 digests computed here, not by the code under test.

use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// An endless stream of pseudo-random bytes from `seed`.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        // Any state but zero; spread small seeds over the bits.
        XorShift((seed ^ 0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let x = &mut self.0;
            *x ^= *x << 13;
            *x ^= *x >> 7;
            *x ^= *x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
    }
}

/// `len` pseudo-random bytes from `seed`.
///
/// ```
/// use test_support::data::random_bytes;
/// assert_eq!(random_bytes(1000, 7), random_bytes(1000, 7));
/// assert_ne!(random_bytes(1000, 7), random_bytes(1000, 8));
/// ```
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = vec![0; len];
    XorShift::new(seed).fill(&mut bytes);
    bytes
}

/// Writes `len` pseudo-random bytes from `seed` to `path`, 64 KiB at a time (a file of
/// hundreds of MB costs no memory), and returns their SHA-256 in hex.
///
/// ```
/// use test_support::data::{random_bytes, sha256_hex, write_random_file};
/// let dir = test_support::temp_dir("data-doc");
/// let path = dir.path().join("f");
/// let digest = write_random_file(&path, 100_001, 3);
/// assert_eq!(std::fs::read(&path).unwrap(), random_bytes(100_001, 3));
/// assert_eq!(sha256_hex(std::fs::File::open(&path).unwrap()), digest);
/// ```
pub fn write_random_file(path: &Path, len: u64, seed: u64) -> String {
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    );
    let mut hasher = Sha256::new();
    let mut source = XorShift::new(seed);
    let mut chunk = vec![0u8; 64 << 10];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left).map_or(chunk.len(), |l| l.min(chunk.len()));
        source.fill(&mut chunk[..n]);
        file.write_all(&chunk[..n]).expect("write the test file");
        hasher.update(&chunk[..n]);
        left -= n as u64;
    }
    file.flush().expect("write the test file");
    hex(&hasher.finalize())
}

/// The SHA-256 of everything `input` gives, in hex.
///
/// ```
/// assert_eq!(
///     test_support::data::sha256_hex(&b"abc"[..]),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(mut input: impl Read) -> String {
    let mut hasher = Sha256::new();
    std::io::copy(&mut input, &mut hasher).expect("read what is hashed");
    hex(&hasher.finalize())
}

/// The SHA-256 of the file at `path`, in hex.
///
/// ```
/// let dir = test_support::temp_dir("sha-doc");
/// let path = dir.path().join("f");
/// std::fs::write(&path, b"abc").unwrap();
/// assert_eq!(test_support::data::sha256_file(&path), test_support::data::sha256_hex(&b"abc"[..]));
/// ```
pub fn sha256_file(path: &Path) -> String {
    sha256_hex(std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
