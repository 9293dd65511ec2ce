//! `sstar packages list|install`: the pinned packages a judge can offer programs, and their
//! installation into sstar's cache.

use std::fmt::Write as _;

use sstar_sandbox::packages::{pin, PackageError, PackageStore, Pin, PINNED};
use sstar_sandbox::Interpreter;

use super::args::PackagesCommand;
use super::output::Output;
use crate::error::{Error, EXIT_OK};

pub fn run(command: PackagesCommand, output: &Output) -> Result<i32, Error> {
    let store = PackageStore::from_env().map_err(|e| Error::Usage(e.to_string()))?;
    let python = Interpreter::from_env()?;
    match command {
        PackagesCommand::List => {
            let mut text = String::new();
            for pin in PINNED {
                let state = match store.installed(pin, &python) {
                    Ok(Some(dir)) => dir.display().to_string(),
                    Ok(None) => "not installed".to_owned(),
                    Err(e) => format!("unknown ({e})"),
                };
                let _ = writeln!(text, "{:<18} {:<8} {}", pin.name, pin.version, state);
            }
            output.data(&text);
        }
        PackagesCommand::Install { names } => {
            let pins: Vec<&Pin> = if names.is_empty() {
                PINNED.iter().collect()
            } else {
                names
                    .iter()
                    .map(|name| {
                        pin(name).ok_or_else(|| {
                            let unknown = PackageError::Unknown { name: name.clone() };
                            Error::Usage(unknown.to_string())
                        })
                    })
                    .collect::<Result<_, _>>()?
            };
            for pin in pins {
                tracing::info!("installing {}=={}", pin.name, pin.version);
                let dir = store
                    .install(pin, &python)
                    .map_err(|e| Error::Sandbox(e.into()))?;
                output.data(&format!(
                    "{}=={} {}\n",
                    pin.name,
                    pin.version,
                    dir.display()
                ));
            }
        }
    }
    Ok(EXIT_OK)
}
