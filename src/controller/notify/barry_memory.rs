//! Barry in memory, for the unit tests of what talks to it: its channels, every call made as a
//! line (`ensure a`, `open ch-1`, `mute ch-1 true`, `post ch-1 paged`), a channel name it
//! refuses, and channels that can be forgotten (`channels.clear()`, as when someone deletes one
//! in Barry's UI: a post to it is a 404 then). The end-to-end tests use an HTTP Barry instead.

use std::sync::Mutex;

use futures::future::BoxFuture;
use hyper::StatusCode;

use super::{Barry, Channel, Error};
use crate::controller::notify::payload::Payload;

/// Barry in memory.
#[derive(Default)]
pub struct Memory {
    /// Its channels.
    pub channels: Mutex<Vec<Channel>>,
    /// Every call made, a line each.
    pub calls: Mutex<Vec<String>>,
    /// A channel name it refuses to open (400).
    pub refuse: Option<&'static str>,
}

impl Memory {
    fn log(&self, line: String) {
        self.calls.lock().unwrap().push(line);
    }
}

impl Barry for Memory {
    fn ensure_channel<'a>(
        &'a self,
        _token: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Channel, Error>> {
        Box::pin(async move {
            self.log(format!("ensure {name}"));
            if self.refuse == Some(name) {
                return Err(Error::Rejected {
                    status: StatusCode::BAD_REQUEST,
                });
            }
            let mut channels = self.channels.lock().unwrap();
            if let Some(c) = channels.iter().find(|c| c.name == name) {
                return Ok(c.clone());
            }
            let c = Channel {
                id: format!("ch-{}", channels.len() + 1),
                name: name.into(),
                muted: false,
            };
            self.log(format!("open {}", c.id));
            channels.push(c.clone());
            Ok(c)
        })
    }

    fn set_mute<'a>(
        &'a self,
        _token: &'a str,
        id: &'a str,
        muted: bool,
    ) -> BoxFuture<'a, Result<Channel, Error>> {
        Box::pin(async move {
            self.log(format!("mute {id} {muted}"));
            let mut channels = self.channels.lock().unwrap();
            let Some(c) = channels.iter_mut().find(|c| c.id == id) else {
                return Err(Error::Rejected {
                    status: StatusCode::NOT_FOUND,
                });
            };
            c.muted = muted;
            Ok(c.clone())
        })
    }

    fn post_alerts<'a>(
        &'a self,
        _token: &'a str,
        id: &'a str,
        _payload: &'a Payload,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let page = match self.channels.lock().unwrap().iter().find(|c| c.id == id) {
                Some(c) if c.muted => "recorded",
                Some(_) => "paged",
                None => {
                    return Err(Error::Rejected {
                        status: StatusCode::NOT_FOUND,
                    });
                }
            };
            self.log(format!("post {id} {page}"));
            Ok(())
        })
    }
}
