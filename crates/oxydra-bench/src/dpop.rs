//! RFC 9449 DPoP proofs for the `token-dpop` scenario. One P-256 key per target; every request
//! wrk sends carries its own proof (a unique random `jti`). The proofs of a run are signed just
//! before it (the benchmark never measures its own signing, and a server accepts a proof's `iat`
//! for about a minute only), as many as the expected rate × the run's duration ×
//! [`HEADROOM`], capped at [`CAP`]. Each wrk thread reads its own file of proofs, one per
//! line, so no two requests of a run share a `jti`; a thread that runs out starts its file
//! again, which the run then reports as reused proofs.

use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, anyhow};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::backend::check;
use crate::wrk::{Request, lua_string};

/// Proofs signed per expected request: the rate varies by ±10 % from run to run.
const HEADROOM: f64 = 1.5;
/// At most this many proofs per run (about 400 bytes each, on disk and in wrk's memory).
const CAP: usize = 2_000_000;
/// At least this many per run, so that every wrk thread has some.
const FLOOR: usize = 10_000;
/// The rate assumed before any token issuance was measured (the plain `token` scenario's
/// median, when it ran first, or an earlier DPoP run's rate replace it).
const FALLBACK_RATE: f64 = 40_000.0;
/// How old a proof may be when the server checks it (RFC 9449 leaves it to the server; the peer
/// and the planned Oxydra validation allow about a minute).
const PROOF_LIFETIME: Duration = Duration::from_secs(60);
/// What wrk prints after a run (from the Lua `done`), and [`reused`] reads.
const REUSED_LINE: &str = "DPoP proofs reused:";

/// Signs the DPoP proofs of one target: its key, the token endpoint's URL, the rate to size for.
pub struct Prover {
    key: EcdsaKeyPair,
    /// The protected header, base64url: `typ`, `alg` and the public key as `jwk`.
    header: String,
    /// The token endpoint as the server advertises it (`htu`).
    htu: String,
    /// Expected requests per second.
    rate: Mutex<Option<f64>>,
}

impl std::fmt::Debug for Prover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prover")
            .field("htu", &self.htu)
            .finish_non_exhaustive()
    }
}

impl Prover {
    /// A fresh P-256 key signing proofs for `htu` (any query or fragment dropped).
    pub fn new(htu: &str) -> anyhow::Result<Prover> {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| anyhow!("cannot generate a P-256 key"))?;
        // The uncompressed point: 0x04 || x || y, 32 bytes each.
        let point = key.public_key().as_ref();
        let (x, y) = match point {
            [4, xy @ ..] if xy.len() == 64 => xy.split_at(32),
            _ => return Err(anyhow!("unexpected P-256 public key encoding")),
        };
        let header = serde_json::json!({
            "typ": "dpop+jwt",
            "alg": "ES256",
            "jwk": {
                "kty": "EC",
                "crv": "P-256",
                "x": URL_SAFE_NO_PAD.encode(x),
                "y": URL_SAFE_NO_PAD.encode(y),
            },
        });
        let mut htu = url::Url::parse(htu).with_context(|| format!("htu {htu:?}"))?;
        htu.set_query(None);
        htu.set_fragment(None);
        Ok(Prover {
            key,
            header: URL_SAFE_NO_PAD.encode(header.to_string()),
            htu: htu.to_string(),
            rate: Mutex::new(None),
        })
    }

    /// Sizes the next runs for `per_second` requests per second.
    pub fn expect(&self, per_second: f64) {
        if per_second > 0.0
            && let Ok(mut rate) = self.rate.lock()
        {
            *rate = Some(per_second);
        }
    }

    /// After a run at `per_second`: the next runs are sized for at least that.
    pub fn observe(&self, per_second: f64) {
        if let Ok(mut rate) = self.rate.lock() {
            *rate = Some(rate.map_or(per_second, |r| r.max(per_second)));
        }
    }

    /// How many proofs a run of `duration` gets.
    pub fn count_for(&self, duration: Duration) -> usize {
        let rate = self.rate.lock().ok().and_then(|r| *r);
        proof_count(rate.unwrap_or(FALLBACK_RATE), duration)
    }

    /// One proof, `iat` = `iat_secs`.
    pub fn proof(&self, iat_secs: i64) -> anyhow::Result<String> {
        let mut jti = [0u8; 16];
        aws_lc_rs::rand::fill(&mut jti).map_err(|_| anyhow!("no randomness for a jti"))?;
        let claims = serde_json::json!({
            "jti": URL_SAFE_NO_PAD.encode(jti),
            "htm": "POST",
            "htu": self.htu,
            "iat": iat_secs,
        });
        let signing_input = format!(
            "{}.{}",
            self.header,
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| anyhow!("cannot sign a DPoP proof"))?;
        // The FIXED algorithm signs as JWS wants: r || s, 32 bytes each.
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }

    /// One proof issued now.
    pub fn proof_now(&self) -> anyhow::Result<String> {
        self.proof(now_secs())
    }

    /// `count` proofs issued now, signed on every core.
    pub fn build(&self, count: usize) -> anyhow::Result<Vec<String>> {
        let iat = now_secs();
        let workers = crate::cores().max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = slices(count, workers)
                .into_iter()
                .map(|range| scope.spawn(move || range.map(|_| self.proof(iat)).collect()))
                .collect();
            let mut proofs = Vec::with_capacity(count);
            for handle in handles {
                let part: anyhow::Result<Vec<String>> = handle
                    .join()
                    .map_err(|_| anyhow!("a DPoP signing thread panicked"))?;
                proofs.extend(part?);
            }
            Ok(proofs)
        })
    }

    /// Signs the proofs of a wrk run of `duration` with `threads` threads and writes one file
    /// per thread into `dir`; returns the files, in thread order.
    pub fn prepare(
        &self,
        duration: Duration,
        threads: u32,
        dir: &Path,
    ) -> anyhow::Result<Vec<PathBuf>> {
        if duration + Duration::from_secs(5) > PROOF_LIFETIME {
            eprintln!(
                "token-dpop: a {duration:?} run outlives its proofs' iat ({PROOF_LIFETIME:?}); a validating server will refuse the late ones"
            );
        }
        let proofs = self.build(self.count_for(duration))?;
        let mut files = Vec::new();
        for (i, range) in slices(proofs.len(), threads as usize)
            .into_iter()
            .enumerate()
        {
            let path = dir.join(format!("dpop-proofs-{i}.txt"));
            let file = std::fs::File::create(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            for proof in proofs.get(range).unwrap_or_default() {
                writeln!(out, "{proof}")?;
            }
            out.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
            files.push(path);
        }
        Ok(files)
    }
}

