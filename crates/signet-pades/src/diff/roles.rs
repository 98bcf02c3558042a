//! What the signed revision uses each object for, found by walking from its catalog, pages, form,
//! DSS and trailer — never from what an object says about itself (`/Type`, `/Subtype`, `/FT`), and
//! never from a later revision. The modification analysis allows a change to an object only for
//! the roles found here; an object the signed revision's pages draw from is content, whatever it
//! claims to be.

use std::collections::{HashMap, HashSet};

use signet_pdf::{Dict, Document, ObjRef, Object};

/// The roles, as bits: an object may have several.
pub(super) mod role {
    /// The document catalog.
    pub const CATALOG: u16 = 1;
    /// An intermediate node of the page tree.
    pub const PAGE_TREE: u16 = 1 << 1;
    /// A page.
    pub const PAGE: u16 = 1 << 2;
    /// Something a page draws from: content streams, resources, fonts, images, XObjects,
    /// patterns, shadings, graphics states — and anything else a page names but its annotations.
    pub const CONTENT: u16 = 1 << 3;
    /// A page's `/Annots` array, as an object of its own.
    pub const ANNOTS: u16 = 1 << 4;
    /// An annotation listed by a page.
    pub const ANNOT: u16 = 1 << 5;
    /// A field of the form's field tree.
    pub const FIELD: u16 = 1 << 6;
    /// The form's `/Fields` array, as an object of its own.
    pub const FIELDS: u16 = 1 << 7;
    /// The `/AcroForm` dictionary.
    pub const FORM: u16 = 1 << 8;
    /// Part of a field's or an annotation's appearance or value (owned by them).
    pub const APPEARANCE: u16 = 1 << 9;
    /// The XMP metadata stream named by the catalog.
    pub const METADATA: u16 = 1 << 10;
    /// The document information dictionary named by the trailer.
    pub const INFO: u16 = 1 << 11;
    /// The document security store named by the catalog.
    pub const DSS: u16 = 1 << 12;
    /// A signature dictionary (a signature field's value, or named by `/Perms`).
    pub const SIGNATURE: u16 = 1 << 13;
    /// Anything else the catalog reaches (outlines, names, actions, structure tree, …).
    pub const OTHER: u16 = 1 << 14;
}

/// Objects whose own changes are judged field by field or entry by entry, whoever else names
/// them.
const CONTAINERS: u16 = role::CATALOG
    | role::PAGE_TREE
    | role::PAGE
    | role::ANNOTS
    | role::ANNOT
    | role::FIELD
    | role::FIELDS
    | role::FORM;

/// Most steps of the walks; past it the analysis refuses every change of an existing object.
const MAX_STEPS: usize = 4_000_000;
/// Most components kept of the path that names how content was reached.
const MAX_PATH: usize = 6;

/// How the signed revision uses one object.
#[derive(Debug, Default, Clone)]
pub(super) struct Use {
    /// The roles, from [`role`].
    pub flags: u16,
    /// For content: the first page (0-based) that draws from it (for content a page-tree node
    /// passes down, the first page below that node).
    pub page: Option<usize>,
    /// For content: how that page reaches it, e.g. `/Resources/Font/F1`.
    pub path: String,
    /// For appearances: the annotations and fields they belong to.
    pub owners: Vec<u32>,
}

/// The roles of the signed revision's objects.
#[derive(Debug, Default)]
pub(super) struct Roles {
    map: HashMap<u32, Use>,
    /// Each field's ancestors in the field tree (its `/Parent` chain).
    parents: HashMap<u32, Vec<u32>>,
    /// False when the walk stopped at its limit: then nothing can be allowed.
    pub complete: bool,
}

impl Roles {
    /// The use of object `num` (`None` when the signed revision does not reach it).
    pub fn get(&self, num: u32) -> Option<&Use> {
        self.map.get(&num).filter(|u| u.flags != 0)
    }

