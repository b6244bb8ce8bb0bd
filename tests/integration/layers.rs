//! The layering of `src/`: no two files import each other in a circle, and
//! `report/` (and the results model under it) depends on the results model
//! only.
//!
//! Every `.rs` file under `src/` is parsed (syn). Its module path comes from
//! its place (`a/b.rs` and `a/b/mod.rs` are `crate::a::b`). Each path it
//! names — in `use` trees, in code, and in macro arguments — that starts
//! with `crate`, `self`, `super` or a child module is made absolute and
//! resolved to the file of the longest module prefix. A name a file imports
//! (`use`, `pub use`) is followed to where it comes from, so an item reached
//! through a `mod.rs` re-export is an edge to the file defining it. A file
//! using its own parent (`lib.rs`, a `mod.rs`, or `x.rs` beside `x/`) is not
//! an edge: a parent declares and glues its children, and they may use what
//! it defines (`super::EXIT_OK`) without that counting as a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::visit::Visit;

/// Known cycles, allowed until they are fixed: each entry is the files of
/// one cycle (`&["src/a/x.rs", "src/a/y.rs"]`). Meant to stay empty; an
/// entry that matches no cycle any more fails the test, so a fixed cycle
/// cannot linger here.
const ALLOWED_CYCLES: &[&[&str]] = &[];

/// What `report/` and `results/` must never use.
const NOT_FOR_REPORTS: &[&str] = &["session", "runner", "catalog", "mutate", "server", "cli"];

/// A module path below `crate` (`[]` is the crate root).
type ModPath = Vec<String>;

/// A path a file names, made absolute, with the text it was written as.
struct Reference {
    file: String,
    /// The file's module.
    module: ModPath,
    abs: ModPath,
    text: String,
}

/// The parsed crate: file modules, inline modules, imports and references.
#[derive(Default)]
struct Crate {
    /// Module path → file, for every file.
    files: BTreeMap<ModPath, String>,
    /// Every module, file or inline.
    modules: BTreeSet<ModPath>,
    /// Per module: a name it imports → the absolute path it stands for.
    imports: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    references: Vec<Reference>,
}

impl Crate {
    /// Reads every `.rs` file under `src/` (the binary's `main.rs` aside:
    /// it sees the library as an outside crate).
    fn read(src: &Path) -> Crate {
        let mut sources = Vec::new();
        collect(src, src, &mut sources);
        sources.retain(|(name, _)| name != "main.rs");
        Crate::parse(&sources)
    }

    /// `sources`: (path relative to `src/`, text).
    fn parse(sources: &[(String, String)]) -> Crate {
        let mut krate = Crate::default();
        let mut parsed = Vec::new();
        for (name, text) in sources {
            let module = module_of(name);
            let ast = syn::parse_file(text).unwrap_or_else(|e| panic!("src/{name}: {e}"));
            krate.files.insert(module.clone(), format!("src/{name}"));
            krate.modules.insert(module.clone());
            parsed.push((format!("src/{name}"), module, ast));
        }
        for (_, module, ast) in &parsed {
            InlineModules {
                scope: module.clone(),
                out: &mut krate.modules,
            }
            .visit_file(ast);
        }
        for (file, module, ast) in &parsed {
            let mut c = Collector {
                krate: &krate,
                file,
                module: module.clone(),
                scope: module.clone(),
                imports: Vec::new(),
                references: Vec::new(),
            };
            c.visit_file(ast);
            let (imports, references) = (c.imports, c.references);
            for (scope, name, target) in imports {
                krate.imports.entry(scope).or_default().insert(name, target);
            }
            krate.references.extend(references);
        }
        krate
    }

