//! The module layout explains the architecture: no two files of `src` import each other in a
//! cycle (directly or through others), and the top-level folders form layers (data → model →
//! train/analysis → ingest/figures → app → cli) with no import running back up.
//!
//! Imports are read from the source text: every `crate::`, `super::`, `self::` path (and
//! `specae::` in the binary), `use` groups expanded, comments, strings and test modules left
//! out, each path resolved to the file that defines its item (following `pub use`
//! re-exports). `SPECAE_MODULE_ROOT=DIR` checks another tree's `src`;
//! `SPECAE_PRINT_MODULE_GRAPH=app` prints the file graph of `src/app` (any folder).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Which crate a file belongs to: the library (`src/lib.rs`) or the binary (`src/main.rs`,
/// `src/cli/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Krate {
    Lib,
    Bin,
}

struct SourceFile {
    /// Relative to `src`, with `/`.
    rel: String,
    krate: Krate,
    /// Its module path within its crate.
    module: Vec<String>,
    /// The code without comments, strings and test modules.
    code: String,
}

/// Source text with comments, string and char literals blanked out.
fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            // Raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break 'raw;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (next == Some('\\') || b.get(i + 2) == Some(&'\'')) {
            // A char literal ('{', '\n'); a lifetime has no closing quote here.
            let mut j = i + 1;
            if b.get(j) == Some(&'\\') {
                j += 1;
            }
            while j < b.len() && b[j] != '\'' {
                j += 1;
            }
            i = j + 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The code without `#[cfg(test)]` (or `#[cfg(all(test, …))]`) modules.
fn without_test_modules(code: &str) -> String {
    let mut out = code.to_string();
    while let Some(at) = out
        .find("#[cfg(test)]")
        .or_else(|| out.find("#[cfg(all(test"))
    {
        let Some(open) = out[at..].find('{').map(|o| at + o) else {
            break;
        };
        let mut depth = 0;
        let mut end = out.len();
        for (k, ch) in out[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.replace_range(at..end, "");
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parses a path from `s[i..]` (after its first segment was read into `prefix`): segments,
/// `::{a, b::c}` groups, `*`. Returns the full paths and where parsing stopped.
fn parse_rest(s: &[char], mut i: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && s[*i].is_whitespace() {
            *i += 1;
        }
    };
    let mut path = prefix;
    loop {
        let mut j = i;
        skip_ws(&mut j);
        if !(s.get(j) == Some(&':') && s.get(j + 1) == Some(&':')) {
            return (vec![path], i);
        }
        j += 2;
        skip_ws(&mut j);
        match s.get(j) {
            Some('{') => {
                let mut out = vec![];
                j += 1;
                loop {
                    skip_ws(&mut j);
                    match s.get(j) {
                        Some('}') => return (out, j + 1),
                        Some(',') => j += 1,
                        Some(c) if is_ident(*c) => {
                            let start = j;
                            while j < s.len() && is_ident(s[j]) {
                                j += 1;
                            }
                            let seg: String = s[start..j].iter().collect();
                            let mut sub = path.clone();
                            if seg != "self" {
                                sub.push(seg);
                            }
                            let (paths, k) = parse_rest(s, j, sub);
                            out.extend(paths);
                            j = k;
                            // `as alias` and anything else up to the next separator.
                            while j < s.len() && s[j] != ',' && s[j] != '}' {
                                j += 1;
                            }
                        }
                        Some('*') => {
                            out.push(path.clone());
                            j += 1;
                        }
                        Some(_) => j += 1,
                        None => return (out, j),
                    }
                }
            }
            Some('*') => return (vec![path], j + 1),
            Some(c) if is_ident(*c) => {
                let start = j;
                while j < s.len() && is_ident(s[j]) {
                    j += 1;
                }
                path.push(s[start..j].iter().collect());
                i = j;
            }
            _ => return (vec![path], i),
        }
    }
}

/// Every path in `code` that starts with one of `roots` (`crate`, `super`, `self`, …).
fn paths_in(code: &str, roots: &[&str]) -> Vec<Vec<String>> {
    let s: Vec<char> = code.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < s.len() {
        if !is_ident(s[i]) || (i > 0 && (is_ident(s[i - 1]) || s[i - 1] == ':')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        let word: String = s[start..i].iter().collect();
        if !roots.contains(&word.as_str()) {
            continue;
        }
        let (paths, k) = parse_rest(&s, i, vec![word]);
        out.extend(paths.into_iter().filter(|p| p.len() > 1));
        i = k.max(i);
    }
    out
}

/// The files of the tree at `src`.
fn read_tree(src: &Path) -> Vec<SourceFile> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = vec![];
    walk(src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let krate = if rel == "main.rs" || rel.starts_with("cli/") {
                Krate::Bin
            } else {
                Krate::Lib
            };
            let mut module: Vec<String> = rel
                .trim_end_matches(".rs")
                .split('/')
                .map(String::from)
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = without_test_modules(&strip(&text));
            SourceFile {
                rel,
                krate,
                module,
                code,
            }
        })
        .collect()
}

/// Whether `code` defines an item called `name`.
fn defines(code: &str, name: &str) -> bool {
    [
        "fn", "struct", "enum", "trait", "type", "const", "static", "mod", "union",
    ]
    .iter()
    .any(|kw| {
        let pat = format!("{kw} {name}");
        code.match_indices(&pat).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = code[at + pat.len()..].chars().next();
            before.is_none_or(|c| !is_ident(c)) && after.is_none_or(|c| !is_ident(c))
        })
    })
}

