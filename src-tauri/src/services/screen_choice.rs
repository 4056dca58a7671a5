//! Which screen the studio captures, and remembering the Wayland portal's answer.
//!
//! In a Wayland session X11 capture sees only XWayland windows, so the screen comes
//! through the xdg-desktop-portal ScreenCast: the system asks the user what to share
//! (a monitor or a window). The portal's restore token, kept in the settings, lets the
//! next start skip that question; "choose again" in the UI clears it.

use cloumer_engine::{ScreenSource, SessionHandle};

use super::Services;
use crate::types::SourceSettings;

/// The screen to capture: in a Wayland session always the portal (with the kept token;
/// an X11 id saved in an X11 session would capture XWayland only); elsewhere the chosen
/// id, and the whole X11 display when none is chosen or the chosen one is gone.
pub fn screen_source(s: &SourceSettings, wayland: bool) -> ScreenSource {
    let chosen = s
        .screen
        .as_deref()
        .and_then(|id| cloumer_engine::screen_from_id(id).ok());
    match chosen {
        _ if wayland => portal(s),
        Some(ScreenSource::Portal { .. }) => portal(s),
        Some(screen) => screen,
        None => ScreenSource::X11 {
            display: None,
            region: None,
        },
    }
}

fn portal(s: &SourceSettings) -> ScreenSource {
    ScreenSource::Portal {
        restore_token: s.portal_restore_token.clone(),
    }
}

impl Services {
    /// After a portal capture started: keeps the portal's (possibly new) restore token for
    /// the next start. A failure to save only means the system asks again.
    pub(super) fn remember_portal_choice(&self, session: &SessionHandle) {
        let Some(token) = session.portal_restore_token() else {
            return;
        };
        if self.settings.get().sources.portal_restore_token.as_deref() == Some(&token) {
            return;
        }
        let saved = self
            .settings
            .update(|s| s.sources.portal_restore_token = Some(token));
        if let Err(e) = saved {
            tracing::warn!("cannot keep the screen-cast choice (the system will ask again): {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SettingsStore;

    fn sources(screen: Option<&str>, token: Option<&str>) -> SourceSettings {
        SourceSettings {
            screen: screen.map(str::to_owned),
            portal_restore_token: token.map(str::to_owned),
            ..SourceSettings::default()
        }
    }

    #[test]
    fn wayland_captures_through_the_portal_with_the_kept_token() {
        let portal = |token: Option<&str>| ScreenSource::Portal {
            restore_token: token.map(str::to_owned),
        };
        assert_eq!(screen_source(&sources(None, None), true), portal(None));
        assert_eq!(
            screen_source(&sources(Some("portal"), Some("t-1")), true),
            portal(Some("t-1"))
        );
        // A display chosen in an earlier X11 session would show XWayland windows only.
        assert_eq!(
            screen_source(&sources(Some(":0"), Some("t-1")), true),
            portal(Some("t-1"))
        );
    }

    #[test]
    fn x11_keeps_the_chosen_screen_and_defaults_to_the_display() {
        assert_eq!(
            screen_source(&sources(None, Some("t-1")), false),
            ScreenSource::X11 {
                display: None,
                region: None
            }
        );
        assert_eq!(
            screen_source(&sources(Some(":3"), None), false),
            ScreenSource::X11 {
                display: Some(":3".into()),
                region: None
            }
        );
        // The portal chosen by id (an X11 desktop that has one) gets the token too.
        assert_eq!(
            screen_source(&sources(Some("portal"), Some("t-2")), false),
            ScreenSource::Portal {
                restore_token: Some("t-2".into())
            }
        );
    }

    #[test]
    fn the_token_survives_a_restart_and_choose_again_forgets_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SettingsStore::load(dir.path());
        store
            .update(|s| s.sources.portal_restore_token = Some("token-7".into()))
            .expect("save");
        let next_start = SettingsStore::load(dir.path());
        let kept = next_start.get().sources;
        assert_eq!(kept.portal_restore_token.as_deref(), Some("token-7"));
        assert_eq!(
            screen_source(&kept, true),
            ScreenSource::Portal {
                restore_token: Some("token-7".into())
            }
        );
        // "Choose again" (the UI) saves the settings without the token.
        next_start
            .update(|s| s.sources.portal_restore_token = None)
            .expect("forget");
        let after = SettingsStore::load(dir.path()).get().sources;
        assert_eq!(after.portal_restore_token, None);
    }
}
