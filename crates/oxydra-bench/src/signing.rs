//! `--signing`: what one JWT signature costs per algorithm and key size, in process — the part
//! of an `openid` token request (ID token), a JWT access token or a signed userinfo answer that
//! opaque tokens do not pay. Claims are a typical ID token's; each algorithm signs for a fixed
//! time after a warm-up, on one thread.

use std::time::{Duration, Instant};

use oxydra_core::jwk::{GenerateOptions, JwkAlgorithm, KeyPair, generate_with, sign_compact};
use serde_json::{Map, Value, json};

/// The keys measured: `(label, algorithm, RSA bits)`.
const CASES: &[(&str, JwkAlgorithm, usize)] = &[
    ("RS256 / RSA 4096 (default)", JwkAlgorithm::Rs256, 4096),
    ("RS256 / RSA 2048", JwkAlgorithm::Rs256, 2048),
    ("ES256 / P-256", JwkAlgorithm::Es256, 0),
    ("EdDSA / Ed25519", JwkAlgorithm::EdDsa, 0),
];

/// Prints µs per signature and signatures per second for each case.
pub fn run(duration: Duration) -> anyhow::Result<()> {
    let claims: Map<String, Value> = serde_json::from_value(json!({
        "iss": "https://auth.example.com/", "sub": "alice", "aud": ["app"],
        "iat": 1_700_000_000, "exp": 1_700_003_600, "auth_time": 1_700_000_000,
        "rat": 1_700_000_000, "jti": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "nonce": "n-0S6_WzA2Mj", "at_hash": "77QmUPtjPfzWtF2AnpK9RQ", "email": "alice@example.com",
    }))?;
    println!("signing cost, one thread, {}s per case", duration.as_secs());
    println!(
        "{:<28} {:>14} {:>14}",
        "key", "µs/signature", "signatures/s"
    );
    for (label, alg, bits) in CASES {
        let options = GenerateOptions {
            rsa_bits: (*bits).max(2048),
        };
        let private = generate_with(*alg, "bench", "sig", options)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .remove(0);
        let key = KeyPair::from_jwk(&private).map_err(|e| anyhow::anyhow!("{e}"))?;
        let sign = || sign_compact(&key, "public:bench", "JWT", &claims);
        for _ in 0..20 {
            sign().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let start = Instant::now();
        let mut count: u64 = 0;
        while start.elapsed() < duration {
            sign().map_err(|e| anyhow::anyhow!("{e}"))?;
            count += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{label:<28} {:>14.1} {:>14.0}",
            secs * 1e6 / count as f64,
            count as f64 / secs
        );
    }
    Ok(())
}