/// Proofs for `rate` requests/s over `duration`, with headroom, within [`FLOOR`]..=[`CAP`].
pub fn proof_count(rate: f64, duration: Duration) -> usize {
    let wanted = (rate.max(0.0) * duration.as_secs_f64() * HEADROOM).ceil();
    (wanted as usize).clamp(FLOOR, CAP)
}

/// `count` items cut into `parts` contiguous, disjoint ranges covering them all.
pub fn slices(count: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1);
    (0..parts)
        .map(|i| count * i / parts..count * (i + 1) / parts)
        .collect()
}

/// The Lua wrk runs after the request's own script: each thread loads the proof file handed
/// to it in `setup` and sends the next proof with every request; `done` prints how many were
/// sent twice.
pub fn lua_feeder(files: &[PathBuf]) -> String {
    let list: Vec<String> = files
        .iter()
        .map(|f| lua_string(&f.display().to_string()))
        .collect();
    format!(
        r#"-- DPoP: one proof per request, each wrk thread from its own file
local files = {{ {files} }}
local handed = 0
local threads = {{}}
function setup(thread)
  handed = handed + 1
  thread:set("proof_file", files[handed])
  table.insert(threads, thread)
end
local proofs, count, sent = {{}}, 0, 0
reused = 0
function init(args)
  for line in io.lines(proof_file) do
    count = count + 1
    proofs[count] = line
  end
end
function request()
  sent = sent + 1
  if sent > count then
    reused = reused + 1
  end
  wrk.headers["DPoP"] = proofs[(sent - 1) % count + 1]
  return wrk.format()
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("reused")
  end
  io.write("{REUSED_LINE} " .. total .. "\n")
end
"#,
        files = list.join(", ")
    )
}

/// The reused proofs wrk reported, from its output.
pub fn reused(wrk_output: &str) -> u64 {
    wrk_output
        .lines()
        .find_map(|l| l.trim().strip_prefix(REUSED_LINE))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// `token` (a form `POST` to the token endpoint) with a DPoP proof per request, for the token
/// endpoint `discovery` advertises.
pub async fn request(
    http: &reqwest::Client,
    token: &Request,
    discovery: &str,
) -> anyhow::Result<Request> {
    let text = check(
        http,
        &Request::Get {
            url: discovery.to_owned(),
        },
        None,
    )
    .await?;
    let document: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{discovery} is not JSON"))?;
    let htu = document
        .get("token_endpoint")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| anyhow!("{discovery} advertises no token_endpoint"))?;
    Ok(Request::Dpop {
        post: Box::new(token.clone()),
        prover: std::sync::Arc::new(Prover::new(htu)?),
    })
}

/// The `token_type` of a token response.
pub fn token_type(response: &str) -> String {
    serde_json::from_str::<serde_json::Value>(response)
        .ok()
        .and_then(|v| v.get("token_type")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "(none)".to_owned())
}

