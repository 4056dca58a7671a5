//! `cloumer devices` and `cloumer encoders`.

use serde_json::json;

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// One JSON object a line on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EncodersArgs {
    /// One JSON object a line on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Screens (with their monitors), cameras, microphones and desktop-audio monitors.
pub fn devices(args: DevicesArgs) -> Result<(), Failure> {
    let devices = cloumer_engine::list_devices().map_err(Failure::other)?;
    // Monitors of $DISPLAY, usable as `--screen N`; no display is not an error here.
    let monitors = cloumer_engine::x11_monitors(None).unwrap_or_default();
    if args.json {
        for d in &devices {
            println!(
                "{}",
                json!({"kind": d.kind, "id": d.id, "name": d.name, "class": d.class})
            );
        }
        for m in &monitors {
            println!(
                "{}",
                json!({"kind": "monitor", "id": m.index.to_string(), "name": m.name, "primary": m.primary,
                       "x": m.region.x, "y": m.region.y, "width": m.region.width, "height": m.region.height})
            );
        }
        return Ok(());
    }
    if devices.is_empty() && monitors.is_empty() {
        println!("no capture devices found");
    }
    for d in &devices {
        let kind = serde_json::to_value(d.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        println!("{kind:<14} {:<40} {}", d.id, d.name);
    }
    for m in &monitors {
        let r = m.region;
        let primary = if m.primary { " (primary)" } else { "" };
        println!(
            "{:<14} {:<40} {} {}x{}+{}+{}{primary}",
            "monitor", m.index, m.name, r.width, r.height, r.x, r.y
        );
    }
    Ok(())
}

/// Each H.264 encoder: usable here or why not.
pub fn encoders(args: EncodersArgs) -> Result<(), Failure> {
    let encoders = cloumer_engine::h264_encoders().map_err(Failure::other)?;
    for e in &encoders {
        if args.json {
            println!(
                "{}",
                json!({"encoder": e.kind, "element": e.element, "usable": e.usable, "reason": e.reason})
            );
        } else if e.usable {
            println!("{:<6} {:<14} usable", e.kind, e.element);
        } else {
            println!(
                "{:<6} {:<14} not usable: {}",
                e.kind,
                e.element,
                e.reason.as_deref().unwrap_or("unknown")
            );
        }
    }
    Ok(())
}
