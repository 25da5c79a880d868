//! Generators of hostile input for the fuzz run: a small deterministic PRNG (so a failing case
//! is reproduced by its seed) and the shapes attackers send: nasty strings, invalid UTF-8,
//! deep JSON, garbage Basic headers, forged JWT assertions, regex-heavy policy templates.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// xorshift64*: tiny, deterministic, good enough to pick shapes.
pub struct Rng(u64);

impl Rng {
    /// A generator for case `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Fewer than `max` random bytes.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Strings that have broken parsers before.
const NASTY: &[&str] = &[
    "",
    " ",
    "%",
    "%ZZ",
    "%00",
    "\0",
    "\u{feff}",
    "🦀",
    "null",
    "[]",
    "{}",
    "<",
    ">",
    "<.*",
    "<(a+)+$>",
    "<[>",
    "<<<<>>>>",
    "a<b>c<d>",
    "../../etc/passwd",
    "=&=&==",
    "+",
    "\r\n",
    "javascript:alert(1)",
    "http://",
    "https://example.com/cb#frag",
    "openid offline",
    "-1",
    "99999999999999999999999",
    "1e309",
    "true",
    "S256",
    "plain",
    "code id_token token",
    "none",
    "login consent select_account",
];

/// A hostile string: nasty, random printable, random Unicode, or long.
pub fn string(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 | 1 => (*rng.pick(NASTY)).to_owned(),
        2 => {
            let n = rng.below(40);
            (0..n)
                .map(|_| char::from(b' ' + (rng.next() % 95) as u8))
                .collect()
        }
        3 => {
            let n = rng.below(12);
            (0..n)
                .filter_map(|_| char::from_u32((rng.next() % 0x11_0000) as u32))
                .collect()
        }
        4 => "a".repeat(rng.below(4_000)),
        _ => format!("{}{}", rng.pick(NASTY), rng.pick(NASTY)),
    }
}

/// A JSON value of at most `depth` levels, with hostile leaves.
pub fn json_value(rng: &mut Rng, depth: usize) -> Value {
    match (depth, rng.below(8)) {
        (0, _) | (_, 0..=2) => match rng.below(5) {
            0 => Value::Null,
            1 => json!(rng.next().is_multiple_of(2)),
            2 => json!(rng.next() as i64),
            3 => json!(f64::from(rng.next() as u32) / 7.0),
            _ => json!(string(rng)),
        },
        (_, 3..=4) => Value::Array(
            (0..rng.below(4))
                .map(|_| json_value(rng, depth - 1))
                .collect(),
        ),
        _ => {
            let mut map = serde_json::Map::new();
            for _ in 0..rng.below(5) {
                let key = if rng.below(2) == 0 {
                    (*rng.pick(FIELDS)).to_owned()
                } else {
                    string(rng)
                };
                map.insert(key, json_value(rng, depth - 1));
            }
            Value::Object(map)
        }
    }
}

/// Field names the API reads, so fuzzed bodies reach past "unknown field" checks.
pub const FIELDS: &[&str] = &[
    "client_id",
    "client_secret",
    "redirect_uris",
    "grant_types",
    "response_types",
    "scope",
    "audience",
    "token_endpoint_auth_method",
    "jwks",
    "jwks_uri",
    "subject",
    "remember",
    "remember_for",
    "acr",
    "grant_scope",
    "grant_access_token_audience",
    "session",
    "error",
    "error_description",
    "keys",
    "kid",
    "alg",
    "use",
    "kty",
    "n",
    "e",
    "crv",
    "x",
    "y",
    "d",
    "id",
    "subjects",
    "resources",
    "actions",
    "effect",
    "conditions",
    "description",
    "post_logout_redirect_uris",
    "subject_type",
    "sector_identifier_uri",
    "notBefore",
];

/// Form and query parameter names of the OAuth 2.0 endpoints.
pub const PARAMS: &[&str] = &[
    "grant_type",
    "code",
    "refresh_token",
    "redirect_uri",
    "client_id",
    "client_secret",
    "scope",
    "audience",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "client_assertion_type",
    "client_assertion",
    "assertion",
    "token",
    "token_type_hint",
    "response_type",
    "response_mode",
    "state",
    "nonce",
    "prompt",
    "max_age",
    "id_token_hint",
    "login_hint",
    "acr_values",
    "ui_locales",
    "request",
    "request_uri",
    "registration",
    "login_challenge",
    "consent_challenge",
    "login_verifier",
    "consent_verifier",
];