    /// `segs` named in module `scope`, as an absolute module path; `None`
    /// for other crates, std, and names of the scope itself.
    fn absolute(&self, scope: &[String], segs: &[String]) -> Option<ModPath> {
        let mut abs = scope.to_vec();
        let mut rest = segs;
        match segs.first()?.as_str() {
            "crate" => {
                abs.clear();
                rest = &segs[1..];
            }
            "self" => rest = &segs[1..],
            "super" => {
                while rest.first().is_some_and(|s| s == "super") {
                    abs.pop()?;
                    rest = &rest[1..];
                }
            }
            child => {
                abs.push(child.to_string());
                let is_child = self.modules.contains(&abs);
                abs.pop();
                if !is_child {
                    return None;
                }
            }
        }
        abs.extend(rest.iter().cloned());
        Some(abs)
    }

    /// The file module an absolute path leads to, following imports.
    fn resolve(&self, abs: &[String], depth: usize) -> Option<&ModPath> {
        if depth > 32 {
            return None;
        }
        let k = (0..=abs.len())
            .rev()
            .find(|k| self.files.contains_key(&abs[..*k]))?;
        let module = &abs[..k];
        if let Some(item) = abs.get(k)
            && let Some(target) = self.imports.get(module).and_then(|m| m.get(item))
        {
            let mut next = target.clone();
            next.extend(abs[k + 1..].iter().cloned());
            return self.resolve(&next, depth + 1);
        }
        self.files.get_key_value(module).map(|(m, _)| m)
    }

    /// The file an absolute path leads to.
    fn resolve_file(&self, abs: &[String]) -> Option<&str> {
        self.resolve(abs, 0).map(|m| self.files[m].as_str())
    }

    /// File → files it uses, each edge with the first path that made it.
    /// A file's use of itself or of one of its parents is no edge.
    fn edges(&self) -> BTreeMap<&str, BTreeMap<&str, &str>> {
        let mut graph: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
        for r in &self.references {
            let node = graph.entry(r.file.as_str()).or_default();
            let Some(to) = self.resolve(&r.abs, 0) else {
                continue;
            };
            if !r.module.starts_with(to) {
                node.entry(self.files[to].as_str()).or_insert(&r.text);
            }
        }
        graph
    }
}

/// Every `.rs` file under `dir`, as (path relative to `root`, text), sorted.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = path.strip_prefix(root).unwrap().to_str().unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((name.replace('\\', "/"), text));
        }
    }
}

/// `a/b.rs`, `a/b/mod.rs` → `[a, b]`; `lib.rs` → `[]`.
fn module_of(name: &str) -> ModPath {
    let mut segs: ModPath = name
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(segs.last().map(String::as_str), Some("mod" | "lib")) {
        segs.pop();
    }
    segs
}

/// Records every inline `mod name { … }`.
struct InlineModules<'a> {
    scope: ModPath,
    out: &'a mut BTreeSet<ModPath>,
}

impl<'ast> Visit<'ast> for InlineModules<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.content.is_some() {
            self.scope.push(m.ident.to_string());
            self.out.insert(self.scope.clone());
            syn::visit::visit_item_mod(self, m);
            self.scope.pop();
        }
    }
}

/// Collects the imports and the crate-relative paths of one file.
struct Collector<'a> {
    krate: &'a Crate,
    file: &'a str,
    /// The file's module.
    module: ModPath,
    /// The module being read (the file's, or an inline one in it).
    scope: ModPath,
    imports: Vec<(ModPath, String, ModPath)>,
    references: Vec<Reference>,
}