/// Unix seconds now.
fn now_secs() -> i64 {
    use oxydra_core::clock::Clock as _;
    oxydra_core::clock::SystemClock.now().unix_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(proof: &str) -> (serde_json::Value, serde_json::Value) {
        let mut parts = proof.split('.');
        let mut part = || -> serde_json::Value {
            let bytes = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
            serde_json::from_slice(&bytes).unwrap()
        };
        (part(), part())
    }

    #[test]
    fn a_proof_verifies_with_its_own_jwk() {
        let prover = Prover::new("http://127.0.0.1:4444/oauth2/token?x=1#f").unwrap();
        let proof = prover.proof(1_700_000_000).unwrap();
        let (header, claims) = decode(&proof);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        let jwk = &header["jwk"];
        assert_eq!((&jwk["kty"], &jwk["crv"]), (&"EC".into(), &"P-256".into()));
        assert_eq!(
            jwk.as_object().unwrap().len(),
            4,
            "public members only: {jwk}"
        );
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "http://127.0.0.1:4444/oauth2/token");
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims.as_object().unwrap().len(), 4, "{claims}");
        // Verified independently, by jsonwebtoken, with the key the proof carries.
        let key = jsonwebtoken::DecodingKey::from_ec_components(
            jwk["x"].as_str().unwrap(),
            jwk["y"].as_str().unwrap(),
        )
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let verified =
            jsonwebtoken::decode::<serde_json::Value>(&proof, &key, &validation).unwrap();
        assert_eq!(verified.claims, claims);
        // A raw r || s signature, as JWS requires (not DER).
        let signature = URL_SAFE_NO_PAD
            .decode(proof.rsplit('.').next().unwrap())
            .unwrap();
        assert_eq!(signature.len(), 64);
        // Another key does not verify it.
        let other = Prover::new("http://127.0.0.1:4444/oauth2/token").unwrap();
        let (other_header, _) = decode(&other.proof(1).unwrap());
        let wrong = jsonwebtoken::DecodingKey::from_ec_components(
            other_header["jwk"]["x"].as_str().unwrap(),
            other_header["jwk"]["y"].as_str().unwrap(),
        )
        .unwrap();
        assert!(jsonwebtoken::decode::<serde_json::Value>(&proof, &wrong, &validation).is_err());
    }

    #[test]
    fn every_built_proof_has_its_own_jti_and_a_current_iat() {
        let prover = Prover::new("http://127.0.0.1:1/oauth2/token").unwrap();
        let before = now_secs();
        let proofs = prover.build(2_001).unwrap();
        assert_eq!(proofs.len(), 2_001);
        let mut jtis = std::collections::HashSet::new();
        for proof in &proofs {
            let (_, claims) = decode(proof);
            let iat = claims["iat"].as_i64().unwrap();
            assert!((before..=before + 60).contains(&iat), "{iat}");
            assert!(jtis.insert(claims["jti"].as_str().unwrap().to_owned()));
        }
    }

    #[test]
    fn slices_are_disjoint_and_cover_everything() {
        for (count, parts) in [(10, 3), (2, 4), (0, 2), (1_000_001, 7), (5, 0)] {
            let ranges = slices(count, parts);
            assert_eq!(ranges.len(), parts.max(1));
            let mut next = 0;
            for range in ranges {
                assert_eq!(range.start, next, "{count}/{parts}");
                next = range.end;
            }
            assert_eq!(next, count);
        }
    }

    #[test]
    fn each_wrk_thread_gets_its_own_file_and_no_jti_twice() {
        let dir = tempfile::tempdir().unwrap();
        let prover = Prover::new("http://127.0.0.1:1/oauth2/token").unwrap();
        prover.expect(1.0);
        let files = prover
            .prepare(Duration::from_secs(1), 3, dir.path())
            .unwrap();
        assert_eq!(files.len(), 3);
        let mut jtis = std::collections::HashSet::new();
        let mut total = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for line in text.lines() {
                let (_, claims) = decode(line);
                assert!(jtis.insert(claims["jti"].as_str().unwrap().to_owned()));
                total += 1;
            }
        }
        assert_eq!(total, prover.count_for(Duration::from_secs(1)));
        let lua = lua_feeder(&files);
        assert!(lua.contains(&lua_string(&files[2].display().to_string())));
        assert!(lua.contains("thread:set(\"proof_file\", files[handed])"));
        assert!(lua.contains("wrk.headers[\"DPoP\"] = proofs[(sent - 1) % count + 1]"));
    }

    #[test]
    fn runs_are_sized_from_the_rate_within_bounds() {
        let ten = Duration::from_secs(10);
        assert_eq!(proof_count(30_000.0, ten), 450_000);
        assert_eq!(proof_count(1.0, ten), FLOOR);
        assert_eq!(proof_count(1e9, ten), CAP);
        let prover = Prover::new("http://127.0.0.1:1/t").unwrap();
        assert_eq!(prover.count_for(ten), proof_count(FALLBACK_RATE, ten));
        prover.expect(20_000.0);
        assert_eq!(prover.count_for(ten), 300_000);
        prover.observe(10_000.0);
        assert_eq!(prover.count_for(ten), 300_000);
        prover.observe(30_000.0);
        assert_eq!(prover.count_for(ten), 450_000);
    }

    #[test]
    fn reads_the_reused_count_and_the_token_type() {
        assert_eq!(reused("Requests/sec: 1.0\nDPoP proofs reused: 42\n"), 42);
        assert_eq!(reused("Requests/sec: 1.0\n"), 0);
        assert_eq!(token_type(r#"{"token_type":"DPoP"}"#), "DPoP");
        assert_eq!(token_type("nope"), "(none)");
    }
}