struct Graph<'a> {
    files: &'a [SourceFile],
    by_module: HashMap<(Krate, Vec<String>), usize>,
}

impl Graph<'_> {
    /// The file an absolute path `p` (in crate `k`) names, following `pub use` re-exports of
    /// the item (at most `depth` hops).
    fn resolve(&self, k: Krate, p: &[String], depth: usize) -> Option<usize> {
        let (len, file) = (0..=p.len())
            .rev()
            .find_map(|n| self.by_module.get(&(k, p[..n].to_vec())).map(|&f| (n, f)))?;
        if depth == 0 || len == p.len() {
            return Some(file);
        }
        let item = &p[len];
        let f = &self.files[file];
        if defines(&f.code, item) {
            return Some(file);
        }
        // A re-export: `pub use x::y::Item;` (or a group holding it) in that module.
        for target in paths_in(&f.code, &["crate", "super", "self", "specae"]) {
            if target.last() == Some(item)
                && let Some((tk, abs)) = self.absolute(file, &target)
                && abs != p[..=len]
                && let Some(t) = self.resolve(tk, &abs, depth - 1)
            {
                return Some(t);
            }
        }
        // `pub use child::Item;` written relative to the module.
        for line in f.code.lines() {
            let Some(body) = line.trim_start().strip_prefix("pub use ") else {
                continue;
            };
            let first: String = body.chars().take_while(|&c| is_ident(c)).collect();
            if first.is_empty() || ["crate", "super", "self", "specae"].contains(&first.as_str()) {
                continue;
            }
            for target in paths_in(&format!("self::{body}"), &["self"]) {
                if target.last() == Some(item)
                    && let Some((tk, abs)) = self.absolute(file, &target)
                    && let Some(t) = self.resolve(tk, &abs, depth - 1)
                {
                    return Some(t);
                }
            }
        }
        Some(file)
    }

    /// `path` as written in `file`, made absolute: (crate, module path + item).
    fn absolute(&self, file: usize, path: &[String]) -> Option<(Krate, Vec<String>)> {
        let f = &self.files[file];
        let mut krate = f.krate;
        let mut base: Vec<String> = f.module.clone();
        let mut rest = path;
        match path.first()?.as_str() {
            "crate" => {
                base.clear();
                rest = &path[1..];
            }
            "specae" => {
                krate = Krate::Lib;
                base.clear();
                rest = &path[1..];
            }
            "self" => rest = &path[1..],
            "super" => {
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
            }
            _ => return None,
        }
        base.extend(rest.iter().cloned());
        Some((krate, base))
    }

    /// Edges file → file with the names that make them.
    fn edges(&self) -> BTreeMap<(usize, usize), BTreeSet<String>> {
        let mut out: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
        for (i, f) in self.files.iter().enumerate() {
            let roots: &[&str] = if f.krate == Krate::Bin {
                &["crate", "super", "self", "specae"]
            } else {
                &["crate", "super", "self"]
            };
            for p in paths_in(&f.code, roots) {
                let Some((k, abs)) = self.absolute(i, &p) else {
                    continue;
                };
                if let Some(t) = self.resolve(k, &abs, 4)
                    && t != i
                {
                    out.entry((i, t))
                        .or_default()
                        .insert(p.last().cloned().unwrap_or_default());
                }
            }
        }
        out
    }
}