/// Deeply nested JSON (arrays or objects), `depth` levels.
pub fn deep_json(rng: &mut Rng, depth: usize) -> Vec<u8> {
    if rng.below(2) == 0 {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()
    } else {
        let mut text = String::new();
        for _ in 0..depth {
            text.push_str("{\"a\":");
        }
        text.push('1');
        text.push_str(&"}".repeat(depth));
        text.into_bytes()
    }
}

/// `a=b&c=d` pairs with hostile names and values, percent-encoded or (sometimes) raw.
pub fn form(rng: &mut Rng) -> Vec<u8> {
    let mut pairs = Vec::new();
    for _ in 0..rng.below(8) {
        let name = if rng.below(4) == 0 {
            string(rng)
        } else {
            (*rng.pick(PARAMS)).to_owned()
        };
        let value = match rng.below(5) {
            0 => jwt(rng),
            _ => string(rng),
        };
        pairs.push((name, value));
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish()
        .into_bytes();
    match rng.below(6) {
        0 => rng.bytes(200),
        1 => {
            let mut raw = encoded;
            raw.extend_from_slice(b"&%ff%fe=%c3%28&x=%");
            raw
        }
        _ => encoded,
    }
}

/// An `Authorization` header value: Basic with garbage, Basic with valid base64 of
/// hostile pairs, Bearer garbage, or nonsense.
pub fn authorization(rng: &mut Rng) -> Vec<u8> {
    match rng.below(6) {
        0 => format!("Basic {}", STANDARD.encode(rng.bytes(64))).into_bytes(),
        1 => format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", string(rng), string(rng)))
        )
        .into_bytes(),
        2 => b"Basic !!!not-base64!!!".to_vec(),
        3 => format!("Bearer {}", jwt(rng)).into_bytes(),
        4 => b"Basic".to_vec(),
        _ => {
            let mut v = b"Basic ".to_vec();
            v.extend(
                rng.bytes(40)
                    .into_iter()
                    .filter(|b| *b >= b' ' && *b != 127),
            );
            v
        }
    }
}

/// A JWT-shaped string (client assertions, id_token_hint, request objects): hostile
/// headers and claims, random signatures, sometimes the wrong number of parts.
pub fn jwt(rng: &mut Rng) -> String {
    let alg = *rng.pick(&[
        "none", "HS256", "RS256", "ES256", "ES512", "EdDSA", "PS256", "xx", "",
    ]);
    let header = json!({"alg": alg, "kid": string(rng), "typ": "JWT", "crit": json_value(rng, 1)});
    let claims = json!({
        "iss": string(rng), "sub": string(rng), "aud": json_value(rng, 1),
        "exp": json_value(rng, 0), "iat": json_value(rng, 0), "jti": string(rng),
    });
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let sig = URL_SAFE_NO_PAD.encode(rng.bytes(300));
    match rng.below(5) {
        0 => format!("{}.{}", part(&header), part(&claims)),
        1 => format!("{}.{}.{}.{}", part(&header), part(&claims), sig, sig),
        2 => format!("{}.!!.{}", part(&header), sig),
        _ => format!("{}.{}.{}", part(&header), part(&claims), sig),
    }
}

/// A policy body whose subjects, resources and actions are regex-heavy templates.
pub fn policy(rng: &mut Rng) -> Value {
    let (ns, nr, na) = (rng.below(4), rng.below(4), rng.below(4));
    let mut template = || match rng.below(4) {
        0 => format!("rn:hydra:<{}>", string(rng)),
        1 => format!("<{}>:<{}>", rng.pick(NASTY), rng.pick(NASTY)),
        2 => format!("<(a|a?)+{}>", "a".repeat(rng.below(64))),
        _ => string(rng),
    };
    let list = |t: &mut dyn FnMut() -> String, n: usize| (0..n).map(|_| t()).collect::<Vec<_>>();
    let subjects = list(&mut template, ns);
    let resources = list(&mut template, nr);
    let actions = list(&mut template, na);
    json!({
        "id": string(rng), "description": string(rng),
        "subjects": subjects, "resources": resources, "actions": actions,
        "effect": rng.pick(&["allow", "deny", "", "maybe"]), "conditions": json_value(rng, 3),
    })
}

/// A path segment, percent-encoded so the URI stays valid.
pub fn segment(rng: &mut Rng) -> String {
    let raw = match rng.below(3) {
        0 => (*rng.pick(&["", "x", "hydra.openid.id-token", "..", "%2F"])).to_owned(),
        _ => string(rng),
    };
    url::form_urlencoded::byte_serialize(raw.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
