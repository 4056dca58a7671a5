//! IVS channel types: what a channel is created as (`CLOUMER_CHANNEL_TYPE` on AWS,
//! `--channel-type` on `cloumer serve`); the local ingest enforces their input limits
//! (`ingest::limits`).

/// IVS channel types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelType {
    Basic,
    Standard,
    AdvancedSd,
    AdvancedHd,
}

impl ChannelType {
    pub const ALL: [ChannelType; 4] = [
        ChannelType::Basic,
        ChannelType::Standard,
        ChannelType::AdvancedSd,
        ChannelType::AdvancedHd,
    ];

    /// IVS's name: `BASIC`, `STANDARD`, `ADVANCED_SD`, `ADVANCED_HD`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelType::Basic => "BASIC",
            ChannelType::Standard => "STANDARD",
            ChannelType::AdvancedSd => "ADVANCED_SD",
            ChannelType::AdvancedHd => "ADVANCED_HD",
        }
    }
}

impl std::fmt::Display for ChannelType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ChannelType {
    type Err = String;

    /// IVS's names, case-insensitive (`basic`, `STANDARD`, `advanced_hd`, ...).
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown channel type {s:?} (BASIC, STANDARD, ADVANCED_SD, ADVANCED_HD)")
            })
    }
}
