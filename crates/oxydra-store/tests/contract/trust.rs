//! `TrustStore`: the JWT-bearer grant's trust relationships — round trip, the unique
//! issuer/subject/kid, keyset listing with the issuer filter, the lookup by issuer and subject
//! (own or any), deletion; and the flush of expired `jti` records.

use oxydra_core::model::Now;
use oxydra_core::oauth2::jwt_bearer::TrustedIssuer;
use oxydra_core::store::{StoreError, TokenStore, TrustStore};
use oxydra_core::token::FlushCriteria;
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;
use serde_json::json;

use crate::cid;
use crate::token_maintenance::{claim, jti_rows};

fn trust(id: &str, issuer: &str, subject: &str, kid: &str) -> TrustedIssuer {
    TrustedIssuer {
        id: id.into(),
        issuer: issuer.into(),
        subject: subject.into(),
        allow_any_subject: subject.is_empty(),
        scope: vec!["read".into(), "write".into()],
        key_id: kid.into(),
        public_key: json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": "eA", "y": "eQ"}),
        created_at: Now::from_unix_micros(1_700_000_000_123_456),
        expires_at: Now::from_unix_secs(1_900_000_000),
    }
}

fn ids(trusts: &[TrustedIssuer]) -> Vec<&str> {
    trusts.iter().map(|t| t.id.as_str()).collect()
}

store_test! {
    async fn trusts_round_trip_conflict_list_and_delete(store: SqlStore) {
        let a = trust("a", "https://idp", "alice", "k1");
        store.create_trust(&a).await.unwrap();
        assert_eq!(store.get_trust("a").await.unwrap(), Some(a.clone()));
        assert_eq!(store.get_trust("zz").await.unwrap(), None);
        let dup = trust("a2", "https://idp", "alice", "k1");
        assert!(matches!(store.create_trust(&dup).await, Err(StoreError::Conflict { .. })));
        for t in [
            trust("b", "https://idp", "bob", "k1"),
            trust("c", "https://idp", "", "k2"),
            trust("d", "https://other", "alice", "k1"),
        ] {
            store.create_trust(&t).await.unwrap();
        }
        assert_eq!(ids(&store.list_trusts("", "", 10).await.unwrap()), ["a", "b", "c", "d"]);
        assert_eq!(ids(&store.list_trusts("", "b", 10).await.unwrap()), ["c", "d"]);
        assert_eq!(ids(&store.list_trusts("https://idp", "", 2).await.unwrap()), ["a", "b"]);
        assert_eq!(ids(&store.list_trusts("https://other", "", 10).await.unwrap()), ["d"]);

        // An issuer's trusts for a subject: its own and the any-subject ones.
        assert_eq!(ids(&store.trusts_for("https://idp", "alice").await.unwrap()), ["a", "c"]);
        assert_eq!(ids(&store.trusts_for("https://idp", "zed").await.unwrap()), ["c"]);
        assert!(store.trusts_for("https://nobody", "alice").await.unwrap().is_empty());

        assert!(store.delete_trust("a").await.unwrap());
        assert!(!store.delete_trust("a").await.unwrap());
        assert_eq!(ids(&store.trusts_for("https://idp", "alice").await.unwrap()), ["c"]);
    }

    async fn the_flush_deletes_expired_jti_records_in_batches(store: SqlStore) {
        let c = cid("c1");
        for (jti, exp) in [("old-1", 100), ("old-2", 200), ("old-3", 300), ("live", 5000)] {
            assert!(claim(&store, &c, jti, exp, 50).await);
        }
        let criteria = |batch| FlushCriteria {
            issued_before: Now::from_unix_secs(0),
            expired_before: Now::from_unix_secs(1000),
            batch_size: batch,
        };
        assert_eq!(store.flush_jtis(criteria(2)).await.unwrap(), 2);
        assert_eq!(store.flush_jtis(criteria(2)).await.unwrap(), 1);
        assert_eq!(store.flush_jtis(criteria(2)).await.unwrap(), 0);
        assert_eq!(jti_rows(&store).await, 1);
        // The live record still refuses a replay.
        assert!(!claim(&store, &c, "live", 5000, 1000).await);
    }
}