    /// The numbers of every object the signed revision uses.
    pub fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.map
            .iter()
            .filter(|(_, u)| u.flags != 0)
            .map(|(n, _)| *n)
    }

    /// Whether the appearance `u` belongs only to annotations and fields that `filled` holds
    /// (directly or through a field above them).
    pub fn owned_by(&self, u: &Use, filled: &HashSet<u32>) -> bool {
        !u.owners.is_empty()
            && u.owners.iter().all(|o| {
                filled.contains(o)
                    || self
                        .parents
                        .get(o)
                        .is_some_and(|ps| ps.iter().any(|p| filled.contains(p)))
            })
    }

    /// Walks the signed revision `doc`.
    pub fn of(doc: &Document<'_>) -> Self {
        let mut w = Walker {
            doc,
            roles: Roles {
                complete: true,
                ..Roles::default()
            },
            structural: HashSet::new(),
            steps: 0,
            deferred: Vec::new(),
        };
        w.run();
        w.roles
    }
}

struct Walker<'d, 'a> {
    doc: &'d Document<'a>,
    roles: Roles,
    /// The catalog, page-tree nodes and pages: walks stop there.
    structural: HashSet<u32>,
    steps: usize,
    /// Values to walk as [`role::OTHER`] once every specific role is known.
    deferred: Vec<Object>,
}

fn get(doc: &Document<'_>, r: ObjRef) -> Object {
    doc.get(r).map(|o| (*o).clone()).unwrap_or(Object::Null)
}

