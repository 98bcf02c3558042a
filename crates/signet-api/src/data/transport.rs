//! Reaching a node: Signet's list of nodes, the checks on a listing, and HTTP.

use super::*;

/// A node as the operations use it: its listing, pinned log and HTTP client.
pub(super) struct Node {
    pub(super) url: String,
    pub(super) origin: Origin,
    pub(super) pinned: PinnedLog,
    /// The pinned receipt key, when the listing has one.
    pub(super) receipt_key: Option<NoteVerifier>,
    pub(super) agent: ureq::Agent,
    pub(super) stream_agent: ureq::Agent,
}

pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::InvalidInput, message)
}

pub(super) fn nodes_path(context: &Context) -> PathBuf {
    context.data_dir().join(NODES_FILE)
}

/// Signet's list of nodes (empty when the file does not exist).
pub fn node_list(context: &Context) -> Result<Vec<NodeListing>, ApiError> {
    let path = nodes_path(context);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ApiError::new(Code::Io, format!("{}: {e}", path.display()))),
    };
    let file: NodeListFile = serde_json::from_str(&text).map_err(|e| {
        invalid(format!("{} is not a list of nodes: {e}", path.display())).recommend(
            "Fix the file: {\"nodes\": [{\"url\", \"logKey\", \"origin\"?, \"tlsCa\"?}]}.",
        )
    })?;
    Ok(file.nodes)
}

pub(super) fn read_der(path: &Path) -> Result<Vec<u8>, ApiError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ApiError::from(e).recommend("Check the tlsCa path in the list of nodes."))?;
    signet_pki::pem::der_of(&bytes)
        .map_err(|e| invalid(format!("{} is not valid PEM: {e}", path.display())))
}

pub(super) fn normalise_url(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

pub(super) fn open_node(context: &Context, url: &str) -> Result<Node, ApiError> {
    let url = normalise_url(url);
    let listing = node_list(context)?
        .into_iter()
        .find(|n| normalise_url(&n.url) == url)
        .ok_or_else(|| {
            invalid(format!(
                "the node {url} is not in Signet's list of nodes ({})",
                nodes_path(context).display()
            ))
            .recommend(
                "Add it with its pinned checkpoint key (from the agency, not from the node itself) to the list of nodes.",
            )
        })?;
    let parsed = NodeUrl::parse(&url).ok_or_else(|| {
        invalid(format!(
            "{url} is not a node address of the form https://host[:port]"
        ))
    })?;
    let https = parsed.https;
    if !https && !parsed.is_loopback() {
        return Err(invalid(format!(
            "{url}: nodes are reached over https (plain http only on loopback)"
        )));
    }
    let origin_text = match &listing.origin {
        // A login token is made for this origin: a listing that names another site's origin
        // would have Signet make tokens a node could replay there. Only a node on this machine
        // (the demo federation, development) may be known by another name.
        Some(o) if !same_origin(o, &parsed.origin) && !parsed.is_loopback() => {
            return Err(invalid(format!(
                "the listing of {url} names the origin {o}, which is not the node's own ({})",
                parsed.origin
            ))
            .recommend(
                "Remove \"origin\" from the listing, or correct the node's address: a login is only made for the site it is sent to.",
            ));
        }
        Some(o) => o.clone(),
        None if https => parsed.origin.clone(),
        None => {
            return Err(invalid(format!(
                "the listing of {url} needs its Web eID origin (\"origin\": \"https://…\")"
            )));
        }
    };
    let verifier = NoteVerifier::parse(&listing.log_key)
        .map_err(|e| invalid(format!("the pinned log key of {url} cannot be read: {e}")))?;
    let receipt_key = listing
        .receipt_key
        .as_deref()
        .map(NoteVerifier::parse)
        .transpose()
        .map_err(|e| {
            invalid(format!(
                "the pinned receipt key of {url} cannot be read: {e}"
            ))
        })?;
    let origin = Origin::parse(&origin_text)
        .map_err(|e| invalid(format!("the origin of {url} is not usable: {e}")))?;
    let mut tls = ureq::tls::TlsConfig::builder().provider(ureq::tls::TlsProvider::Rustls);
    if let Some(ca) = &listing.tls_ca {
        let der = read_der(ca)?;
        tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&[
            ureq::tls::Certificate::from_der(&der).to_owned(),
        ]));
    }
    let tls = tls.build();
    let agent = crate::node_url::agent(https, &tls, Some(Duration::from_secs(30)), None);
    // A stream stays open for as long as the session lasts, but a node that stops sending (its
    // keep-alive comes every 15 s) is given up after STREAM_IDLE.
    let stream_agent = crate::node_url::agent(https, &tls, None, Some(STREAM_IDLE));
    Ok(Node {
        url,
        origin,
        pinned: PinnedLog {
            origin: verifier.name().to_owned(),
            verifier,
        },
        receipt_key,
        agent,
        stream_agent,
    })
}

pub(super) fn network(node: &Node, e: &ureq::Error) -> ApiError {
    ApiError::new(
        Code::Network,
        format!("the node {} did not answer: {e}", node.url),
    )
    .keyed(crate::MessageKey::NodeUnreachable)
    .param("node", &node.url)
}

/// An answer: status and body.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: Vec<u8>,
}

impl Answer {
    pub(super) fn json(&self, node: &Node, what: &str) -> Result<serde_json::Value, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::new(
                Code::Network,
                format!(
                    "the node {} answered {what} with something that is not JSON: {e}",
                    node.url
                ),
            )
        })
    }

    pub(super) fn refused(&self, node: &Node, what: &str) -> ApiError {
        let detail = serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["message"].as_str().map(plain_text))
            .unwrap_or_default();
        // The person's request was refused as it stands (not logged in, not theirs, no such
        // record or entry, a key used for another request, a signature missing): an input error,
        // not a node that did not answer.
        let code = if matches!(self.status, 400 | 401 | 403 | 404 | 409 | 422) {
            Code::InvalidInput
        } else {
            Code::Network
        };
        ApiError::new(
            code,
            format!(
                "the node {} refused {what} (HTTP {}){}{detail}",
                node.url,
                self.status,
                if detail.is_empty() { "" } else { ": " }
            ),
        )
    }
}

pub(super) fn read(
    node: &Node,
    resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Answer, ApiError> {
    let mut resp = resp.map_err(|e| network(node, &e))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .read_to_vec()
        .map_err(|e| network(node, &e))?;
    Ok(Answer { status, body })
}

pub(super) fn get(
    node: &Node,
    path: &str,
    session: Option<&SessionToken>,
) -> Result<Answer, ApiError> {
    let mut req = node.agent.get(format!("{}{path}", node.url));
    if let Some(s) = session {
        req = req.header(AUTHORIZATION, bearer(s)?);
    }
    read(node, req.call())
}

/// `Bearer <token>` as a header value marked sensitive (printed as `Sensitive` by `http`),
/// built in a buffer that is wiped.
pub(super) fn bearer(token: &SessionToken) -> Result<HeaderValue, ApiError> {
    let mut text = Zeroizing::new(String::with_capacity(7 + token.expose().len()));
    text.push_str("Bearer ");
    text.push_str(token.expose());
    let mut value = HeaderValue::from_str(&text)
        .map_err(|_| ApiError::new(Code::Internal, "a session token that is not a header value"))?;
    value.set_sensitive(true);
    Ok(value)
}

pub(super) fn post_json(
    node: &Node,
    path: &str,
    body: &serde_json::Value,
) -> Result<Answer, ApiError> {
    let resp = node
        .agent
        .post(format!("{}{path}", node.url))
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes());
    read(node, resp)
}
