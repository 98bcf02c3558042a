//! Following a node's stream of the person's usage entries, each verified as it arrives.

use super::*;

/// Verifies the log as [`usage`] does, hands over every entry, and then follows the node's
/// stream (server-sent events, resumed after the last entry seen): each new entry's checkpoint
/// must extend the stored one (consistency proof) and the entry must be included in it; then the
/// checkpoint is stored and the entry handed over. Returns when `on_entry` answers `false`, when
/// `keep_going` answers `false` (asked at every line of the stream, the node's keep-alive
/// comments included, so a quiet stream stops within one keep-alive), or the stream ends (with
/// the session); a log that fails is a [`DataError::Log`].
pub fn follow(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    on_entry: &mut dyn FnMut(&VerifiedEntry) -> bool,
    keep_going: &dyn Fn() -> bool,
) -> Result<(), DataError> {
    let (report, session, mut sessions) = usage_with_session(context, url, spec, ask)?;
    let mut last = None;
    for entry in &report.entries {
        last = Some(entry.index);
        if !on_entry(entry) {
            return Ok(());
        }
    }
    let node = open_node(context, url)?;
    let (mut current, mut current_note) = sessions
        .stored_checkpoint(context, &node)?
        .ok_or_else(|| ApiError::new(Code::Internal, "no stored checkpoint after a visit"))?;
    let mut request = node
        .stream_agent
        .get(format!("{}/v1/usage/stream", node.url))
        .header(AUTHORIZATION, bearer(&session.token)?)
        .header("Accept", "text/event-stream");
    if let Some(index) = last {
        request = request.header("Last-Event-ID", index.to_string());
    }
    let mut response = request.call().map_err(|e| network(&node, &e))?;
    if response.status().as_u16() != 200 {
        return Err(ApiError::new(
            Code::Network,
            format!(
                "the node {} refused the stream (HTTP {})",
                node.url,
                response.status().as_u16()
            ),
        )
        .into());
    }
    let mut reader =
        std::io::BufReader::new(response.body_mut().with_config().limit(u64::MAX).reader());
    let mut data = String::new();
    while let Some(line) = crate::node_url::read_line(&mut reader, MAX_STREAM_LINE)
        .map_err(|e| network(&node, &ureq::Error::Io(e)))?
    {
        if !keep_going() {
            return Ok(());
        }
        if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.strip_prefix(' ').unwrap_or(value));
            if data.len() > MAX_STREAM_LINE {
                return Err(ApiError::new(
                    Code::Network,
                    format!(
                        "the node {} sent a stream event longer than {MAX_STREAM_LINE} bytes",
                        node.url
                    ),
                )
                .into());
            }
            continue;
        }
        if !line.is_empty() || data.is_empty() {
            continue;
        }
        let item: serde_json::Value =
            serde_json::from_str(&std::mem::take(&mut data)).map_err(|e| {
                ApiError::new(Code::Network, format!("a stream event is not JSON: {e}"))
            })?;
        let note = item["checkpoint"]
            .as_str()
            .ok_or_else(|| ApiError::new(Code::Network, "a stream event without a checkpoint"))?;
        // A newer checkpoint must extend the stored one; an earlier one (an entry that was
        // hidden until now, with the checkpoint it was logged under) must be consistent with it.
        let advanced = note != current_note && note_size(note) >= current.size;
        if advanced {
            current = advance(&node, Some(&current), note)
                .map_err(|e| sessions.alarm(&node, e, &[&current_note, note], None))?;
            note.clone_into(&mut current_note);
        }
        let entry = parse_item(&node, &current, &current_note, &item)
            .map_err(|e| sessions.alarm(&node, e, &[&current_note], Some(&item)))?;
        if advanced {
            sessions.store_checkpoint(context, &node, &current, &current_note)?;
        }
        tracing::debug!(log = %node.pinned.origin, index = entry.index, size = current.size, "streamed entry verified");
        if !on_entry(&entry) {
            return Ok(());
        }
    }
    Ok(())
}