impl Walker<'_, '_> {
    fn tick(&mut self) -> bool {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            self.roles.complete = false;
        }
        self.roles.complete
    }

    fn mark(&mut self, r: ObjRef, flag: u16) -> &mut Use {
        let u = self.roles.map.entry(r.num).or_default();
        u.flags |= flag;
        u
    }

    fn run(&mut self) {
        let Ok(root) = self.doc.root_ref() else {
            self.roles.complete = false;
            return;
        };
        let catalog = get(self.doc, root).as_dict().cloned().unwrap_or_default();
        self.structural.insert(root.num);
        self.mark(root, role::CATALOG);
        let pages = self.page_tree(&catalog);
        if let Some(form) = catalog.get("AcroForm") {
            self.form(form);
        }
        for (i, page) in pages.iter().enumerate() {
            self.page(i, *page);
        }
        if let Some(dss) = catalog.get("DSS") {
            self.walk(dss, role::DSS, None, None, "");
        }
        if let Some(Object::Ref(r)) = catalog.get("Metadata") {
            self.mark(*r, role::METADATA);
        }
        if let Some(info) = self.doc.trailer().get("Info") {
            self.walk(info, role::INFO, None, None, "");
        }
        if let Some(perms) = catalog.get("Perms") {
            let perms = self.doc.resolve(perms).unwrap_or(Object::Null);
            if let Some(d) = perms.as_dict() {
                for (_, v) in &d.0 {
                    self.walk(v, role::SIGNATURE, None, None, "");
                }
            }
        }
        for (k, v) in &catalog.0 {
            if !matches!(
                k.as_slice(),
                b"Pages" | b"AcroForm" | b"DSS" | b"Metadata" | b"Perms"
            ) {
                self.deferred.push(v.clone());
            }
        }
        for v in std::mem::take(&mut self.deferred) {
            self.walk(&v, role::OTHER, None, None, "");
        }
    }

    /// Marks the page tree; returns the pages in order.
    fn page_tree(&mut self, catalog: &Dict) -> Vec<ObjRef> {
        let Some(top) = catalog.get("Pages").and_then(Object::as_ref) else {
            return Vec::new();
        };
        let mut pages = Vec::new();
        // (node, depth); inherited attributes of intermediate nodes are walked after the pages
        // are numbered, with the index of the first page below them.
        let mut stack = vec![(top, 0usize)];
        let mut inner: Vec<(ObjRef, usize)> = Vec::new();
        while let Some((node, depth)) = stack.pop() {
            if depth > 64 {
                self.roles.complete = false;
            }
            if !self.tick() || depth > 64 || !self.structural.insert(node.num) {
                continue;
            }
            let d = get(self.doc, node).as_dict().cloned().unwrap_or_default();
            if d.is_name("Type", "Page") || d.get("Kids").is_none() {
                self.mark(node, role::PAGE);
                pages.push(node);
                continue;
            }
            self.mark(node, role::PAGE_TREE);
            inner.push((node, pages.len()));
            let kids = self.doc.resolve(d.get("Kids").unwrap_or(&Object::Null));
            if let Some(Object::Ref(r)) = d.get("Kids") {
                self.mark(*r, role::PAGE_TREE);
            }
            let kids = kids.unwrap_or(Object::Null);
            for kid in kids.as_array().unwrap_or_default().iter().rev() {
                if let Some(r) = kid.as_ref() {
                    stack.push((r, depth + 1));
                }
            }
        }
        for (node, first) in inner {
            let d = get(self.doc, node).as_dict().cloned().unwrap_or_default();
            for (k, v) in &d.0 {
                if !matches!(k.as_slice(), b"Kids" | b"Parent" | b"Count" | b"Type") {
                    let page = (first < pages.len()).then_some(first);
                    let path = format!("/{}", String::from_utf8_lossy(k));
                    self.walk(v, role::CONTENT, page, None, &path);
                }
            }
        }
        pages
    }

    fn page(&mut self, index: usize, page: ObjRef) {
        // The page object knows its number, for a change of what it draws.
        if let Some(u) = self.roles.map.get_mut(&page.num)
            && u.page.is_none()
        {
            u.page = Some(index);
        }
        let d = get(self.doc, page).as_dict().cloned().unwrap_or_default();
        for (k, v) in &d.0 {
            match k.as_slice() {
                b"Parent" | b"Type" => {}
                b"Annots" => {
                    if let Object::Ref(r) = v {
                        self.mark(*r, role::ANNOTS);
                    }
                    let list = self.doc.resolve(v).unwrap_or(Object::Null);
                    for a in list.as_array().unwrap_or_default() {
                        if let Some(r) = a.as_ref() {
                            self.annotation(r);
                        } else {
                            self.deferred.push(a.clone());
                        }
                    }
                }
                _ => {
                    let path = format!("/{}", String::from_utf8_lossy(k));
                    self.walk(v, role::CONTENT, Some(index), None, &path);
                }
            }
        }
    }

    fn annotation(&mut self, a: ObjRef) {
        if self.structural.contains(&a.num) {
            return;
        }
        let is_field = self.mark(a, role::ANNOT).flags & role::FIELD != 0;
        let d = get(self.doc, a).as_dict().cloned().unwrap_or_default();
        for (k, v) in &d.0 {
            match k.as_slice() {
                b"P" | b"Parent" | b"IRT" => {}
                b"AP" | b"MK" => self.walk(v, role::APPEARANCE, None, Some(a.num), ""),
                b"Popup" => {
                    if let Some(r) = v.as_ref()
                        && self
                            .roles
                            .get(r.num)
                            .is_none_or(|u| u.flags & role::ANNOT == 0)
                    {
                        self.annotation(r);
                    }
                }
                // A merged field and widget: its value and kids were walked with the form.
                b"V" | b"DV" | b"Kids" | b"Lock" | b"SV" if is_field => {}
                _ => self.deferred.push(v.clone()),
            }
        }
        // A widget whose field the form does not list: its field tree is walked here.
        if !is_field && let Some(Object::Ref(p)) = d.get("Parent") {
            self.field(*p, Vec::new(), None);
        }
    }

    fn form(&mut self, form: &Object) {
        if let Object::Ref(r) = form {
            self.mark(*r, role::FORM);
        }
        let d = self.doc.resolve(form).unwrap_or(Object::Null);
        let Some(d) = d.as_dict() else { return };
        for (k, v) in &d.0 {
            if k.as_slice() == b"Fields" {
                if let Object::Ref(r) = v {
                    self.mark(*r, role::FIELDS);
                }
                let list = self.doc.resolve(v).unwrap_or(Object::Null);
                for f in list.as_array().unwrap_or_default() {
                    if let Some(r) = f.as_ref() {
                        self.field(r, Vec::new(), None);
                    }
                }
            } else {
                self.deferred.push(v.clone());
            }
        }
    }

    /// Walks field `f` and its kids; `ancestors` are the fields above it, `ft` the type
    /// inherited from them.
    fn field(&mut self, f: ObjRef, ancestors: Vec<u32>, ft: Option<Vec<u8>>) {
        let mut stack = vec![(f, ancestors, ft)];
        while let Some((f, ancestors, ft)) = stack.pop() {
            if ancestors.len() > 32 {
                self.roles.complete = false;
            }
            if !self.tick()
                || ancestors.len() > 32
                || self.structural.contains(&f.num)
                || ancestors.contains(&f.num)
                || self.roles.parents.contains_key(&f.num)
            {
                continue;
            }
            self.mark(f, role::FIELD);
            self.roles.parents.insert(f.num, ancestors.clone());
            let d = get(self.doc, f).as_dict().cloned().unwrap_or_default();
            let ft = d.name("FT").map(<[u8]>::to_vec).or(ft);
            let mut below = ancestors.clone();
            below.push(f.num);
            for (k, v) in &d.0 {
                match k.as_slice() {
                    b"Parent" | b"P" => {}
                    b"Kids" => {
                        if let Object::Ref(r) = v {
                            self.mark(*r, role::OTHER);
                        }
                        let kids = self.doc.resolve(v).unwrap_or(Object::Null);
                        for kid in kids.as_array().unwrap_or_default().iter().rev() {
                            if let Some(r) = kid.as_ref() {
                                stack.push((r, below.clone(), ft.clone()));
                            }
                        }
                    }
                    b"V" if ft.as_deref() == Some(b"Sig") => {
                        self.walk(v, role::SIGNATURE, None, None, "");
                    }
                    b"AP" | b"MK" | b"V" | b"DV" => {
                        self.walk(v, role::APPEARANCE, None, Some(f.num), "");
                    }
                    _ => self.deferred.push(v.clone()),
                }
            }
        }
    }

    /// Marks everything `start` reaches with `flag`, never crossing the catalog, the page tree
    /// or a page; `owner` is recorded on appearances, `page` and `path` on content. OTHER stops
    /// at fields, annotations and the form's lists (judged entry by entry), and marks anything
    /// else it reaches, whatever other role it has.
    fn walk(
        &mut self,
        start: &Object,
        flag: u16,
        page: Option<usize>,
        owner: Option<u32>,
        path: &str,
    ) {
        let mut stack: Vec<(Object, String, usize)> = vec![(start.clone(), path.to_owned(), 0)];
        while let Some((o, path, depth)) = stack.pop() {
            if depth > 256 {
                // Deeper than any real document nests: what lies below is not known, so
                // nothing may change.
                self.roles.complete = false;
            }
            if !self.tick() || depth > 256 {
                continue;
            }
            let children: Vec<(String, Object)> = match o {
                Object::Ref(r) => {
                    if self.structural.contains(&r.num) {
                        continue;
                    }
                    let before = self.roles.map.get(&r.num).cloned().unwrap_or_default();
                    // Fields and annotations may be named from elsewhere (the structure tree,
                    // actions). Anything else used in a second, unknown way keeps that mark,
                    // and so does all it reaches: no change of it is allowed then.
                    if flag == role::OTHER && before.flags & CONTAINERS != 0 {
                        continue;
                    }
                    let seen = match owner {
                        Some(o) => before.owners.contains(&o),
                        None => before.flags & flag != 0,
                    };
                    if seen {
                        continue;
                    }
                    let u = self.mark(r, flag);
                    if flag == role::CONTENT && before.flags & role::CONTENT == 0 {
                        u.page = page;
                        u.path.clone_from(&path);
                    }
                    if let Some(o) = owner {
                        u.owners.push(o);
                    }
                    // An undefined object a page names is marked too: defining it later changes
                    // what the page draws.
                    vec![(path, get(self.doc, r))]
                }
                Object::Array(a) => a.into_iter().map(|x| (path.clone(), x)).collect(),
                Object::Dict(d) => keyed(&path, d),
                Object::Stream(s) => keyed(&path, s.dict),
                _ => Vec::new(),
            };
            for (p, c) in children.into_iter().rev() {
                stack.push((c, p, depth + 1));
            }
        }
    }
}

fn keyed(path: &str, d: Dict) -> Vec<(String, Object)> {
    d.0.into_iter()
        .map(|(k, v)| {
            let p = if path.matches('/').count() < MAX_PATH {
                format!("{path}/{}", String::from_utf8_lossy(&k))
            } else {
                path.to_owned()
            };
            (p, v)
        })
        .collect()
}