impl Collector<'_> {
    fn reference(&mut self, segs: &[String]) {
        if let Some(abs) = self.krate.absolute(&self.scope, segs) {
            self.references.push(Reference {
                file: self.file.to_string(),
                module: self.module.clone(),
                abs,
                text: segs.join("::"),
            });
        }
    }

    /// One leaf of a `use` tree: `prefix::name` imported as `alias`
    /// (`None`: a glob, or `as _`).
    fn use_leaf(&mut self, prefix: &[String], name: Option<&str>, alias: Option<String>) {
        let mut segs = prefix.to_vec();
        if let Some(n) = name.filter(|n| *n != "self") {
            segs.push(n.to_string());
        }
        self.reference(&segs);
        if let (Some(alias), Some(abs)) = (alias, self.krate.absolute(&self.scope, &segs)) {
            self.imports.push((self.scope.clone(), alias, abs));
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                // `use a::b::{self}` imports the module `b` under its name.
                let name = n.ident.to_string();
                let alias = if name == "self" {
                    prefix.last().cloned()
                } else {
                    Some(name.clone())
                };
                self.use_leaf(prefix, Some(&name), alias);
            }
            syn::UseTree::Rename(r) => {
                let alias = Some(r.rename.to_string()).filter(|a| a != "_");
                self.use_leaf(prefix, Some(&r.ident.to_string()), alias);
            }
            syn::UseTree::Glob(_) => self.use_leaf(prefix, None, None),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    /// Paths inside macro arguments (`format!("{}", crate::results::hex(b))`):
    /// runs of `ident :: ident …` in the tokens.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let colons = |a: Option<&TokenTree>, b: Option<&TokenTree>| match (a, b) {
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) => {
                a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
            }
            _ => false,
        };
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(first) => {
                    let mut segs = vec![first.to_string()];
                    while colons(trees.get(i + 1), trees.get(i + 2))
                        && let Some(TokenTree::Ident(next)) = trees.get(i + 3)
                    {
                        segs.push(next.to_string());
                        i += 3;
                    }
                    if segs.len() > 1 {
                        self.reference(&segs);
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.content.is_some() {
            self.scope.push(m.ident.to_string());
            syn::visit::visit_item_mod(self, m);
            self.scope.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if u.leading_colon.is_none() {
            self.use_tree(&mut Vec::new(), &u.tree);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() && p.segments.len() > 1 {
            let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
            self.reference(&segs);
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }
}

/// The strongly connected components of more than one file (Tarjan).
fn cycles<'a>(graph: &BTreeMap<&'a str, BTreeMap<&'a str, &'a str>>) -> Vec<Vec<&'a str>> {
    struct Tarjan<'a, 'g> {
        graph: &'g BTreeMap<&'a str, BTreeMap<&'a str, &'a str>>,
        index: BTreeMap<&'a str, (usize, usize)>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<&'a str>>,
    }
    impl<'a> Tarjan<'a, '_> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, (n, n));
            self.stack.push(v);
            self.on_stack.insert(v);
            for &w in self.graph.get(v).into_iter().flat_map(|m| m.keys()) {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.index[w].1.min(self.index[v].1);
                    self.index.get_mut(v).unwrap().1 = low;
                } else if self.on_stack.contains(w) {
                    let low = self.index[w].0.min(self.index[v].1);
                    self.index.get_mut(v).unwrap().1 = low;
                }
            }
            if self.index[v].0 == self.index[v].1 {
                let mut scc = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    scc.sort();
                    self.out.push(scc);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.out.sort();
    t.out
}

/// A cycle as lines: each file and what it uses of the others.
fn describe(cycle: &[&str], graph: &BTreeMap<&str, BTreeMap<&str, &str>>) -> String {
    let mut s = format!("  cycle: {}\n", cycle.join(", "));
    for from in cycle {
        for (to, via) in &graph[from] {
            if cycle.contains(to) {
                s += &format!("    {from} → {to} ({via})\n");
            }
        }
    }
    s
}

/// The cycles that are not in `allowed`, and the allowed entries that match
/// no cycle any more.
fn unexpected(cycles: &[Vec<&str>], allowed: &[&[&str]]) -> (Vec<usize>, Vec<usize>) {
    let within = |c: &[&str], a: &[&str]| c.iter().all(|f| a.contains(f));
    let new = (0..cycles.len())
        .filter(|i| !allowed.iter().any(|a| within(&cycles[*i], a)))
        .collect();
    let stale = (0..allowed.len())
        .filter(|i| !cycles.iter().any(|c| within(c, allowed[*i])))
        .collect();
    (new, stale)
}

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_import_circles_between_files() {
    let krate = Crate::read(&src());
    assert!(krate.files.len() > 100, "read {} files", krate.files.len());
    let graph = krate.edges();
    let found = cycles(&graph);
    let (new, stale) = unexpected(&found, ALLOWED_CYCLES);
    let mut msg = String::new();
    for i in new {
        msg += &describe(&found[i], &graph);
    }
    for i in stale {
        msg += &format!(
            "  allowed cycle no longer found, remove it from ALLOWED_CYCLES: {:?}\n",
            ALLOWED_CYCLES[i]
        );
    }
    assert!(msg.is_empty(), "files importing each other:\n{msg}");
}

#[test]
fn reports_depend_on_the_results_model_only() {
    let krate = Crate::read(&src());
    let mut bad = Vec::new();
    for r in &krate.references {
        let layer = ["src/report/", "src/results/"]
            .iter()
            .any(|l| r.file.starts_with(l));
        if !layer {
            continue;
        }
        let resolved = krate.resolve_file(&r.abs).unwrap_or("");
        let forbidden = NOT_FOR_REPORTS.iter().any(|m| {
            r.abs.first().is_some_and(|s| s == m) || resolved.starts_with(&format!("src/{m}/"))
        });
        let results_uses_report = r.file.starts_with("src/results/")
            && (r.abs.first().is_some_and(|s| s == "report")
                || resolved.starts_with("src/report/"));
        if forbidden || results_uses_report {
            bad.push(format!("  {} uses {} ({resolved})", r.file, r.text));
        }
    }
    assert!(bad.is_empty(), "layering broken:\n{}", bad.join("\n"));
}

/// The checker itself, on a made-up crate.
#[test]
fn checker_finds_circles_and_sees_through_re_exports() {
    let src = |files: &[(&str, &str)]| {
        let sources: Vec<(String, String)> = files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        Crate::parse(&sources)
    };
    let krate = src(&[
        (
            "lib.rs",
            "pub mod a; pub mod b; mod c; pub const ROOT: u8 = 0;",
        ),
        (
            "a/mod.rs",
            "mod x; mod y; pub use x::X; pub use self::y::Y as Why; pub const A: u8 = 1;",
        ),
        (
            "a/x.rs",
            "use super::Why; pub struct X; fn f() -> u8 { super::A + crate::ROOT }",
        ),
        (
            "a/y.rs",
            "pub struct Y; fn f() { let _ = format!(\"{:?}\", crate::a::X); }",
        ),
        ("b/mod.rs", "mod p; mod q;"),
        (
            "b/p.rs",
            "pub fn p() { super::q::q() } #[cfg(test)] mod tests { use super::*; fn t() { p(); super::super::q::q(); } }",
        ),
        (
            "b/q.rs",
            "pub fn q() {} fn r() -> u8 { crate::b::p::p(); crate::a::A }",
        ),
        ("c.rs", "mod d; pub fn c() { d::d() }"),
        ("c/d.rs", "pub fn d() { super::c() }"),
    ]);
    let graph = krate.edges();
    let uses = |file: &str| graph[file].keys().copied().collect::<Vec<_>>();
    assert_eq!(uses("src/a/x.rs"), ["src/a/y.rs"]);
    assert_eq!(uses("src/a/y.rs"), ["src/a/x.rs"]);
    assert_eq!(uses("src/b/p.rs"), ["src/b/q.rs"]);
    assert_eq!(uses("src/b/q.rs"), ["src/a/mod.rs", "src/b/p.rs"]);
    assert_eq!(uses("src/c.rs"), ["src/c/d.rs"]);
    assert!(uses("src/c/d.rs").is_empty());
    let found = cycles(&graph);
    assert_eq!(
        found,
        [
            vec!["src/a/x.rs", "src/a/y.rs"],
            vec!["src/b/p.rs", "src/b/q.rs"]
        ]
    );
    assert!(describe(&found[0], &graph).contains("src/a/y.rs → src/a/x.rs (crate::a::X)"));
    let allowed: &[&[&str]] = &[
        &["src/b/p.rs", "src/b/q.rs", "src/b/r.rs"],
        &["src/c.rs", "src/d.rs"],
    ];
    assert_eq!(unexpected(&found, allowed), (vec![0], vec![1]));
}
