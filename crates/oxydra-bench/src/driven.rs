//! The scenarios measured with the closed-loop driver (whole journeys rather than single
//! requests): the authorization-code flow with RS256 and ES256 ID tokens, refresh-token
//! rotation and revocation. The peer has no headless login, so these have no peer column.

use std::sync::Arc;

use anyhow::bail;

use crate::backend::Plan;
use crate::driver::{Journey, drive};
use crate::journeys::{FlowClient, FullFlow, RefreshRotation, Revocation, jwt_alg};
use crate::report::Scenario;
use crate::selection::ScenarioName;
use crate::server::Server;

impl Plan {
    /// One warm-up drive, then `runs` measured drives of `journey` with one virtual user per
    /// connection, the server's CPU sampled around each.
    pub async fn measure_driven<J: Journey>(
        &self,
        name: &str,
        backend: &str,
        pid: u32,
        journey: Arc<J>,
    ) -> anyhow::Result<Scenario> {
        let users = self.settings.connections;
        eprintln!("{backend}: {name}: warm-up {:?}", self.warmup);
        let warm = drive_beside(journey.clone(), users, self.warmup).await?;
        if warm.errors() > 0 {
            eprintln!("{backend}: {name}: {} errors in the warm-up", warm.errors());
        }
        let mut scenario = Scenario {
            backend: backend.to_owned(),
            name: name.to_owned(),
            runs: Vec::new(),
            versus: None,
        };
        for i in 1..=self.runs {
            eprintln!(
                "{backend}: {name}: run {i}/{} ({})",
                self.runs,
                crate::load_average()
            );
            let me = std::process::id();
            let (before, driver_before) = (crate::cpu::used(pid)?, crate::cpu::used(me)?);
            let mut m = drive_beside(journey.clone(), users, self.duration).await?;
            let spent = crate::cpu::used(pid)?.saturating_sub(before);
            let driver_spent = crate::cpu::used(me)?.saturating_sub(driver_before);
            m.cpu_us_per_request = crate::cpu::per_request_us(spent, m.requests);
            m.driver_cpu_us_per_request = crate::cpu::per_request_us(driver_spent, m.requests);
            scenario.runs.push(m);
        }
        Ok(scenario)
    }
}

/// Drives `journey` on a blocking thread, so the benchmark's own runtime keeps draining the
/// server's stdout meanwhile.
async fn drive_beside<J: Journey>(
    journey: Arc<J>,
    users: u32,
    duration: std::time::Duration,
) -> anyhow::Result<crate::wrk::Measurement> {
    tokio::task::spawn_blocking(move || drive(journey, users, duration))
        .await
        .map_err(|e| anyhow::anyhow!("the load driver failed: {e}"))?
}

/// Measures the selected driven scenarios against `server`.
pub async fn scenarios(
    plan: &Plan,
    server: &Server,
    http: &reqwest::Client,
    backend: &str,
    selected: &[ScenarioName],
) -> anyhow::Result<Vec<Scenario>> {
    let mut out = Vec::new();
    let pid = server.pid();
    for (pick, alg) in [
        (ScenarioName::FlowRs256, "RS256"),
        (ScenarioName::FlowEs256, "ES256"),
    ] {
        if !selected.contains(&pick) {
            continue;
        }
        let client = FlowClient::register(http, &server.public, &server.admin, Some(alg)).await?;
        let answer = client.flow(http, "openid offline").await?;
        let id_token = answer
            .get("id_token")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let signed = jwt_alg(id_token)?;
        if signed != alg {
            bail!("asked for {alg} ID tokens, got {signed}");
        }
        let name = format!(
            "flow-{}: auth → login → consent → code → token",
            alg.to_lowercase()
        );
        out.push(
            plan.measure_driven(&name, backend, pid, Arc::new(FullFlow(client)))
                .await?,
        );
    }
    let needs_client = [ScenarioName::Refresh, ScenarioName::Revoke]
        .iter()
        .any(|p| selected.contains(p));
    if needs_client {
        let client =
            Arc::new(FlowClient::register(http, &server.public, &server.admin, None).await?);
        if selected.contains(&ScenarioName::Refresh) {
            let journey = Arc::new(RefreshRotation(client.clone()));
            let name = "refresh: POST /oauth2/token refresh_token (rotation)";
            out.push(plan.measure_driven(name, backend, pid, journey).await?);
        }
        if selected.contains(&ScenarioName::Revoke) {
            let journey = Arc::new(Revocation(client));
            let name = "revoke: client_credentials token + POST /oauth2/revoke";
            out.push(plan.measure_driven(name, backend, pid, journey).await?);
        }
    }
    Ok(out)
}
