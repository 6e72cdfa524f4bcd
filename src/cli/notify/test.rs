//! `ike notify test` (a test alert through the real path, Alertmanager included) and
//! `ike notify delete`.

use std::time::Duration;

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use super::KindArg;
use crate::api::TestResult;
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Format, print_object, write_stdout};
use crate::cli::settings::Settings;
use crate::cli::{OutputArgs, WriteArgs};
use crate::client::notify;

/// Arguments of `ike notify test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The config's name.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::notify_configs))]
    pub name: String,
    /// Its kind, when the name is used by several.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// How long to wait for the alert to arrive (Alertmanager sends after its group_wait).
    #[arg(long, default_value = "90s", value_parser = crate::util::time::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `ike notify delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The config's name.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::notify_configs))]
    pub name: String,
    /// Its kind, when the name is used by several.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Runs `ike notify test`.
pub async fn test(args: TestArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    crate::api::names::check_object("notification config", &args.name)?;
    let target = settings.target().await?;
    let (client, namespace) = (&target.client, &target.namespace);
    let config = notify::get(client, namespace, &args.name, args.kind.map(Into::into)).await?;
    let kind = config.kind();
    let id = notify::test_id();
    notify::request_test(client, &config, &id).await?;
    if settings.interactive {
        eprintln!(
            "Test alert {id} asked for: ike-controller posts it to Alertmanager, which routes it to {} {}...",
            kind.object_kind(),
            args.name
        );
    }
    let (last, done) = notify::wait_for(client, namespace, &args.name, kind, args.timeout, |c| {
        c.last_test()
            .is_some_and(|t| t.id == id && t.result.is_final())
    })
    .await?;
    let test = last.last_test().filter(|t| t.id == id);
    let Some(test) = test.filter(|_| done) else {
        match test {
            Some(t) => crate::not_done!(
                "the test alert did not arrive within {} s ({:?} at {}: {}): check Alertmanager's route timings and 'ike notify show {}'",
                args.timeout.as_secs(),
                t.result,
                t.time,
                t.message,
                args.name
            ),
            None => crate::not_done!(
                "ike-controller did not take up the test within {} s: check that it runs and 'ike notify show {}'",
                args.timeout.as_secs(),
                args.name
            ),
        }
    };
    match args.output.format {
        Format::Table => {
            let line = format!("{:?}: {}\n", test.result, test.message);
            write_stdout(line.as_bytes())?;
        }
        format => print_object(format, test)?,
    }
    match test.result {
        TestResult::Delivered | TestResult::Routed => Ok(ExitStatus::Success),
        _ => crate::not_done!("the test alert did not arrive: {}", test.message),
    }
}

/// Runs `ike notify delete`.
pub async fn delete(args: DeleteArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    crate::api::names::check_object("notification config", &args.name)?;
    let target = settings.target().await?;
    let (client, namespace) = (&target.client, &target.namespace);
    let config = notify::get(client, namespace, &args.name, args.kind.map(Into::into)).await?;
    notify::delete(client, &config, args.write.dry_run).await?;
    let what = format!("{} {}", config.kind().object_kind(), args.name);
    if args.write.dry_run {
        eprintln!("{what} would be deleted from namespace {namespace} (dry run).");
        return Ok(ExitStatus::Success);
    }
    match config.secret_name() {
        Some(secret) => eprintln!(
            "{what} deleted from namespace {namespace}. Secret {secret} is kept: 'kubectl delete secret {secret} -n {namespace}' if nothing else uses it."
        ),
        None => eprintln!("{what} deleted from namespace {namespace}."),
    }
    Ok(ExitStatus::Success)
}
