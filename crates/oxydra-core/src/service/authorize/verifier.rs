//! §3.2 steps 5.1 and 8.1: the browser is back with a login or consent verifier. Everything
//! that decides whether *this* browser may finish *this* request is checked before the
//! verifier is redeemed, so someone who merely learns a verifier cannot burn it and break the
//! victim's flow (as the 0.10 flow does, `legacy.rs`). Redemption is then the first statement
//! of the step's one transaction (a conditional update), so of two concurrent returns exactly
//! one wins, and a failing step leaves the verifier unused.

use subtle::ConstantTimeEq;

use crate::flow::{ConsentRequest, FlowId, LoginRequest, VerifierUse};
use crate::model::{ClientId, Now};
use crate::store::{ClientStore, FlowStore, KeyStore, StoreError, TokenStore};
use crate::{OAuthError, OAuthErrorKind};

use super::{BrowserCookies, ErrorWithCookies, Flow, fail, store_fail};

/// What the return checks on a login or consent request found by its verifier.
pub(super) struct Pending<'r> {
    client_id: &'r ClientId,
    requested_at: Now,
    csrf: &'r FlowId,
    request_url: &'r str,
    answered: bool,
    used: bool,
}

/// A login or consent request: how it is found, redeemed and checked.
pub(super) trait Redeemable: Sized + Send {
    /// For store errors.
    const WHAT: &'static str;

    /// Looks the request up by its verifier, without redeeming it.
    fn find<S: FlowStore>(
        store: &S,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<Option<Self>, StoreError>> + Send;

    /// The CSRF cookie of this kind of request.
    fn cookie(browser: &BrowserCookies) -> Option<&str>;

    /// What the return checks.
    fn pending(&self) -> Pending<'_>;
}

/// The fields [`Pending`] copies, the same on both request kinds.
macro_rules! pending {
    ($r:expr) => {
        Pending {
            client_id: &$r.client_id,
            requested_at: $r.requested_at,
            csrf: &$r.csrf,
            request_url: &$r.request_url,
            answered: $r.outcome.is_some(),
            used: $r.verifier_used,
        }
    };
}

impl Redeemable for LoginRequest {
    const WHAT: &'static str = "login request";

    fn find<S: FlowStore>(
        store: &S,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<Option<Self>, StoreError>> + Send {
        store.get_login_request_by_verifier(verifier)
    }

    fn cookie(browser: &BrowserCookies) -> Option<&str> {
        browser.login_csrf.as_deref()
    }

    fn pending(&self) -> Pending<'_> {
        pending!(self)
    }
}

impl Redeemable for ConsentRequest {
    const WHAT: &'static str = "consent request";

    fn find<S: FlowStore>(
        store: &S,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<Option<Self>, StoreError>> + Send {
        store.get_consent_request_by_verifier(verifier)
    }

    fn cookie(browser: &BrowserCookies) -> Option<&str> {
        browser.consent_csrf.as_deref()
    }

    fn pending(&self) -> Pending<'_> {
        pending!(self)
    }
}

impl<S: ClientStore + TokenStore + FlowStore + KeyStore> Flow<'_, S> {
    /// Finds and checks the request of a login or consent verifier, without redeeming it:
    /// the step's intent method (`FlowStore::login_to_consent`, `consent_to_code`) redeems it
    /// together with the step's writes, and [`redeemed`] reads the result.
    pub(super) async fn pending<T: Redeemable>(
        &self,
        verifier: &FlowId,
        browser: &BrowserCookies,
    ) -> Result<T, ErrorWithCookies> {
        let found = T::find(self.store, verifier)
            .await
            .map_err(store_fail(T::WHAT))?
            .ok_or_else(|| fail(access_denied()))?;
        self.check_pending(found.pending(), T::cookie(browser))?;
        Ok(found)
    }

    /// The request must be answered, belong to this client, come back in the browser holding
    /// its CSRF cookie, with the very authorization request it was made for (its stored
    /// request URL: response type, redirect URI, PKCE challenge, nonce, scope, state, ... are
    /// bound, so a returning request cannot swap them), within the round trip, unused.
    fn check_pending(
        &self,
        request: Pending<'_>,
        cookie: Option<&str>,
    ) -> Result<(), ErrorWithCookies> {
        if !request.answered {
            return Err(fail(access_denied()));
        }
        if *request.client_id != self.client.id {
            return Err(fail(OAuthError::invalid_request(
                "The verifier was issued for another client.",
            )));
        }
        check_csrf(cookie, request.csrf)?;
        if request.request_url != self.request_url() {
            return Err(fail(OAuthError::invalid_request(
                "The authorization request changed between the start of the flow and the return with the verifier.",
            )));
        }
        if request.requested_at.plus(self.settings.round_trip) < self.now {
            return Err(fail(
                OAuthError::new(OAuthErrorKind::RequestUnauthorized).hint(
                    "The login and consent round trip took longer than 15 minutes; start again.",
                ),
            ));
        }
        if request.used {
            return Err(fail(used_already()));
        }
        Ok(())
    }
}

fn used_already() -> OAuthError {
    OAuthError::invalid_request("The verifier has been used already.")
}

/// The request a verifier redeemed, or the error for one redeemed meanwhile (§3.2 5.1).
pub(super) fn redeemed<T>(used: VerifierUse<T>) -> Result<T, ErrorWithCookies> {
    match used {
        VerifierUse::Fresh(request) => Ok(request),
        VerifierUse::AlreadyUsed => Err(fail(used_already())),
        VerifierUse::Unknown => Err(fail(access_denied())),
    }
}

/// An unknown verifier, or one whose request the app has not answered.
pub(super) fn access_denied() -> OAuthError {
    crate::flow::response::unanswered()
}

/// The CSRF cookie must carry the request's value: the browser that started the flow is the
/// one finishing it. Compared in constant time.
fn check_csrf(cookie: Option<&str>, expected: &FlowId) -> Result<(), ErrorWithCookies> {
    let matches =
        cookie.is_some_and(|c| bool::from(c.as_bytes().ct_eq(expected.as_str().as_bytes())));
    if matches {
        Ok(())
    } else {
        Err(fail(OAuthError::new(OAuthErrorKind::RequestForbidden).hint(
            "The CSRF cookie is missing or does not match: finish the flow in the browser that started it.",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_must_match_exactly() {
        let id = FlowId::generate();
        assert!(check_csrf(Some(id.as_str()), &id).is_ok());
        assert_eq!(
            check_csrf(None, &id).unwrap_err().error.kind,
            OAuthErrorKind::RequestForbidden
        );
        assert_eq!(
            check_csrf(Some("nope"), &id).unwrap_err().error.kind,
            OAuthErrorKind::RequestForbidden
        );
    }
}