/// Strongly connected components with more than one member (Tarjan).
fn cycles(n: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<Vec<usize>> {
    struct T<'a> {
        adj: Vec<Vec<usize>>,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: &'a mut Vec<Vec<usize>>,
    }
    fn visit(t: &mut T, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        for w in t.adj[v].clone() {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(iw) if t.on[w] => t.low[v] = t.low[v].min(iw),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut comp = vec![];
            while let Some(w) = t.stack.pop() {
                t.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut adj = vec![vec![]; n];
    for &(a, b) in edges {
        adj[a].push(b);
    }
    let mut out = vec![];
    let mut t = T {
        adj,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: vec![],
        next: 0,
        out: &mut out,
    };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    out
}

/// The top-level folder (or file) of a file: its layer.
fn layer(f: &SourceFile) -> String {
    match f.krate {
        Krate::Bin => "cli".into(),
        Krate::Lib => f.module.first().cloned().unwrap_or_else(|| "lib".into()),
    }
}

fn src_root() -> PathBuf {
    std::env::var_os("SPECAE_MODULE_ROOT")
        .map(|r| PathBuf::from(r).join("src"))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_modules_import_each_other_in_a_cycle() {
    let src = src_root();
    let files = read_tree(&src);
    let by_module = files
        .iter()
        .enumerate()
        .map(|(i, f)| ((f.krate, f.module.clone()), i))
        .collect();
    let g = Graph {
        files: &files,
        by_module,
    };
    let edges = g.edges();
    assert!(
        edges.len() > 200,
        "only {} import edges read from {}: the reader is broken",
        edges.len(),
        src.display()
    );
    if let Ok(folder) = std::env::var("SPECAE_PRINT_MODULE_GRAPH") {
        let prefix = format!("{}/", folder.trim_end_matches('/'));
        println!("imports between the files of src/{prefix}:");
        for ((a, b), names) in &edges {
            let (fa, fb) = (&files[*a].rel, &files[*b].rel);
            if fa.starts_with(&prefix) && fb.starts_with(&prefix) {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                println!("  {fa} -> {fb}: {}", names.join(", "));
            }
        }
    }
    let keys: BTreeSet<(usize, usize)> = edges.keys().copied().collect();
    let found = cycles(files.len(), &keys);
    let mut report = String::new();
    for comp in &found {
        report.push_str(&format!("a cycle of {} files:\n", comp.len()));
        for &a in comp {
            for &b in comp {
                if let Some(names) = edges.get(&(a, b)) {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    report.push_str(&format!(
                        "  {} -> {}: {}\n",
                        files[a].rel,
                        files[b].rel,
                        names.join(", ")
                    ));
                }
            }
        }
    }
    assert!(found.is_empty(), "modules import each other:\n{report}");

    // The layers: folders of src import each other without a cycle either.
    let layers: Vec<String> = files
        .iter()
        .map(layer)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let at = |l: &String| layers.iter().position(|x| x == l).unwrap();
    let mut layer_edges: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
    for ((a, b), names) in &edges {
        let (la, lb) = (at(&layer(&files[*a])), at(&layer(&files[*b])));
        if la != lb {
            layer_edges.entry((la, lb)).or_default().insert(format!(
                "{} -> {} ({})",
                files[*a].rel,
                files[*b].rel,
                names.iter().next().unwrap()
            ));
        }
    }
    let keys: BTreeSet<(usize, usize)> = layer_edges.keys().copied().collect();
    let found = cycles(layers.len(), &keys);
    let mut report = String::new();
    for comp in &found {
        let names: Vec<&str> = comp.iter().map(|&i| layers[i].as_str()).collect();
        report.push_str(&format!("folders {}:\n", names.join(", ")));
        for &a in comp {
            for &b in comp {
                if let Some(ex) = layer_edges.get(&(a, b)) {
                    report.push_str(&format!("  e.g. {}\n", ex.iter().next().unwrap()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "folders of src import each other in a cycle:\n{report}"
    );
}

#[test]
fn the_import_reader_sees_groups_supers_and_reexports() {
    let code = strip(
        "use super::{a::B, c::{D, self}};\n// use crate::hidden::X;\nlet s = \"crate::no::Y\";\n\
         fn f() { crate::x::y(1); super::super::z::W::new(); }",
    );
    let got = paths_in(&code, &["crate", "super", "self"]);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        vec![
            s(&["super", "a", "B"]),
            s(&["super", "c", "D"]),
            s(&["super", "c"]),
            s(&["crate", "x", "y"]),
            s(&["super", "super", "z", "W", "new"]),
        ]
    );
    let code = without_test_modules(
        "fn a() {}\n#[cfg(test)]\nmod tests { use super::*; fn b() { if x { } } }\nfn c() {}",
    );
    assert!(code.contains("fn a") && code.contains("fn c") && !code.contains("fn b"));
    assert!(defines("pub struct Foo;", "Foo") && !defines("pub struct FooBar;", "Foo"));
    // A two-file cycle is found; a chain is not.
    let e: BTreeSet<(usize, usize)> = [(0, 1), (1, 2), (2, 1), (3, 0)].into_iter().collect();
    assert_eq!(cycles(4, &e), vec![vec![1, 2]]);
    let e: BTreeSet<(usize, usize)> = [(0, 1), (1, 2)].into_iter().collect();
    assert!(cycles(3, &e).is_empty());
}
