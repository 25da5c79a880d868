//! `FlowStore::flush_flows`: only finished flows go, remembered consents and live grants stay,
//! a batch at a time.

use std::time::Duration;

use oxydra_core::flow::{ConsentOutcome, LoginOutcome, Rejection};
use oxydra_core::model::Now;
use oxydra_core::store::{FlowStore, TokenStore};
use oxydra_core::token::{FlushCriteria, TokenKind};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::flows::{consent, consent_accepted, has_consent, has_login, login, login_accepted};
use crate::tokens::{seed_client, token};

/// The login + consent round trip (15 minutes).
const ROUND_TRIP: Duration = Duration::from_secs(900);

/// Flows requested before `issued_before` seconds whose round trip was over at 10 000 s
/// (requested before 9 100 s), `batch` at a time.
fn criteria(issued_before: i64, batch: u32) -> FlushCriteria {
    FlushCriteria {
        issued_before: Now::from_unix_secs(issued_before),
        expired_before: Now::from_unix_secs(10_000),
        batch_size: batch,
    }
}

/// Stores a login request made at `requested` seconds, answered with `outcome`.
async fn seed_login(
    store: &SqlStore,
    challenge: &str,
    requested: i64,
    outcome: Option<LoginOutcome>,
) {
    let mut l = login(challenge);
    l.requested_at = Now::from_unix_secs(requested);
    l.outcome = outcome;
    store.create_login_request(&l).await.unwrap();
}

/// Stores a consent request made at `requested` seconds, answered with `outcome`.
async fn seed_consent(
    store: &SqlStore,
    challenge: &str,
    requested: i64,
    outcome: Option<ConsentOutcome>,
) {
    let mut c = consent(challenge);
    c.requested_at = Now::from_unix_secs(requested);
    c.handled_at = outcome.as_ref().map(|_| Now::from_unix_secs(requested + 1));
    c.outcome = outcome;
    store.create_consent_request(&c).await.unwrap();
}

store_test! {
    async fn flush_deletes_only_finished_flows(store: SqlStore) {
        seed_client(&store, "c1").await;
        let rejected = || Some(ConsentOutcome::Rejected(Rejection::default()));
        seed_login(&store, "l-old", 5000, None).await;
        seed_login(&store, "l-answered", 5000, Some(login_accepted())).await;
        seed_login(&store, "l-in-flight", 9200, None).await;
        seed_login(&store, "l-not-before", 8000, None).await;
        seed_consent(&store, "k-pending", 5000, None).await;
        seed_consent(&store, "k-rejected", 5000, rejected()).await;
        seed_consent(&store, "k-once", 5000, Some(consent_accepted(false, 0))).await;
        seed_consent(&store, "k-once-granted", 5000, Some(consent_accepted(false, 0))).await;
        seed_consent(&store, "k-forever", 5000, Some(consent_accepted(true, 0))).await;
        seed_consent(&store, "k-until", 5000, Some(consent_accepted(true, 5000))).await;
        seed_consent(&store, "k-expired", 5000, Some(consent_accepted(true, 4999))).await;
        seed_consent(&store, "k-expired-granted", 5000, Some(consent_accepted(true, 4999))).await;
        seed_consent(&store, "k-in-flight", 9200, None).await;
        let mut skipped = consent("k-skipped");
        skipped.skip = true;
        skipped.requested_at = Now::from_unix_secs(5000);
        skipped.outcome = Some(consent_accepted(true, 0));
        store.create_consent_request(&skipped).await.unwrap();
        // Grants whose tokens live on keep their consent: revocation finds tokens through it.
        store
            .insert_tokens(&[
                token("rt", TokenKind::RefreshToken, "k-once-granted"),
                token("code", TokenKind::AuthorizeCode, "k-expired-granted"),
            ])
            .await
            .unwrap();

        assert_eq!(store.flush_flows(criteria(6000, 100), ROUND_TRIP).await.unwrap(), 7);
        for gone in ["l-old", "l-answered"] {
            assert!(!has_login(&store, gone).await, "{gone}");
        }
        for kept in ["l-in-flight", "l-not-before"] {
            assert!(has_login(&store, kept).await, "{kept}");
        }
        for gone in ["k-pending", "k-rejected", "k-once", "k-expired", "k-skipped"] {
            assert!(!has_consent(&store, gone).await, "{gone}");
        }
        for kept in ["k-once-granted", "k-forever", "k-until", "k-expired-granted", "k-in-flight"] {
            assert!(has_consent(&store, kept).await, "{kept}");
        }
        // A later cutoff reaches the younger finished login; the round trip still protects the
        // flows in flight.
        assert_eq!(store.flush_flows(criteria(9500, 100), ROUND_TRIP).await.unwrap(), 1);
        assert!(!has_login(&store, "l-not-before").await);
        assert!(has_login(&store, "l-in-flight").await);
        assert!(has_consent(&store, "k-in-flight").await);
        assert_eq!(store.flush_flows(criteria(9500, 100), ROUND_TRIP).await.unwrap(), 0);
        // Without the round trip's protection, the flows in flight are finished too.
        assert_eq!(store.flush_flows(criteria(9500, 100), Duration::ZERO).await.unwrap(), 2);
        // Far in the future, every remembered consent has expired but those with tokens.
        let future = FlushCriteria {
            issued_before: Now::from_unix_micros(i64::MAX),
            expired_before: Now::from_unix_micros(i64::MAX),
            batch_size: u32::MAX,
        };
        assert_eq!(store.flush_flows(future, ROUND_TRIP).await.unwrap(), 1);
        assert!(!has_consent(&store, "k-until").await);
        assert!(has_consent(&store, "k-forever").await);
    }

    async fn flush_respects_the_batch_size_across_both_tables(store: SqlStore) {
        seed_client(&store, "c1").await;
        for i in 0..3 {
            seed_login(&store, &format!("l{i}"), 5000 + i, None).await;
            seed_consent(&store, &format!("k{i}"), 5000 + i, None).await;
        }
        seed_consent(&store, "keep", 5000, Some(consent_accepted(true, 0))).await;
        assert_eq!(store.flush_flows(criteria(9000, 0), ROUND_TRIP).await.unwrap(), 0);
        // Login requests first, then consents with what is left of the batch.
        assert_eq!(store.flush_flows(criteria(9000, 4), ROUND_TRIP).await.unwrap(), 4);
        for i in 0..3 {
            assert!(!has_login(&store, &format!("l{i}")).await);
        }
        assert_eq!(store.flush_flows(criteria(9000, 4), ROUND_TRIP).await.unwrap(), 2);
        assert_eq!(store.flush_flows(criteria(9000, 4), ROUND_TRIP).await.unwrap(), 0);
        assert!(has_consent(&store, "keep").await);
    }
}
